"""(e) The outbox as it grows: queuing one by one during an outage, then draining."""

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
import statistics
import time
from typing import Any
from unittest.mock import patch

from custom_components.slack_webhook.const import (
    CONF_BURST,
    CONF_OUTBOX_SIZE,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
)
from custom_components.slack_webhook.delivery import (
    QUEUED,
    journal,
    queue as delivery_module,
)
from custom_components.slack_webhook.delivery.outbox import Clock, Message
from homeassistant.helpers.json import json_bytes

from .home_assistant import add_entry, home_assistant
from .local_hook import LocalHook
from .report import Section, ms, ratio

WINDOW = 500
"""Calls averaged at the start and at the end of the queuing."""
TEXT = "The front door has been open for 10 minutes. " * 4
"""About the size of a typical alert, so a line is about 400 bytes."""
OPTIONS = {
    CONF_RATE: 1e9,
    CONF_BURST: 1_000_000,
    CONF_RETRIES_CONNECTION: 0,
    CONF_RETRIES_RATE_LIMIT: 0,
    CONF_RETRIES_SERVER: 0,
}


@dataclass
class _Written:
    """Bytes the outbox handed to its file, and the device writes of this process."""

    file: int = 0

    @staticmethod
    def device() -> int | None:
        """Return the bytes this process caused to be written to storage, if known."""
        try:
            for line in Path("/proc/self/io").read_text(encoding="ascii").splitlines():
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return None


@contextmanager
def _counting(written: _Written) -> Iterator[None]:
    """Count the bytes the outbox appends and rewrites."""

    def counted(write: Callable[[Path, bytes], None]) -> Callable[[Path, bytes], None]:
        def wrapper(path: Path, data: bytes) -> None:
            written.file += len(data)
            write(path, data)

        return wrapper

    with (
        patch.object(journal, "append", counted(journal.append)),
        patch.object(journal, "rewrite", counted(journal.rewrite)),
    ):
        yield


async def outbox_growth(config_dir: Path, messages: int) -> Section:
    """Queue `messages` one by one while the hook is down, then let it drain."""
    hook = LocalHook(down=True)
    await hook.start()
    written = _Written()
    try:
        with (
            _counting(written),
            patch.object(delivery_module, "OUTBOX_RETRY_BASE", 0.5),
        ):
            async with home_assistant(config_dir) as hass:
                options = OPTIONS | {CONF_OUTBOX_SIZE: messages + 1}
                entry = await add_entry(hass, "Outbox", hook.url, options)
                delivery = entry.runtime_data.delivery
                device_before = written.device()
                durations = await _queue(delivery.async_send, messages)
                queued_bytes, device = written.file, written.device()
                drained = asyncio.Event()
                delivery.async_add_listener(
                    lambda: None if delivery.pending else drained.set()
                )
                hook.down = False
                start = time.perf_counter()
                await drained.wait()
                drain_seconds = time.perf_counter() - start
                await delivery.async_stop()
                drain_bytes = written.file - queued_bytes
    finally:
        await hook.stop()
    encoded = _encoded_size()
    first = statistics.mean(durations[:WINDOW])
    last = statistics.mean(durations[-WINDOW:])
    section = Section(
        title=f"(e) Outbox growth: {messages} messages queued one by one during an outage, then drained",
        headers=["measure", "value", "ratio", "target"],
    )
    section.rows += [
        ["mean call, first 500", f"{ms(first)} ms", "", ""],
        ["mean call, last 500", f"{ms(last)} ms", ratio(last, first), "≤ 1.3x"],
        ["encoded message (stored form)", f"{encoded} B", "", ""],
        [
            "written per queued message",
            f"{queued_bytes / messages:.0f} B",
            ratio(queued_bytes / messages, encoded),
            "≤ 4x",
        ],
        [
            "written while draining, per message",
            f"{drain_bytes / messages:.0f} B",
            ratio(drain_bytes / messages, encoded),
            "O(N) in total",
        ],
    ]
    if device is not None and device_before is not None:
        per_message = (device - device_before) / messages
        section.rows.append(
            [
                "device writes per queued message",
                f"{per_message:.0f} B",
                ratio(per_message, encoded),
                "",
            ]
        )
    section.notes += [
        f"drained in {drain_seconds:.1f} s",
        (
            "written = bytes the outbox handed to its file (appends and "
            "compactions); device writes = the kernel's count for this process, "
            "where each fdatasync costs at least one page"
        ),
    ]
    return section


async def _queue(send: Callable[..., Any], messages: int) -> list[float]:
    """Send `messages` one after another; return the seconds each took."""
    durations = []
    for i in range(messages):
        start = time.perf_counter()
        result = await send({"text": f"{i:05d} {TEXT}"})
        durations.append(time.perf_counter() - start)
        if result != QUEUED:
            raise RuntimeError("A message was not queued during the outage")
    return durations


def _encoded_size() -> int:
    """Return the size of one message's line in the outbox."""
    message = Message({"text": f"00000 {TEXT}"}, {}, None, accepted=0, deadline=0)
    return len(json_bytes(message.to_stored(Clock(time.time(), 0.0)))) + 1
