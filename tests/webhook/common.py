"""Shared names of the webhook client tests."""

from collections.abc import Callable

from custom_components.slack_webhook.webhook import AsyncWebhookClient

PROXY_USER = "hauser"
PROXY_PASSWORD = "pr0xyP@ss/w0rd"  # noqa: S105
"""Needs percent-encoding in a URL; must never appear in logs."""

type MakeClient = Callable[..., AsyncWebhookClient]
"""make_client(**settings): a client for the local hook, fast settings by default."""
