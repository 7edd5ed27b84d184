"""The Slack Webhook integration."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .data import SlackWebhookConfigEntry
from .inbound import async_setup_interactivity
from .outbox import OutboxStore
from .runtime import build_runtime_data
from .services import async_setup_services

PLATFORMS = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> bool:
    """Set up a webhook: its delivery queue, Slack's Request URL and its entities."""
    entry.runtime_data = build_runtime_data(hass, entry)
    await entry.runtime_data.delivery.async_start()
    async_setup_interactivity(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> bool:
    """Unload a webhook, keeping undelivered messages in its outbox."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.delivery.async_stop()
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> None:
    """Delete the outbox of a removed webhook."""
    await OutboxStore(hass, entry.entry_id).async_remove()
