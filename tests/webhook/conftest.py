"""Fixtures for the webhook client tests: a session, proxies and a fast client."""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.slack_webhook.webhook import (
    AsyncWebhookClient,
    default_retry_handlers,
)
from tests.proxy_server import ProxyServer
from tests.slack_server import SlackServer

from .common import PROXY_PASSWORD, PROXY_USER, MakeClient


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite's: the client has no Home Assistant parts, so no hass is started."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return a session shared the way Home Assistant shares its own."""
    async with aiohttp.ClientSession() as shared:
        yield shared


@pytest.fixture
async def proxy(slack: SlackServer) -> AsyncIterator[ProxyServer]:
    """Run an open forward proxy on 127.0.0.1."""
    server = ProxyServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def auth_proxy(slack: SlackServer) -> AsyncIterator[ProxyServer]:
    """Run a forward proxy on 127.0.0.1 that demands credentials."""
    server = ProxyServer(credentials=(PROXY_USER, PROXY_PASSWORD))
    await server.start()
    yield server
    await server.stop()


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
