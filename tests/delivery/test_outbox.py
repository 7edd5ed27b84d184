"""Tests for the durable outbox: its journal file, writes, compaction and migration."""

import asyncio
import errno
import os
from pathlib import Path
import threading
import time
from typing import Any
from unittest.mock import patch

import pytest

from custom_components.slack_webhook.const import DOMAIN
from custom_components.slack_webhook.delivery import journal, outbox
from custom_components.slack_webhook.delivery.outbox import (
    Clock,
    LoadedOutbox,
    Message,
    OutboxStore,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from tests.helpers.disk_faults import DiskFaults, Fault, enospc_after
from tests.helpers.outbox_files import journal_path, record, stored, stored_texts
from tests.helpers.waiting import until

ENTRY = "entry"


def _message(text: str, *, stored: bool = True) -> Message:
    """Return a message accepted now, due in an hour."""
    return Message(
        {"text": text},
        {},
        None,
        accepted=time.time(),
        deadline=asyncio.get_running_loop().time() + 3600,
        stored=stored,
    )


async def _load(store: OutboxStore) -> LoadedOutbox:
    """Load the store as a delivery queue would, every message due in an hour.

    The rewrite a load starts in the background (of dead or torn lines) is
    waited for, so the file is as the next start would find it.
    """
    loaded = await store.async_load(Clock.now(), lambda _response_url: 3600.0)
    await store.async_flush()
    return loaded


async def _write(hass: HomeAssistant, data: bytes) -> Path:
    """Write the entry's journal file as it is before the store loads it."""
    path = journal_path(hass, ENTRY)

    def write() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    await hass.async_add_executor_job(write)
    return path


async def _size(hass: HomeAssistant) -> int:
    """Return the size of the entry's journal file."""
    path = journal_path(hass, ENTRY)
    return (await hass.async_add_executor_job(path.stat)).st_size


def test_a_write_while_the_clock_is_back_keeps_the_expiry() -> None:
    """A write while the wall clock is stepped back never brings the expiry forward."""
    message = Message(
        {"text": "m"}, {}, None, accepted=1000.0, deadline=1850.0, expires=2800.0
    )
    stepped_back = Clock(wall=1000.0 - 3600 + 10, monotonic=60.0)
    assert message.to_stored(stepped_back)["expires"] == 2800.0
    # NTP after an offline boot: the clock steps forward, the expiry follows.
    corrected = Clock(wall=1000.0 + 86_400, monotonic=70.0)
    assert message.to_stored(corrected)["expires"] == 1000.0 + 86_400 + 1780.0
    assert message.to_stored(stepped_back)["expires"] == 1000.0 + 86_400 + 1780.0


def test_a_loaded_message_keeps_its_stored_expiry() -> None:
    """Loading keeps the stored expiry; the deadline is capped at max_age from now."""
    stored = record("m", expires=5000.0)
    message = Message.from_stored(
        stored, json_bytes(stored), Clock(wall=1000.0, monotonic=10.0), 600
    )
    assert message.deadline == 610.0
    assert message.to_stored(Clock(wall=1000.0, monotonic=10.0))["expires"] == 5000.0


async def test_concurrent_adds_share_a_write(hass: HomeAssistant) -> None:
    """Adds that arrive while a write is under way go out together in the next one."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    with patch.object(journal, "append", wraps=journal.append) as append:
        await asyncio.gather(*(store.async_add([_message(f"m{i}")]) for i in range(20)))
    assert append.call_count < 20
    assert await stored_texts(hass, ENTRY) == [f"m{i}" for i in range(20)]


async def test_removals_and_updates_share_one_delayed_write(
    hass: HomeAssistant,
) -> None:
    """Removals and a retry count gathered meanwhile make one append, after the delay."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    messages = [_message(f"m{i}") for i in range(4)]
    await store.async_add(messages)
    size = await _size(hass)
    with patch.object(outbox, "REMOVAL_SAVE_DELAY", 0.05):
        for message in messages[:3]:
            store.async_schedule_removal(message)
        store.async_schedule_removal(messages[0])  # already gone: nothing more
        messages[3].attempts = 7
        store.async_schedule_update(messages[3])
        store.async_schedule_update(messages[0])  # removed: not written again
        assert await _size(hass) == size
        with patch.object(journal, "append", wraps=journal.append) as append:
            await asyncio.sleep(0.1)
            await hass.async_block_till_done()
    assert append.call_count == 1
    records = await stored(hass, ENTRY)
    assert [(r["body"]["text"], r["attempts"]) for r in records] == [("m3", 7)]


async def test_flush_writes_at_once(hass: HomeAssistant) -> None:
    """A flush does not wait for the delay; with nothing gathered it writes nothing."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    message = _message("a")
    await store.async_add([message])
    store.async_schedule_removal(message)
    await store.async_flush()
    assert await stored(hass, ENTRY) == []
    with patch.object(journal, "append") as append:
        await store.async_flush()
    append.assert_not_called()


async def test_flush_waits_for_a_write_under_way(hass: HomeAssistant) -> None:
    """Removals the delay already sent to the file are on it once a flush returns."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    message = _message("a")
    await store.async_add([message])
    started = asyncio.Event()
    append = journal.append

    def slow_append(path: Path, data: bytes) -> None:
        hass.loop.call_soon_threadsafe(started.set)
        time.sleep(0.2)
        append(path, data)

    with (
        patch.object(outbox, "REMOVAL_SAVE_DELAY", 0),
        patch.object(journal, "append", slow_append),
    ):
        store.async_schedule_removal(message)
        await started.wait()
        await store.async_flush()
        assert await stored(hass, ENTRY) == []


async def test_draining_compacts_the_file(hass: HomeAssistant) -> None:
    """Once dead lines outweigh the live ones, the file holds only the live lines."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    messages = [_message(f"m{i}") for i in range(10)]
    await store.async_add(messages)
    with patch.object(outbox, "COMPACT_SLACK", 0):
        for message in messages[:8]:
            store.async_schedule_removal(message)
        await store.async_flush()
        await hass.async_block_till_done()
    read = await hass.async_add_executor_job(journal.read, journal_path(hass, ENTRY))
    assert read is not None
    assert len(read[0]) == 2  # the removal lines and dead records are gone
    assert await stored_texts(hass, ENTRY) == ["m8", "m9"]


async def test_a_torn_last_line_is_dropped_quietly(hass: HomeAssistant) -> None:
    """An append cut short by a crash was never acknowledged: no issue, file repaired."""
    await _write(hass, json_bytes(record("a")) + b'\n{"id": "half')
    store = OutboxStore(hass, ENTRY)
    loaded = await _load(store)
    assert [m.content()["text"] for m in loaded.messages] == ["a"]
    assert loaded.invalid == 0
    await store.async_add([_message("b")])
    assert await stored_texts(hass, ENTRY) == ["a", "b"]


async def test_invalid_lines_are_counted_and_dropped(hass: HomeAssistant) -> None:
    """Lines that are not records or removals are skipped, counted once, then gone."""
    bad = record("bad", attempts=-1)
    removal = {"removed": ["id-b"]}
    lines = [record("a"), bad, record("b"), removal, ["x"], {"removed": [1]}]
    data = b"".join(json_bytes(line) + b"\n" for line in lines) + b"\xff\n"
    await _write(hass, data)
    loaded = await _load(OutboxStore(hass, ENTRY))
    assert [m.content()["text"] for m in loaded.messages] == ["a"]
    assert loaded.invalid == 4
    again = await _load(OutboxStore(hass, ENTRY))
    assert again.invalid == 0
    assert [m.id for m in again.messages] == ["id-a"]


async def test_a_file_that_is_no_journal_is_kept_aside(hass: HomeAssistant) -> None:
    """Not one line readable: the file is moved aside, not emptied."""
    path = await _write(hass, b"SQLite format 3\x00\n\x01\x02\n")
    loaded = await _load(OutboxStore(hass, ENTRY))
    assert loaded.messages == []
    assert loaded.kept_aside is not None
    assert loaded.kept_aside.startswith(f"{DOMAIN}.{ENTRY}.outbox.jsonl.unreadable-")
    aside = path.with_name(loaded.kept_aside)
    assert await hass.async_add_executor_job(aside.read_bytes) == (
        b"SQLite format 3\x00\n\x01\x02\n"
    )
    assert not await hass.async_add_executor_job(path.exists)


async def test_a_file_kept_aside_in_the_same_second_keeps_the_one_before(
    hass: HomeAssistant,
) -> None:
    """Two files that are no journal, kept aside within one second: both stay."""
    path = await _write(hass, b"first\n")
    with patch("time.time", return_value=1_800_000_000.5):
        first = (await _load(OutboxStore(hass, ENTRY))).kept_aside
        await _write(hass, b"second\n")
        second = (await _load(OutboxStore(hass, ENTRY))).kept_aside
    assert first is not None and second is not None
    assert second == f"{first}-2"
    kept = [path.with_name(name) for name in (first, second)]
    assert [await hass.async_add_executor_job(p.read_bytes) for p in kept] == [
        b"first\n",
        b"second\n",
    ]


async def test_a_file_that_cannot_be_moved_aside_is_left_unread(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A file that is no journal and cannot be moved aside is left as it is, written never."""
    path = await _write(hass, b"not a journal\n")
    store = OutboxStore(hass, ENTRY)
    with patch.object(journal, "keep_aside", side_effect=OSError("read-only")):
        loaded = await _load(store)
    assert loaded.kept_aside is None
    assert loaded.unreadable == "read-only"
    assert "is not a journal" in caplog.text
    assert "cannot be moved aside, it is read again at the next start" in caplog.text
    with pytest.raises(OSError, match="read-only"):
        await store.async_add([_message("a")])
    assert await hass.async_add_executor_job(path.read_bytes) == b"not a journal\n"


async def test_the_storage_file_of_older_versions_is_migrated(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Records move into the journal in order and the old file is removed."""
    key = f"{DOMAIN}.{ENTRY}.outbox"
    records = [record("a"), record("b"), "junk"]
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"messages": records},
    }
    loaded = await _load(OutboxStore(hass, ENTRY))
    assert [m.content()["text"] for m in loaded.messages] == ["a", "b"]
    assert loaded.invalid == 1
    assert key not in hass_storage
    assert await stored(hass, ENTRY) == records[:2]
    again = await _load(OutboxStore(hass, ENTRY))
    assert [m.content()["text"] for m in again.messages] == ["a", "b"]


async def test_write_errors_fail_the_adds_and_are_logged(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed append fails its adds; a failed compaction is logged and changes nothing."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    message = _message("a")
    with (
        patch.object(journal, "append", side_effect=OSError("disk full")),
        pytest.raises(OSError, match="disk full"),
    ):
        await store.async_add([message])
    assert "cannot be written" in caplog.text
    others = [_message("b"), _message("c")]
    await store.async_add(others)
    assert "is written again" in caplog.text
    with (
        patch.object(outbox, "COMPACT_SLACK", 0),
        patch.object(journal, "rewrite", side_effect=OSError("disk full")),
    ):
        store.async_schedule_removal(message)  # not in the outbox: nothing to do
        store.async_schedule_removal(others[0])
        await store.async_flush()
        await hass.async_block_till_done()
    assert "cannot be rewritten" in caplog.text
    assert await stored_texts(hass, ENTRY) == ["c"]


async def test_removing_deletes_both_files(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The journal and any storage file of older versions go."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    await store.async_add([_message("a")])
    await store.async_remove()
    assert not await hass.async_add_executor_job(journal_path(hass, ENTRY).exists)
    await store.async_remove()


# Issue 23: the journal under disk faults.


def _faults(hass: HomeAssistant) -> DiskFaults:
    """Return faults for the entry's journal and its temporary file."""
    return DiskFaults(journal_path(hass, ENTRY))


async def _loaded_texts(hass: HomeAssistant) -> tuple[list[str], int]:
    """Load the journal as the next start would: the texts and the invalid count."""
    loaded = await _load(OutboxStore(hass, ENTRY))
    return [m.content()["text"] for m in loaded.messages], loaded.invalid


@pytest.mark.parametrize(
    "faults",
    [
        [enospc_after(10)],
        [Fault("write", errno.ENOSPC)],
        [Fault("sync", errno.EIO)],
        [enospc_after(10), Fault("truncate", errno.EIO)],
    ],
    ids=["torn-enospc", "enospc", "eio-on-sync", "torn-and-truncate-fails"],
)
async def test_a_failed_append_fails_its_adds_and_loses_no_later_line(
    hass: HomeAssistant, faults: list[Fault]
) -> None:
    """The add whose write failed raises; the next lines are durable and readable."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    await store.async_add([_message("a")])
    disk = _faults(hass)
    disk.schedule(*faults)
    with disk.active():
        with pytest.raises(OSError):
            await store.async_add([_message("b")])
        assert disk.pending == 0
        await store.async_add([_message("c")])
    assert await _loaded_texts(hass) == (["a", "c"], 0)


async def test_a_failed_removal_is_written_again(hass: HomeAssistant) -> None:
    """A removal and a retry count whose write was torn stay pending: nothing comes back."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    first, second = _message("a"), _message("b")
    await store.async_add([first, second])
    disk = _faults(hass)
    disk.schedule(enospc_after(5))
    with disk.active(), patch.object(outbox, "REMOVAL_SAVE_DELAY", 0.01):
        store.async_schedule_removal(first)
        second.attempts = 3
        store.async_schedule_update(second)
        await until(lambda: disk.pending == 0)
        await store.async_add([_message("c")])
        await store.async_flush()
    assert await _loaded_texts(hass) == (["b", "c"], 0)
    assert [r["attempts"] for r in await stored(hass, ENTRY)] == [3, 0]


async def test_removals_that_keep_failing_are_tried_again_at_a_flush(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A flush (an unload) tries a failed write again; the error is logged once."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    message = _message("a")
    await store.async_add([message])
    disk = _faults(hass)
    disk.fail("write", 2, errno.ENOSPC)
    with disk.active():
        store.async_schedule_removal(message)
        await store.async_flush()
    assert disk.pending == 0
    assert caplog.text.count("cannot be written") == 1
    assert await _loaded_texts(hass) == ([], 0)


async def test_a_file_that_may_be_torn_is_rewritten_from_memory(
    hass: HomeAssistant,
) -> None:
    """Cut short and not cut back: the next write rewrites the file, without the failed add."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    await store.async_add([_message("a")])
    disk = _faults(hass)
    # The lines of "b" reach the file; its sync and the cutting back fail.
    disk.schedule(Fault("sync"), Fault("truncate"))
    with disk.active():
        with pytest.raises(OSError):
            await store.async_add([_message("b")])
        await store.async_add([_message("c")])
    assert disk.calls["replace"] == 1
    assert await stored_texts(hass, ENTRY) == ["a", "c"]
    read = await hass.async_add_executor_job(journal.read, journal_path(hass, ENTRY))
    assert read is not None
    assert len(read[0]) == 2


async def test_a_crash_between_the_temporary_file_and_the_rename(
    hass: HomeAssistant,
) -> None:
    """A compaction cut off before its rename leaves the old file whole."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    messages = [_message(f"m{i}") for i in range(4)]
    await store.async_add(messages)
    disk = _faults(hass)
    disk.schedule(Fault("replace", crash=True))
    with disk.active(), patch.object(outbox, "COMPACT_SLACK", 0):
        for message in messages[:3]:
            store.async_schedule_removal(message)
        await store.async_flush()
        await hass.async_block_till_done()
        assert disk.crashed
    # The removals were appended before the compaction started.
    assert await _loaded_texts(hass) == (["m3"], 0)
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    await store.async_add([_message("n")])
    assert await _loaded_texts(hass) == (["m3", "n"], 0)


async def test_a_short_write_is_completed(hass: HomeAssistant) -> None:
    """A write that stores part of the data without an error goes on with the rest."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    real_write = os.write
    with patch.object(os, "write", lambda fd, data: real_write(fd, data[:7])):
        await store.async_add([_message("a"), _message("b")])
    assert await _loaded_texts(hass) == (["a", "b"], 0)


async def test_a_line_glued_to_a_torn_one_is_recovered(hass: HomeAssistant) -> None:
    """Old versions glued the next line to a torn one: the good line is read, the fragment counted."""
    whole = json_bytes(record("b"))
    glued = json_bytes(record("x"))[:25] + whole
    removal = json_bytes({"removed": ["id-c"]})
    data = b"\n".join(
        [json_bytes(record("a")), glued, json_bytes(record("c")), removal[:9] + removal]
    )
    await _write(hass, data + b"\n")
    assert await _loaded_texts(hass) == (["a", "b"], 2)
    assert await _loaded_texts(hass) == (["a", "b"], 0)


async def test_an_append_after_a_torn_line_starts_a_new_line(
    hass: HomeAssistant,
) -> None:
    """A file ending in a fragment (the rewrite failed) gets its newline before the next line."""
    await _write(hass, json_bytes(record("a")) + b'\n{"id": "half')
    store = OutboxStore(hass, ENTRY)
    with patch.object(journal, "rewrite", side_effect=OSError("read-only")):
        await _load(store)
        await store.async_add([_message("b")])
    assert await _loaded_texts(hass) == (["a", "b"], 1)


@pytest.mark.parametrize("kind", ["directory", "permissions", "io-error"])
async def test_an_outbox_that_cannot_be_opened_is_left_in_place(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    """Not read, not moved aside, nothing written over it: read again at the next start."""
    path = await _write(hass, json_bytes(record("a")) + b"\n")
    disk = _faults(hass)
    if kind == "directory":
        await hass.async_add_executor_job(path.unlink)
        await hass.async_add_executor_job(path.mkdir)
    else:
        disk.schedule(
            Fault("open", errno.EACCES) if kind == "permissions" else Fault("read")
        )
    store = OutboxStore(hass, ENTRY)
    with disk.active():
        loaded = await _load(store)
        with pytest.raises(OSError):
            await store.async_add([_message("b")])
        await store.async_flush()
    assert loaded.messages == []
    assert loaded.kept_aside is None
    assert loaded.unreadable is not None
    assert "read again at the next start" in caplog.text
    names = await hass.async_add_executor_job(
        lambda: sorted(p.name for p in path.parent.iterdir())
    )
    assert names == [path.name]
    if kind != "directory":
        assert await _loaded_texts(hass) == (["a"], 0)


async def test_a_flush_repairs_a_file_that_may_be_torn(hass: HomeAssistant) -> None:
    """An unload after a failed add that could not be cut back leaves no line of it."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    await store.async_add([_message("a")])
    disk = _faults(hass)
    # The add fails and stays in the file; the repair right after fails too.
    disk.schedule(Fault("sync"), Fault("truncate"), Fault("replace"))
    with disk.active():
        with pytest.raises(OSError):
            await store.async_add([_message("b")])
        await hass.async_block_till_done()
        assert await stored_texts(hass, ENTRY) == ["a", "b"]
        await store.async_flush()
    assert await _loaded_texts(hass) == (["a"], 0)


async def test_a_file_of_only_glued_lines_is_read(hass: HomeAssistant) -> None:
    """Every line glued to a torn one still holds a message: the file is a journal."""
    whole = json_bytes(record("b"))
    await _write(hass, json_bytes(record("x"))[:25] + whole + b"\n")
    loaded = await _load(OutboxStore(hass, ENTRY))
    assert loaded.kept_aside is None
    assert [m.content()["text"] for m in loaded.messages] == ["b"]
    assert await _loaded_texts(hass) == (["b"], 0)


async def test_a_migration_that_cannot_write_keeps_the_older_file(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The records stay in the older file until the journal holds them; a flush writes them."""
    key = f"{DOMAIN}.{ENTRY}.outbox"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"messages": [record("a"), record("b")]},
    }
    store = OutboxStore(hass, ENTRY)
    with patch.object(journal, "rewrite", side_effect=OSError("disk full")):
        loaded = await store.async_load(Clock.now(), lambda _response_url: 3600.0)
    assert [m.content()["text"] for m in loaded.messages] == ["a", "b"]
    assert key in hass_storage
    await store.async_flush()
    assert await stored_texts(hass, ENTRY) == ["a", "b"]
    assert await _loaded_texts(hass) == (["a", "b"], 0)
    assert key not in hass_storage


async def test_an_add_during_a_failing_rewrite_is_written(hass: HomeAssistant) -> None:
    """The load's rewrite fails while an add waits for it: the add is written all the same."""
    await _write(hass, json_bytes(record("a")) + b'\n{"id": "half')
    store = OutboxStore(hass, ENTRY)
    started, release = asyncio.Event(), threading.Event()

    def failing_rewrite(path: Path, data: bytes) -> None:
        hass.loop.call_soon_threadsafe(started.set)
        release.wait()
        raise OSError(errno.ENOSPC, "disk full")

    with patch.object(journal, "rewrite", failing_rewrite):
        await store.async_load(Clock.now(), lambda _response_url: 3600.0)
        await started.wait()
        written = store.async_add([_message("b")])
        release.set()
        await hass.async_block_till_done()
        assert written.done()
    await written
    assert await _loaded_texts(hass) == (["a", "b"], 1)


async def test_nothing_is_written_after_an_unload_gave_up(hass: HomeAssistant) -> None:
    """A flush whose writes all failed leaves no retry behind to write over the next load's file."""
    store = OutboxStore(hass, ENTRY)
    await _load(store)
    message = _message("a")
    await store.async_add([message])
    disk = _faults(hass)
    disk.fail("write", outbox.FLUSH_TRIES, errno.ENOSPC)
    with disk.active(), patch.object(outbox, "REMOVAL_SAVE_DELAY", 0.01):
        store.async_schedule_removal(message)
        await store.async_flush()
    assert disk.pending == 0
    # The entry loads again: the message comes back, a new one is added.
    with patch.object(outbox, "COMPACT_SLACK", 0):
        reloaded = OutboxStore(hass, ENTRY)
        await _load(reloaded)
        await reloaded.async_add([_message("b")])
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()
    assert await stored_texts(hass, ENTRY) == ["a", "b"]
