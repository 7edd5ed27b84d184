"""Running a test server for the length of a block."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol


class Server(Protocol):
    """A server the tests start and stop."""

    async def start(self) -> None:
        """Listen."""

    async def stop(self) -> None:
        """Stop listening."""


@asynccontextmanager
async def serving[S: Server](server: S) -> AsyncIterator[S]:
    """Start server, yield it, and stop it afterwards (also on failure)."""
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
