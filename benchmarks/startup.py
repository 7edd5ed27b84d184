"""(h) A long backlog at start-up: set-up time, event-loop stalls, memory, first post, drain."""

import asyncio
from dataclasses import dataclass
import gc
from pathlib import Path
import time
from typing import Any

from custom_components.slack_webhook.const import (
    CONF_BURST,
    CONF_OUTBOX_SIZE,
    CONF_RATE,
    DOMAIN,
)
from custom_components.slack_webhook.pictures import IMAGES
from homeassistant.const import CONF_NAME, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .home_assistant import home_assistant
from .local_hook import LocalHook
from .report import Section, ratio

TEXT = "The front door has been open for 10 minutes. " * 5
"""A line of about 400 bytes; the issue's messages are about 300 bytes of body."""
PROBE_INTERVAL = 0.005
"""How often the stall probe asks for a turn of the event loop, seconds."""
FAST = {CONF_RATE: 1e9, CONF_BURST: 1_000_000}
"""No pacing in the drain: what is measured is the integration's own cost."""


class _StallProbe:
    """Measures the longest time the event loop took to come back to a sleeping task.

    It also times Python's cyclic garbage collections meanwhile: a collection
    of the whole heap stops every thread, the event loop's too, whoever's
    allocations triggered it.
    """

    def __init__(self) -> None:
        """Not running yet."""
        self.longest = 0.0
        self.longest_collection = 0.0
        self._task: asyncio.Task[None] | None = None
        self._collecting = 0.0

    def start(self) -> None:
        """Start asking for a turn every PROBE_INTERVAL."""
        gc.callbacks.append(self._time_collection)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop asking."""
        gc.callbacks.remove(self._time_collection)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _time_collection(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            took = time.perf_counter() - self._collecting
            self.longest_collection = max(self.longest_collection, took)

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(PROBE_INTERVAL)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - PROBE_INTERVAL)
            last = now


@dataclass
class _SetUp:
    """What setting up entries with a backlog took."""

    seconds: float
    stall: float
    collection: float
    """The longest garbage collection meanwhile."""
    rss_bytes: int
    file_bytes: int


def _rss() -> int:
    """Return this process's resident memory in bytes."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _write_outbox(path: Path, count: int, tag: int) -> int:
    """Write an outbox journal of count messages, as a long outage leaves it; return its size."""
    now = time.time()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        for i in range(count):
            record = {
                "id": f"{tag:04x}{i:028x}",
                "body": {"text": f"{i:06d} {TEXT}"},
                "headers": {},
                "response_url": None,
                "accepted": now,
                "expires": now + 7 * 86400,
                "attempts": 3,
            }
            file.write(json_bytes(record) + b"\n")
    return path.stat().st_size


def _entries(
    hass: HomeAssistant, url: str, count: int, per_entry: int
) -> list[MockConfigEntry]:
    """Add count entries, each with an outbox of per_entry messages written for it."""
    entries = []
    for tag in range(count):
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"Backlog {tag}",
            data={CONF_NAME: f"Backlog {tag}", CONF_URL: url},
            options=FAST | {CONF_OUTBOX_SIZE: 100_000},
        )
        entry.add_to_hass(hass)
        entries.append(entry)
    return entries


def _journal(hass: HomeAssistant, entry: MockConfigEntry) -> Path:
    """Return the path of an entry's outbox journal."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}.outbox.jsonl"))


async def _set_up(
    hass: HomeAssistant, entries: list[MockConfigEntry], per_entry: int
) -> _SetUp:
    """Write each entry's backlog, then set them up together while the hook is down; measure it."""
    file_bytes = 0
    for tag, entry in enumerate(entries):
        file_bytes += await hass.async_add_executor_job(
            _write_outbox, _journal(hass, entry), per_entry, tag
        )
    gc.collect()
    before = _rss()
    probe = _StallProbe()
    probe.start()
    start = time.perf_counter()
    results = await asyncio.gather(
        *(hass.config_entries.async_setup(entry.entry_id) for entry in entries)
    )
    seconds = time.perf_counter() - start
    await probe.stop()
    if not all(results):
        raise RuntimeError("An entry with a backlog did not set up")
    gc.collect()
    return _SetUp(
        seconds, probe.longest, probe.longest_collection, _rss() - before, file_bytes
    )


async def backlog_startup(
    config_dir: Path, sizes: list[int], entries: int, per_entry: int, drain: int
) -> Section:
    """Set up entries with long backlogs; then drain one backlog of `drain` messages."""
    section = Section(
        title="(h) A long backlog at start-up: set-up, stalls, memory, first post, drain",
        headers=[
            "backlog",
            "set-up",
            "longest stall",
            "longest GC",
            "memory per message",
            "ratio",
        ],
    )
    hook = LocalHook(down=True)
    await hook.start()
    try:
        for index, size in enumerate(sizes):
            await _one_size(config_dir / f"size-{index}", hook, section, 1, size)
        await _one_size(config_dir / "entries", hook, section, entries, per_entry)
        if drain:
            await _drain(config_dir / "drain", hook, section, drain)
    finally:
        await hook.stop()
    section.notes += [
        f"messages of {len(TEXT) + 7} characters, a line of about 400 bytes on disk",
        (
            "longest stall = the longest the event loop kept a task sleeping "
            f"{PROBE_INTERVAL * 1000:.0f} ms waiting beyond that, during set-up; "
            "longest GC = the longest cyclic garbage collection meanwhile, which "
            "stops the event loop too"
        ),
        (
            "memory per message = resident memory added by the set-up / messages; "
            "ratio = that / the message's line in the outbox file"
        ),
    ]
    return section


async def _one_size(
    config_dir: Path, hook: LocalHook, section: Section, entries: int, per_entry: int
) -> None:
    """Measure the set-up of `entries` entries of per_entry queued messages each."""
    await asyncio.to_thread(config_dir.mkdir, parents=True)
    hook.down = True
    async with home_assistant(config_dir) as hass:
        added = _entries(hass, hook.url, entries, per_entry)
        set_up = await _set_up(hass, added, per_entry)
        pending = sum(entry.runtime_data.delivery.pending for entry in added)
        if pending != entries * per_entry:
            raise RuntimeError(f"{pending} of {entries * per_entry} loaded")
        for entry in added:
            await hass.config_entries.async_unload(entry.entry_id)
    total = entries * per_entry
    line = set_up.file_bytes / total
    per_message = set_up.rss_bytes / total
    label = f"{total:,}" if entries == 1 else f"{entries} x {per_entry:,}"
    section.rows.append(
        [
            label,
            f"{set_up.seconds:.3f} s",
            f"{set_up.stall * 1000:.0f} ms",
            f"{set_up.collection * 1000:.0f} ms",
            f"{per_message:.0f} B",
            ratio(per_message, line),
        ]
    )


async def _drain(
    config_dir: Path, hook: LocalHook, section: Section, count: int
) -> None:
    """Start with count queued while the hook answers; time the first post and the drain."""
    await asyncio.to_thread(config_dir.mkdir, parents=True)
    hook.down = False
    hook.forget()
    sizes: list[int] = []
    async with home_assistant(config_dir) as hass:
        await _store_a_picture(hass)
        [entry] = _entries(hass, hook.url, 1, count)
        path = _journal(hass, entry)
        await hass.async_add_executor_job(_write_outbox, path, count, 0)
        writes = _count_state_writes(hass, "sensor.backlog_0_pending_messages")
        start = time.perf_counter()
        await hass.config_entries.async_setup(entry.entry_id)
        delivery = entry.runtime_data.delivery
        while delivery.pending:
            await asyncio.sleep(1.0)
            sizes.append(await hass.async_add_executor_job(_size, path))
        drained = time.perf_counter() - start
        await hass.config_entries.async_unload(entry.entry_id)
    in_order = [text[:6] for text in hook.texts] == [f"{i:06d}" for i in range(count)]
    first = (hook.first - start) if hook.first is not None else float("nan")
    section.notes.append(
        f"drain of {count:,} (one picture stored, so queue changes sweep the pictures): first post {first:.2f} s after set-up began, "
        f"all {len(hook.texts):,} delivered in {drained:.1f} s, in order: {in_order}; "
        f"the journal at most {max(sizes, default=0) / 1e6:.1f} MB while draining, "
        f"{sizes[-1] / 1e6 if sizes else 0:.1f} MB at the end; the pending sensor "
        f"written {len(writes)} times ({len(writes) / drained:.2f} per second)"
    )


async def _store_a_picture(hass: HomeAssistant) -> None:
    """Store one picture, as a camera snapshot sent earlier leaves: queue changes then sweep."""
    if not await async_setup_component(hass, DOMAIN, {}):
        raise RuntimeError("The integration did not set up")
    store = hass.data[IMAGES]
    image_id = await store.async_add("earlier", "image/png", b"\x89PNG", 3600)
    store.async_finish_action(image_id)


def _size(path: Path) -> int:
    """Return a file's size, 0 if it is gone."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _count_state_writes(hass: HomeAssistant, entity_id: str) -> list[Any]:
    """Return a list that gets every state written for entity_id."""
    writes: list[Any] = []

    def listener(event: Any) -> None:
        if event.data["entity_id"] == entity_id:
            writes.append(event.data["new_state"])

    hass.bus.async_listen("state_changed", listener)
    return writes
