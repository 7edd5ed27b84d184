"""Reading the pending-messages sensor, whose writes wait WRITE_DELAY_SECONDS."""

from datetime import timedelta

from custom_components.slack_webhook.sensor import WRITE_DELAY_SECONDS
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

PENDING_SENSOR = "sensor.alerts_pending_messages"


async def pending_state(hass: HomeAssistant, entity_id: str = PENDING_SENSOR) -> str:
    """Let the sensor's delayed write happen, then return its state."""
    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(seconds=WRITE_DELAY_SECONDS)
    )
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state
