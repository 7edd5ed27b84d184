"""(f) A real `hass` process: our actions against rest_command, through the REST API.

Run by `scripts/benchmark-ha`. A fresh config dir holds an entry for a quiet
local hook (pacing at 1000 msg/s, burst 100, so it never waits) and a
rest_command posting the same `{"text": ...}` to the same hook. The owner is
created through onboarding; its token calls `/api/services/...` one call after
another, the three actions taking turns in rounds.

    python -m benchmarks.real_hass [--calls N] [--ha-port P] [--sink-port P]
        [--profile FILE]
"""

import argparse
import asyncio
from dataclasses import dataclass, field
import logging
from pathlib import Path
import shutil
import statistics
import sys
import time
from typing import IO, Any

import aiohttp
from aiohttp import web

from scripts.ha_config import slack_webhook_entry, write_entries, write_http

from .report import Section, machine, ratio

HOOK_PATH = "/services/T000/B000/benchmark"
ROUNDS = 40
WARM_UP = 10
CLIENT_ID = "https://benchmark.invalid/"
SEND = "slack_webhook.send"
NOTIFY = "notify.send_message"
REST = "rest_command"
RESPONSE = "slack_webhook.send, return_response"


@dataclass
class Action:
    """One action called through the REST API: its path and body."""

    path: str
    body: dict[str, Any]
    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    rounds: list[float] = field(default_factory=list)
    """The wall-clock seconds of each round."""


CORE_CONFIGURATION = """homeassistant:
  name: Benchmark
  unit_system: metric
  time_zone: UTC
  country: US
  currency: USD
  latitude: 0
  longitude: 0
  elevation: 0
api:
onboarding:
logger:
  default: warning
"""
"""configuration.yaml's start for a measured instance: the API and onboarding, quiet logs."""


def _configuration(sink_port: int) -> str:
    """Return configuration.yaml: the API, onboarding and the rest_command."""
    return (
        CORE_CONFIGURATION
        + f"""rest_command:
  hook:
    url: http://127.0.0.1:{sink_port}{HOOK_PATH}
    method: post
    content_type: application/json
    payload: '{{{{ {{"text": text}} | to_json }}}}'
"""
    )


def seed(config: Path, ha_port: int, sink_port: int) -> None:
    """Write a fresh config dir: HTTP on 127.0.0.1, the entry, the rest_command."""
    shutil.rmtree(config, ignore_errors=True)
    config.mkdir(parents=True)
    (config / "configuration.yaml").write_text(_configuration(sink_port))
    write_http(config, ha_port)
    url = f"http://127.0.0.1:{sink_port}{HOOK_PATH}"
    options = {"rate": 1000, "burst": 100}
    write_entries(
        config,
        [slack_webhook_entry("01BENCHMARKREALHASS0000000", "Bench", url, options)],
    )
    link_integration(config)


def link_integration(config: Path) -> None:
    """Link this repository's integration into a config dir's custom_components."""
    components = config / "custom_components"
    components.mkdir()
    repo = Path(__file__).resolve().parent.parent
    (components / "slack_webhook").symlink_to(
        repo / "custom_components" / "slack_webhook"
    )


async def quiet_hook(port: int) -> tuple[web.AppRunner, list[int]]:
    """Start a hook that answers `ok` to JSON with text; return it and its count."""
    received = [0]

    async def receive(request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body, dict) or not body.get("text"):
            return web.Response(status=400, text="no_text")
        received[0] += 1
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(HOOK_PATH, receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, received


async def owner_token(session: aiohttp.ClientSession, base: str) -> str:
    """Create the owner through onboarding; return an access token."""
    user = {
        "client_id": CLIENT_ID,
        "name": "Benchmark",
        "username": "benchmark",
        "password": "benchmark-password",
        "language": "en",
    }
    async with session.post(f"{base}/api/onboarding/users", json=user) as answer:
        answer.raise_for_status()
        code = (await answer.json())["auth_code"]
    form = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
    async with session.post(f"{base}/auth/token", data=form) as answer:
        answer.raise_for_status()
        return str((await answer.json())["access_token"])


async def wait_until_up(session: aiohttp.ClientSession, base: str) -> None:
    """Wait until onboarding answers, up to two minutes."""
    for _ in range(240):
        try:
            async with session.get(f"{base}/api/onboarding") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError("Home Assistant did not start")


async def wait_for_entity(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str]
) -> None:
    """Wait until notify.bench exists, up to a minute."""
    for _ in range(120):
        async with session.get(f"{base}/api/states/notify.bench", headers=headers) as a:
            if a.status == 200:
                return
        await asyncio.sleep(0.5)
    raise RuntimeError("notify.bench did not appear")


def actions() -> dict[str, Action]:
    """Return the actions compared, by name."""
    entity = {"entity_id": "notify.bench"}
    return {
        SEND: Action("slack_webhook/send", {**entity, "text": ""}),
        NOTIFY: Action("notify/send_message", {**entity, "message": ""}),
        REST: Action("rest_command/hook", {"text": ""}),
        RESPONSE: Action("slack_webhook/send?return_response", {**entity, "text": ""}),
    }


async def call(
    session: aiohttp.ClientSession,
    base: str,
    headers: dict[str, str],
    action: Action,
    text: str,
) -> None:
    """Call an action once with text as its message; raise unless it succeeded."""
    body = dict(action.body)
    body["message" if "message" in body else "text"] = text
    url = f"{base}/api/services/{action.path}"
    async with session.post(url, json=body, headers=headers) as answer:
        if answer.status != 200:
            raise RuntimeError(
                f"{action.path}: HTTP {answer.status} {await answer.text()}"
            )
        await answer.read()


def cpu_seconds(pid: int) -> float:
    """Return the CPU time all threads of a process have run, from schedstat (ns)."""
    tasks = Path(f"/proc/{pid}/task")
    total = 0
    for task in tasks.iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except FileNotFoundError, ProcessLookupError:
            continue  # a thread that ended meanwhile
    return total / 1e9


async def measure(
    session: aiohttp.ClientSession, base: str, token: str, calls: int, pid: int
) -> dict[str, Action]:
    """Call each action `calls` times, one after another, in alternating rounds.

    Besides the wall clock, the CPU time of the hass process (all threads) is
    summed per action: it varies less with other load on the machine.
    """
    headers = {"Authorization": f"Bearer {token}"}
    await wait_for_entity(session, base, headers)
    compared = actions()
    for name, action in compared.items():
        for i in range(WARM_UP):
            await call(session, base, headers, action, f"warm-up {name} {i}")
    per_round = max(1, calls // ROUNDS)
    for round_ in range(ROUNDS):
        for action in compared.values():
            start, cpu = time.perf_counter(), cpu_seconds(pid)
            for i in range(per_round):
                await call(session, base, headers, action, f"{round_}-{i}")
            action.rounds.append(time.perf_counter() - start)
            action.wall += action.rounds[-1]
            action.cpu += cpu_seconds(pid) - cpu
            action.calls += per_round
    return compared


def section(compared: dict[str, Action], delivered: int, expected: int) -> Section:
    """Return the table of calls/s with the ratios to rest_command."""
    rest = compared[REST]
    result = Section(
        title=f"(f) A real hass process, {rest.calls} sequential calls per action",
        headers=[
            "action",
            "calls/s",
            "ms/call",
            "x rest_command",
            "hass CPU µs/call",
            "x rest_command (CPU)",
        ],
    )
    for name, action in compared.items():
        rate = action.calls / action.wall
        result.rows.append(
            [
                name,
                f"{rate:.0f}",
                f"{action.wall / action.calls * 1000:.2f}",
                ratio(rate, rest.calls / rest.wall),
                f"{action.cpu / action.calls * 1e6:.0f}",
                ratio(rest.cpu / rest.calls, action.cpu / action.calls),
            ]
        )
    send = compared[SEND]
    by_round = statistics.median(
        r / s for r, s in zip(rest.rounds, send.rounds, strict=True)
    )
    result.notes.append(
        f"slack_webhook.send vs rest_command: "
        f"{ratio(send.calls / send.wall, rest.calls / rest.wall)} in calls/s "
        f"(target ≥ 0.8x); the median of the {len(send.rounds)} rounds' ratios "
        f"is {by_round:.2f}x (less swayed by other load on the machine)"
    )
    result.notes.append(f"the hook received {delivered} of {expected} messages")
    return result


async def start_hass(
    config: Path, log: IO[bytes], *python: str
) -> asyncio.subprocess.Process:
    """Start Home Assistant on a config dir in a process of its own, its output to log.

    `python` holds options for the interpreter, such as a profiler's.
    """
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *python,
        "-m",
        "homeassistant",
        "--config",
        str(config),
        "--skip-pip",
        stdout=log,
        stderr=log,
    )


async def run(args: argparse.Namespace, config: Path) -> None:
    """Start the hook and hass on a seeded config, onboard, measure, print, stop."""
    runner, received = await quiet_hook(args.sink_port)
    log = (config / "hass.log").open("wb")
    profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
    process = await start_hass(config, log, *profile)
    base = f"http://127.0.0.1:{args.ha_port}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(session, base)
            token = await owner_token(session, base)
            compared = await measure(session, base, token, args.calls, process.pid)
        # Deliveries are queued: give the last ones a moment to arrive.
        expected = sum(a.calls for a in compared.values()) + WARM_UP * len(compared)
        for _ in range(50):
            if received[0] >= expected:
                break
            await asyncio.sleep(0.1)
        print(f"Machine: {machine()}\n", flush=True)
        print(section(compared, received[0], expected).render(), flush=True)
    finally:
        process.terminate()
        await process.wait()
        log.close()
        await runner.cleanup()


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.real_hass")
    parser.add_argument("--calls", type=int, default=200, help="calls per action")
    parser.add_argument("--ha-port", type=int, default=8141)
    parser.add_argument("--sink-port", type=int, default=8781)
    parser.add_argument("--config", default=".cache/benchmark-ha/config")
    parser.add_argument("--profile", help="run hass under cProfile, stats to this file")
    logging.basicConfig(level=logging.ERROR)
    args = parser.parse_args()
    config = Path(args.config).resolve()
    seed(config, args.ha_port, args.sink_port)
    asyncio.run(run(args, config))


if __name__ == "__main__":
    main()
