"""What a loaded config entry holds at run time (`entry.runtime_data`), and its target kind."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL

from .const import CONF_TARGET
from .delivery import Delivery
from .options import EntryOptions
from .slack_client import TargetKind, kind_from_url


@dataclass(slots=True)
class SlackWebhookData:
    """What a loaded entry holds: its options, delivery queue and body defaults."""

    options: EntryOptions
    delivery: Delivery
    defaults: Mapping[str, Any]
    """Body fields the options set, such as {"unfurl_links": False}."""
    kind: TargetKind
    """What the webhook URL points at (Slack, a trigger, Zulip, …)."""


type SlackWebhookConfigEntry = ConfigEntry[SlackWebhookData]


def entry_kind(entry: ConfigEntry[Any]) -> TargetKind:
    """Return an entry's target kind: stored, or told by its URL for older entries."""
    if stored := entry.data.get(CONF_TARGET):
        return TargetKind(stored)
    return kind_from_url(entry.data[CONF_URL])
