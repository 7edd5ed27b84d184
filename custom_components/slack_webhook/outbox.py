"""Messages waiting for delivery, and their durable copy in HA's storage.

At run time a message's deadline and next try are monotonic-clock times, so
a step of the wall clock neither expires nor delays anything. Storage holds
wall-clock times, computed from the monotonic ones whenever a message's line
is written; what is loaded back is trusted only up to the message's maximum
age.
"""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
import math
from pathlib import Path
import time
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.util.json import json_loads
from homeassistant.util.uuid import random_uuid_hex

from . import journal
from .const import DOMAIN, LOGGER

STORAGE_VERSION = 1
"""The version of the HA storage file that older versions kept the outbox in."""
REMOVAL_SAVE_DELAY = 1.0
"""Seconds to gather removals into one write while the outbox drains."""
COMPACT_SLACK = 64 * 1024
"""Bytes of dead lines tolerated beyond twice the live ones before compacting."""


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
    """One message on its way to the webhook or a response_url."""

    body: dict[str, Any]
    headers: dict[str, str]
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
            body=self.body,
            headers=self.headers,
            response_url=self.response_url,
            accepted=self.accepted,
            expires=self.expires,
            attempts=self.attempts,
        )

    @classmethod
    def from_stored(cls, data: StoredMessage, clock: Clock, max_age: float) -> Message:
        """Return a stored message, given up `max_age` seconds from now at the latest."""
        remaining = min(data["expires"] - clock.wall, max_age)
        return cls(
            body=data["body"],
            headers=data["headers"],
            response_url=data["response_url"],
            accepted=data["accepted"],
            deadline=clock.monotonic + remaining,
            expires=data["expires"],
            id=data["id"],
            attempts=data["attempts"],
            stored=True,
        )


@dataclass(frozen=True, slots=True)
class LoadedOutbox:
    """What the outbox file held: readable records and how many were skipped."""

    records: list[StoredMessage]
    invalid: int = 0
    """Records skipped because they are not in the stored form."""
    kept_aside: str | None = None
    """Where an unreadable file was moved, when the whole file was unreadable."""


class OutboxStore:
    """The durable outbox of one config entry: a journal of JSON lines.

    Adding messages appends their lines and syncs the file before returning;
    the adds of concurrent callers share one write (group commit). Removals
    and changed retry counts are gathered for REMOVAL_SAVE_DELAY and appended
    as one write. Once the file holds more than twice the live lines (plus
    COMPACT_SLACK), it is rewritten with the live lines only, so each message
    costs about its own size in bytes written, however long the outbox.
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
        self._live_bytes = 0
        self._file_bytes = 0
        self._batch: list[bytes] = []
        self._batch_written: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._removed: list[str] = []
        self._updated: dict[str, Message] = {}
        self._flush_timer: asyncio.TimerHandle | None = None

    async def async_load(self) -> LoadedOutbox:
        """Return the stored records, oldest first; never raise on a bad file."""
        try:
            read = await self._hass.async_add_executor_job(journal.read, self._path)
        except OSError as err:
            LOGGER.error("The outbox file %s cannot be read: %s", self._path.name, err)
            return LoadedOutbox([], kept_aside=await self._async_keep_aside(self._path))
        if read is None:
            return await self._async_migrate()
        lines, torn = read
        live, invalid = replay(lines)
        if lines and invalid == len(lines):
            LOGGER.error("The outbox file %s is not a journal", self._path.name)
            return LoadedOutbox([], kept_aside=await self._async_keep_aside(self._path))
        for record, line in live.values():
            self._set_line(record["id"], line + b"\n")
        self._file_bytes = sum(len(line) + 1 for line in lines)
        if torn or self._file_bytes > self._live_bytes:
            await self._async_compact()
        await self._legacy.async_remove()
        return LoadedOutbox([record for record, _ in live.values()], invalid=invalid)

    async def async_add(self, messages: Sequence[Message]) -> None:
        """Write messages to the outbox; return once they are durable."""
        clock = Clock.now()
        lines = [self._set_line(m.id, _line(m.to_stored(clock))) for m in messages]
        await asyncio.shield(self._enqueue(lines))

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
        too, so nothing writes the file after an unload has flushed.
        """
        if self._flush_timer is not None:
            self._flush_timer.cancel()
        self._write_gathered()
        if self._writer is not None:
            await asyncio.shield(self._writer)

    async def async_remove(self) -> None:
        """Delete the outbox files."""
        await self._hass.async_add_executor_job(journal.remove, self._path)
        await self._legacy.async_remove()

    async def _async_migrate(self) -> LoadedOutbox:
        """Move the records of the HA storage file of older versions into the journal."""
        loaded = await self._async_load_legacy()
        for record in loaded.records:
            self._set_line(record["id"], _line(record))
        if self._lines:
            await self._async_compact()
        await self._legacy.async_remove()
        return loaded

    async def _async_load_legacy(self) -> LoadedOutbox:
        """Return the records of the HA storage file, if there is one."""
        try:
            data: Any = await self._legacy.async_load()
        except HomeAssistantError as err:
            LOGGER.error("The outbox file %s cannot be read: %s", self._legacy.key, err)
            path = Path(self._legacy.path)
            return LoadedOutbox([], kept_aside=await self._async_keep_aside(path))
        if data is None:
            return LoadedOutbox([])
        items = data.get("messages", []) if isinstance(data, dict) else None
        if not isinstance(items, list):
            return LoadedOutbox([], invalid=1)
        records = [item for item in items if is_stored_message(item)]
        return LoadedOutbox(records, invalid=len(items) - len(records))

    def _set_line(self, message_id: str, line: bytes) -> bytes:
        """Make line the message's latest; return it."""
        self._live_bytes += len(line) - len(self._lines.get(message_id, b""))
        self._lines[message_id] = line
        return line

    def _schedule_flush(self) -> None:
        """Write the gathered changes within REMOVAL_SAVE_DELAY; not rescheduled while pending."""
        if self._flush_timer is None:
            self._flush_timer = self._hass.loop.call_later(
                REMOVAL_SAVE_DELAY, self._write_gathered
            )

    def _write_gathered(self) -> None:
        """Start writing the gathered changes, without waiting for the write."""
        self._flush_timer = None
        if lines := self._pending_lines():
            self._enqueue(lines)

    def _pending_lines(self) -> list[bytes]:
        """Return the lines of the gathered changes, and forget them."""
        clock = Clock.now()
        lines = [
            self._set_line(message.id, _line(message.to_stored(clock)))
            for message in self._updated.values()
        ]
        if self._removed:
            lines.append(_line({"removed": self._removed}))
        self._updated = {}
        self._removed = []
        return lines

    def _enqueue(self, lines: list[bytes]) -> asyncio.Future[None]:
        """Add lines to the next write and return its future; start the writer."""
        self._batch += lines
        if self._batch_written is None:
            self._batch_written = self._hass.loop.create_future()
        written = self._batch_written
        if self._writer is None:
            self._writer = self._hass.async_create_task(
                self._async_write(),
                f"{DOMAIN} outbox {self._path.name}",
                eager_start=False,  # so it is ours before its first step ends it
            )
        return written

    async def _async_write(self) -> None:
        """Append the gathered lines, batch after batch; compact when the file is mostly dead."""
        try:
            while True:
                if self._batch:
                    await self._async_write_batch()
                elif not (self._compaction_due() and await self._async_compact()):
                    return
        finally:
            self._writer = None

    async def _async_write_batch(self) -> None:
        """Append every line gathered so far in one write, and answer its waiters."""
        data, written = b"".join(self._batch), self._batch_written
        self._batch, self._batch_written = [], None
        try:
            await self._hass.async_add_executor_job(journal.append, self._path, data)
        except OSError as err:
            LOGGER.error(
                "The outbox file %s cannot be written: %s", self._path.name, err
            )
        else:
            self._file_bytes += len(data)
        finally:
            if written is not None and not written.done():
                written.set_result(None)

    def _compaction_due(self) -> bool:
        """Return whether dead lines outweigh the live ones."""
        return self._file_bytes > 2 * self._live_bytes + COMPACT_SLACK

    async def _async_compact(self) -> bool:
        """Rewrite the file with the live lines only; return whether that worked."""
        data = b"".join(self._lines.values())
        try:
            await self._hass.async_add_executor_job(journal.rewrite, self._path, data)
        except OSError as err:
            LOGGER.error(
                "The outbox file %s cannot be rewritten: %s", self._path.name, err
            )
            return False
        self._file_bytes = len(data)
        return True

    async def _async_keep_aside(self, path: Path) -> str:
        """Move an unreadable outbox file aside, so no write replaces it; return its name."""
        suffix = f"unreadable-{int(time.time())}"
        try:
            aside = await self._hass.async_add_executor_job(
                journal.keep_aside, path, suffix
            )
        except OSError as err:
            LOGGER.error("The outbox file %s cannot be moved aside: %s", path, err)
            return path.name
        return aside.name


def replay(lines: list[bytes]) -> tuple[dict[str, tuple[StoredMessage, bytes]], int]:
    """Return the live records of journal lines with their lines, in order, and the count of invalid lines."""
    live: dict[str, tuple[StoredMessage, bytes]] = {}
    invalid = 0
    for line in lines:
        try:
            item: Any = json_loads(line)
        except ValueError:
            invalid += 1
            continue
        if is_stored_message(item):
            live[item["id"]] = (item, line)
        elif _is_removal(item):
            for message_id in item["removed"]:
                live.pop(message_id, None)
        else:
            invalid += 1
    return live, invalid


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
    """Return whether a loaded item has the stored form, with sound types."""
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and isinstance(item.get("body"), dict)
        and bool(item["body"])
        and _is_headers(item.get("headers"))
        and "response_url" in item
        and isinstance(item["response_url"], str | None)
        and _is_time(item.get("accepted"))
        and _is_time(item.get("expires"))
        and isinstance(item.get("attempts"), int)
        and not isinstance(item["attempts"], bool)
        and item["attempts"] >= 0
    )


def _is_headers(value: Any) -> bool:
    """Return whether value maps header names to values, all strings."""
    return isinstance(value, dict) and all(
        isinstance(name, str) and isinstance(text, str) for name, text in value.items()
    )


def _is_time(value: Any) -> bool:
    """Return whether value is a finite number (a UNIX time)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
