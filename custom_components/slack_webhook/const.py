"""Constants for the Slack Webhook integration."""

import logging
from typing import Final

DOMAIN: Final = "slack_webhook"
LOGGER = logging.getLogger(__package__)
