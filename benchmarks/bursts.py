"""(c) Bursts against a hook that takes one message per second.

Ours is the integration's delivery queue with its default pacing; slack_sdk
sends every message at once with its rate-limit retry handler.
"""

import asyncio
from pathlib import Path
import time

from custom_components.slack_webhook.delivery import Delivery

from .clients import sdk_rate_limited
from .home_assistant import add_entry, home_assistant
from .hook import HookProcess, Record
from .report import Section
from .tls import Authority

HOOK_RATE = 1.0
"""Messages per second the hook accepts, as Slack's incoming webhooks."""
SDK_RETRIES = (1, 5)
"""slack_sdk's rate-limit handler: its default count, and a generous one."""


async def bursts(
    hook: HookProcess, authority: Authority, config_dir: Path, sizes: list[int]
) -> Section:
    """Send bursts of each size with each client; count what arrived and how."""
    authority.trust_in_home_assistant()
    section = Section(
        title=f"(c) Bursts against a hook taking {HOOK_RATE:g} message/s",
        headers=["client", "burst", "delivered", "attempts", "seconds", "in order"],
    )
    async with home_assistant(config_dir) as hass:
        entry = await add_entry(hass, "Bursts", hook.url, {})
        delivery = entry.runtime_data.delivery
        for size in sizes:
            texts = [f"{size}-{i}" for i in range(size)]
            section.rows.append(await _ours(hook, delivery, texts, strict=False))
            for retries in SDK_RETRIES:
                client = sdk_rate_limited(hook.url, authority.client_context(), retries)
                await asyncio.sleep(1 / HOOK_RATE)
                await hook.reset(HOOK_RATE)
                start = time.perf_counter()
                await asyncio.gather(*(client.send(text=t) for t in texts))
                name = f"slack_sdk, rate-limit handler, {retries} retr{'y' if retries == 1 else 'ies'}"
                section.rows.append(_row(name, texts, await hook.record(), start))
    section.notes.append(
        "target for ours: all delivered, in order, at most one attempt more than messages"
    )
    return section


async def strict_bursts(
    hook: HookProcess, authority: Authority, config_dir: Path, sizes: list[int]
) -> Section:
    """(c') Send bursts through the delivery queue to a hook with a strict limiter."""
    authority.trust_in_home_assistant()
    section = Section(
        title=f"(c') Bursts against a strict limiter of {HOOK_RATE:g} message/s",
        headers=["client", "burst", "delivered", "attempts", "seconds", "in order"],
    )
    async with home_assistant(config_dir) as hass:
        entry = await add_entry(hass, "Strict", hook.url, {})
        delivery = entry.runtime_data.delivery
        for size in sizes:
            texts = [f"{size}-{i}" for i in range(size)]
            await asyncio.sleep(1 / HOOK_RATE)
            section.rows.append(await _ours(hook, delivery, texts, strict=True))
    section.notes.append(
        "the hook refuses any message sooner than one second after the last and "
        "rounds Retry-After up; target: all delivered, in order, at most N+2 "
        "attempts and N+2 seconds"
    )
    return section


async def _ours(
    hook: HookProcess, delivery: Delivery, texts: list[str], *, strict: bool
) -> list[str]:
    """Send a burst through the delivery queue to a fresh hook; return its row."""
    await hook.reset(HOOK_RATE, strict=strict)
    start = time.perf_counter()
    await asyncio.gather(*(delivery.async_send({"text": t}) for t in texts))
    await _until_delivered(delivery)
    return _row("ours (delivery queue)", texts, await hook.record(), start)


async def _until_delivered(delivery: Delivery) -> None:
    """Wait until the delivery queue has nothing pending."""
    idle = asyncio.Event()
    remove = delivery.async_add_listener(
        lambda: None if delivery.pending else idle.set()
    )
    try:
        if delivery.pending:
            await idle.wait()
    finally:
        remove()


def _row(name: str, texts: list[str], record: Record, start: float) -> list[str]:
    """Return a table row: delivered, attempts, seconds and whether in order."""
    delivered = [text for text in record.accepted if text in texts]
    in_order = delivered == [text for text in texts if text in delivered]
    return [
        name,
        str(len(texts)),
        f"{len(set(delivered))}/{len(texts)}",
        str(record.requests),
        f"{time.perf_counter() - start:.1f}",
        "yes" if in_order else "no",
    ]
