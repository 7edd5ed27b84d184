"""The runtime data of a config entry."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .delivery import Delivery
from .options import EntryOptions


@dataclass(slots=True)
class SlackWebhookData:
    """What a loaded entry holds: its options, delivery queue and body defaults."""

    options: EntryOptions
    delivery: Delivery
    defaults: Mapping[str, Any]
    """Body fields the options set, such as {"unfurl_links": False}."""


type SlackWebhookConfigEntry = ConfigEntry[SlackWebhookData]
