"""Translated errors: the one way to make them, and the one for each client error."""

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .slack_client import (
    WebhookAnswerFailedError,
    WebhookAuthError,
    WebhookDNSError,
    WebhookError,
    WebhookInterceptedError,
    WebhookPayloadError,
    WebhookProxyAuthError,
    WebhookProxyError,
    WebhookRejectedError,
    WebhookRequestError,
    WebhookSessionClosedError,
    WebhookTLSError,
)

TRANSLATION_KEYS: tuple[tuple[type[WebhookError], str], ...] = (
    (WebhookAnswerFailedError, "answer_failed"),
    (WebhookAuthError, "webhook_auth"),
    (WebhookProxyAuthError, "proxy_rejected"),
    (WebhookInterceptedError, "not_from_webhook"),
    (WebhookRejectedError, "webhook_rejected"),
    (WebhookPayloadError, "payload_rejected"),
    (WebhookProxyError, "proxy_unreachable"),
    (WebhookTLSError, "tls_failed"),
    (WebhookDNSError, "dns_failed"),
    (WebhookSessionClosedError, "session_closed"),
)
"""The translation key of each error class; the first class that matches wins."""


def translated_error(err: WebhookError) -> HomeAssistantError:
    """Return the error to raise to the caller; it names Slack's code, never the URL.

    A proxy is named by host and port only, never with its credentials.
    """
    if isinstance(err, WebhookRequestError):
        return invalid("invalid_request", error=str(err))
    key = next(
        (key for kind, key in TRANSLATION_KEYS if isinstance(err, kind)),
        "delivery_failed",
    )
    placeholders = {"error": err.error}
    if isinstance(err, WebhookProxyError):
        placeholders["proxy"] = err.proxy
    if isinstance(err, WebhookAnswerFailedError):
        placeholders["target"] = err.target
    return failure(key, **placeholders)


def failure(key: str, **placeholders: str) -> HomeAssistantError:
    """Return a translated error for something that went wrong."""
    return _translated(HomeAssistantError, key, placeholders)


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated error for input that is refused."""
    return _translated(ServiceValidationError, key, placeholders)


def _translated[E: HomeAssistantError](
    kind: type[E], key: str, placeholders: dict[str, str]
) -> E:
    """Return an error of this kind with the integration's translation key."""
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )
