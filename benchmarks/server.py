"""A Slack-like incoming webhook over HTTPS, run in its own process.

`python -m benchmarks.server --cert PEM --rtt SECONDS` listens on 127.0.0.1,
prints one JSON line with its ports and serves until stdin closes:

- any POST is the hook: it answers `ok`, or 429 `rate_limited` with a
  Retry-After when messages come faster than the configured rate (as Slack
  does, with a little tolerance for clock jitter);
- GET /_stats returns what the hook received; POST /_reset clears it and
  sets the rate limit (`{"rate_limit": 1.0}` or `null`);
- the relay port forwards TCP to the hook with an emulated round trip.
"""

import argparse
import asyncio
import json
import math
import ssl
import sys
import time
from typing import Any

from aiohttp import web

from .relay import start_relay


class Hook:
    """What the hook received, and its rate limit."""

    def __init__(self) -> None:
        """Start empty, without a rate limit."""
        self.rate_limit: float | None = None
        self.strict = False
        """No tolerance at all, and Retry-After rounded up to whole seconds."""
        self.requests = 0
        self.accepted: list[str] = []
        self._last: float | None = None

    def reset(self, rate_limit: float | None, *, strict: bool = False) -> None:
        """Forget everything received and set the rate limit."""
        self.rate_limit = rate_limit
        self.strict = strict
        self.requests = 0
        self.accepted = []
        self._last = None

    def retry_after(self) -> int | None:
        """Return the seconds to ask for when a message comes too early, else None."""
        if self.rate_limit is None:
            return None
        now = time.monotonic()
        interval = 1 / self.rate_limit
        tolerance = 1.0 if self.strict else 0.9
        if self._last is not None and now - self._last < tolerance * interval:
            left = interval - (now - self._last)
            return max(1, math.ceil(left) if self.strict else round(left + 0.5))
        self._last = now
        return None

    async def post(self, request: web.Request) -> web.Response:
        """Answer a message: ok, or 429 when it comes faster than the limit."""
        body = await request.json()
        self.requests += 1
        if (wait := self.retry_after()) is not None:
            return web.Response(
                status=429, text="rate_limited", headers={"Retry-After": str(wait)}
            )
        self.accepted.append(str(body.get("text")))
        return web.Response(text="ok")

    async def stats(self, _request: web.Request) -> web.Response:
        """Return the requests and accepted texts so far."""
        return web.json_response({"requests": self.requests, "accepted": self.accepted})

    async def configure(self, request: web.Request) -> web.Response:
        """Clear the record and set the rate limit."""
        settings = await request.json()
        self.reset(settings.get("rate_limit"), strict=bool(settings.get("strict")))
        return web.Response(text="ok")


async def serve(cert: str, rtt: float) -> None:
    """Serve the hook and the relay until stdin closes."""
    hook = Hook()
    app = web.Application()
    app.router.add_get("/_stats", hook.stats)
    app.router.add_post("/_reset", hook.configure)
    app.router.add_post("/{path:.*}", hook.post)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert)
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    relay = await start_relay(port, rtt)
    ports: dict[str, Any] = {
        "port": port,
        "relay_port": relay.sockets[0].getsockname()[1],
    }
    print(json.dumps(ports), flush=True)
    await asyncio.to_thread(sys.stdin.read)
    relay.close()
    await runner.cleanup()


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cert", required=True, help="PEM with key and chain")
    parser.add_argument("--rtt", type=float, default=0.05, help="relay round trip")
    args = parser.parse_args()
    asyncio.run(serve(args.cert, args.rtt))


if __name__ == "__main__":
    main()
