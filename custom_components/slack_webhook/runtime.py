"""Building an entry's runtime data from its options: the client, the pacer and the queue."""

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .data import SlackWebhookConfigEntry, SlackWebhookData, entry_kind
from .delivery import Delivery, TokenBucket
from .options import EntryOptions
from .slack_client import AsyncWebhookClient, TargetKind, default_retry_handlers


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
    kind = entry_kind(entry)
    client = build_client(hass, entry.data[CONF_URL], options, pacer, kind)
    return SlackWebhookData(
        options=options,
        delivery=Delivery(hass, entry, client, pacer, options),
        defaults={} if kind is TargetKind.WORKFLOW else options.body_defaults,
        kind=kind,
    )


def build_client(
    hass: HomeAssistant,
    url: str,
    options: EntryOptions,
    pacer: TokenBucket,
    kind: TargetKind | None = None,
) -> AsyncWebhookClient:
    """Return a client on HA's shared session with the entry's retry policy.

    The kind decides how answers are judged; None tells it from the URL.
    """
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
        kind=kind,
    )
