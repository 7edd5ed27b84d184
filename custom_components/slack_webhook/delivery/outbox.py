"""Messages waiting for delivery, and their durable copy in HA's storage.

At run time a message's deadline and next try are monotonic-clock times, so
a step of the wall clock neither expires nor delays anything. Storage holds
wall-clock times, computed from the monotonic ones whenever a message's line
is written; what is loaded back is trusted only up to the message's maximum
age. The file itself is journal.py's; when to send a message again is
queue.py's.
"""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
import math
from pathlib import Path
import time
from types import MappingProxyType
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.json import json_loads, json_loads_object
from homeassistant.util.uuid import random_uuid_hex

from ..const import DOMAIN, LOGGER
from . import journal

STORAGE_VERSION = 1
"""The version of the HA storage file that older versions kept the outbox in."""
REMOVAL_SAVE_DELAY = 1.0
"""Seconds to gather removals into one write while the outbox drains."""
COMPACT_SLACK = 64 * 1024
"""Bytes of dead lines tolerated beyond twice the live ones before compacting."""
READING: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_outbox_reading")
"""Taken while an outbox file is parsed: one at a time, so Python's lock on the
interpreter is shared between the event loop and one parse, not several."""
NO_HEADERS: Mapping[str, str] = MappingProxyType({})
"""The headers of every message without any: one shared, read-only mapping."""
FLUSH_TRIES = 3
"""Writes a flush (an unload) tries before it gives the gathered removals up."""


class StoredMessage(TypedDict):
    """A message as written to storage."""

    id: str
    body: dict[str, Any]
    headers: dict[str, str]
    response_url: str | None
    accepted: float
    """When it was accepted (UNIX time)."""
    expires: float
    """When it is given up (UNIX time), as of the last write; never earlier than before."""
    attempts: int


@dataclass(frozen=True, slots=True)
class Clock:
    """One reading of the wall clock and of the event loop's monotonic clock."""

    wall: float
    monotonic: float

    @classmethod
    def now(cls) -> Clock:
        """Read both clocks."""
        return cls(time.time(), asyncio.get_running_loop().time())


@dataclass(slots=True)
class Message:
    """One message on its way to the webhook or a response_url.

    Once it is in the outbox, its body is not kept in memory but read from
    its stored line when it is sent (content), so a long outbox takes about
    the size of its file in memory.
    """

    body: dict[str, Any] | None
    """The webhook body; None once `line` holds it."""
    headers: Mapping[str, str]
    response_url: str | None
    accepted: float
    """When it was accepted (UNIX time, for logs)."""
    deadline: float
    """When it is given up if not delivered (event loop time)."""
    expires: float = 0.0
    """The latest expiry written (UNIX time); see to_stored."""
    id: str = field(default_factory=random_uuid_hex)
    """Unique, not secret: it names the message in results, events and logs."""
    attempts: int = 0
    """Delivery rounds that ended in a transient failure."""
    next_try: float = 0.0
    """Not before this event loop time."""
    stored: bool = False
    """Whether it is in the durable outbox (its caller has been answered)."""
    waiter: asyncio.Future[Any] | None = None
    """The caller waiting for its result, if any."""
    line: bytes = b""
    """Its latest line in the outbox file (the same bytes the outbox holds), once written."""

    def content(self) -> dict[str, Any]:
        """Return the body, read from the stored line when it is not in memory."""
        if self.body is not None:
            return self.body
        stored: StoredMessage = json_loads_object(self.line)  # type: ignore[assignment]
        return stored["body"]

    def keep_on_disk(self, line: bytes) -> bytes:
        """Hold the message by its stored line from now on, not its body; return the line."""
        self.line, self.body = line, None
        return line

    def to_stored(self, clock: Clock) -> StoredMessage:
        """Return the form written to storage, and remember the expiry it holds.

        The expiry is the monotonic deadline on today's wall clock, but never
        earlier than one written before: a write while the wall clock is stepped
        back must not expire the message at the next start, once the clock is
        right again. A step forward (NTP after an offline boot) moves it later.
        """
        self.expires = max(self.expires, clock.wall + (self.deadline - clock.monotonic))
        return StoredMessage(
            id=self.id,
            body=self.content(),
            headers=dict(self.headers),
            response_url=self.response_url,
            accepted=self.accepted,
            expires=self.expires,
            attempts=self.attempts,
        )

    @classmethod
    def from_stored(
        cls, data: StoredMessage, line: bytes, clock: Clock, max_age: float
    ) -> Message:
        """Return a stored message held by its line, given up `max_age` seconds from now at the latest."""
        remaining = min(data["expires"] - clock.wall, max_age)
        return cls(
            body=None,
            line=line,
            headers=data["headers"] or NO_HEADERS,
            response_url=data["response_url"],
            accepted=data["accepted"],
            deadline=clock.monotonic + remaining,
            expires=data["expires"],
            id=data["id"],
            attempts=data["attempts"],
            stored=True,
        )


type MaxAge = Callable[[str | None], float]
"""Returns the seconds a message to a response_url (or the webhook, None) may wait."""


@dataclass(frozen=True, slots=True)
class LoadedOutbox:
    """What the outbox file held: its messages, oldest first, and how many records were skipped."""

    messages: list[Message]
    invalid: int = 0
    """Records skipped because they are not in the stored form."""
    kept_aside: str | None = None
    """Where a file that is no journal was moved, when not one line of it was readable."""
    unreadable: str | None = None
    """Why the file could not be read at all (it is left in place, read at the next start)."""


@dataclass(slots=True)
class _Add:
    """The lines of one call of async_add, and the future that answers it."""

    lines: dict[str, bytes]
    written: asyncio.Future[None]


class OutboxStore:
    """The durable outbox of one config entry: a journal of JSON lines.

    Adding messages appends their lines and syncs the file before answering;
    the adds of concurrent callers share one write (group commit). Removals
    and changed retry counts are gathered for REMOVAL_SAVE_DELAY and appended
    as one write (or with the next adds). Once the file holds more than twice
    the live lines (plus COMPACT_SLACK), it is rewritten with the live lines
    only, so each message costs about its own size in bytes written, however
    long the outbox.

    A write that fails answers its adds with the error and leaves nothing in
    the file (or, if even cutting it back failed, the file is rewritten from
    memory before the next write); gathered removals and retry counts stay
    gathered and are written again.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the journal file of the entry; the older HA storage file is migrated."""
        self._hass = hass
        self._legacy: Store[dict[str, list[StoredMessage]]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.outbox", atomic_writes=True
        )
        self._path = Path(
            hass.config.path(STORAGE_DIR, f"{DOMAIN}.{entry_id}.outbox.jsonl")
        )
        self._lines: dict[str, bytes] = {}
        """The latest line of each message in the outbox, in queue order."""
        self._unwritten: set[str] = set()
        """Messages whose add is not durable yet: a compaction leaves them out."""
        self._live_bytes = 0
        self._file_bytes = 0
        self._adds: list[_Add] = []
        self._gathered_due = False
        self._writer: asyncio.Task[None] | None = None
        self._removed: list[str] = []
        self._updated: dict[str, Message] = {}
        self._flush_timer: asyncio.TimerHandle | None = None
        self._rewrite_due = False
        """Whether the file is rewritten from memory before the next append: it
        may hold part of a failed write, or dead or invalid lines from before."""
        self._failing = False
        """Whether the last write failed (the error is logged once per run of failures)."""
        self._unreadable: OSError | None = None
        """Why the file could not be read at load: then nothing is written over it."""

    @property
    def name(self) -> str:
        """Return the name of the file (in Home Assistant's .storage folder)."""
        return self._path.name

    async def async_load(self, clock: Clock, max_age: MaxAge) -> LoadedOutbox:
        """Return the stored messages, oldest first; never raise on a bad file.

        The file is read and parsed in the executor, one entry's at a time,
        so a long outbox keeps the event loop free; one with dead or torn
        lines is compacted afterwards by the writer. A file that cannot be read at all (permissions, a
        directory in its place, an I/O error) is left as it is, and nothing is
        written over it until the next start reads it; one that is no journal
        is moved aside.
        """
        reading = self._hass.data.setdefault(READING, asyncio.Lock())
        try:
            async with reading:
                read = await self._hass.async_add_executor_job(
                    _read_messages, self._path, clock, max_age
                )
        except OSError as err:
            LOGGER.error(
                "The outbox file %s cannot be read, it is read again at the next start: %s",
                self._path.name,
                err,
            )
            return self._left_unread(err)
        if read is None:
            return await self._async_migrate(clock, max_age)
        if read.file_bytes and not read.readable:
            LOGGER.error("The outbox file %s is not a journal", self._path.name)
            return await self._async_keep_aside(self._path)
        self._lines, self._live_bytes = read.live, read.live_bytes
        self._file_bytes = read.file_bytes
        if read.torn or self._file_bytes > self._live_bytes:
            self._rewrite_due = True
            self._start_writer()
        await self._legacy.async_remove()
        return LoadedOutbox(read.messages, invalid=read.invalid)

    def _left_unread(self, err: OSError) -> LoadedOutbox:
        """Write nothing in this run: the file is read at the next start."""
        self._unreadable = err
        return LoadedOutbox([], unreadable=err.strerror or str(err))

    @callback
    def async_add(self, messages: Sequence[Message]) -> asyncio.Future[None]:
        """Write messages to the outbox; the future is done once they are durable.

        It fails with the OSError of a write that failed: then the messages
        are not in the outbox. Cancelling it does not stop the write.
        """
        written: asyncio.Future[None] = self._hass.loop.create_future()
        if self._unreadable is not None:
            written.set_exception(self._unreadable)
            return written
        clock = Clock.now()
        lines = {
            m.id: m.keep_on_disk(self._set_line(m.id, _line(m.to_stored(clock))))
            for m in messages
        }
        self._unwritten.update(lines)
        self._adds.append(_Add(lines, written))
        self._start_writer()
        return written

    @callback
    def async_schedule_removal(self, message: Message) -> None:
        """Take a message out of the outbox within REMOVAL_SAVE_DELAY seconds.

        A crash before the write redelivers at most the messages delivered in
        that time, while draining N messages costs about N/rate small writes.
        """
        if (line := self._lines.pop(message.id, None)) is None:
            return
        self._live_bytes -= len(line)
        self._updated.pop(message.id, None)
        self._removed.append(message.id)
        self._schedule_flush()

    @callback
    def async_schedule_update(self, message: Message) -> None:
        """Write a stored message's retry count and expiry again, with the next removals."""
        if message.id in self._lines:
            self._updated[message.id] = message
            self._schedule_flush()

    async def async_flush(self) -> None:
        """Write the gathered removals and updates now; return once every write is done.

        A write already under way (the delay's, a compaction) is waited for
        too, so nothing writes the file after an unload has flushed. A write
        that fails, or a file that may be torn, is tried again, FLUSH_TRIES
        times in all; then no timer tries again, as after a reload the next
        load's store writes the file.
        """
        for _ in range(FLUSH_TRIES):
            self._cancel_flush_timer()
            self._write_gathered()
            if self._rewrite_due:
                self._start_writer()
            if self._writer is not None:
                await asyncio.shield(self._writer)
            if not (self._gathered() or self._rewrite_due):
                return
        self._cancel_flush_timer()

    async def async_remove(self) -> None:
        """Delete the outbox files."""
        await self._hass.async_add_executor_job(journal.remove, self._path)
        await self._legacy.async_remove()

    async def _async_migrate(self, clock: Clock, max_age: MaxAge) -> LoadedOutbox:
        """Move the records of the HA storage file of older versions into the journal.

        If the journal cannot be written, the older file stays for the next
        start, and the journal is written before the next append or at unload.
        """
        loaded = await self._async_load_legacy()
        messages = [
            Message.from_stored(
                record,
                self._set_line(record["id"], _line(record)),
                clock,
                max_age(record["response_url"]),
            )
            for record in loaded.records
        ]
        if self._lines and not await self._async_compact():
            self._rewrite_due = True  # the older file stays: it is read next time
        else:
            await self._legacy.async_remove()
        return LoadedOutbox(
            messages, loaded.invalid, loaded.kept_aside, loaded.unreadable
        )

    async def _async_load_legacy(self) -> _Legacy:
        """Return the records of the HA storage file, if there is one."""
        try:
            data: Any = await self._legacy.async_load()
        except HomeAssistantError as err:
            LOGGER.error("The outbox file %s cannot be read: %s", self._legacy.key, err)
            path = Path(self._legacy.path)
            aside = await self._async_keep_aside(path)
            return _Legacy([], 0, aside.kept_aside, aside.unreadable)
        if data is None:
            return _Legacy([])
        items = data.get("messages", []) if isinstance(data, dict) else None
        if not isinstance(items, list):
            return _Legacy([], invalid=1)
        records = [item for item in items if is_stored_message(item)]
        return _Legacy(records, invalid=len(items) - len(records))

    def _set_line(self, message_id: str, line: bytes) -> bytes:
        """Make line the message's latest; return it."""
        self._live_bytes += len(line) - len(self._lines.get(message_id, b""))
        self._lines[message_id] = line
        return line

    def _forget_line(self, message_id: str) -> None:
        """Take a message whose add failed out of the outbox in memory."""
        self._live_bytes -= len(self._lines.pop(message_id, b""))
        self._updated.pop(message_id, None)

    def _gathered(self) -> bool:
        """Return whether removals or updates wait to be written."""
        return bool(self._removed or self._updated)

    def _schedule_flush(self) -> None:
        """Write the gathered changes within REMOVAL_SAVE_DELAY; not rescheduled while pending."""
        if self._flush_timer is None:
            self._flush_timer = self._hass.loop.call_later(
                REMOVAL_SAVE_DELAY, self._write_gathered
            )

    def _cancel_flush_timer(self) -> None:
        """Drop the delayed write of the gathered changes, if one is pending."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None

    def _write_gathered(self) -> None:
        """Start writing the gathered changes, without waiting for the write."""
        self._flush_timer = None
        if self._gathered() and self._unreadable is None:
            self._gathered_due = True
            self._start_writer()

    def _start_writer(self) -> None:
        """Start the task that writes, unless it runs."""
        if self._writer is None:
            self._writer = self._hass.async_create_task(
                self._async_write(),
                f"{DOMAIN} outbox {self._path.name}",
                eager_start=False,  # so it is ours before its first step ends it
            )

    async def _async_write(self) -> None:
        """Append what waits, batch after batch; compact when the file is mostly dead or torn."""
        try:
            while True:
                if self._adds or self._gathered_due:
                    if self._rewrite_due:
                        await self._async_compact()
                    await self._async_write_batch()
                elif not (
                    (self._rewrite_due or self._compaction_due())
                    and await self._async_compact()
                ) and not (self._adds or self._gathered_due):
                    return  # what came during a failed rewrite is still written
        finally:
            self._writer = None

    async def _async_write_batch(self) -> None:
        """Append the adds so far and the gathered changes in one write, and answer the adds."""
        adds, self._adds = self._adds, []
        removed, updated = self._removed, self._updated
        self._removed, self._updated, self._gathered_due = [], {}, False
        clock = Clock.now()
        lines = [line for add in adds for line in add.lines.values()]
        lines += [
            message.keep_on_disk(
                self._set_line(message.id, _line(message.to_stored(clock)))
            )
            for message in updated.values()
        ]
        if removed:
            lines.append(_line({"removed": removed}))
        data = b"".join(lines)
        try:
            await self._hass.async_add_executor_job(journal.append, self._path, data)
        except OSError as err:
            self._write_failed(err, adds, removed, updated)
            return
        if self._failing:
            self._failing = False
            LOGGER.info("The outbox file %s is written again", self._path.name)
        self._file_bytes += len(data)
        for add in adds:
            self._unwritten.difference_update(add.lines)
            if not add.written.done():
                add.written.set_result(None)

    def _write_failed(
        self,
        err: OSError,
        adds: list[_Add],
        removed: list[str],
        updated: dict[str, Message],
    ) -> None:
        """Fail the adds of a write; gather its removals and updates again."""
        if not self._failing:
            self._failing = True
            LOGGER.error(
                "The outbox file %s cannot be written: %s", self._path.name, err
            )
        self._rewrite_due = self._rewrite_due or isinstance(err, journal.TornError)
        for add in adds:
            for message_id in add.lines:
                self._unwritten.discard(message_id)
                self._forget_line(message_id)
            if not add.written.done():
                add.written.set_exception(err)
        self._removed = removed + self._removed
        self._updated = {
            message_id: message
            for message_id, message in (updated | self._updated).items()
            if message_id in self._lines
        }
        if self._gathered():
            self._schedule_flush()

    def _compaction_due(self) -> bool:
        """Return whether dead lines outweigh the live ones."""
        return self._file_bytes > 2 * self._live_bytes + COMPACT_SLACK

    async def _async_compact(self) -> bool:
        """Rewrite the file with the durable live lines only; return whether that worked."""
        data = b"".join(
            line
            for message_id, line in self._lines.items()
            if message_id not in self._unwritten
        )
        try:
            await self._hass.async_add_executor_job(journal.rewrite, self._path, data)
        except OSError as err:
            LOGGER.error(
                "The outbox file %s cannot be rewritten: %s", self._path.name, err
            )
            return False
        self._file_bytes = len(data)
        self._rewrite_due = False
        return True

    async def _async_keep_aside(self, path: Path) -> LoadedOutbox:
        """Move an outbox file that is no journal aside, so no write replaces it.

        If it cannot be moved, it is left like a file that cannot be read.
        """
        suffix = f"unreadable-{int(time.time())}"
        try:
            aside = await self._hass.async_add_executor_job(
                journal.keep_aside, path, suffix
            )
        except OSError as err:
            LOGGER.error(
                "The outbox file %s cannot be moved aside, it is read again at the next start: %s",
                path.name,
                err,
            )
            return self._left_unread(err)
        return LoadedOutbox([], kept_aside=aside.name)


def replay[T](
    lines: list[bytes], keep: Callable[[StoredMessage, bytes], T]
) -> tuple[dict[str, T], int, int]:
    """Return what `keep` makes of each live record and its line, by id in order, the count of invalid lines and of readable ones.

    A line glued to the torn one before it (as older versions appended) is
    recovered, and readable; the torn part counts as invalid.
    """
    live: dict[str, T] = {}
    invalid = readable = 0
    for whole in lines:
        item, line = _parse(whole)
        invalid += len(line) < len(whole)
        if is_stored_message(item):
            live[item["id"]] = keep(item, line)
        elif _is_removal(item):
            for message_id in item["removed"]:
                live.pop(message_id, None)
        else:
            invalid += 1
            continue
        readable += 1
    return live, invalid, readable


@dataclass(frozen=True, slots=True)
class _Read:
    """The outbox file as read and parsed in the executor."""

    messages: list[Message]
    live: dict[str, bytes]
    """The line of each message, in order."""
    live_bytes: int
    file_bytes: int
    readable: int
    """Lines that hold a record or a removal (after a torn part, maybe)."""
    invalid: int
    torn: bool


@dataclass(frozen=True, slots=True)
class _Legacy:
    """The records of the HA storage file of older versions."""

    records: list[StoredMessage]
    invalid: int = 0
    kept_aside: str | None = None
    unreadable: str | None = None


def _read_messages(path: Path, clock: Clock, max_age: MaxAge) -> _Read | None:
    """Read and parse the outbox file into messages held by their lines; None when there is none.

    Blocking: run in the executor. Only the lines stay in memory, one bytes
    object each, shared by the message and the outbox.
    """
    if (read := journal.read(path)) is None:
        return None
    lines, torn = read
    live, invalid, readable = replay(
        lines,
        lambda record, line: Message.from_stored(
            record, line, clock, max_age(record["response_url"])
        ),
    )
    messages = list(live.values())
    by_id = {message.id: message.line for message in messages}
    return _Read(
        messages,
        by_id,
        sum(map(len, by_id.values())),
        sum(map(len, lines)),
        readable,
        invalid,
        torn,
    )


def _parse(line: bytes) -> tuple[Any, bytes]:
    """Return the record or removal a line holds, or ends with, and that part of it.

    A torn line glued to the next one ends with that line, which starts at a
    `{"` (it cannot occur inside a JSON string). Otherwise (None, line).
    """
    start = 0
    while start >= 0:
        try:
            item = json_loads(line[start:])
        except ValueError:
            pass
        else:
            if start == 0 or is_stored_message(item) or _is_removal(item):
                return item, line[start:]
        start = line.find(b'{"', start + 1)
    return None, line


def _is_removal(item: Any) -> bool:
    """Return whether a journal line lists removed messages."""
    return (
        isinstance(item, dict)
        and isinstance(removed := item.get("removed"), list)
        and all(isinstance(message_id, str) for message_id in removed)
    )


def _line(item: Mapping[str, Any]) -> bytes:
    """Return a journal line: compact JSON and a newline."""
    return json_bytes(item) + b"\n"


def is_stored_message(item: Any) -> bool:
    """Return whether a loaded item has the stored form, with sound types.

    JSON gives exact types, so exact type checks serve (and a bool is no int).
    """
    return (
        type(item) is dict
        and type(item.get("id")) is str
        and type(body := item.get("body")) is dict
        and bool(body)
        and _is_headers(item.get("headers"))
        and "response_url" in item
        and (item["response_url"] is None or type(item["response_url"]) is str)
        and _is_time(item.get("accepted"))
        and _is_time(item.get("expires"))
        and type(attempts := item.get("attempts")) is int
        and attempts >= 0
    )


def _is_headers(value: Any) -> bool:
    """Return whether value maps header names to values, all strings."""
    return type(value) is dict and (
        not value
        or all(type(name) is str and type(text) is str for name, text in value.items())
    )


def _is_time(value: Any) -> bool:
    """Return whether value is a finite number (a UNIX time)."""
    return (type(value) is float or type(value) is int) and math.isfinite(value)
