"""A local server on 127.0.0.1 that behaves like Slack's incoming webhooks.

Each test scripts the answers it needs; every request is recorded.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import json
from ssl import SSLContext
import time
from typing import Any

from aiohttp import web

HOOK_PATH = "/services/T0001/B0001/s3cr3tT0k3nValue"
"""The path of the hook; its last segment is the secret that must never leak."""
SECRET = HOOK_PATH.rsplit("/", 1)[-1]


@dataclass
class Answer:
    """One scripted answer: a status and body, or a misbehaviour."""

    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False
    """Close the connection without answering."""
    stream: bool = False
    """Send the body over and over, without end, until the client leaves."""


UNAVAILABLE = Answer(status=503, body="service_unavailable")
"""Slack's answer while it is down."""


@dataclass
class Received:
    """A request the server received."""

    path: str
    headers: dict[str, str]
    raw: bytes
    at: float
    status: int = 0
    """The status answered; 0 for a reset."""
    method: str = "POST"

    @property
    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.raw)


class SlackServer:
    """A Slack-like webhook server; `answers` are used first, then `default`.

    With `ssl_context` (a server context holding a certificate for 127.0.0.1)
    it speaks https, and `origin` and `url` say so.
    """

    def __init__(self, ssl_context: SSLContext | None = None) -> None:
        """Create a server that answers `ok` to everything."""
        self.ssl_context = ssl_context
        self.answers: deque[Answer] = deque()
        self.default = Answer()
        self.received: list[Received] = []
        self.rate_limit: float | None = None
        """Messages per second; faster requests get 429 with Retry-After."""
        self.handler: Callable[[web.Request], Awaitable[Answer]] | None = None
        self._last_accepted: float | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def origin(self) -> str:
        """Return scheme, host and port of the server."""
        scheme = "http" if self.ssl_context is None else "https"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """Return the hook's URL."""
        return self.origin + HOOK_PATH

    def answer(self, *answers: Answer) -> None:
        """Queue answers for the next requests, in order."""
        self.answers.extend(answers)

    @property
    def bodies(self) -> list[Any]:
        """Return the JSON bodies received, in order."""
        return [request.json for request in self.received]

    @property
    def accepted(self) -> list[Any]:
        """Return the JSON bodies answered with a 2xx, in order."""
        return [r.json for r in self.received if 200 <= r.status < 300]

    async def start(self) -> None:
        """Listen on a free port on 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()

    def _rate_limited(self) -> Answer | None:
        """Return a 429 answer when a request comes faster than the limit."""
        if self.rate_limit is None:
            return None
        now = time.monotonic()
        interval = 1 / self.rate_limit
        # Like Slack, tolerate a little clock jitter between two sends.
        if (
            self._last_accepted is not None
            and now - self._last_accepted < 0.9 * interval
        ):
            wait = interval - (now - self._last_accepted)
            return Answer(
                status=429,
                body="rate_limited",
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )
        self._last_accepted = now
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Record a request and answer as scripted."""
        raw = await request.read()
        received = Received(
            request.path_qs,
            dict(request.headers),
            raw,
            time.monotonic(),
            method=request.method,
        )
        self.received.append(received)
        if self.handler is not None:
            answer = await self.handler(request)
        else:
            answer = (
                self._rate_limited()
                or (self.answers.popleft() if self.answers else None)
                or self.default
            )
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.reset:
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        received.status = answer.status
        if answer.stream:
            return await _stream_forever(request, answer)
        return web.Response(
            status=answer.status, text=answer.body, headers=answer.headers
        )


async def _stream_forever(request: web.Request, answer: Answer) -> web.StreamResponse:
    """Answer with the body repeated until the client closes the connection."""
    response = web.StreamResponse(status=answer.status, headers=answer.headers)
    await response.prepare(request)
    chunk = (answer.body or "x").encode() * 1024
    try:
        while True:
            await response.write(chunk)
    except ConnectionError:
        pass
    return response
