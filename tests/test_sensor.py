"""Tests for the pending-messages sensor: the backlog, written at most once a second."""

import asyncio
from typing import Any

import pytest

from custom_components.slack_webhook.delivery import QUEUED
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events
from tests.helpers.entries import NO_RETRIES, SetupEntry
from tests.helpers.pending_sensor import PENDING_SENSOR, pending_state
from tests.helpers.slack_server import UNAVAILABLE, Answer, SlackServer


def _sensor_states(events: list[Event[Any]]) -> list[str]:
    """Return the sensor's new states among the captured state changes."""
    return [
        event.data["new_state"].state
        for event in events
        if event.data["entity_id"] == PENDING_SENSOR
    ]


async def test_messages_delivered_at_once_never_show(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Quickly delivered messages leave the sensor at 0, without a state write."""
    entry = await setup_entry()
    events = async_capture_events(hass, EVENT_STATE_CHANGED)
    for i in range(3):  # the default burst: none waits for the pacing
        result = await entry.runtime_data.delivery.async_send({"text": f"m{i}"})
        assert result.delivered
    assert await pending_state(hass) == "0"
    assert len(slack.accepted) == 3
    assert _sensor_states(events) == []


@pytest.mark.usefixtures("fast_outbox")
async def test_backlog_shows_within_a_second_in_one_write(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Messages queued in an outage show after the delay, in one write, and go again."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    events = async_capture_events(hass, EVENT_STATE_CHANGED)
    delivery = entry.runtime_data.delivery
    for i in range(3):
        assert await delivery.async_send({"text": f"m{i}"}) == QUEUED
    await hass.async_block_till_done()
    assert hass.states.get(PENDING_SENSOR).state == "0"  # not yet written
    assert await pending_state(hass) == "3"
    assert _sensor_states(events) == ["3"]

    slack.default = Answer()
    assert await delivery.async_send({"text": "m3"}) == QUEUED
    async with asyncio.timeout(10):
        while delivery.pending:
            await asyncio.sleep(0.01)
    assert [body["text"] for body in slack.accepted] == ["m0", "m1", "m2", "m3"]
    assert await pending_state(hass) == "0"
    # Paced at 1 message/s, the drain shows on the way down, never back up.
    states = _sensor_states(events)
    assert states[:1] == ["3"] and states[-1:] == ["0"]
    assert states == sorted(states, key=int, reverse=True)


async def test_unload_drops_a_write_still_due(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Unloading with a write still due leaves no timer behind."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    assert await entry.runtime_data.delivery.async_send({"text": "m"}) == QUEUED
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PENDING_SENSOR).state == "unavailable"


async def test_stop_writes_the_count_at_once(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """When Home Assistant stops, a write still due happens at once."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    assert await entry.runtime_data.delivery.async_send({"text": "m"}) == QUEUED
    assert hass.states.get(PENDING_SENSOR).state == "0"
    await hass.async_stop()
    assert hass.states.get(PENDING_SENSOR).state == "1"
