"""Slack Webhook: post Home Assistant messages to Slack-compatible incoming webhooks.

Each config entry is one webhook URL. Setting it up builds its client and
delivery queue (runtime.py), starts the queue (its outbox from the last run
included), registers Slack's Request URL when interactivity is on
(inbound.py) and adds its notify, event and sensor entities. The actions
and the picture view are registered once for the integration. Unloading
keeps undelivered messages on disk; removing the entry deletes them.
"""

from functools import partial

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .data import SlackWebhookConfigEntry
from .delivery import OutboxStore, forget_deadlines
from .inbound import async_setup_interactivity
from .pictures import IMAGE_PATH, IMAGES, ImageStore, ImageView
from .runtime import build_runtime_data
from .services import async_setup_services

PLATFORMS = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions and the view that serves pictures."""
    async_setup_services(hass)
    store = hass.data[IMAGES] = ImageStore(hass)
    await store.async_load()
    hass.http.register_view(ImageView(store))
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> bool:
    """Set up a webhook: its delivery queue, Slack's Request URL and its entities."""
    entry.runtime_data = build_runtime_data(hass, entry)
    delivery = entry.runtime_data.delivery
    await delivery.async_start()
    images = hass.data[IMAGES]
    shows_picture = partial(delivery.pending_bodies, IMAGE_PATH.encode())
    entry.async_on_unload(images.async_track_entry(entry.entry_id, shows_picture))
    entry.async_on_unload(delivery.async_add_listener(images.async_sweep_soon))
    async_setup_interactivity(hass, entry)
    try:
        await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    except Exception:
        await delivery.async_stop()  # the queue started above must not run on
        raise
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
    """Delete the outbox, the pictures and the kept deadlines of a removed webhook."""
    forget_deadlines(hass, entry.entry_id)
    await OutboxStore(hass, entry.entry_id).async_remove()
    if (images := hass.data.get(IMAGES)) is not None:
        await images.async_remove_entry(entry.entry_id)
