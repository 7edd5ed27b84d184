"""Fixtures for the webhook client tests: a session, proxies and a fast client."""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.slack_webhook.webhook import (
    AsyncWebhookClient,
    default_retry_handlers,
)
from tests.slack_server import SlackServer

from .common import MakeClient


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite's: the client has no Home Assistant parts, so no hass is started."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return a session shared the way Home Assistant shares its own."""
    async with aiohttp.ClientSession() as shared:
        yield shared


@pytest.fixture
def make_client(slack: SlackServer, session: aiohttp.ClientSession) -> MakeClient:
    """Return a factory of clients for the local hook with tiny timeouts and backoffs."""

    def make(**kwargs: Any) -> AsyncWebhookClient:
        settings: dict[str, Any] = {
            "url": slack.url,
            "session": session,
            "timeout": 0.5,
            "retry_handlers": default_retry_handlers(backoff_factor=0.001, jitter=0),
        } | kwargs
        return AsyncWebhookClient(**settings)

    return make
