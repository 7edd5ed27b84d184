"""Tests for setting up and unloading the integration."""

from unittest.mock import patch

import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.slack_webhook.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from tests.helpers.entries import LoadEntry, MakeEntry, SetupEntry
from tests.helpers.slack_server import SlackServer


async def test_setup_and_unload(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """An entry loads its notify entity and sensor, makes no request, and unloads."""
    entry = await setup_entry()
    assert entry.state is ConfigEntryState.LOADED
    assert slack.received == []

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert hass.states.get("sensor.alerts_pending_messages").state == "0"

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize("platform", [Platform.NOTIFY, Platform.SENSOR])
async def test_entities(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    load_entry: LoadEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Each platform's entities of an entry, as registered and as their states."""
    with patch("custom_components.slack_webhook.PLATFORMS", [platform]):
        await load_entry(config_entry)
        await snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)


async def test_a_failed_setup_stops_the_delivery_queue(
    hass: HomeAssistant, slack: SlackServer, make_entry: MakeEntry
) -> None:
    """When the platforms fail to set up, the queue started before them stops: nothing is sent."""
    entry = make_entry()
    entry.add_to_hass(hass)
    with patch.object(
        hass.config_entries,
        "async_forward_entry_setups",
        side_effect=RuntimeError("platforms failed"),
    ):
        assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    with pytest.raises(HomeAssistantError) as err:
        await entry.runtime_data.delivery.async_send({"text": "after the failure"})
    assert err.value.translation_key == "not_loaded"
    assert slack.received == []
