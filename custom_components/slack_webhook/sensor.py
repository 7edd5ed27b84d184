"""The pending-messages sensor of a webhook.

The sensor shows the backlog, not every message: a change of the count is
written a second later (WRITE_DELAY_SECONDS), at most once a second, and
Home Assistant records it only when it differs from the last. A message
delivered within that second never shows as pending, so a burst of quickly
delivered messages floods neither the state machine nor the recorder (each
one used to write 0 → 1 → 0); an outage shows within a second. When Home
Assistant stops, the count is written at once.
"""

from datetime import datetime
from typing import Final

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, EntityCategory
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from .data import SlackWebhookConfigEntry
from .entity import SlackWebhookEntity

PARALLEL_UPDATES = 0
WRITE_DELAY_SECONDS: Final = 1.0

PENDING = SensorEntityDescription(
    key="pending_messages",
    translation_key="pending_messages",
    entity_category=EntityCategory.DIAGNOSTIC,
    state_class=SensorStateClass.MEASUREMENT,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SlackWebhookConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the pending-messages sensor of an entry."""
    async_add_entities([PendingMessagesSensor(entry, PENDING)])


class PendingMessagesSensor(SlackWebhookEntity, SensorEntity):
    """Messages accepted but not yet delivered, in flight or in the outbox."""

    _cancel_write: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the delivery queue."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.entry.runtime_data.delivery.async_add_listener(
                self._async_pending_changed
            )
        )
        self.async_on_remove(self._async_cancel_write)
        self.async_on_remove(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_write_now)
        )

    @property
    def native_value(self) -> int:
        """Return the number of pending messages."""
        return self.entry.runtime_data.delivery.pending

    @callback
    def _async_pending_changed(self) -> None:
        """Write the count a moment later, unless a write is already due."""
        if self._cancel_write is None:
            self._cancel_write = async_call_later(
                self.hass, WRITE_DELAY_SECONDS, self._async_write_count
            )

    @callback
    def _async_write_count(self, _now: datetime) -> None:
        """Write the count as it is now."""
        self._cancel_write = None
        self.async_write_ha_state()

    @callback
    def _async_write_now(self, _event: Event) -> None:
        """Write the count at once: Home Assistant stops."""
        self._async_cancel_write()
        self.async_write_ha_state()

    @callback
    def _async_cancel_write(self) -> None:
        """Drop a write still due."""
        if self._cancel_write is not None:
            self._cancel_write()
            self._cancel_write = None
