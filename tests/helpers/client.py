"""Doubles for the webhook client tests: a client factory's type, a pacer, a silent server, no DNS."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import socket

from aiohttp.abc import AbstractResolver, ResolveResult

from custom_components.slack_webhook.slack_client import AsyncWebhookClient

type MakeClient = Callable[..., AsyncWebhookClient]
"""make_client(**settings): a client for the local hook, fast settings by default."""


@dataclass
class RecordingPacer:
    """A pacer that records calls; acquire sleeps the next of `delays`."""

    delays: list[float] = field(default_factory=list)
    calls: list[tuple[str, float]] = field(default_factory=list)

    def try_acquire(self) -> bool:
        """Never free at once, so every slot goes through acquire."""
        return False

    async def acquire(self) -> None:
        """Record, then wait the scripted delay."""
        delay = self.delays.pop(0) if self.delays else 0.0
        self.calls.append(("acquire", delay))
        await asyncio.sleep(delay)

    def pause(self, seconds: float) -> None:
        """Record the pause."""
        self.calls.append(("pause", seconds))


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
