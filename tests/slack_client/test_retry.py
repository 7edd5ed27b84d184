"""Tests for the retry handlers and the backoff."""

import random

import pytest

from custom_components.slack_webhook.slack_client import (
    WebhookConnectionError,
    WebhookDNSError,
    WebhookError,
    WebhookPayloadError,
    WebhookProxyError,
    WebhookRateLimitedError,
    WebhookRequestError,
    WebhookResponse,
    WebhookSessionClosedError,
    WebhookTimeoutError,
    WebhookTLSError,
    default_retry_handlers,
)
from custom_components.slack_webhook.slack_client.errors import (
    WebhookConnectTimeoutError,
    WebhookServerError,
)
from custom_components.slack_webhook.slack_client.retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryState,
    ServerErrorRetryHandler,
)

NO_JITTER = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=0)


def answer(status: int, body: str = "") -> WebhookResponse:
    """Return a response with a status."""
    return WebhookResponse(
        url="http://h/***", status_code=status, body=body, headers={}
    )


def rate_limited(retry_after: float | None) -> WebhookRateLimitedError:
    """Return a 429 error with a Retry-After."""
    return WebhookRateLimitedError(answer(429, "rate_limited"), retry_after)


def test_backoff_doubles_without_jitter() -> None:
    """Factor * 2**attempt exactly."""
    assert [NO_JITTER.calculate_sleep_duration(n) for n in range(4)] == [
        0.5,
        1.0,
        2.0,
        4.0,
    ]


def test_backoff_jitter_stays_within_bounds() -> None:
    """Up to `jitter` seconds are added, and they vary."""
    random.seed(3)
    calculator = BackoffRetryIntervalCalculator(backoff_factor=1, jitter=0.25)
    waits = {calculator.calculate_sleep_duration(1) for _ in range(50)}
    assert all(2 <= wait <= 2.25 for wait in waits)
    assert len(waits) > 40


def test_state_counts() -> None:
    """increment_current_attempt counts up from zero."""
    state = RetryState()
    assert state.increment_current_attempt() == 1
    assert state.current_attempt == 1


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (WebhookConnectionError("reset"), True),
        (WebhookConnectTimeoutError("no connection"), True),
        (WebhookDNSError("unknown host"), True),
        (WebhookProxyError("proxy.lan:3128", "refused"), True),
        (WebhookTimeoutError("slow"), False),
        (WebhookTLSError("untrusted"), False),
        (WebhookSessionClosedError("closed"), False),
        (WebhookServerError(answer(500)), False),
        (WebhookRequestError("bad"), False),
    ],
)
def test_connection_handler_takes_connection_errors(
    error: WebhookError, retried: bool
) -> None:
    """Resets, refusals, DNS and connect timeouts are retried; others not by default."""
    handler = ConnectionErrorRetryHandler(max_retry_count=1)
    assert handler.can_retry(state=RetryState(), error=error) is retried


def test_handler_stops_at_its_count() -> None:
    """max_retry_count retries, then no more; each prepare counts one."""
    handler = ConnectionErrorRetryHandler(
        max_retry_count=2, interval_calculator=NO_JITTER
    )
    state = RetryState()
    error = WebhookConnectionError("reset")
    waits = []
    while handler.can_retry(state=state, error=error):
        waits.append(handler.prepare_for_next_attempt(state=state, error=error))
    assert waits == [0.5, 1.0]
    assert state.current_attempt == 2


@pytest.mark.parametrize(
    ("error", "wait"),
    [
        (rate_limited(3), 3),
        (rate_limited(0), 0),
        (rate_limited(None), 0.5),
        (rate_limited(10), 10),
        (rate_limited(10.5), None),
        (WebhookRateLimitedError(answer(429), 10, capped=True), None),
        (WebhookServerError(answer(503)), None),
    ],
)
def test_rate_limit_handler(error: WebhookError, wait: float | None) -> None:
    """Retry-After is waited out up to max_wait; missing means backoff."""
    handler = RateLimitErrorRetryHandler(max_wait=10, interval_calculator=NO_JITTER)
    state = RetryState()
    if wait is None:
        assert not handler.can_retry(state=state, error=error)
    else:
        assert handler.can_retry(state=state, error=error)
        assert handler.prepare_for_next_attempt(state=state, error=error) == wait


@pytest.mark.parametrize(
    ("status", "retried"),
    [(500, True), (502, True), (503, True), (504, True), (501, False), (505, False)],
)
def test_server_handler_statuses(status: int, retried: bool) -> None:
    """500, 502, 503 and 504 by default."""
    error = WebhookServerError(answer(status))
    assert (
        ServerErrorRetryHandler().can_retry(state=RetryState(), error=error) is retried
    )


def test_server_handler_custom_statuses() -> None:
    """Any answer's status can be listed, not only 5xx."""
    handler = ServerErrorRetryHandler(statuses=(408,))
    assert handler.can_retry(state=RetryState(), error=WebhookPayloadError(answer(408)))
    assert not handler.can_retry(
        state=RetryState(), error=WebhookServerError(answer(500))
    )
    assert not handler.can_retry(state=RetryState(), error=WebhookConnectionError("x"))


def test_default_handlers() -> None:
    """One handler per kind, with the given counts, cap and backoff."""
    connection, rate_limit, server = default_retry_handlers(
        connection=4,
        rate_limit=5,
        server=6,
        max_retry_after=7,
        backoff_factor=2,
        jitter=0,
    )
    assert isinstance(connection, ConnectionErrorRetryHandler)
    assert isinstance(rate_limit, RateLimitErrorRetryHandler)
    assert isinstance(server, ServerErrorRetryHandler)
    assert [h.max_retry_count for h in (connection, rate_limit, server)] == [4, 5, 6]
    assert rate_limit.max_wait == 7
    assert server.interval_calculator.calculate_sleep_duration(1) == 4
    assert isinstance(connection, ConnectionErrorRetryHandler)
    assert not connection.retry_timeouts
    eager = default_retry_handlers(retry_timeouts=True)[0]
    assert isinstance(eager, ConnectionErrorRetryHandler)
    assert eager.retry_timeouts
