"""Pictures frozen for messages: files in the config directory, indexed in HA's storage.

A picture is stored under a random 128-bit id, the only secret that protects
it, and served by view.py for Slack to fetch. It is *held* while a
pending message of its entry shows it; references are derived from the
pending messages' bodies (the delivery queue and its outbox are the truth,
also after a restart), so no bookkeeping can drift from them. Once no
pending message shows it, it is *released*: kept for its entry's retention,
then removed. The total is bounded; the oldest released pictures make room
first. Ids never reach logs or diagnostics.

The bound counts every byte that may be on disk: a picture's size is counted
before its file is written and until its file is deleted, and making room
takes turns with removals, so concurrent actions cannot pass it together.
A file is complete and flushed to the disk before the index names it; one
that fails halfway is deleted at once.
"""

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
import math
import os
from pathlib import Path
import re
import secrets
import time
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, LOGGER
from ..exceptions import invalid

IMAGES: HassKey[ImageStore] = HassKey(f"{DOMAIN}_images")
STORAGE_KEY: Final = f"{DOMAIN}.images"
STORAGE_VERSION: Final = 1
FOLDER: Final = f"{DOMAIN}_images"
"""The folder of the picture files, in the config directory's .storage."""
IMAGE_PATH: Final = f"/api/{DOMAIN}/image/"
"""Where the view serves pictures; the id follows."""
MAX_IMAGE_BYTES: Final = 5 * 1024 * 1024
MAX_TOTAL_BYTES: Final = 200 * 1024 * 1024
SWEEP_INTERVAL: Final = timedelta(minutes=10)
SWEEP_THROTTLE: Final = 1.0
"""Seconds between sweeps that queue changes call for: a draining backlog
sweeps (reads its pending messages) at most once a second."""
INDEX_SAVE_DELAY: Final = 1.0
"""Seconds to gather releases into one write of the index."""
_ID = re.compile(r"[0-9a-f]{32}")

type PendingBodies = Callable[[], Iterable[Mapping[str, Any]]]
"""Returns the bodies of an entry's messages not yet delivered."""


@dataclass(slots=True)
class StoredImage:
    """The index record of one picture."""

    entry_id: str
    content_type: str
    size: int
    created: float
    """When it was stored (UNIX time)."""
    keep: float
    """Seconds it is served after it is released."""
    released: float | None = None
    """When no pending message showed it any more (UNIX time); None while held."""

    def expired(self, now: float) -> bool:
        """Return whether it is released and past its retention."""
        return self.released is not None and now >= self.released + self.keep


def _stored_image(record: Any) -> StoredImage | None:
    """Return an index record read back, or None when it is not in the stored form."""
    if not isinstance(record, dict):
        return None
    try:
        image = StoredImage(**record)
    except TypeError:
        return None
    numbers = (image.size, image.created, image.keep, image.released or 0.0)
    if not (
        isinstance(image.entry_id, str)
        and isinstance(image.content_type, str)
        and image.content_type.startswith("image/")
        and all(
            isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n)
            for n in numbers
        )
    ):
        return None
    return image


def is_image_id(value: str) -> bool:
    """Return whether a value has the form of a picture id."""
    return _ID.fullmatch(value) is not None


def image_ids(body: Mapping[str, Any]) -> set[str]:
    """Return the ids of the pictures a message body shows (image blocks, attachments)."""
    ids: set[str] = set()
    for field in ("blocks", "attachments"):
        items = body.get(field)
        if not isinstance(items, list):
            continue
        for item in items:
            url = item.get("image_url") if isinstance(item, Mapping) else None
            if isinstance(url, str) and is_image_id(
                candidate := url.rpartition(IMAGE_PATH)[2]
            ):
                ids.add(candidate)
    return ids


class ImageStore:
    """The pictures of every entry, with their lifetime and bounds."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Use the index in HA's storage and the folder next to it."""
        self._hass = hass
        self._store: Store[dict[str, dict[str, Any]]] = Store(
            hass, STORAGE_VERSION, STORAGE_KEY, atomic_writes=True
        )
        self._folder = Path(hass.config.path(STORAGE_DIR, FOLDER))
        self._images: dict[str, StoredImage] = {}
        self._sources: dict[str, PendingBodies] = {}
        self._in_flight: set[str] = set()
        """Pictures stored for an action that has not finished yet."""
        self._bytes = 0
        """Bytes counted against the bound: indexed, being written or being deleted."""
        self._removing = asyncio.Lock()
        """Held while pictures are removed, so making room sees every removal done."""
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._last_sweep = -math.inf
        """When the last sweep ran (event loop time)."""
        self._sweep_timer: asyncio.TimerHandle | None = None

    async def async_load(self) -> None:
        """Load the index; drop records without a file or entry, and files without a record."""
        self._hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_cancel_sweep
        )
        try:
            data: Any = await self._store.async_load()
        except HomeAssistantError as err:
            LOGGER.warning(
                "The picture index cannot be read, pictures are lost: %s", err
            )
            data = None
        records = data.get("images") if isinstance(data, dict) else None
        for image_id, record in (records if isinstance(records, dict) else {}).items():
            if (
                is_image_id(image_id)
                and (image := _stored_image(record)) is not None
                and self._hass.config_entries.async_get_entry(image.entry_id)
            ):
                self._images[image_id] = image
        present = await self._hass.async_add_executor_job(self._reconcile_files)
        for image_id in set(self._images) - present:
            del self._images[image_id]
        self._bytes = sum(image.size for image in self._images.values())
        self._schedule_save()

    def _reconcile_files(self) -> set[str]:
        """Remove files the index does not know; return the ids of those it does."""
        present: set[str] = set()
        if not self._folder.is_dir():
            return present
        for path in self._folder.iterdir():
            if path.name in self._images:
                present.add(path.name)
            else:
                path.unlink(missing_ok=True)
        return present

    async def async_add(
        self, entry_id: str, content_type: str, content: bytes, keep: float
    ) -> str:
        """Store a picture for an action in progress; return its id.

        It counts as shown by a pending message until async_finish_action.
        """
        size = len(content)
        await self._async_reserve(size)
        image_id = secrets.token_hex(16)
        write = self._hass.async_add_executor_job(self._write, image_id, content)
        try:
            await asyncio.shield(write)
        except OSError as err:
            self._bytes -= size
            LOGGER.error("A picture cannot be stored: %s", err.strerror)
            raise invalid("image_storage_failed", error=err.strerror or "") from None
        except asyncio.CancelledError:
            write.add_done_callback(lambda _: self._discard(image_id, size))
            raise
        self._images[image_id] = StoredImage(
            entry_id, content_type, size, time.time(), keep
        )
        self._in_flight.add(image_id)
        await self._store.async_save(self._data())
        return image_id

    def _write(self, image_id: str, content: bytes) -> None:
        """Write a picture's file, readable by this user only; delete it if that fails."""
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._folder / image_id
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            _write_all(fd, content)
        except OSError:
            self._unlink([image_id])
            raise

    @callback
    def _discard(self, image_id: str, size: int) -> None:
        """Delete the file of a write whose action was cancelled, then uncount it."""
        self._hass.async_create_task(self._async_remove_files([(image_id, size)]))

    @callback
    def async_finish_action(self, image_id: str) -> None:
        """End an action's hold on its picture; from now on the pending messages decide."""
        self._in_flight.discard(image_id)
        self.async_sweep()

    async def async_read(self, image_id: str) -> tuple[str, bytes] | None:
        """Return the content type and bytes of a servable picture, or None."""
        if not is_image_id(image_id) or (image := self._images.get(image_id)) is None:
            return None
        if image.expired(time.time()):
            return None
        try:
            content = await self._hass.async_add_executor_job(
                (self._folder / image_id).read_bytes
            )
        except OSError:
            return None
        return image.content_type, content

    @callback
    def async_track_entry(self, entry_id: str, pending: PendingBodies) -> CALLBACK_TYPE:
        """Derive holds from an entry's pending messages until the returned callback."""
        self._sources[entry_id] = pending
        if self._unsub_timer is None:
            self._unsub_timer = async_track_time_interval(
                self._hass,
                self._async_sweep_on_timer,
                SWEEP_INTERVAL,
                cancel_on_shutdown=True,
            )
        self.async_sweep()

        @callback
        def untrack() -> None:
            del self._sources[entry_id]
            if not self._sources and self._unsub_timer is not None:
                self._unsub_timer()
                self._unsub_timer = None
            if not self._sources:
                self._async_cancel_sweep()

        return untrack

    @callback
    def async_sweep_soon(self) -> None:
        """Sweep for a change of a queue: now, or SWEEP_THROTTLE after the last sweep.

        Not while Home Assistant stops: the next start derives the holds anew.
        """
        if self._sweep_timer is not None or self._hass.is_stopping:
            return
        wait = self._last_sweep + SWEEP_THROTTLE - self._hass.loop.time()
        if wait <= 0:
            self.async_sweep()
        else:
            self._sweep_timer = self._hass.loop.call_later(wait, self._sweep_later)

    @callback
    def _async_cancel_sweep(self, _event: Event | None = None) -> None:
        """Drop a sweep a queue change called for: the entries are gone or stopping."""
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
            self._sweep_timer = None

    @callback
    def _sweep_later(self) -> None:
        """Run the sweep a queue change called for while sweeps were throttled."""
        self._sweep_timer = None
        self.async_sweep()

    @callback
    def async_sweep(self) -> None:
        """Hold what pending messages show, release the rest, remove the expired.

        Pictures of entries that are not loaded keep their state: their
        outbox cannot be read now. Without pictures nothing is scanned, so a
        queue change costs nothing more for entries that send none.
        """
        if not self._images:
            return
        self._last_sweep = self._hass.loop.time()
        now = time.time()
        shown = set(self._in_flight)
        for pending in self._sources.values():
            for body in pending():
                shown |= image_ids(body)
        changed = False
        for image_id, image in self._images.items():
            if image.entry_id not in self._sources:
                continue
            if image_id in shown and image.released is not None:
                image.released, changed = None, True
            elif image_id not in shown and image.released is None:
                image.released, changed = now, True
        if expired := [i for i, image in self._images.items() if image.expired(now)]:
            self._hass.async_create_task(self._async_delete(expired))
        elif changed:
            self._schedule_save()

    @callback
    def _async_sweep_on_timer(self, _now: Any) -> None:
        """Sweep now and then, so expired pictures go without new messages."""
        self.async_sweep()

    async def async_remove_entry(self, entry_id: str) -> None:
        """Remove every picture of an entry."""
        await self._async_delete(
            [i for i, image in self._images.items() if image.entry_id == entry_id]
        )

    def statistics(self, entry_id: str) -> dict[str, int]:
        """Return an entry's picture counts and bytes, for diagnostics."""
        images = [i for i in self._images.values() if i.entry_id == entry_id]
        return {
            "count": len(images),
            "held": sum(image.released is None for image in images),
            "bytes": sum(image.size for image in images),
        }

    async def _async_reserve(self, size: int) -> None:
        """Count `size` more bytes, removing the oldest released pictures if needed.

        When they fit, they are counted at once, before anything is awaited.
        """
        if self._bytes + size <= MAX_TOTAL_BYTES:
            self._bytes += size
            return
        async with self._removing:
            while self._bytes + size > MAX_TOTAL_BYTES:
                await self._async_remove(self._oldest_released(size))
            self._bytes += size

    def _oldest_released(self, size: int) -> list[str]:
        """Return the oldest released pictures whose removal makes `size` bytes fit, or refuse."""
        bound = MAX_TOTAL_BYTES
        total = self._bytes
        evict: list[str] = []
        released = sorted(
            (image.created, image_id)
            for image_id, image in self._images.items()
            if image.released is not None
        )
        for _created, image_id in released:
            if total + size <= bound:
                break
            evict.append(image_id)
            total -= self._images[image_id].size
        if total + size > bound:
            raise invalid("image_storage_full", max=str(bound))
        return evict

    async def _async_delete(self, image_ids: list[str]) -> None:
        """Remove pictures, in turn with other removals."""
        async with self._removing:
            await self._async_remove(image_ids)

    async def _async_remove(self, image_ids: list[str]) -> None:
        """Remove pictures from the index, then their files, even if the caller is cancelled."""
        removed = [
            (image_id, image.size)
            for image_id in image_ids
            if (image := self._images.pop(image_id, None)) is not None
        ]
        if removed:
            await asyncio.shield(
                self._hass.async_create_task(self._async_remove_files(removed))
            )

    async def _async_remove_files(self, removed: list[tuple[str, int]]) -> None:
        """Save the index without these pictures, delete their files, uncount them."""
        await self._store.async_save(self._data())
        await self._hass.async_add_executor_job(
            self._unlink, [image_id for image_id, _size in removed]
        )
        self._bytes -= sum(size for _image_id, size in removed)

    def _unlink(self, image_ids: list[str]) -> None:
        """Delete picture files; a file already gone is fine."""
        for image_id in image_ids:
            try:
                (self._folder / image_id).unlink(missing_ok=True)
            except OSError as err:
                LOGGER.warning("A picture file could not be deleted: %s", err.strerror)

    def _schedule_save(self) -> None:
        """Write the index within a second."""
        self._store.async_delay_save(self._data, INDEX_SAVE_DELAY)

    def _data(self) -> dict[str, dict[str, Any]]:
        """Return the index in its stored form."""
        return {
            "images": {
                image_id: asdict(image) for image_id, image in self._images.items()
            }
        }


def _write_all(fd: int, content: bytes) -> None:
    """Write every byte to a file, flush it to the disk and close it."""
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
