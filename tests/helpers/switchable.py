"""A hook, a proxy, a wall clock and an outbox journal that a test switches and watches.

The stateful test (test_stateful.py) drives one entry through faults with
these: the hook answers as its `mode` says and records which messages it
processed; the proxy forwards, refuses everyone (407) or answers for the hook
like a captive portal; the wall clock can be stepped; the journal's writes
are watched, so which message id carried which marker is known and a
`slack_webhook_delivery_failed` event can be traced to the message it reports.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
import json
from pathlib import Path
import re
import time
from typing import Any
from unittest.mock import patch

from aiohttp import web

from custom_components.slack_webhook.delivery import journal
from custom_components.slack_webhook.slack_client import (
    WebhookTimeoutError,
    client as client_module,
)

from .proxy_server import ProxyServer, _read_head
from .slack_server import HOOK_PATH, Answer, SlackServer

MARKER = re.compile(r"mk\d+")
"""Each message's text is a unique marker such as `mk17`."""
HOOK_MODES = ("ok", "503", "reset", "slow", "hang", "400", "429")
"""How the hook answers: 200; 503; a reset; 200 after the client's timeout;
no answer until the mode changes (then 503); 400 invalid_payload; 429."""

_PROXY_REFUSED = (
    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
    b'Proxy-Authenticate: Basic realm="test"\r\n'
    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
)
_PORTAL_PAGE = b"<html><body>Sign in to use this network</body></html>"
_PORTAL = (
    b"HTTP/1.1 302 Found\r\n"
    b"Location: http://portal.invalid/login\r\n"
    b"Content-Type: text/html\r\n"
    b"Content-Length: " + str(len(_PORTAL_PAGE)).encode() + b"\r\n"
    b"Connection: close\r\n\r\n" + _PORTAL_PAGE
)


def markers_in(data: bytes | str) -> list[str]:
    """Return the markers a request body or stored record holds."""
    text = data.decode(errors="replace") if isinstance(data, bytes) else data
    return MARKER.findall(text)


class SwitchableHook(SlackServer):
    """The Slack-like hook, answering as `mode` says; it can go down and come back.

    `processed` lists the markers it answered 2xx, in the order it answered:
    those are the messages Slack posted, seen by the client or not.
    """

    def __init__(self, slow: float) -> None:
        """Answer 200 until switched; a slow answer comes after `slow` seconds."""
        super().__init__()
        self.mode = "ok"
        self.retry_after: str | None = None
        self.slow = slow
        self.processed: list[str] = []
        self.up = False
        self.handler = self._answer
        self._release = asyncio.Event()

    def switch(self, mode: str, retry_after: str | None = None) -> None:
        """Answer as `mode` from now on; release requests hung so far."""
        self.mode = mode
        self.retry_after = retry_after
        self._release.set()
        self._release = asyncio.Event()

    async def start(self) -> None:
        """Listen on 127.0.0.1, on the port it had before if it ran already."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.up = True

    async def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        self._release.set()
        self.up = False
        await super().stop()

    async def _answer(self, request: web.Request) -> Answer:
        """Answer one request as the mode says, recording what was processed."""
        raw = await request.read()
        mode = self.mode
        if mode == "hang":
            await self._release.wait()
            return Answer(status=503, body="service_unavailable")
        if mode == "503":
            return Answer(status=503, body="service_unavailable")
        if mode == "reset":
            return Answer(reset=True)
        if mode == "400":
            return Answer(status=400, body="invalid_payload")
        if mode == "429":
            headers = (
                {} if self.retry_after is None else {"Retry-After": self.retry_after}
            )
            return Answer(status=429, body="rate_limited", headers=headers)
        if mode == "slow":
            await asyncio.sleep(self.slow)
        self.processed.extend(markers_in(raw)[:1])
        return Answer()


class SwitchableProxy(ProxyServer):
    """An open forward proxy that can refuse everyone (407) or act as a captive portal."""

    def __init__(self) -> None:
        """Forward until switched."""
        super().__init__()
        self.mode = "ok"
        self.intercepted = 0
        """Requests for the webhook answered by the proxy itself (407 or portal).

        A response_url's path fault raises no repair issue (only the webhook's
        does), so requests for other paths are not counted.
        """

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Forward as ProxyServer does, or answer in the hook's place."""
        if self.mode == "ok":
            await super()._serve(reader, writer)
            return
        try:
            method, target, headers = await _read_head(reader)
            await reader.readexactly(int(headers.get("content-length", "0")))
            self.intercepted += method == "CONNECT" or HOOK_PATH in target
            writer.write(_PROXY_REFUSED if self.mode == "407" else _PORTAL)
            await writer.drain()
        except asyncio.IncompleteReadError, ConnectionError:
            writer.transport.abort()
        finally:
            writer.close()


class WallClock:
    """`time.time` stepped by `offset` seconds from the real wall clock."""

    def __init__(self) -> None:
        """Start at the real time."""
        self.offset = 0.0
        self._real: Callable[[], float] = time.time

    def real(self) -> float:
        """Return the real wall time."""
        return self._real()

    @contextmanager
    def patched(self) -> Iterator[None]:
        """Make `time.time` answer the stepped time."""
        with patch("time.time", lambda: self._real() + self.offset):
            yield


class OutboxWatch:
    """Watches the writes of the outbox journals (journal.append and journal.rewrite).

    The journal's record lines hold a message id and the message; every
    write is scanned, so an id reported later maps to the marker it carried.
    """

    def __init__(self) -> None:
        """Know no record yet."""
        self.markers: dict[str, str] = {}
        self.last_line: bytes | None = None
        """The last record line written that carried a marker: a valid line of today's format."""
        self.last_removal: bytes | None = None
        """The last line written that removed messages, also valid in today's format."""

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Note the id and marker of every journal record written meanwhile."""
        append, rewrite = journal.append, journal.rewrite

        def appended(path: Path, data: bytes) -> None:
            append(path, data)
            self.note(data)

        def rewritten(path: Path, data: bytes) -> None:
            rewrite(path, data)
            self.note(data)

        with (
            patch.object(journal, "append", appended),
            patch.object(journal, "rewrite", rewritten),
        ):
            yield

    def note(self, data: bytes) -> None:
        """Note the records of journal lines (run in the executor: plain assignments)."""
        for line in data.split(b"\n"):
            record = _record(line)
            found = markers_in(line)
            if record is not None and found and isinstance(record.get("id"), str):
                self.markers[record["id"]] = found[0]
                self.last_line = line
            elif record is not None and "removed" in record:
                self.last_removal = line


def _record(line: bytes) -> dict[str, Any] | None:
    """Return the JSON object a journal line holds, if it holds one."""
    try:
        item = json.loads(line)
    except ValueError:
        return None
    return item if isinstance(item, dict) else None


@contextmanager
def counting_interrupted_attempts() -> Iterator[Counter[str]]:
    """Count, per marker, the attempts that ended without an answer being read.

    An attempt cut off by its timeout (or by an unload or stop) may still
    have been posted by the hook: only these may cause duplicates.
    """
    counts: Counter[str] = Counter()
    post = client_module.post

    async def observed(*args: Any, data: bytes, **kwargs: Any) -> Any:
        try:
            return await post(*args, data=data, **kwargs)
        except asyncio.CancelledError, WebhookTimeoutError:
            counts.update(markers_in(data)[:1])
            raise

    with patch.object(client_module, "post", observed):
        yield counts
