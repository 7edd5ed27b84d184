"""Messages waiting for delivery, and their durable copy in HA's storage."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict
from uuid import uuid4

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN

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
    expires: float
    attempts: int
    next_try: float


@dataclass(slots=True)
class Message:
    """One message on its way to the webhook or a response_url."""

    body: dict[str, Any]
    headers: dict[str, str]
    response_url: str | None
    accepted: float
    """When it was accepted (UNIX time)."""
    expires: float
    """When it is given up if not delivered (UNIX time)."""
    id: str = field(default_factory=lambda: uuid4().hex)
    attempts: int = 0
    """Delivery rounds that ended in a transient failure."""
    next_try: float = 0.0
    """Not before this UNIX time."""
    stored: bool = False
    """Whether it is in the durable outbox (its caller has been answered)."""
    waiter: asyncio.Future[Any] | None = None
    """The caller waiting for its result, if any."""

    def to_stored(self) -> StoredMessage:
        """Return the form written to storage."""
        return StoredMessage(
            id=self.id,
            body=self.body,
            headers=self.headers,
            response_url=self.response_url,
            accepted=self.accepted,
            expires=self.expires,
            attempts=self.attempts,
            next_try=self.next_try,
        )

    @classmethod
    def from_stored(cls, data: StoredMessage) -> Message:
        """Return a message read back from storage."""
        return cls(
            body=data["body"],
            headers=data["headers"],
            response_url=data["response_url"],
            accepted=data["accepted"],
            expires=data["expires"],
            id=data["id"],
            attempts=data["attempts"],
            next_try=data["next_try"],
            stored=True,
        )


class OutboxStore:
    """The durable outbox of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the storage file of the entry."""
        self._store: Store[dict[str, list[StoredMessage]]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.outbox", atomic_writes=True
        )
        self._write_scheduled = False

    async def async_load(self) -> list[Message]:
        """Return the stored messages, oldest first."""
        data = await self._store.async_load()
        return [Message.from_stored(item) for item in (data or {}).get("messages", [])]

    async def async_save(self, messages: list[Message]) -> None:
        """Write the stored ones of `messages`, in order, before returning."""
        self._write_scheduled = False
        await self._store.async_save(_data(messages))

    @callback
    def async_schedule_save(self, messages: Callable[[], list[Message]]) -> None:
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


def _data(messages: list[Message]) -> dict[str, list[StoredMessage]]:
    """Return the storage form of the stored ones of `messages`, in order."""
    return {"messages": [m.to_stored() for m in messages if m.stored]}
