"""A Slack-like hook on 127.0.0.1 for the benchmarks that run Home Assistant.

While `down` it answers 503, as Slack in an outage; otherwise it takes each
message and notes its text and when it came.
"""

import asyncio
import time

from aiohttp import web


class LocalHook:
    """A hook on a free loopback port that answers any path."""

    def __init__(self, *, down: bool = False) -> None:
        """Answer 503 while `down`."""
        self.down = down
        self.texts: list[str] = []
        """The text of each message taken, in order."""
        self.arrived: dict[str, float] = {}
        """When the message with each text came (perf_counter)."""
        self.first: float | None = None
        """When the first message came (perf_counter)."""
        self.arrival = asyncio.Event()
        self.origin = ""
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Return a webhook URL on the hook."""
        return f"{self.origin}/services/T0/B0/benchmark"

    def forget(self) -> None:
        """Forget the messages taken so far."""
        self.texts, self.arrived, self.first = [], {}, None
        self.arrival.clear()

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/{path:.*}", self._post)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.origin = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503, text="service_unavailable")
        text = (await request.json()).get("text", "")
        now = time.perf_counter()
        if self.first is None:
            self.first = now
        self.texts.append(text)
        self.arrived[text] = now
        self.arrival.set()
        return web.Response(text="ok")
