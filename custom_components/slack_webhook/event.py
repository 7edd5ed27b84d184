"""The event entity of an interactive webhook: Slack's clicks, shortcuts and commands."""

from typing import Any, Final

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .bounded import MAX_STATE_ATTRS_BYTES, bounded
from .const import DOMAIN
from .data import SlackWebhookConfigEntry
from .entity import SlackWebhookEntity
from .inbound import is_interactive, signal_interaction
from .interaction import EVENT_TYPES

PARALLEL_UPDATES = 0

INTERACTION = EventEntityDescription(
    key="interaction", translation_key="interaction", event_types=EVENT_TYPES
)
ATTRIBUTES: Final = ("action_id", "value", "values", "user", "channel", "response_url")
"""What the entity's state shows of an interaction; the bus event has all of it."""
ATTRIBUTES_BYTES: Final = MAX_STATE_ATTRS_BYTES - 1024
"""What ATTRIBUTES may take, leaving room for event_type(s) and friendly_name."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SlackWebhookConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entity of an interactive entry; remove it from one no longer so."""
    if is_interactive(entry):
        async_add_entities([SlackInteractionEvent(entry, INTERACTION)])
        return
    registry = er.async_get(hass)
    unique_id = f"{entry.entry_id}_{INTERACTION.key}"
    if entity_id := registry.async_get_entity_id(Platform.EVENT, DOMAIN, unique_id):
        registry.async_remove(entity_id)


class SlackInteractionEvent(SlackWebhookEntity, EventEntity):
    """Fires one event per verified request from Slack to the entry's Request URL."""

    _unrecorded_attributes = frozenset({"response_url"})

    async def async_added_to_hass(self) -> None:
        """Follow the entry's interactions."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_interaction(self.entry.entry_id), self._async_fire
            )
        )

    @callback
    def _async_fire(self, data: dict[str, Any]) -> None:
        """Record one interaction as the entity's event."""
        attributes = {key: data[key] for key in ATTRIBUTES}
        self._trigger_event(data["event_type"], bounded(attributes, ATTRIBUTES_BYTES))
        self.async_write_ha_state()
