"""Tests for translating the webhook client's errors into Home Assistant errors."""

import json
import re

import pytest

from custom_components.slack_webhook.exceptions import translated_error
from custom_components.slack_webhook.slack_client import (
    WebhookAuthError,
    WebhookDNSError,
    WebhookError,
    WebhookInterceptedError,
    WebhookPayloadError,
    WebhookProxyAuthError,
    WebhookProxyError,
    WebhookRejectedError,
    WebhookRequestError,
    WebhookResponse,
    WebhookSessionClosedError,
    WebhookTimeoutError,
    WebhookTLSError,
)
from custom_components.slack_webhook.slack_client.errors import (
    WebhookConnectTimeoutError,
    WebhookPacerTimeoutError,
)
from homeassistant.exceptions import ServiceValidationError
from tests.helpers.paths import INTEGRATION
from tests.helpers.slack_server import SECRET

EXCEPTIONS = json.loads((INTEGRATION / "strings.json").read_text())["exceptions"]


def answer(status: int, body: str) -> WebhookResponse:
    """Return an answer from the (redacted) hook."""
    return WebhookResponse(
        url="https://hooks.slack.com/services/T/B/***",
        status_code=status,
        body=body,
        headers={},
    )


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (WebhookAuthError(answer(404, "no_service")), "webhook_auth"),
        (WebhookProxyAuthError(answer(407, "")), "proxy_rejected"),
        (WebhookInterceptedError(answer(302, "")), "not_from_webhook"),
        (WebhookRejectedError(answer(410, "channel_is_archived")), "webhook_rejected"),
        (WebhookPayloadError(answer(400, "no_text")), "payload_rejected"),
        (WebhookProxyError("proxy.lan:3128", "refused"), "proxy_unreachable"),
        (WebhookTLSError("untrusted"), "tls_failed"),
        (WebhookDNSError("unknown"), "dns_failed"),
        (WebhookSessionClosedError("closed"), "session_closed"),
        (WebhookTimeoutError("slow"), "delivery_failed"),
        (WebhookConnectTimeoutError("slow"), "delivery_failed"),
        (WebhookPacerTimeoutError("no slot"), "delivery_failed"),
    ],
)
def test_each_error_has_a_translated_message(error: WebhookError, key: str) -> None:
    """Each class has its key; every placeholder its message uses is given."""
    translated = translated_error(error)
    assert translated.translation_key == key
    placeholders = translated.translation_placeholders or {}
    wanted = set(re.findall(r"{(\w+)}", EXCEPTIONS[key]["message"]))
    assert wanted <= set(placeholders)
    assert not any(SECRET in value for value in placeholders.values())


def test_a_proxy_is_named_by_host_and_port() -> None:
    """The proxy placeholder is host:port, as the client's error holds it."""
    translated = translated_error(WebhookProxyError("proxy.lan:3128", "refused"))
    assert translated.translation_placeholders == {
        "error": "proxy_error",
        "proxy": "proxy.lan:3128",
    }


def test_a_request_error_is_a_validation_error() -> None:
    """Bad input is the caller's to fix."""
    translated = translated_error(WebhookRequestError("Nothing to send"))
    assert isinstance(translated, ServiceValidationError)
    assert translated.translation_key == "invalid_request"
