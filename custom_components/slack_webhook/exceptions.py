"""Translated Home Assistant errors for what the webhook client raises."""

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .webhook import (
    WebhookAuthError,
    WebhookError,
    WebhookPayloadError,
    WebhookRejectedError,
    WebhookRequestError,
)


def translated_error(err: WebhookError) -> HomeAssistantError:
    """Return the error to raise to the caller; it names Slack's code, never the URL."""
    if isinstance(err, WebhookRequestError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_request",
            translation_placeholders={"error": str(err)},
        )
    if isinstance(err, WebhookAuthError):
        key = "webhook_auth"
    elif isinstance(err, WebhookRejectedError):
        key = "webhook_rejected"
    elif isinstance(err, WebhookPayloadError):
        key = "payload_rejected"
    else:
        key = "delivery_failed"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": err.error},
    )


def error(key: str, **placeholders: str) -> HomeAssistantError:
    """Return a translated HomeAssistantError."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )
