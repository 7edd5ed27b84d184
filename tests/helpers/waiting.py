"""Waiting in a test for something to happen on the event loop."""

import asyncio
from collections.abc import Callable


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait until `condition` holds, failing after `seconds`."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)
