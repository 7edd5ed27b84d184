"""The runtime data of a config entry, built from its data and options."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import (
    CONF_BURST,
    CONF_MAX_AGE,
    CONF_MAX_RETRY_AFTER,
    CONF_OUTBOX_SIZE,
    CONF_PROXY,
    CONF_RAISE_ON_QUEUED,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TIMEOUT,
    CONF_UNFURL_LINKS,
    CONF_UNFURL_MEDIA,
    DEFAULT_BURST,
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_OUTBOX_SIZE,
    DEFAULT_RAISE_ON_QUEUED,
    DEFAULT_RATE,
    DEFAULT_RETRIES_CONNECTION,
    DEFAULT_RETRIES_RATE_LIMIT,
    DEFAULT_RETRIES_SERVER,
    DEFAULT_TIMEOUT,
)
from .delivery import Delivery, DeliverySettings
from .slack_client import AsyncWebhookClient, default_retry_handlers
from .token_bucket import TokenBucket

BODY_DEFAULT_OPTIONS = (CONF_UNFURL_LINKS, CONF_UNFURL_MEDIA)


@dataclass(slots=True)
class SlackWebhookData:
    """What a loaded entry holds: its delivery queue and body defaults."""

    delivery: Delivery
    defaults: Mapping[str, Any]
    """Body fields the options set, such as {"unfurl_links": False}."""


type SlackWebhookConfigEntry = ConfigEntry[SlackWebhookData]


def build_client(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry, pacer: TokenBucket
) -> AsyncWebhookClient:
    """Return a client on HA's shared session with the entry's settings."""
    options = entry.options
    timeout = float(options.get(CONF_TIMEOUT, DEFAULT_TIMEOUT))
    retries: dict[str, Any] = {
        "connection": int(
            options.get(CONF_RETRIES_CONNECTION, DEFAULT_RETRIES_CONNECTION)
        ),
        "rate_limit": int(
            options.get(CONF_RETRIES_RATE_LIMIT, DEFAULT_RETRIES_RATE_LIMIT)
        ),
        "server": int(options.get(CONF_RETRIES_SERVER, DEFAULT_RETRIES_SERVER)),
    }
    max_retry_after = float(options.get(CONF_MAX_RETRY_AFTER, DEFAULT_MAX_RETRY_AFTER))
    return AsyncWebhookClient(
        url=entry.data[CONF_URL],
        session=async_get_clientsession(hass),
        timeout=timeout,
        total_timeout=timeout * (sum(retries.values()) + 1) + max_retry_after,
        proxy=options.get(CONF_PROXY) or None,
        retry_handlers=default_retry_handlers(
            **retries, max_retry_after=max_retry_after
        ),
        pacer=pacer,
        max_retry_after=max_retry_after,
    )


def build_runtime_data(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> SlackWebhookData:
    """Return the runtime data of an entry; its delivery is not started yet."""
    options = entry.options
    pacer = TokenBucket(
        rate=float(options.get(CONF_RATE, DEFAULT_RATE)),
        burst=int(options.get(CONF_BURST, DEFAULT_BURST)),
        max_pause=float(options.get(CONF_MAX_RETRY_AFTER, DEFAULT_MAX_RETRY_AFTER)),
    )
    settings = DeliverySettings(
        max_age=float(options.get(CONF_MAX_AGE, DEFAULT_MAX_AGE)) * 3600,
        outbox_size=int(options.get(CONF_OUTBOX_SIZE, DEFAULT_OUTBOX_SIZE)),
        raise_on_queued=bool(
            options.get(CONF_RAISE_ON_QUEUED, DEFAULT_RAISE_ON_QUEUED)
        ),
    )
    delivery = Delivery(hass, entry, build_client(hass, entry, pacer), pacer, settings)
    defaults = {key: options[key] for key in BODY_DEFAULT_OPTIONS if key in options}
    return SlackWebhookData(delivery=delivery, defaults=defaults)
