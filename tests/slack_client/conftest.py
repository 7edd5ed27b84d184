"""Fixtures for the webhook client tests: a session, proxies and a fast client."""

from collections.abc import AsyncIterator
import ssl
from typing import Any

import aiohttp
import pytest
import trustme

from custom_components.slack_webhook.slack_client import (
    AsyncWebhookClient,
    default_retry_handlers,
)
from tests.helpers.client import MakeClient, NoDNS, SilentServer
from tests.helpers.serving import serving
from tests.helpers.slack_server import SlackServer


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


@pytest.fixture
def trusting(tls_ca: trustme.CA) -> ssl.SSLContext:
    """Return a client context that trusts the test CA (and nothing else)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies host and chain
    tls_ca.configure_trust(context)
    return context


@pytest.fixture
async def silent(socket_enabled: None) -> AsyncIterator[SilentServer]:
    """Run a server that accepts connections and never answers."""
    async with serving(SilentServer()) as server:
        yield server


@pytest.fixture
def no_dns() -> NoDNS:
    """Return a resolver that knows no names (IP addresses still work)."""
    return NoDNS()


@pytest.fixture
async def no_dns_session(no_dns: NoDNS) -> AsyncIterator[aiohttp.ClientSession]:
    """Return a session whose resolver knows no names."""
    connector = aiohttp.TCPConnector(resolver=no_dns)
    async with aiohttp.ClientSession(connector=connector) as shared:
        yield shared
