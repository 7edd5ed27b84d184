"""Diagnostics: an entry's settings with its secrets redacted, its target kind, delivery statistics and Slack's Request URL."""

from functools import partial
from typing import Any

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.redact import REDACTED, async_redact_data

from .const import CONF_PROXY, CONF_SIGNING_SECRET, CONF_WEBHOOK_ID
from .data import SlackWebhookConfigEntry, entry_kind
from .inbound import is_interactive, request_path
from .pictures import IMAGES
from .slack_client import redact_proxy, redact_url


def redact(value: str) -> str:
    """Return the redaction mark for a secret."""
    return REDACTED


TO_REDACT = {
    CONF_URL: redact_url,
    CONF_PROXY: partial(redact_proxy, mask=REDACTED),
    CONF_SIGNING_SECRET: redact,
    CONF_WEBHOOK_ID: redact,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> dict[str, Any]:
    """Return an entry's data, target kind, options, delivery and picture statistics and Request URL path, secrets redacted."""
    return {
        "data": async_redact_data(entry.data, TO_REDACT),
        "target": entry_kind(entry).value,
        "options": async_redact_data(entry.options, TO_REDACT),
        "delivery": entry.runtime_data.delivery.statistics(),
        "images": hass.data[IMAGES].statistics(entry.entry_id),
        "interactivity": (
            {"request_path": request_path(entry.options[CONF_WEBHOOK_ID])}
            if is_interactive(entry)
            else None
        ),
    }
