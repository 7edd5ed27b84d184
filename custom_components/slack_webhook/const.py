"""Constants for the Slack Webhook integration."""

import logging
from typing import Final

DOMAIN: Final = "slack_webhook"
LOGGER = logging.getLogger(__package__)

# Config entry data
CONF_PROXY: Final = "proxy"

# Config entry options: the client
CONF_TIMEOUT: Final = "timeout"
CONF_RETRIES_CONNECTION: Final = "retries_connection"
CONF_RETRIES_RATE_LIMIT: Final = "retries_rate_limit"
CONF_RETRIES_SERVER: Final = "retries_server"
CONF_MAX_RETRY_AFTER: Final = "max_retry_after"
CONF_UNFURL_LINKS: Final = "unfurl_links"
CONF_UNFURL_MEDIA: Final = "unfurl_media"

# Config entry options: delivery
CONF_RATE: Final = "rate"
CONF_BURST: Final = "burst"
CONF_MAX_AGE: Final = "max_age"
CONF_OUTBOX_SIZE: Final = "outbox_size"
CONF_RAISE_ON_QUEUED: Final = "raise_on_queued"
CONF_IMAGE_RETENTION: Final = "image_retention"

DEFAULT_TIMEOUT: Final = 10.0
"""Seconds one attempt may take."""
DEFAULT_RETRIES_CONNECTION: Final = 3
DEFAULT_RETRIES_RATE_LIMIT: Final = 3
DEFAULT_RETRIES_SERVER: Final = 2
DEFAULT_MAX_RETRY_AFTER: Final = 60.0
"""The longest Retry-After, in seconds, a send waits out before queuing."""
DEFAULT_RATE: Final = 1.0
"""Messages per second to one webhook, as Slack allows."""
DEFAULT_BURST: Final = 3
DEFAULT_MAX_AGE: Final = 24.0
"""Hours a queued message is kept before it is given up."""
RESPONSE_URL_MAX_AGE: Final = 0.5
"""Hours a response_url accepts messages (Slack's limit is 30 minutes)."""
DEFAULT_OUTBOX_SIZE: Final = 500
DEFAULT_RAISE_ON_QUEUED: Final = False
DEFAULT_IMAGE_RETENTION: Final = 24.0
"""Hours a picture is served after its message was delivered or given up."""
