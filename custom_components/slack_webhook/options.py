"""An entry's options, read once, with their defaults and units."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from .const import (
    CONF_BURST,
    CONF_IMAGE_RETENTION,
    CONF_MAX_AGE,
    CONF_MAX_RETRY_AFTER,
    CONF_OUTBOX_SIZE,
    CONF_PROXY,
    CONF_RAISE_ON_QUEUED,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TEXT_VARIABLE,
    CONF_TIMEOUT,
    CONF_TITLE_VARIABLE,
    CONF_UNFURL_LINKS,
    CONF_UNFURL_MEDIA,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryOptions:
    """The options of an entry; the defaults are those of an entry without options."""

    proxy: str | None = None
    """http://[user:password@]host:port, credentials included."""
    timeout_seconds: float = 10.0
    """Seconds one attempt may take."""
    retries_connection: int = 3
    retries_rate_limit: int = 3
    retries_server: int = 2
    max_retry_after_seconds: float = 60.0
    """The longest Retry-After a send waits out before queuing."""
    unfurl_links: bool | None = None
    """None leaves the choice to Slack."""
    unfurl_media: bool | None = None
    rate_per_second: float = 1.0
    """Messages per second to one webhook, as Slack allows."""
    burst: int = 3
    max_age_hours: float = 24.0
    """Hours a queued message is kept before it is given up."""
    outbox_size: int = 500
    raise_on_queued: bool = False
    text_variable: str = "text"
    """The Workflow Builder variable notify.send_message puts the message in."""
    title_variable: str = "title"
    """The Workflow Builder variable notify.send_message puts the title in."""
    image_retention_hours: float = 24.0
    """Hours a picture is served after its message was delivered or given up."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Return the options as stored in an entry, defaults filling the gaps."""
        defaults = cls()
        return cls(
            proxy=options.get(CONF_PROXY) or None,
            timeout_seconds=float(options.get(CONF_TIMEOUT, defaults.timeout_seconds)),
            retries_connection=int(
                options.get(CONF_RETRIES_CONNECTION, defaults.retries_connection)
            ),
            retries_rate_limit=int(
                options.get(CONF_RETRIES_RATE_LIMIT, defaults.retries_rate_limit)
            ),
            retries_server=int(
                options.get(CONF_RETRIES_SERVER, defaults.retries_server)
            ),
            max_retry_after_seconds=float(
                options.get(CONF_MAX_RETRY_AFTER, defaults.max_retry_after_seconds)
            ),
            unfurl_links=options.get(CONF_UNFURL_LINKS),
            unfurl_media=options.get(CONF_UNFURL_MEDIA),
            rate_per_second=float(options.get(CONF_RATE, defaults.rate_per_second)),
            burst=int(options.get(CONF_BURST, defaults.burst)),
            max_age_hours=float(options.get(CONF_MAX_AGE, defaults.max_age_hours)),
            outbox_size=int(options.get(CONF_OUTBOX_SIZE, defaults.outbox_size)),
            raise_on_queued=bool(
                options.get(CONF_RAISE_ON_QUEUED, defaults.raise_on_queued)
            ),
            text_variable=str(options.get(CONF_TEXT_VARIABLE, defaults.text_variable)),
            title_variable=str(
                options.get(CONF_TITLE_VARIABLE, defaults.title_variable)
            ),
            image_retention_hours=float(
                options.get(CONF_IMAGE_RETENTION, defaults.image_retention_hours)
            ),
        )

    @property
    def max_age_seconds(self) -> float:
        """Return the seconds a queued message is kept."""
        return self.max_age_hours * 3600

    @property
    def total_timeout_seconds(self) -> float:
        """Return the seconds one send may take: every attempt, and the longest Retry-After.

        A caller waits this long at most; then its message is queued.
        """
        attempts = (
            self.retries_connection + self.retries_rate_limit + self.retries_server + 1
        )
        return self.timeout_seconds * attempts + self.max_retry_after_seconds

    @property
    def body_defaults(self) -> dict[str, Any]:
        """Return the body fields the options set, such as {"unfurl_links": False}."""
        fields = {
            CONF_UNFURL_LINKS: self.unfurl_links,
            CONF_UNFURL_MEDIA: self.unfurl_media,
        }
        return {key: value for key, value in fields.items() if value is not None}
