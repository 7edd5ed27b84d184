"""The base of the integration's entities: one service device per webhook, its URL left out."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .data import SlackWebhookConfigEntry, entry_kind
from .slack_client import TargetKind

MODELS: dict[TargetKind, tuple[str | None, str]] = {
    TargetKind.SLACK: ("Slack", "Incoming webhook"),
    TargetKind.WORKFLOW: ("Slack", "Workflow Builder webhook trigger"),
    TargetKind.DISCORD: ("Discord", "Slack-compatible webhook"),
    TargetKind.MATTERMOST: ("Mattermost", "Incoming webhook"),
    TargetKind.ROCKET_CHAT: ("Rocket.Chat", "Incoming webhook integration"),
    TargetKind.ZULIP: ("Zulip", "Slack incoming webhook integration"),
    TargetKind.OTHER: (None, "Slack-compatible webhook"),
}
"""The device's manufacturer and model for each target kind."""


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
        manufacturer, model = MODELS[entry_kind(entry)]
        self._attr_device_info = DeviceInfo(
            entry_type=DeviceEntryType.SERVICE,
            identifiers={(DOMAIN, entry.entry_id)},
            manufacturer=manufacturer,
            model=model,
            name=entry.title,
        )
