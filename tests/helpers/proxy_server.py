"""A small forward HTTP proxy on 127.0.0.1 that records what it forwarded.

It handles plain-http requests in absolute form (`POST http://host/path`), one
request per connection, and `CONNECT host:port` tunnels (for https), piping
bytes both ways until either side closes. It may require Basic credentials
(407 otherwise), for both kinds alike. With `intercept` it forwards nothing and
answers every request and tunnel with those raw bytes, as a captive portal, a
filtering proxy or a proxy that lost its users does.
"""

import asyncio
import base64
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

PROXY_USER = "hauser"
PROXY_PASSWORD = "pr0xyP@ss/w0rd"  # noqa: S105
"""Needs percent-encoding in a URL; must never appear in logs."""

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authorization", "proxy-connection"}
)

_REFUSED = (
    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
    b'Proxy-Authenticate: Basic realm="test"\r\n'
    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
)
REFUSED_407 = _REFUSED
"""A proxy demanding credentials."""
PORTAL_302 = (
    b"HTTP/1.1 302 Found\r\nLocation: http://portal.lan/login\r\n"
    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
)
"""A captive portal sending every request to its login page."""
_PAGE = b"<html><body><h1>Access denied</h1>Ask your administrator.</body></html>"


def html_answer(status: int, reason: str) -> bytes:
    """Return a raw answer with an HTML page, as a portal or filter gives."""
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html\r\n"
        f"Content-Length: {len(_PAGE)}\r\nConnection: close\r\n\r\n"
    ).encode() + _PAGE


@dataclass(frozen=True)
class Proxied:
    """A request the proxy saw."""

    method: str
    target: str
    """The absolute URL the client asked for; `host:port` for CONNECT."""
    proxy_authorization: str | None
    forwarded: bool
    """False when it was refused for missing or wrong credentials.

    For CONNECT, True means the tunnel was allowed (the origin may still have
    been unreachable: then the client got 502).
    """


class ProxyServer:
    """A forward proxy; `credentials` = (user, password) makes it demand them.

    `intercept` (raw HTTP answer bytes) makes it answer everything with them.
    """

    def __init__(
        self,
        credentials: tuple[str, str] | None = None,
        intercept: bytes | None = None,
    ) -> None:
        """Create a proxy; start() makes it listen."""
        self.credentials = credentials
        self.intercept = intercept
        self.seen: list[Proxied] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        """Return the proxy's URL, with the credentials (percent-encoded) if it has some."""
        if self.credentials is None:
            return f"http://127.0.0.1:{self.port}"
        user, password = (quote(part, safe="") for part in self.credentials)
        return f"http://{user}:{password}@127.0.0.1:{self.port}"

    @property
    def expected_authorization(self) -> str | None:
        """Return the Proxy-Authorization value the credentials make."""
        if self.credentials is None:
            return None
        token = base64.b64encode(":".join(self.credentials).encode()).decode()
        return f"Basic {token}"

    @property
    def forwarded(self) -> list[Proxied]:
        """Return the requests that went through."""
        return [request for request in self.seen if request.forwarded]

    async def start(self) -> None:
        """Listen on a free port on 127.0.0.1."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and end open connections."""
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def _accept(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Handle a connection in a task the proxy can cancel on stop."""
        task = asyncio.create_task(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Forward one request or tunnel, or refuse it, then close the connection."""
        try:
            method, target, headers = await _read_head(reader)
            if self.intercept is not None:
                if method != "CONNECT":
                    await reader.readexactly(int(headers.get("content-length", "0")))
                self.seen.append(
                    Proxied(method, target, headers.get("proxy-authorization"), False)
                )
                writer.write(self.intercept)
                await writer.drain()
                return
            if method == "CONNECT":
                await self._tunnel(target, headers, reader, writer)
                return
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            authorization = headers.get("proxy-authorization")
            allowed = authorization == self.expected_authorization
            self.seen.append(Proxied(method, target, authorization, allowed))
            if allowed:
                writer.write(await _forward(method, target, headers, body))
            else:
                writer.write(_REFUSED)
            await writer.drain()
        except asyncio.IncompleteReadError, ConnectionError:
            writer.transport.abort()
        finally:
            writer.close()

    async def _tunnel(
        self,
        target: str,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        """Answer a CONNECT: refuse it, or open the tunnel and pipe until one side closes."""
        authorization = headers.get("proxy-authorization")
        allowed = authorization == self.expected_authorization
        self.seen.append(Proxied("CONNECT", target, authorization, allowed))
        if not allowed:
            writer.write(_REFUSED)
            await writer.drain()
            return
        host, _, port = target.rpartition(":")
        try:
            origin_reader, origin_writer = await asyncio.open_connection(
                host.strip("[]"), int(port)
            )
        except OSError:
            writer.write(
                b"HTTP/1.1 502 Bad Gateway\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        pipes = {
            asyncio.create_task(_pipe(reader, origin_writer)),
            asyncio.create_task(_pipe(origin_reader, writer)),
        }
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)
            origin_writer.close()


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
    """Read a request line and headers; names are lower-cased."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *lines = head.rstrip("\r\n").split("\r\n")
    method, target, _version = request_line.split(" ")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, target, headers


async def _forward(
    method: str, target: str, headers: dict[str, str], body: bytes
) -> bytes:
    """Send a request on to its origin and return the raw answer."""
    url = urlsplit(target)
    assert url.hostname is not None and url.port is not None
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        lines = [
            f"{method} {url.path or '/'}{'?' + url.query if url.query else ''} HTTP/1.1"
        ]
        lines += [
            f"{name}: {value}"
            for name, value in headers.items()
            if name not in _HOP_BY_HOP
        ]
        lines.append("connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    if not answer:
        raise ConnectionResetError("the origin closed without answering")
    return answer


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy bytes from reader to writer until the reader's side closes."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
