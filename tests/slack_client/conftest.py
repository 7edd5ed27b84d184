"""Fixtures for the webhook client tests: a session, proxies and a fast client."""

import asyncio
from collections.abc import AsyncIterator
import socket
import ssl
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest
import trustme

from custom_components.slack_webhook.slack_client import (
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


@pytest.fixture
def trusting(tls_ca: trustme.CA) -> ssl.SSLContext:
    """Return a client context that trusts the test CA (and nothing else)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies host and chain
    tls_ca.configure_trust(context)
    return context


class SilentServer:
    """Accepts connections on 127.0.0.1 and never says a word: a black hole."""

    def __init__(self) -> None:
        """Count nothing yet."""
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop open connections."""
        assert self._server is not None
        self._server.close()
        self._server.close_clients()
        await self._server.wait_closed()

    async def _accept(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Count the connection and read until the client leaves."""
        self.connections += 1
        while await reader.read(65536):
            pass
        writer.close()


@pytest.fixture
async def silent(socket_enabled: None) -> AsyncIterator[SilentServer]:
    """Run a server that accepts connections and never answers."""
    server = SilentServer()
    await server.start()
    yield server
    await server.stop()


class NoDNS(AbstractResolver):
    """A resolver for a network without working DNS: every name is unknown."""

    def __init__(self) -> None:
        """Count lookups."""
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Fail the way getaddrinfo does for an unknown name."""
        self.lookups.append(host)
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        """Nothing to close."""


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
