"""Tests for what the client logs: useful at DEBUG, never a secret."""

import logging
from urllib.parse import quote

import pytest

from custom_components.slack_webhook.slack_client import (
    WebhookAuthError,
    WebhookPayloadError,
    default_retry_handlers,
    redact_url,
)
from custom_components.slack_webhook.slack_client.client import _LOGGER
from tests.helpers.client import MakeClient
from tests.helpers.proxy_server import PROXY_PASSWORD, ProxyServer
from tests.helpers.slack_server import SECRET, Answer, SlackServer


async def test_debug_log_shows_the_story_without_secrets(
    make_client: MakeClient,
    slack: SlackServer,
    auth_proxy: ProxyServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Method, redacted URL, status, attempt and wait; no secret, no proxy password."""
    slack.answer(
        Answer(reset=True),
        Answer(500, "rollup_error"),
        Answer(429, "rate_limited", {"Retry-After": "0.01"}),
        Answer(delay=0.3),
    )
    slack.default = Answer(400, "no_text")
    client = make_client(
        proxy=auth_proxy.url,
        timeout=0.1,
        default_headers={"Authorization": f"Bearer {SECRET}"},
        retry_handlers=default_retry_handlers(
            backoff_factor=0.001, jitter=0, retry_timeouts=True
        ),
    )
    caplog.set_level(logging.DEBUG, logger=_LOGGER.name)
    with pytest.raises(WebhookPayloadError):
        await client.send(text=SECRET, headers={"X-Token": SECRET})
    await client.probe()

    redacted = redact_url(slack.url)
    messages = [record.getMessage() for record in caplog.records]
    text = caplog.text + "\n".join(messages)
    assert SECRET not in text
    assert PROXY_PASSWORD not in text
    assert quote(PROXY_PASSWORD, safe="") not in text
    assert f"POST {redacted} (attempt 1)" in messages
    assert f"POST {redacted} answered 500 (attempt 2)" in messages
    assert (
        f"POST {redacted} retried in 0.010 s after attempt 3: rate_limited" in messages
    )
    assert any(
        m.startswith(f"POST {redacted} failed (attempt 1): Cannot reach the webhook")
        for m in messages
    )
    assert f"POST {redacted} failed (attempt 4): No answer within 0.1 s" in messages
    assert f"POST {redacted} not retried after attempt 5: no_text" in messages
    assert all(record.levelno == logging.DEBUG for record in caplog.records)


async def test_giving_up_is_logged(
    make_client: MakeClient, slack: SlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The last attempt and its error code."""
    slack.default = Answer(404, "no_service")
    caplog.set_level(logging.DEBUG, logger=_LOGGER.name)
    with pytest.raises(WebhookAuthError):
        await make_client().send(text="hi")
    assert (
        f"POST {redact_url(slack.url)} not retried after attempt 1: no_service"
        in caplog.messages
    )


async def test_a_custom_logger_is_used(
    make_client: MakeClient, slack: SlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The logger setting replaces the module logger."""
    logger = logging.getLogger("tests.custom")
    caplog.set_level(logging.DEBUG)
    await make_client(logger=logger).send(text="hi")
    assert {
        record.name for record in caplog.records if "POST" in record.getMessage()
    } == {"tests.custom"}
