"""Messages waiting for delivery, and their durable copy in HA's storage.

At run time a message's deadline and next try are monotonic-clock times, so
a step of the wall clock neither expires nor delays anything. Storage holds
wall-clock times, written anew from the monotonic ones at every write; what
is loaded back is trusted only up to the message's maximum age.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import math
from pathlib import Path
import time
from typing import Any, TypedDict
from uuid import uuid4

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from .const import DOMAIN, LOGGER

STORAGE_VERSION = 1
REMOVAL_SAVE_DELAY = 1.0
"""Seconds to gather removals into one write while the outbox drains."""


class StoredMessage(TypedDict):
    """A message as written to storage."""

    id: str
    body: dict[str, Any]
    headers: dict[str, str]
    response_url: str | None
    accepted: float
    """When it was accepted (UNIX time)."""
    expires: float
    """When it is given up (UNIX time), as of the last write."""
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
    id: str = field(default_factory=lambda: uuid4().hex)
    attempts: int = 0
    """Delivery rounds that ended in a transient failure."""
    next_try: float = 0.0
    """Not before this event loop time."""
    stored: bool = False
    """Whether it is in the durable outbox (its caller has been answered)."""
    waiter: asyncio.Future[Any] | None = None
    """The caller waiting for its result, if any."""

    def to_stored(self, clock: Clock) -> StoredMessage:
        """Return the form written to storage."""
        return StoredMessage(
            id=self.id,
            body=self.body,
            headers=self.headers,
            response_url=self.response_url,
            accepted=self.accepted,
            expires=clock.wall + (self.deadline - clock.monotonic),
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
    """The durable outbox of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the storage file of the entry."""
        self._hass = hass
        self._store: Store[dict[str, list[StoredMessage]]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.outbox", atomic_writes=True
        )
        self._write_scheduled = False

    async def async_load(self) -> LoadedOutbox:
        """Return the stored records, oldest first; never raise on a bad file."""
        try:
            data: Any = await self._store.async_load()
        except HomeAssistantError as err:
            LOGGER.error("The outbox file %s cannot be read: %s", self._store.key, err)
            return LoadedOutbox([], kept_aside=await self._async_keep_aside())
        if data is None:
            return LoadedOutbox([])
        items = data.get("messages", []) if isinstance(data, dict) else None
        if not isinstance(items, list):
            return LoadedOutbox([], invalid=1)
        records = [item for item in items if is_stored_message(item)]
        return LoadedOutbox(records, invalid=len(items) - len(records))

    async def async_save(self, messages: Sequence[Message]) -> None:
        """Write the stored ones of `messages`, in order, before returning."""
        self._write_scheduled = False
        await self._store.async_save(_data(messages))

    @callback
    def async_schedule_save(self, messages: Callable[[], Sequence[Message]]) -> None:
        """Write the stored messages within a second: one write for many changes.

        Never for new messages. For removals a crash before the write
        redelivers at most the messages delivered in that second, while
        draining N messages costs about N/rate writes instead of N full
        rewrites. Not rescheduled while pending, so a long drain still writes
        every second.
        """
        if self._write_scheduled:
            return
        self._write_scheduled = True

        def data() -> dict[str, list[StoredMessage]]:
            self._write_scheduled = False
            return _data(messages())

        self._store.async_delay_save(data, REMOVAL_SAVE_DELAY)

    async def async_remove(self) -> None:
        """Delete the storage file."""
        await self._store.async_remove()

    async def _async_keep_aside(self) -> str:
        """Move an unreadable outbox file aside, so no write replaces it; return its name."""
        path = Path(self._store.path)
        aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
        try:
            await self._hass.async_add_executor_job(path.replace, aside)
        except OSError as err:
            LOGGER.error("The outbox file %s cannot be moved aside: %s", path, err)
            return path.name
        return aside.name


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


def _data(messages: Sequence[Message]) -> dict[str, list[StoredMessage]]:
    """Return the storage form of the stored ones of `messages`, in order."""
    clock = Clock.now()
    return {"messages": [m.to_stored(clock) for m in messages if m.stored]}
