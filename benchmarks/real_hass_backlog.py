"""(h) in a real `hass` process: start-up with a long outbox backlog, and with none.

For each backlog (0 first, the anchor), a fresh config dir holds one entry
whose hook is down (a closed port on 127.0.0.1) and an outbox journal of that
many messages, written as (h) writes them. hass starts; an owner is onboarded
for a token; the REST API is polled until hass runs, the entry is loaded and
its pending-messages sensor shows the backlog. Printed, never asserted.

    python -m benchmarks.real_hass_backlog [--backlog N] [--config DIR]
"""

import argparse
import asyncio
from dataclasses import dataclass
import logging
from pathlib import Path
import re
import shutil
import time

import aiohttp

from custom_components.slack_webhook.const import CONF_OUTBOX_SIZE, DOMAIN
from scripts.ha_config import slack_webhook_entry, write_entries, write_http
from tests.helpers.ports import free_port

from .real_hass import (
    CORE_CONFIGURATION,
    link_integration,
    owner_token,
    start_hass,
    wait_until_up,
)
from .report import Section, machine, ratio
from .startup import _write_outbox

ENTRY_ID = "01BENCHMARKREALBACKLOG0000"
SENSOR = "sensor.backlog_pending_messages"
POLL = 0.1
"""How often the REST API is polled while hass starts, seconds."""
READY_WITHIN = 90.0
"""How long hass may take to get ready after the API answers, seconds."""
SETTLE = 3.0
"""How long hass is left to settle after start before its memory is read, seconds."""
WARNINGS = re.compile(
    r"Detected blocking call|took longer than|taking longer than|is taking over"
    r"|Something is blocking|Waiting for integrations"
)
CONFIGURATION = (
    CORE_CONFIGURATION
    + """  logs:
    homeassistant.setup: debug
    homeassistant.bootstrap: info
"""
)
"""The API and onboarding; the set-up timings Home Assistant logs."""


@dataclass
class Start:
    """What one start of hass took."""

    backlog: int
    file_bytes: int
    ready: float
    """Seconds from spawning hass until it runs, the API answers and the entry is loaded."""
    rss: int
    peak: int
    log: str


def seed(config: Path, ha_port: int, backlog: int) -> int:
    """Write a fresh config dir: one entry with a dead hook and backlog queued; return the journal's size."""
    shutil.rmtree(config, ignore_errors=True)
    config.mkdir(parents=True)
    (config / "configuration.yaml").write_text(CONFIGURATION)
    write_http(config, ha_port)
    url = f"http://127.0.0.1:{free_port()}/services/T000/B000/down"
    options = {CONF_OUTBOX_SIZE: max(backlog, 100_000)}
    write_entries(config, [slack_webhook_entry(ENTRY_ID, "Backlog", url, options)])
    link_integration(config)
    journal = config / ".storage" / f"{DOMAIN}.{ENTRY_ID}.outbox.jsonl"
    return _write_outbox(journal, backlog, 0) if backlog else 0


def memory(pid: int) -> tuple[int, int]:
    """Return a process's resident and peak resident memory in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]


async def _json(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str]
) -> object:
    """Return the JSON a GET answers, None unless it answered 200."""
    async with session.get(url, headers=headers) as answer:
        return await answer.json() if answer.status == 200 else None


async def _ready(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str], backlog: int
) -> bool:
    """Return whether hass runs, the entry is loaded and its sensor shows the backlog."""
    config = await _json(session, f"{base}/api/config", headers)
    if not isinstance(config, dict) or config.get("state") != "RUNNING":
        return False
    entries = await _json(
        session, f"{base}/api/config/config_entries/entry?domain={DOMAIN}", headers
    )
    if not isinstance(entries, list) or [e["state"] for e in entries] != ["loaded"]:
        return False
    state = await _json(session, f"{base}/api/states/{SENSOR}", headers)
    return isinstance(state, dict) and state.get("state") == str(backlog)


async def start(config: Path, ha_port: int, backlog: int, file_bytes: int) -> Start:
    """Start hass on a seeded config dir, wait until it is ready, read its memory, stop it."""
    log_path = config / "hass.log"
    with log_path.open("wb") as log:
        began = time.perf_counter()
        process = await start_hass(config, log)
        base = f"http://127.0.0.1:{ha_port}"
        try:
            async with aiohttp.ClientSession() as session:
                await wait_until_up(session, base)
                token = await owner_token(session, base)
                headers = {"Authorization": f"Bearer {token}"}
                deadline = time.monotonic() + READY_WITHIN
                while not await _ready(session, base, headers, backlog):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"hass with {backlog} queued not ready")
                    await asyncio.sleep(POLL)
                ready = time.perf_counter() - began
                await asyncio.sleep(SETTLE)
                rss, peak = memory(process.pid)
        finally:
            process.terminate()
            await process.wait()
    text = await asyncio.to_thread(log_path.read_text, "utf-8", "replace")
    return Start(backlog, file_bytes, ready, rss, peak, text)


def _seconds(pattern: str, log: str) -> float | None:
    """Return the seconds the first log line matching pattern gives, None if none."""
    found = re.search(pattern, log)
    return float(found.group(1)) if found else None


def _timings(log: str) -> tuple[float | None, float | None, float | None]:
    """Return the entry's set-up, the domain's set-up and hass's initialisation, as logged."""
    entry = _seconds(
        rf"Phase config_entry_setup for {DOMAIN} \({ENTRY_ID}\) took [\d.]+s "
        r"\(elapsed=([\d.]+)s\)",
        log,
    )
    domain = _seconds(rf"Setup of domain {DOMAIN} took ([\d.]+) seconds", log)
    initialized = _seconds(r"Home Assistant initialized in ([\d.]+)s", log)
    return entry, domain, initialized


def _s(seconds: float | None) -> str:
    """Return seconds with two decimals, or `not logged`."""
    return "not logged" if seconds is None else f"{seconds:.2f} s"


def section(anchor: Start, starts: list[Start]) -> Section:
    """Return the table of start-ups, with ratios and memory per message against the anchor."""
    result = Section(
        title="(h) in a real hass process: start-up with a long backlog",
        headers=[
            "backlog",
            "entry set-up",
            "hass initialized",
            "ready",
            "x anchor (ready)",
            "RSS",
            "peak RSS",
            "memory per message",
            "slow/blocking warnings",
        ],
    )
    anchor_entry, _, _ = _timings(anchor.log)
    for run in (anchor, *starts):
        entry, _, initialized = _timings(run.log)
        per_message = (run.rss - anchor.rss) / run.backlog if run.backlog else 0.0
        warned = [line for line in run.log.splitlines() if WARNINGS.search(line)]
        result.rows.append(
            [
                f"{run.backlog:,}",
                _s(entry),
                _s(initialized),
                f"{run.ready:.2f} s",
                ratio(run.ready, anchor.ready),
                f"{run.rss / 2**20:.0f} MiB",
                f"{run.peak / 2**20:.0f} MiB",
                (
                    f"{per_message:.0f} B ({ratio(per_message, run.file_bytes / run.backlog)} its line)"
                    if run.backlog
                    else "anchor"
                ),
                str(len(warned)),
            ]
        )
        result.notes += [f"{run.backlog:,} queued, hass logged: {w}" for w in warned]
        if run.backlog and entry is not None and anchor_entry:
            result.notes.append(
                f"{run.backlog:,} queued: the entry's set-up took "
                f"{ratio(entry, anchor_entry)} the anchor's"
            )
    result.notes += [
        (
            "entry set-up = the elapsed time of Home Assistant's `Phase "
            "config_entry_setup` debug line for the entry (homeassistant.setup); "
            "hass initialized = its `Home Assistant initialized in` line"
        ),
        (
            "ready = from spawning hass until the REST API answers with the owner's "
            "token, hass is RUNNING, the entry is loaded and its pending-messages "
            f"sensor shows the backlog (polled every {POLL * 1000:.0f} ms; includes "
            "onboarding the owner)"
        ),
        (
            f"RSS and peak RSS of the hass process (/proc) {SETTLE:.0f} s after ready; "
            "memory per message = (RSS - the anchor's RSS) / backlog, and that / the "
            "message's line in the journal"
        ),
    ]
    return result


async def run(root: Path, backlogs: list[int]) -> Section:
    """Start hass with no backlog, then with each backlog; return the table."""
    results = []
    for backlog in (0, *backlogs):
        config = root / f"backlog-{backlog}"
        ha_port = free_port()
        file_bytes = await asyncio.to_thread(seed, config, ha_port, backlog)
        results.append(await start(config, ha_port, backlog, file_bytes))
    return section(results[0], results[1:])


def main() -> None:
    """Parse the options, run and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.real_hass_backlog")
    parser.add_argument(
        "--backlog",
        type=int,
        nargs="+",
        default=[100_000],
        help="the backlogs measured against none (100,000)",
    )
    parser.add_argument("--config", default=".cache/benchmark-ha/backlog")
    logging.basicConfig(level=logging.ERROR)
    args = parser.parse_args()
    print(f"Machine: {machine()}\n", flush=True)
    table = asyncio.run(run(Path(args.config).resolve(), args.backlog))
    print(table.render(), flush=True)


if __name__ == "__main__":
    main()
