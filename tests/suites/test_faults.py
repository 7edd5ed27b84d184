"""Fault injection: 1,000 messages through a failing hook, none lost, order kept.

The hook answers a seeded mix: 30% 503, 10% connection resets and 5% answers
slower than the client's per-attempt timeout; the rest are answered 200.

Which outcomes may the hook have processed (posted the message)? This hook
processes a message exactly when it answers 200, fast or slow. A 503 and a
reset are never processed. A slow answer is always processed and never seen
by the client, which gave up before it came: that is the ambiguous case, and
so is a fast 200 that the client happened to see too late. Both end in a
client-side timeout, so a message may be posted more than once only if it
had at least as many timed-out attempts as extra copies.
"""

import asyncio
from collections import Counter
from collections.abc import Iterator
import json
import random
from typing import Any
from unittest.mock import patch

from aiohttp import web
import pytest

from custom_components.slack_webhook.const import (
    CONF_BURST,
    CONF_OUTBOX_SIZE,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TIMEOUT,
)
from custom_components.slack_webhook.slack_client import client as client_module
from homeassistant.core import HomeAssistant
from tests.helpers.entries import SetupEntry
from tests.helpers.outbox_files import stored
from tests.helpers.pending_sensor import pending_state
from tests.helpers.slack_server import Answer, SlackServer
from tests.helpers.waiting import until

SEED = 20261007
MESSAGES = 1000
TIMEOUT = 0.05
"""Seconds one attempt may take."""
SLOW = 3 * TIMEOUT
"""How long a slow answer takes: always past the client's timeout."""
FAULTS = (("503", 0.30), ("reset", 0.10), ("slow", 0.05))
OPTIONS = {
    CONF_TIMEOUT: TIMEOUT,
    CONF_RETRIES_CONNECTION: 1,
    CONF_RETRIES_SERVER: 1,
    CONF_RETRIES_RATE_LIMIT: 0,
    CONF_RATE: 10_000,
    CONF_BURST: 100,
    CONF_OUTBOX_SIZE: 2 * MESSAGES,
}


class FaultyHook:
    """A handler for the Slack-like server that fails as FAULTS say, seeded.

    `processed` lists the texts the hook posted, in the order it posted them.
    """

    def __init__(self, seed: int) -> None:
        """Start with nothing processed."""
        self._random = random.Random(seed)
        self.outcomes: Counter[str] = Counter()
        self.slow: Counter[str] = Counter()
        self.processed: list[str] = []
        self.in_flight = 0

    def _draw(self) -> str:
        """Return the outcome of the next request."""
        roll = self._random.random()
        for outcome, share in FAULTS:
            if roll < share:
                return outcome
            roll -= share
        return "200"

    async def __call__(self, request: web.Request) -> Answer:
        """Answer one request with the next drawn outcome."""
        text = json.loads(await request.read())["text"]
        outcome = self._draw()
        self.outcomes[outcome] += 1
        if outcome == "503":
            return Answer(status=503, body="service_unavailable")
        if outcome == "reset":
            return Answer(reset=True)
        if outcome == "slow":
            self.slow[text] += 1
            self.in_flight += 1
            try:
                await asyncio.sleep(SLOW)
            finally:
                self.in_flight -= 1
        self.processed.append(text)
        return Answer()


@pytest.fixture
def timeouts() -> Iterator[Counter[str]]:
    """Count, per text, the attempts the client gave up on for want of an answer."""
    counts: Counter[str] = Counter()
    post = client_module.post

    async def observed(*args: Any, data: bytes, **kwargs: Any) -> Any:
        try:
            return await post(*args, data=data, **kwargs)
        except asyncio.CancelledError:
            counts[json.loads(data)["text"]] += 1
            raise

    with patch.object(client_module, "post", observed):
        yield counts


@pytest.fixture
def no_loop_debug(hass: HomeAssistant) -> Iterator[None]:
    """Turn asyncio's debug mode off: its stack per callback doubles the CPU time here."""
    debug = hass.loop.get_debug()
    hass.loop.set_debug(False)
    yield
    hass.loop.set_debug(debug)


def _first_positions(processed: list[str]) -> list[str]:
    """Return each text once, where the hook first posted it."""
    return list(dict.fromkeys(processed))


@pytest.mark.usefixtures("fast_outbox", "no_loop_debug")
async def test_thousand_messages_through_faults(
    hass: HomeAssistant,
    slack: SlackServer,
    timeouts: Counter[str],
    setup_entry: SetupEntry,
) -> None:
    """None lost, first deliveries in order, duplicates only after ambiguous timeouts."""
    hook = FaultyHook(SEED)
    slack.handler = hook
    entry = await setup_entry(**OPTIONS)
    delivery = entry.runtime_data.delivery
    texts = [f"message {i:04d}" for i in range(MESSAGES)]

    results = await asyncio.gather(*(delivery.async_send({"text": t}) for t in texts))
    await until(lambda: delivery.pending == 0 and hook.in_flight == 0, 45)
    await hass.async_block_till_done()

    copies = Counter(hook.processed)
    duplicates = {text: n - 1 for text, n in copies.items() if n > 1}
    stats = delivery.statistics()
    summary = (
        f"outcomes={dict(hook.outcomes)} duplicates={sum(duplicates.values())} "
        f"timeouts={sum(timeouts.values())} queued={stats['queued']}"
    )
    assert _first_positions(hook.processed) == texts, summary
    assert stats["delivered"] == MESSAGES, summary
    assert stats["queued"] > 0, summary
    assert sum(not r.delivered for r in results) == stats["queued"], summary
    assert all(r.status_code == 200 for r in results if r.delivered), summary
    for text, extra in duplicates.items():
        assert extra <= timeouts[text], f"{text}: {extra} extra copies; {summary}"
    for text, slow in hook.slow.items():
        assert duplicates.get(text, 0) >= slow, f"{text}: {slow} slow; {summary}"
    assert sum(duplicates.values()) >= sum(hook.slow.values()) > 0, summary
    assert all(hook.outcomes[outcome] > 0 for outcome, _ in FAULTS), summary
    async with asyncio.timeout(5):  # removals are written after a short delay
        while await stored(hass, entry.entry_id):
            await asyncio.sleep(0.01)
    assert await pending_state(hass) == "0"
