"""A real `hass` process killed with SIGKILL while it queues and drains loses nothing acknowledged.

Each round starts Home Assistant on a throwaway config dir with an entry for a
local hook and an automation: a webhook trigger calls slack_webhook.send and,
once that returned (the message delivered or queued), rest_command.ack tells
this test. Messages flow in all the time; after a random moment the process
group gets SIGKILL. Rounds alternate between an outage (the hook answers 503,
everything is queued) and a slow drain. A last start with a healthy hook must
deliver every acknowledged message; a message may arrive twice only if it was
delivered in the REMOVAL_SAVE_DELAY before a kill.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
import os
from pathlib import Path
import random
import shutil
import signal
import time

from aiohttp import ClientError, ClientSession, web
import pytest

from custom_components.slack_webhook.delivery.outbox import REMOVAL_SAVE_DELAY
from scripts.ha_config import slack_webhook_entry, write_entries, write_http
from tests.helpers.paths import REPO
from tests.helpers.ports import free_port

ROUNDS = 4
RATE = 100
"""The entry's pacing, messages per second: bounds the duplicates per kill."""
SEED = 14
CONFIGURATION = """
homeassistant:
  name: Kill test
  time_zone: UTC
automation: !include automations.yaml
rest_command:
  ack:
    url: "http://127.0.0.1:{port}/ack"
    method: post
    payload: "{{{{ text }}}}"
webhook:
logger:
  default: warning
"""
AUTOMATION = """
- id: kill_test
  mode: parallel
  max: 10000
  triggers:
    - trigger: webhook
      webhook_id: kill-test
      local_only: true
      allowed_methods: [POST]
  actions:
    - action: slack_webhook.send
      target: {entity_id: notify.kill}
      data: {text: "{{ trigger.json.text }}"}
    - action: rest_command.ack
      data: {text: "{{ trigger.json.text }}"}
"""

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(shutil.which("hass") is None, reason="needs the hass command"),
]


class Hook:
    """The webhook (503 while down, slow while draining) and the acknowledgements."""

    def __init__(self) -> None:
        """Start down, with nothing received."""
        self.down = True
        self.delay = 0.0
        self.delivered: list[str] = []
        self.acked: set[str] = set()
        self.delivered_at: list[tuple[float, str]] = []

    def app(self) -> web.Application:
        """Return the server's routes."""
        app = web.Application()
        app.router.add_post("/services/T0/B0/kill", self._hook)
        app.router.add_post("/ack", self._ack)
        return app

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.down:
            return web.Response(status=503, text="service_unavailable")
        await asyncio.sleep(self.delay)
        self.delivered.append(body["text"])
        self.delivered_at.append((time.monotonic(), body["text"]))
        return web.Response(text="ok")

    async def _ack(self, request: web.Request) -> web.Response:
        self.acked.add(await request.text())
        return web.Response(text="ok")


def _config_dir(path: Path, ha_port: int, hook_port: int) -> None:
    """Write a config dir: HTTP on ha_port, the entry for the hook, the automation."""
    path.mkdir(parents=True)
    (path / "configuration.yaml").write_text(CONFIGURATION.format(port=hook_port))
    (path / "automations.yaml").write_text(AUTOMATION)
    (path / "custom_components").mkdir()
    (path / "custom_components" / "slack_webhook").symlink_to(
        REPO / "custom_components" / "slack_webhook"
    )
    write_http(path, ha_port)
    url = f"http://127.0.0.1:{hook_port}/services/T0/B0/kill"
    options = {
        "rate": RATE,
        "burst": 1,
        "retries_connection": 0,
        "retries_server": 0,
        "retries_rate_limit": 0,
        "outbox_size": 100_000,
    }
    write_entries(
        path, [slack_webhook_entry("01KILLTEST0000000000000000", "Kill", url, options)]
    )


@asynccontextmanager
async def _hass(config: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run `hass` on config in a process group of its own; SIGKILL it on the way out."""
    log = (config / "run.log").open("ab")
    process = await asyncio.create_subprocess_exec(
        "hass",
        "--config",
        str(config),
        "--skip-pip",
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        log.close()


async def _send(session: ClientSession, ha_port: int, text: str) -> None:
    """Trigger the automation with one text; a refused connection is fine."""
    url = f"http://127.0.0.1:{ha_port}/api/webhook/kill-test"
    with suppress(ClientError, TimeoutError):
        async with session.post(url, json={"text": text}) as answer:
            await answer.read()


async def _until_acked(
    session: ClientSession, ha_port: int, hook: Hook, text: str
) -> None:
    """Send `text` until it is acknowledged: Home Assistant is up and the entry loaded."""
    async with asyncio.timeout(120):
        while text not in hook.acked:
            await _send(session, ha_port, text)
            await asyncio.sleep(0.5)


async def _stream(session: ClientSession, ha_port: int, prefix: str) -> None:
    """Send numbered texts, one every 20 ms, until cancelled."""
    for number in range(1_000_000):
        await _send(session, ha_port, f"{prefix}-{number:06d}")
        await asyncio.sleep(0.02)


async def test_sigkill_loses_no_acknowledged_message(
    tmp_path: Path, socket_enabled: None
) -> None:
    """Every acknowledged message is delivered after kills; duplicates stay bounded."""
    rng = random.Random(SEED)
    hook = Hook()
    runner = web.AppRunner(hook.app(), access_log=None)
    await runner.setup()
    hook_port, ha_port = free_port(), free_port()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    config = tmp_path / "config"
    _config_dir(config, ha_port, hook_port)
    kills: list[float] = []
    try:
        async with ClientSession() as session:
            for number in range(ROUNDS):
                hook.down, hook.delay = number % 2 == 0, 0.02
                async with _hass(config) as process:
                    await _until_acked(session, ha_port, hook, f"ready-{number}")
                    stream = asyncio.create_task(
                        _stream(session, ha_port, f"r{number}")
                    )
                    await asyncio.sleep(rng.uniform(1.0, 3.0))
                    os.killpg(process.pid, signal.SIGKILL)
                    kills.append(time.monotonic())
                    await process.wait()
                    stream.cancel()
                    await asyncio.gather(stream, return_exceptions=True)
            hook.down, hook.delay = False, 0.0
            async with _hass(config):
                await _until_acked(session, ha_port, hook, "final")
                async with asyncio.timeout(120):
                    while not hook.acked <= set(hook.delivered):
                        await asyncio.sleep(0.2)
    finally:
        await runner.cleanup()

    copies = Counter(hook.delivered)
    duplicates = sum(n - 1 for n in copies.values())
    summary = (
        f"acked={len(hook.acked)} delivered={len(hook.delivered)} "
        f"duplicates={duplicates} kills={len(kills)}"
    )
    assert len(hook.acked) > ROUNDS * 20, summary
    assert hook.acked <= set(hook.delivered), summary
    recent = sum(
        any(0 <= kill - at <= REMOVAL_SAVE_DELAY + 0.5 for kill in kills)
        for at, _ in hook.delivered_at
    )
    assert duplicates <= recent + len(kills), summary
