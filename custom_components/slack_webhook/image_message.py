"""The picture fields of slack_webhook.send: a picture frozen into the message.

The picture follows the message's blocks as an image block, counting toward
Slack's 50; a message with attachments and no blocks gets it as one more
attachment's image_url instead. Text without blocks is shown in a section
block above the picture, because Slack shows only the blocks of a message
that has any. Everything is checked before the picture is read, and the
picture is read before anything is sent.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Final

import probatio

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .exceptions import invalid
from .image_source import Picture, async_read_entity, async_read_file
from .images import IMAGE_PATH, IMAGES
from .payload import (
    ATTR_ATTACHMENTS,
    ATTR_BLOCKS,
    ATTR_TEXT,
    MAX_ATTACHMENTS,
    MAX_BLOCKS,
    as_list,
    build_body,
    parse_json_fields,
)

ATTR_CAMERA: Final = "camera"
ATTR_IMAGE_ENTITY: Final = "image_entity"
ATTR_IMAGE_FILE: Final = "image_file"
ATTR_ALT_TEXT: Final = "alt_text"
ATTR_IMAGE_TITLE: Final = "image_title"
SOURCES: Final = (ATTR_CAMERA, ATTR_IMAGE_ENTITY, ATTR_IMAGE_FILE)
PICTURE_KEYS: Final = (*SOURCES, ATTR_ALT_TEXT, ATTR_IMAGE_TITLE)
PICTURE_FIELDS: Final[dict[Any, Any]] = {
    probatio.Optional(ATTR_CAMERA): cv.entity_domain("camera"),
    probatio.Optional(ATTR_IMAGE_ENTITY): cv.entity_domain("image"),
    probatio.Optional(ATTR_IMAGE_FILE): cv.string,
    probatio.Optional(ATTR_ALT_TEXT): cv.string,
    probatio.Optional(ATTR_IMAGE_TITLE): cv.string,
}
"""The fields of the action's picture section."""
MAX_SECTION_TEXT: Final = 3000
"""The most text a section block holds."""
MAX_IMAGE_TEXT: Final = 2000
"""The most characters of an image block's alt text and of its title."""
PLACEHOLDER_URL: Final = "https://example.invalid/picture"
"""Stands for the picture's URL while the message is checked."""
EXTERNAL_URL_DOCS: Final = {
    "docs_url": "https://www.home-assistant.io/docs/configuration/basic/"
}


@asynccontextmanager
async def async_message_with_picture(
    hass: HomeAssistant, entry: ConfigEntry[Any], fields: Mapping[str, Any]
) -> AsyncIterator[dict[str, Any]]:
    """Yield the message fields with the picture added, if one is asked for.

    The picture is held while the action runs; afterwards the pending
    messages decide. Refused before sending (a validation error), it is
    removed at once.
    """
    message = {k: v for k, v in fields.items() if k not in PICTURE_KEYS}
    if len(message) == len(fields):
        yield message
        return
    source = _source(fields)
    base_url = _external_url(hass)
    parsed = parse_json_fields(message)
    build_body(
        add_picture(parsed, PLACEHOLDER_URL, fields.get(ATTR_ALT_TEXT) or "x", fields),
        entry.runtime_data.defaults,
    )
    picture = await _async_read(hass, source, fields[source])
    store = hass.data[IMAGES]
    keep = entry.runtime_data.options.image_retention_hours
    image_id = await store.async_add(
        entry.entry_id, picture.content_type, picture.content, keep * 3600
    )
    sent = True
    try:
        yield add_picture(
            parsed,
            f"{base_url}{IMAGE_PATH}{image_id}",
            fields.get(ATTR_ALT_TEXT) or picture.name,
            fields,
        )
    except ServiceValidationError:
        sent = False
        raise
    finally:
        await store.async_finish_action(image_id, sent=sent)


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
    given = [key for key in SOURCES if fields.get(key)]
    if len(given) != 1:
        raise invalid("image_source")
    return given[0]


def _external_url(hass: HomeAssistant) -> str:
    """Return the URL Slack reaches Home Assistant at; refuse when there is none."""
    try:
        return get_url(hass, allow_internal=False, allow_ip=True, prefer_external=True)
    except NoURLAvailableError:
        raise invalid("image_no_external_url", **EXTERNAL_URL_DOCS) from None


async def _async_read(hass: HomeAssistant, source: str, value: str) -> Picture:
    """Return the picture from its source."""
    if source == ATTR_IMAGE_FILE:
        return await async_read_file(hass, value)
    return await async_read_entity(hass, value)
