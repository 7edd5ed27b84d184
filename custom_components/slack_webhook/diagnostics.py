"""Diagnostics: an entry's settings with its secrets redacted, and delivery statistics."""

from functools import partial
from typing import Any

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.redact import REDACTED, async_redact_data

from .const import CONF_PROXY
from .data import SlackWebhookConfigEntry
from .images import IMAGES
from .webhook import redact_proxy, redact_url

TO_REDACT = {CONF_URL: redact_url, CONF_PROXY: partial(redact_proxy, mask=REDACTED)}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> dict[str, Any]:
    """Return an entry's data, options, delivery and picture statistics, secrets redacted."""
    return {
        "data": async_redact_data(entry.data, TO_REDACT),
        "options": async_redact_data(entry.options, TO_REDACT),
        "delivery": entry.runtime_data.delivery.statistics(),
        "images": hass.data[IMAGES].statistics(entry.entry_id),
    }
