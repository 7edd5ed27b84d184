"""The benchmark's webhook: the server process, its URLs and its record."""

import asyncio
from dataclasses import dataclass
import json
from pathlib import Path
import sys
from types import TracebackType
from typing import Self

import aiohttp

from .tls import HOST, Authority

HOOK_PATH = "/services/T0000/B0000/benchmark"


@dataclass(frozen=True)
class Record:
    """What the hook received since its last reset."""

    requests: int
    accepted: list[str]


class HookProcess:
    """Runs benchmarks.server in a process of its own, as a remote hook would be."""

    def __init__(self, authority: Authority, rtt: float) -> None:
        """Prepare a hook with a certificate from authority and a relay of rtt seconds."""
        self._authority = authority
        self._rtt = rtt
        self._process: asyncio.subprocess.Process | None = None
        self._control: aiohttp.ClientSession | None = None
        self._ports: dict[str, int] = {}

    @property
    def url(self) -> str:
        """Return the hook's URL, straight to the server."""
        return f"https://{HOST}:{self._ports['port']}{HOOK_PATH}"

    @property
    def relayed_url(self) -> str:
        """Return the hook's URL through the relay that adds the round trip."""
        return f"https://{HOST}:{self._ports['relay_port']}{HOOK_PATH}"

    async def __aenter__(self) -> Self:
        """Start the server and wait for its ports."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.server",
            "--cert",
            str(self._authority.server_pem),
            "--rtt",
            str(self._rtt),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=Path(__file__).parent.parent,
        )
        self._process = process
        if process.stdout is None or not (line := await process.stdout.readline()):
            raise RuntimeError("The benchmark server did not start")
        self._ports = json.loads(line)
        connector = aiohttp.TCPConnector(ssl=self._authority.client_context())
        self._control = aiohttp.ClientSession(connector=connector)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server: it ends when its stdin closes."""
        if self._control is not None:
            await self._control.close()
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.close()
            await self._process.wait()

    async def reset(
        self, rate_limit: float | None = None, *, strict: bool = False
    ) -> None:
        """Clear the record and set the rate limit in messages per second.

        `strict` refuses any message sooner than the interval, and rounds
        Retry-After up to whole seconds, as Slack's header is.
        """
        body = {"rate_limit": rate_limit, "strict": strict}
        async with self._session().post(
            self._control_url("_reset"), json=body
        ) as answer:
            answer.raise_for_status()

    async def record(self) -> Record:
        """Return what the hook received since the last reset."""
        async with self._session().get(self._control_url("_stats")) as answer:
            data = await answer.json()
        return Record(requests=data["requests"], accepted=data["accepted"])

    def _session(self) -> aiohttp.ClientSession:
        """Return the session for control requests; the hook must be running."""
        if self._control is None:
            raise RuntimeError("The hook is not running")
        return self._control

    def _control_url(self, name: str) -> str:
        """Return the URL of a control endpoint."""
        return f"https://{HOST}:{self._ports['port']}/{name}"
