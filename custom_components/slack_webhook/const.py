"""The integration's domain, logger and config keys (entry data and options)."""

import logging
from typing import Final

DOMAIN: Final = "slack_webhook"
LOGGER = logging.getLogger(__package__)

# Config entry data
CONF_PROXY: Final = "proxy"
CONF_TARGET: Final = "target"
"""The target kind (slack_client.TargetKind); entries made before it was stored have none."""

# Config entry options: the client
CONF_TIMEOUT: Final = "timeout"
CONF_RETRIES_CONNECTION: Final = "retries_connection"
CONF_RETRIES_RATE_LIMIT: Final = "retries_rate_limit"
CONF_RETRIES_SERVER: Final = "retries_server"
CONF_MAX_RETRY_AFTER: Final = "max_retry_after"
CONF_UNFURL_LINKS: Final = "unfurl_links"
CONF_UNFURL_MEDIA: Final = "unfurl_media"

# Config entry options: Workflow Builder triggers
CONF_TEXT_VARIABLE: Final = "text_variable"
CONF_TITLE_VARIABLE: Final = "title_variable"

# Config entry options: delivery
CONF_RATE: Final = "rate"
CONF_BURST: Final = "burst"
CONF_MAX_AGE: Final = "max_age"
CONF_OUTBOX_SIZE: Final = "outbox_size"
CONF_RAISE_ON_QUEUED: Final = "raise_on_queued"
CONF_IMAGE_RETENTION: Final = "image_retention"

RESPONSE_URL_MAX_AGE_SECONDS: Final = 1800.0
"""Seconds a response_url accepts messages (Slack's limit is 30 minutes)."""

# Config entry options: interactivity (Slack's buttons, shortcuts and slash commands)
CONF_SIGNING_SECRET: Final = "signing_secret"  # noqa: S105
CONF_WEBHOOK_ID: Final = "webhook_id"
"""The id of the Home Assistant webhook that receives Slack's requests."""
EVENT_INTERACTION: Final = "slack_webhook_interaction"
"""The bus event fired for each verified request from Slack."""

# Config entry options: slash commands answered by Assist (in the interactivity section)
CONF_ASSIST: Final = "assist"
CONF_ASSIST_COMMAND: Final = "assist_command"
CONF_ASSIST_AGENT: Final = "assist_agent"
CONF_ASSIST_LANGUAGE: Final = "assist_language"
CONF_ASSIST_SLACK_USERS: Final = "assist_slack_users"
"""The Slack user ids (U… or W…) allowed to talk to Assist; none allows nobody."""
CONF_ASSIST_TEAM: Final = "assist_team"
"""The Slack workspace (team) id commands must come from; none allows any."""
CONF_ASSIST_USER: Final = "assist_user"
"""The id of the Home Assistant user Assist acts as."""
CONF_ASSIST_IN_CHANNEL: Final = "assist_in_channel"
