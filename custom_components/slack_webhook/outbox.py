"""Messages waiting for delivery, and their durable copy in HA's storage."""

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypedDict
from uuid import uuid4

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

STORAGE_VERSION = 1


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

    async def async_load(self) -> list[Message]:
        """Return the stored messages, oldest first."""
        data = await self._store.async_load()
        return [Message.from_stored(item) for item in (data or {}).get("messages", [])]

    async def async_save(self, messages: list[Message]) -> None:
        """Write the stored ones of `messages`, in order, before returning."""
        await self._store.async_save(
            {"messages": [m.to_stored() for m in messages if m.stored]}
        )

    async def async_remove(self) -> None:
        """Delete the storage file."""
        await self._store.async_remove()
