"""Run the benchmarks and print their tables: `python -m benchmarks [--quick]`."""

import argparse
import asyncio
from collections.abc import Awaitable
import logging
from pathlib import Path
import socket
import tempfile
import time

from . import __doc__ as description
from .assist import assist_acknowledgement
from .bursts import bursts, strict_bursts
from .hook import HookProcess
from .latency import latency
from .outbox import outbox_growth
from .overhead import overhead
from .report import Section, machine
from .startup import backlog_startup
from .throughput import throughput
from .tls import Authority


def _arguments() -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer messages, bursts of 5 and 10"
    )
    parser.add_argument("--no-bursts", action="store_true", help="leave out (c)")
    parser.add_argument(
        "--messages", type=int, help="messages per client in (a) and (b)"
    )
    parser.add_argument(
        "--rtt", type=float, default=0.05, help="round trip of (d), seconds"
    )
    parser.add_argument(
        "--outbox-messages", type=int, help="messages queued in (e) (10,000)"
    )
    parser.add_argument(
        "--backlog",
        type=int,
        help="the largest backlog of (h) (100,000)",
    )
    parser.add_argument(
        "--drain", type=int, help="the backlog (h) drains (the largest backlog)"
    )
    parser.add_argument(
        "--only",
        default="abcdegh",
        help="the measurements to run, by letter (default abcdegh)",
    )
    return parser.parse_args()


async def _run(args: argparse.Namespace) -> None:
    """Run each measurement and print its section as soon as it is done."""
    messages = args.messages or (150 if args.quick else 600)
    sizes = [5, 10] if args.quick else [20, 50]
    print(f"Machine: {machine()}\n", flush=True)
    only = set(args.only) - ({"c"} if args.no_bursts else set())
    with tempfile.TemporaryDirectory() as directory:
        authority = Authority(Path(directory))
        async with HookProcess(authority, args.rtt) as hook:
            if "a" in only:
                await _print(throughput(hook, authority, messages))
            if "b" in only:
                config = _config(directory, "b")
                await _print(overhead(hook, authority, config, messages // 2))
            if "c" in only:
                config = _config(directory, "c")
                await _print(bursts(hook, authority, config, sizes))
                config = _config(directory, "c-strict")
                await _print(strict_bursts(hook, authority, config, sizes))
            if "d" in only:
                count = 20 if args.quick else 60
                await _print(latency(hook, authority, count, args.rtt))
        if "e" in only:
            queued = args.outbox_messages or (2_000 if args.quick else 10_000)
            await _print(outbox_growth(_config(directory, "e"), queued))
        if "g" in only:
            commands, delays = (
                (20, [0.0, 0.5]) if args.quick else (100, [0.0, 1.0, 10.0])
            )
            config = _config(directory, "g")
            await _print(assist_acknowledgement(config, commands, delays, _free_port()))
        if "h" in only:
            largest = args.backlog or (10_000 if args.quick else 100_000)
            sizes = [largest // 100, largest // 10, largest]
            per_entry = largest // 10
            drain = largest if args.drain is None else args.drain
            config = _config(directory, "h")
            await _print(backlog_startup(config, sizes, 10, per_entry, drain))


def _free_port() -> int:
    """Return a port on 127.0.0.1 where nothing listens now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(directory: str, name: str) -> Path:
    """Return a fresh Home Assistant config directory inside directory."""
    path = Path(directory) / name
    path.mkdir()
    return path


async def _print(measurement: Awaitable[Section]) -> None:
    """Run a measurement, then print its section and how long it took."""
    start = time.perf_counter()
    section = await measurement
    print(section.render(), flush=True)
    print(f"\n(measured in {time.perf_counter() - start:.1f} s)\n", flush=True)


def main() -> None:
    """Run the benchmarks quietly: only errors are logged."""
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(_run(_arguments()))


if __name__ == "__main__":
    main()
