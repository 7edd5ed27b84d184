"""Reading a picture when an action runs: a camera snapshot, an image entity or a file.

Every failure is a translated ServiceValidationError, raised before anything
is stored or sent. A file must be an absolute path inside Home Assistant's
allowlist_external_dirs, without `..`, after resolving symlinks, and a regular
file: a pipe or a device is never opened for reading, so it cannot block.
"""

from dataclasses import dataclass
import mimetypes
import os
from pathlib import Path
import stat
import sys
from typing import Final

from homeassistant.components.camera import async_get_image as async_camera_image
from homeassistant.components.image import (
    async_get_image as async_entity_image,
    infer_image_type,
)
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from ..exceptions import invalid
from .store import MAX_IMAGE_BYTES

CAMERA_TIMEOUT: Final = 10
"""Seconds a camera or image entity may take to give its picture."""
CONTENT_TYPES: Final = {"image/jpg": "image/jpeg"}
"""Content types some cameras report, as browsers and Slack know them."""
FOLDER_FLAGS: Final = (
    (os.O_PATH if sys.platform == "linux" else os.O_RDONLY)
    | os.O_DIRECTORY
    | os.O_NOFOLLOW
    | os.O_CLOEXEC
)
"""Opens a folder to look names up in, without following a symlink."""
FILE_FLAGS: Final = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
"""Opens a file for reading without following a symlink or waiting for a writer."""


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture read for a message."""

    content_type: str
    content: bytes
    name: str
    """What it shows, for the default alt text: the entity's name or the file's."""


async def async_read_entity(hass: HomeAssistant, entity_id: str) -> Picture:
    """Return the current picture of a camera or an image entity."""
    state = hass.states.get(entity_id)
    if state is None or state.state == STATE_UNAVAILABLE:
        raise invalid("image_unavailable", entity_id=entity_id, error="unavailable")
    domain = entity_id.partition(".")[0]
    if domain not in hass.config.components:
        raise invalid("image_unavailable", entity_id=entity_id, error="not set up")
    try:
        if domain == "camera":
            snapshot = await async_camera_image(hass, entity_id, CAMERA_TIMEOUT)
            content_type, content = snapshot.content_type, snapshot.content
        else:
            image = await async_entity_image(hass, entity_id, CAMERA_TIMEOUT)
            content_type, content = image.content_type, image.content
    except HomeAssistantError as err:
        raise invalid(
            "image_unavailable", entity_id=entity_id, error=str(err)
        ) from None
    return _picture(content_type, content, state.name or entity_id)


async def async_read_file(hass: HomeAssistant, path: str) -> Picture:
    """Return the picture in a file inside allowlist_external_dirs."""
    return await hass.async_add_executor_job(_read_file, hass, path)


def _read_file(hass: HomeAssistant, raw: str) -> Picture:
    """Check where a file is and read it, at most one byte past the bound.

    The allowlist is checked on the resolved path's text, which the file is
    then opened by without following symlinks; is_allowed_path would resolve
    it once more, and a swap in between could make it judge another path.
    """
    path = Path(raw)
    if "\0" in raw or not path.is_absolute() or ".." in path.parts:
        raise invalid("image_file_not_allowed", path=raw)
    resolved = path.resolve()
    if not any(resolved.is_relative_to(d) for d in hass.config.allowlist_external_dirs):
        raise invalid("image_file_not_allowed", path=raw)
    try:
        with os.fdopen(_open_regular(resolved, raw), "rb") as file:
            status = os.fstat(file.fileno())
            _require_regular(status, raw)
            _check_size(status.st_size)
            content = file.read(MAX_IMAGE_BYTES + 1)
    except OSError as err:
        raise invalid(
            "image_file_unreadable", path=raw, error=err.strerror or str(err)
        ) from None
    content_type = infer_image_type(content) or mimetypes.guess_type(resolved.name)[0]
    return _picture(content_type, content, resolved.name)


def _open_regular(resolved: Path, raw: str) -> int:
    """Open a resolved path for reading, following no symlink; refuse what is no file.

    Each folder is opened relative to the one before with O_NOFOLLOW, so one
    swapped for a symlink after the check fails the walk instead of leading
    outside. (Comparing the opened file with a stat of the path would not
    do: the path can be swapped back and forth between the calls.) The name
    is looked at first, so a device is never opened; O_NONBLOCK keeps a pipe
    put in its place meanwhile from blocking, and the caller checks what was
    opened.
    """
    folder = os.open("/", FOLDER_FLAGS)
    try:
        for name in resolved.parts[1:-1]:
            parent, folder = folder, os.open(name, FOLDER_FLAGS, dir_fd=folder)
            os.close(parent)
        _require_regular(
            os.stat(resolved.name, dir_fd=folder, follow_symlinks=False), raw
        )
        return os.open(resolved.name, FILE_FLAGS, dir_fd=folder)
    finally:
        os.close(folder)


def _require_regular(status: os.stat_result, raw: str) -> None:
    """Refuse a folder, a pipe, a device or anything else that is not a regular file."""
    if not stat.S_ISREG(status.st_mode):
        raise invalid("image_file_not_regular", path=raw)


def _check_size(size: int) -> None:
    """Refuse a picture larger than the bound."""
    if size > MAX_IMAGE_BYTES:
        raise invalid("image_too_large", size=str(size), max=str(MAX_IMAGE_BYTES))


def _picture(content_type: str | None, content: bytes, name: str) -> Picture:
    """Return a picture; refuse one too large or not an image."""
    _check_size(len(content))
    content_type = CONTENT_TYPES.get(content_type or "", content_type)
    if not content or not content_type or not content_type.startswith("image/"):
        raise invalid("image_not_a_picture", name=name)
    return Picture(content_type, content, name)
