"""Tests for setting up and unloading the integration."""

from custom_components.slack_webhook.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import SetupEntry
from .slack_server import SlackServer


async def test_setup_and_unload(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """An entry loads its notify entity and sensor, makes no request, and unloads."""
    entry = await setup_entry()
    assert entry.state is ConfigEntryState.LOADED
    assert slack.received == []

    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert sorted(e.entity_id for e in entities) == [
        "notify.alerts",
        "sensor.alerts_pending_messages",
    ]
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert hass.states.get("sensor.alerts_pending_messages").state == "0"

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
