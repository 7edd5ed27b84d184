"""The Slack Webhook integration."""

from homeassistant.const import CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .data import SlackWebhookConfigEntry, SlackWebhookData
from .delivery import Delivery
from .options import EntryOptions
from .outbox import OutboxStore
from .services import async_setup_services
from .slack_client import AsyncWebhookClient, default_retry_handlers
from .token_bucket import TokenBucket

PLATFORMS = [Platform.NOTIFY, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> bool:
    """Set up a webhook: start its delivery queue and its entities."""
    entry.runtime_data = build_runtime_data(hass, entry)
    await entry.runtime_data.delivery.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> bool:
    """Unload a webhook, keeping undelivered messages in its outbox."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.delivery.async_stop()
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> None:
    """Delete the outbox of a removed webhook."""
    await OutboxStore(hass, entry.entry_id).async_remove()


def build_runtime_data(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> SlackWebhookData:
    """Return the runtime data of an entry; its delivery is not started yet."""
    options = EntryOptions.from_options(entry.options)
    pacer = TokenBucket(
        rate=options.rate_per_second,
        burst=options.burst,
        max_pause=options.max_retry_after_seconds,
    )
    client = build_client(hass, entry.data[CONF_URL], options, pacer)
    return SlackWebhookData(
        delivery=Delivery(hass, entry, client, pacer, options),
        defaults=options.body_defaults,
    )


def build_client(
    hass: HomeAssistant, url: str, options: EntryOptions, pacer: TokenBucket
) -> AsyncWebhookClient:
    """Return a client on HA's shared session with the entry's retry policy."""
    return AsyncWebhookClient(
        url=url,
        session=async_get_clientsession(hass),
        timeout=options.timeout_seconds,
        total_timeout=options.total_timeout_seconds,
        proxy=options.proxy,
        retry_handlers=default_retry_handlers(
            connection=options.retries_connection,
            rate_limit=options.retries_rate_limit,
            server=options.retries_server,
            max_retry_after=options.max_retry_after_seconds,
        ),
        pacer=pacer,
        max_retry_after=options.max_retry_after_seconds,
    )
