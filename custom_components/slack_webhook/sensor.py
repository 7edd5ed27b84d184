"""The pending-messages sensor of a webhook."""

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import SlackWebhookConfigEntry
from .entity import SlackWebhookEntity

PARALLEL_UPDATES = 0

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

    async def async_added_to_hass(self) -> None:
        """Follow the delivery queue."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.entry.runtime_data.delivery.async_add_listener(
                self._async_pending_changed
            )
        )

    @property
    def native_value(self) -> int:
        """Return the number of pending messages."""
        return self.entry.runtime_data.delivery.pending

    @callback
    def _async_pending_changed(self) -> None:
        """Write the new count."""
        self.async_write_ha_state()
