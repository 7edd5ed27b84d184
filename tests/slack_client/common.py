"""Shared names of the webhook client tests."""

from collections.abc import Callable

from custom_components.slack_webhook.slack_client import AsyncWebhookClient
from tests.proxy_server import PROXY_PASSWORD, PROXY_USER

__all__ = ["PROXY_PASSWORD", "PROXY_USER", "MakeClient"]

type MakeClient = Callable[..., AsyncWebhookClient]
"""make_client(**settings): a client for the local hook, fast settings by default."""
