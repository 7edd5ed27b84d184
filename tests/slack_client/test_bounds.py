"""Bounded waits and reads, and faults that must not be retried (issue 11).

Finding 4: absurd or unparsable Retry-After counts as max_retry_after, and
the first pacer slot is awaited within the deadline. Finding 10: the answer
body is read up to a cap. Finding 13: a timeout after the request went out
is not retried by default; a connect timeout is. Finding 14: a closed
session fails at once.
"""

import math

import aiohttp
import pytest

from custom_components.slack_webhook.slack_client import (
    AsyncWebhookClient,
    WebhookConnectionError,
    WebhookRateLimitedError,
    WebhookRequestError,
    WebhookSessionClosedError,
    WebhookTimeoutError,
    default_retry_handlers,
)
from custom_components.slack_webhook.slack_client.errors import (
    WebhookConnectTimeoutError,
    WebhookPacerTimeoutError,
    WebhookServerError,
)
from custom_components.slack_webhook.slack_client.retry import (
    ConnectionErrorRetryHandler,
    RetryState,
)
from custom_components.slack_webhook.slack_client.transport import MAX_BODY_BYTES
from tests.helpers.client import MakeClient, RecordingPacer, SilentServer
from tests.helpers.proxy_server import ProxyServer
from tests.helpers.serving import serving
from tests.helpers.slack_server import Answer, SlackServer

HUGE = "9" * 400
"""A Retry-After that float() turns into infinity."""


@pytest.mark.parametrize(
    ("value", "expected", "capped"),
    [
        (HUGE, 5.0, True),
        ("1e999", 5.0, True),
        ("nan", 5.0, True),
        ("inf", 5.0, True),
        ("soon", 5.0, True),
        ("-3", 5.0, True),
        ("", 5.0, True),
        ("600", 5.0, True),
        ("5", 5.0, False),
        ("2.5", 2.5, False),
        (None, None, False),
    ],
)
async def test_retry_after_is_finite_and_capped(
    make_client: MakeClient,
    slack: SlackServer,
    value: str | None,
    expected: float | None,
    capped: bool,
) -> None:
    """Absurd, non-finite or unparsable counts as max_retry_after; absent stays None."""
    headers = {} if value is None else {"Retry-After": value}
    slack.default = Answer(429, "rate_limited", headers)
    pacer = RecordingPacer()
    client = make_client(max_retry_after=5.0, retry_handlers=[], pacer=pacer)
    with pytest.raises(WebhookRateLimitedError) as caught:
        await client.send(text="hi")
    error = caught.value
    assert (error.retry_after, error.capped) == (expected, capped)
    assert error.retry_after is None or math.isfinite(error.retry_after)
    pauses = [seconds for name, seconds in pacer.calls if name == "pause"]
    assert pauses == ([] if expected is None else [expected])
    assert not error.path_fault


async def test_a_huge_retry_after_is_not_waited_in_the_send(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """A capped wait goes to the caller at once, even when the handler would wait the cap."""
    slack.default = Answer(429, "rate_limited", {"Retry-After": HUGE})
    handlers = default_retry_handlers(backoff_factor=0.001, jitter=0, max_retry_after=5)
    with pytest.raises(WebhookRateLimitedError) as caught:
        await make_client(max_retry_after=5, retry_handlers=handlers).send(text="hi")
    assert caught.value.retry_after == 5
    assert len(slack.received) == 1


@pytest.mark.parametrize("cap", [-1.0, math.inf, math.nan])
def test_max_retry_after_must_be_finite(make_client: MakeClient, cap: float) -> None:
    """The cap itself must be a finite number of seconds, zero or more."""
    with pytest.raises(WebhookRequestError):
        make_client(max_retry_after=cap)


async def test_the_first_slot_is_awaited_within_the_deadline(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """A pacer held off for an hour cannot hold the send: transient, nothing sent."""
    pacer = RecordingPacer(delays=[3600.0])
    with pytest.raises(WebhookPacerTimeoutError) as caught:
        await make_client(pacer=pacer, total_timeout=0.1).send(text="hi")
    error = caught.value
    assert (error.transient, error.path_fault) == (True, False)
    assert not isinstance(error, WebhookConnectionError)
    assert slack.received == []


@pytest.mark.parametrize("status", [200, 500])
async def test_an_endless_answer_is_read_up_to_the_cap(
    make_client: MakeClient, slack: SlackServer, status: int
) -> None:
    """A hook that streams forever: the first MAX_BODY_BYTES are kept, marked truncated."""
    slack.default = Answer(status, "x", stream=True)
    if status == 200:
        response = await make_client(timeout=30).send(text="hi")
    else:
        with pytest.raises(WebhookServerError) as caught:
            await make_client(timeout=30, retry_handlers=[]).send(text="hi")
        response = caught.value.response
        assert caught.value.error == "http_500"
    assert response.truncated
    assert response.body == "x" * MAX_BODY_BYTES


@pytest.mark.parametrize(
    ("size", "truncated"), [(MAX_BODY_BYTES, False), (MAX_BODY_BYTES + 1, True)]
)
async def test_the_cap_is_exact(
    make_client: MakeClient, slack: SlackServer, size: int, truncated: bool
) -> None:
    """A body of exactly the cap is whole; one byte more is truncated."""
    slack.default = Answer(200, "y" * size)
    response = await make_client().send(text="hi")
    assert (len(response.body), response.truncated) == (MAX_BODY_BYTES, truncated)


async def test_a_cut_character_is_replaced(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """The cap may split a UTF-8 character: it is replaced, not an error."""
    slack.default = Answer(200, "a" + "é" * MAX_BODY_BYTES)
    response = await make_client().send(text="hi")
    assert response.truncated
    assert response.body.endswith("\ufffd")
    assert len(response.body.encode()) <= MAX_BODY_BYTES + 2


async def test_a_timeout_after_sending_is_not_retried_by_default(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """The slow hook may well deliver: one POST only, so no duplicate."""
    slack.default = Answer(delay=0.3)
    with pytest.raises(WebhookTimeoutError) as caught:
        await make_client(timeout=0.1).send(text="hi")
    assert caught.value.transient
    assert len(slack.received) == 1


async def test_timeouts_are_retried_when_asked(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """retry_timeouts=True opts in, as slack_sdk does by default."""
    slack.answer(Answer(delay=0.3))
    handlers = default_retry_handlers(
        backoff_factor=0.001, jitter=0, retry_timeouts=True
    )
    response = await make_client(timeout=0.1, retry_handlers=handlers).send(text="hi")
    assert response.status_code == 200
    assert len(slack.received) == 2


async def test_a_connect_timeout_is_retried(
    make_client: MakeClient, silent: SilentServer
) -> None:
    """A TLS handshake that never ends sent nothing: a connect timeout, retried."""
    handlers = default_retry_handlers(backoff_factor=0.001, jitter=0, connection=2)
    client = make_client(
        url=f"https://127.0.0.1:{silent.port}/services/T/B/x",
        timeout=0.2,
        retry_handlers=handlers,
    )
    with pytest.raises(WebhookConnectTimeoutError) as caught:
        await client.send(text="hi")
    assert not isinstance(caught.value, WebhookTimeoutError)
    assert (caught.value.transient, caught.value.path_fault) == (True, False)
    assert silent.connections == 3


async def test_a_silent_proxy_is_a_connect_timeout(
    make_client: MakeClient, silent: SilentServer, slack_tls: SlackServer
) -> None:
    """A CONNECT that is never answered sent nothing to the hook."""
    client = make_client(
        url=slack_tls.url,
        proxy=f"http://127.0.0.1:{silent.port}",
        timeout=0.2,
        retry_handlers=[],
    )
    with pytest.raises(WebhookConnectTimeoutError) as caught:
        await client.send(text="hi")
    assert f"127.0.0.1:{silent.port}" in str(caught.value)
    assert slack_tls.received == []


def test_the_connection_handler_and_timeouts() -> None:
    """Timeouts only when asked; connect timeouts always; a closed session never."""
    plain = ConnectionErrorRetryHandler()
    eager = ConnectionErrorRetryHandler(retry_timeouts=True)
    timeout = WebhookTimeoutError("slow")
    connect = WebhookConnectTimeoutError("no connection")
    closed = WebhookSessionClosedError("closed")
    assert not plain.can_retry(state=RetryState(), error=timeout)
    assert eager.can_retry(state=RetryState(), error=timeout)
    assert plain.can_retry(state=RetryState(), error=connect)
    assert not eager.can_retry(state=RetryState(), error=closed)


async def test_a_closed_session_fails_at_once(slack: SlackServer) -> None:
    """Not transient, not retried: one slot asked for, nothing sent."""
    session = aiohttp.ClientSession()
    await session.close()
    pacer = RecordingPacer()
    client = AsyncWebhookClient(url=slack.url, session=session, pacer=pacer)
    with pytest.raises(WebhookSessionClosedError, match="closed") as caught:
        await client.send(text="hi")
    assert (caught.value.transient, caught.value.path_fault) == (False, False)
    assert not isinstance(caught.value, WebhookConnectionError)
    assert pacer.calls == [("acquire", 0.0)]
    assert slack.received == []


async def test_an_unknown_charset_is_read_as_utf8(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """A Content-Type naming a charset Python lacks: UTF-8 is used, not an error.

    A proxy gives the raw answer: the Slack-like server cannot encode it.
    """
    body = "ok ✓".encode()
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=bogus\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    ) + body
    async with serving(ProxyServer(intercept=raw)) as proxy:
        response = await make_client(proxy=proxy.url).send(text="hi")
    assert response.body == "ok ✓"
