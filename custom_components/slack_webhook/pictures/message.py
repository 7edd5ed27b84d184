"""The picture fields of slack_webhook.send: a picture frozen into the message.

The picture follows the message's blocks as an image block, counting toward
Slack's 50; a message with attachments and no blocks gets it as one more
attachment's image_url instead. Text without blocks is shown in a section
block above the picture, because Slack shows only the blocks of a message
that has any. The message is checked once, for the entry's target, with a
slot for the picture; only then is the picture read, and it is read before
anything is sent. A Workflow Builder trigger takes no picture. The field
names are services.py's; reading a picture is source.py's, storing and
serving it store.py's and view.py's.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError, get_url

from ..exceptions import invalid
from ..payload import MAX_ATTACHMENTS, MAX_BLOCKS, Message, as_list, validated_message
from ..services import (
    ATTR_ALT_TEXT,
    ATTR_ATTACHMENTS,
    ATTR_BLOCKS,
    ATTR_IMAGE_FILE,
    ATTR_IMAGE_TITLE,
    ATTR_TEXT,
    PICTURE_KEYS,
    PICTURE_SOURCES,
)
from ..slack_client import TargetKind
from .source import Picture, async_read_entity, async_read_file
from .store import IMAGE_PATH, IMAGES

MAX_SECTION_TEXT: Final = 3000
"""The most text a section block holds."""
MAX_IMAGE_TEXT: Final = 2000
"""The most characters of an image block's alt text and of its title."""
PLACEHOLDER_ID: Final = "0" * 32
"""Stands for the stored picture's id (128 bits in hex) while the message is checked."""
EXTERNAL_URL_DOCS: Final = {
    "docs_url": "https://www.home-assistant.io/docs/configuration/basic/"
}


@asynccontextmanager
async def async_validated_message(
    hass: HomeAssistant, entry: ConfigEntry[Any], fields: Mapping[str, Any]
) -> AsyncIterator[Message]:
    """Yield the action's message, checked once for the entry's target.

    A picture's slot is checked with it; only then is the picture read,
    stored and its id put in the slot, so the message is not refused once
    the picture is stored. The picture is held while the action runs;
    afterwards the pending messages decide. A trigger takes no picture: its
    fields are refused with the others a trigger cannot use.
    """
    data = entry.runtime_data
    if data.kind is TargetKind.WORKFLOW or fields.keys().isdisjoint(PICTURE_KEYS):
        yield validated_message(fields, data.defaults, data.kind)
        return
    source = _source(fields)
    message = await _async_message_with_slot(hass, entry, fields, source)
    picture = await _async_read(hass, source, fields[source])
    store = hass.data[IMAGES]
    keep = data.options.image_retention_hours
    image_id = await store.async_add(
        entry.entry_id, picture.content_type, picture.content, keep * 3600
    )
    try:
        yield with_picture_id(message, image_id)
    finally:
        store.async_finish_action(image_id)


async def _async_message_with_slot(
    hass: HomeAssistant, entry: ConfigEntry[Any], fields: Mapping[str, Any], source: str
) -> Message:
    """Return the message checked with its picture's slot: the URL with a placeholder id."""
    data = entry.runtime_data
    url = f"{_external_url(hass)}{IMAGE_PATH}{PLACEHOLDER_ID}"
    alt_text = fields.get(ATTR_ALT_TEXT) or await _async_name(
        hass, source, fields[source]
    )
    content = {k: v for k, v in fields.items() if k not in PICTURE_KEYS}
    return validated_message(
        content,
        data.defaults,
        data.kind,
        lambda parsed: add_picture(parsed, url, alt_text, fields),
    )


def with_picture_id(message: Message, image_id: str) -> Message:
    """Return a checked message with the stored picture's id in the slot add_picture made."""
    field = ATTR_BLOCKS if message.body.get(ATTR_BLOCKS) else ATTR_ATTACHMENTS
    *items, slot = message.body[field]
    url = slot["image_url"].removesuffix(PLACEHOLDER_ID) + image_id
    body = {**message.body, field: [*items, {**slot, "image_url": url}]}
    return replace(message, body=body)


def add_picture(
    fields: Mapping[str, Any], url: str, alt_text: str, picture: Mapping[str, Any]
) -> dict[str, Any]:
    """Return message fields (JSON already parsed) with the picture added."""
    title = picture.get(ATTR_IMAGE_TITLE)
    for name, value in ((ATTR_ALT_TEXT, alt_text), (ATTR_IMAGE_TITLE, title or "")):
        if len(value) > MAX_IMAGE_TEXT:
            raise invalid(
                "image_field_too_long",
                field=name,
                length=str(len(value)),
                max=str(MAX_IMAGE_TEXT),
            )
    blocks = (
        as_list(ATTR_BLOCKS, fields[ATTR_BLOCKS]) if fields.get(ATTR_BLOCKS) else []
    )
    attachments = fields.get(ATTR_ATTACHMENTS)
    if attachments and not blocks:
        items = as_list(ATTR_ATTACHMENTS, attachments)
        if len(items) >= MAX_ATTACHMENTS:
            raise invalid(
                "too_many_attachments",
                count=str(len(items) + 1),
                max=str(MAX_ATTACHMENTS),
            )
        attachment = {"image_url": url, "fallback": alt_text}
        if title:
            attachment["title"] = title
        return {**fields, ATTR_ATTACHMENTS: [*items, attachment]}
    if len(blocks) >= MAX_BLOCKS:
        raise invalid(
            "too_many_blocks_with_image", count=str(len(blocks)), max=str(MAX_BLOCKS)
        )
    if not blocks and (text := fields.get(ATTR_TEXT)):
        if len(text) > MAX_SECTION_TEXT:
            raise invalid(
                "image_text_too_long", length=str(len(text)), max=str(MAX_SECTION_TEXT)
            )
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    block: dict[str, Any] = {"type": "image", "image_url": url, "alt_text": alt_text}
    if title:
        block["title"] = {"type": "plain_text", "text": title}
    return {**fields, ATTR_BLOCKS: [*blocks, block]}


def _source(fields: Mapping[str, Any]) -> str:
    """Return the one picture source given; refuse none or several."""
    given = [key for key in PICTURE_SOURCES if fields.get(key)]
    if len(given) != 1:
        raise invalid("image_source")
    return given[0]


def _external_url(hass: HomeAssistant) -> str:
    """Return the URL Slack reaches Home Assistant at; refuse when there is none."""
    try:
        return get_url(hass, allow_internal=False, allow_ip=True, prefer_external=True)
    except NoURLAvailableError:
        raise invalid("image_no_external_url", **EXTERNAL_URL_DOCS) from None


async def _async_name(hass: HomeAssistant, source: str, value: str) -> str:
    """Return what the picture shows, for the default alt text: the entity's or file's name."""
    if source == ATTR_IMAGE_FILE:
        return await hass.async_add_executor_job(_file_name, value)
    state = hass.states.get(value)
    return (state.name if state else None) or value


def _file_name(path: str) -> str:
    """Return the name of the file a path leads to, symbolic links followed.

    A path that cannot be resolved (a NUL character) keeps its own name;
    reading the file fails.
    """
    try:
        return Path(path).resolve().name
    except ValueError:
        return PurePath(path).name


async def _async_read(hass: HomeAssistant, source: str, value: str) -> Picture:
    """Return the picture from its source."""
    if source == ATTR_IMAGE_FILE:
        return await async_read_file(hass, value)
    return await async_read_entity(hass, value)
