"""Base entity of the Slack Webhook integration."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .data import SlackWebhookConfigEntry


class SlackWebhookEntity(Entity):
    """An entity of one webhook, on the entry's service device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: SlackWebhookConfigEntry, description: EntityDescription
    ) -> None:
        """Describe the entity and the device it belongs to; the URL stays out."""
        self.entity_description = description
        self.entry = entry
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            entry_type=DeviceEntryType.SERVICE,
            identifiers={(DOMAIN, entry.entry_id)},
            manufacturer="Slack",
            model="Incoming webhook",
            name=entry.title,
        )
