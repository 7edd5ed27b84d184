"""Tests for mapping answers to exceptions (the end-to-end table is in test_client)."""

import pytest

from custom_components.slack_webhook.slack_client import (
    WebhookAuthError,
    WebhookInterceptedError,
    WebhookPayloadError,
    WebhookProxyAuthError,
    WebhookRateLimitedError,
    WebhookRejectedError,
    WebhookResponse,
    WebhookResponseError,
)
from custom_components.slack_webhook.slack_client.errors import (
    WebhookServerError,
    error_code,
    response_error,
)


def answer(
    status: int, body: str = "", headers: dict[str, str] | None = None
) -> WebhookResponse:
    """Return a response."""
    return WebhookResponse(
        url="http://h/***", status_code=status, body=body, headers=headers or {}
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("no_text", "no_text"),
        ("  invalid_blocks\n", "invalid_blocks"),
        ('{"ok":false,"error":"expired_url"}', "expired_url"),
        ('{"ok":false,"error":"<b>"}', "http_400"),
        ('{"ok":false}', "http_400"),
        ('["error"]', "http_400"),
        ("<html><body>Bad</body></html>", "http_400"),
        ("x" * 65, "http_400"),
        ("x" * 64, "x" * 64),
        ("Forbidden", "http_400"),
        ("9lives", "http_400"),
        ("", "http_400"),
    ],
)
def test_error_code(body: str, code: str) -> None:
    """A bare code or JSON `error`; anything else becomes http_<status>."""
    assert error_code(answer(400, body)) == code


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (301, "", WebhookInterceptedError),
        (400, "no_text", WebhookPayloadError),
        (401, "", WebhookInterceptedError),
        (401, "invalid_auth", WebhookRejectedError),
        (403, "Forbidden", WebhookInterceptedError),
        (404, "no_service", WebhookAuthError),
        (407, "", WebhookProxyAuthError),
        (407, "no_service", WebhookProxyAuthError),
        (413, "", WebhookPayloadError),
        (503, "", WebhookServerError),
        (599, "", WebhookServerError),
    ],
)
def test_response_error_kinds(
    status: int, body: str, kind: type[WebhookResponseError]
) -> None:
    """Redirects, 407 and refusals not in Slack's words are the path's; other 4xx the payload's."""
    error = response_error(answer(status, body))
    assert type(error) is kind
    assert error.status_code == status
    assert error.path_fault is (
        kind in {WebhookInterceptedError, WebhookProxyAuthError}
    )


def test_retry_after_header_is_found_in_any_case() -> None:
    """A plain dict of headers with a lower-case name still works."""
    error = response_error(answer(429, "rate_limited", {"retry-after": "7"}))
    assert isinstance(error, WebhookRateLimitedError)
    assert error.retry_after == 7
    assert error.transient


def test_message_holds_status_and_code_only() -> None:
    """The message is what a log line needs, without the URL."""
    assert str(response_error(answer(410, "channel_is_archived"))) == (
        "HTTP 410: channel_is_archived"
    )
