"""Turn action data into a validated message: webhook body and request headers.

validated_message is the one pass every message goes through, by the rules
of its entry's target; a picture's slot is added to the parsed fields before
they are checked (pictures/message.py). Every check raises a translated
ServiceValidationError, so nothing is sent when the data is wrong. A
Workflow Builder trigger takes only `variables` (a flat mapping of names to
strings), and Zulip only the block types it shows. Blocks, attachments,
metadata and headers may be given as JSON strings, as templates produce
them. What passes is also storable: it round-trips through Home Assistant's
JSON encoder (the outbox's) and the client's, so a queued message can
neither break the outbox nor fail later. The field names are services.py's;
header rules and the body's encoding are the client's (slack_client).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
import json
import math
import re
from typing import Any, Final, NoReturn

from yarl import URL

from homeassistant.helpers.json import json_bytes

from .exceptions import invalid
from .services import (
    ATTR_ATTACHMENTS,
    ATTR_BLOCKS,
    ATTR_DELETE_ORIGINAL,
    ATTR_EVENT_PAYLOAD,
    ATTR_EVENT_TYPE,
    ATTR_HEADERS,
    ATTR_METADATA,
    ATTR_RESPONSE_TYPE,
    ATTR_TEXT,
    ATTR_VARIABLES,
)
from .slack_client import (
    RESERVED_HEADERS,
    TARGET_NAMES,
    ZULIP_BLOCK_TYPES,
    TargetKind,
    encode_body,
    request_body,
    valid_header_name,
    valid_header_value,
)

MAX_TEXT: Final = 40_000
MAX_BLOCKS: Final = 50
MAX_ATTACHMENTS: Final = 100
MAX_MARKDOWN: Final = 12_000
"""Characters all `markdown` blocks of a message may hold together (Slack's limit)."""
VARIABLE_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,100}")
"""A Workflow Builder variable name: letters, digits, hyphens and underscores.

Workflow Builder's own rule; the 100 characters are our bound, not Slack's.
Dots, which only legacy workflows took, are refused.
"""
TRIGGER_FIELDS: Final = frozenset({ATTR_VARIABLES, ATTR_HEADERS})
"""The fields a Workflow Builder trigger can use."""
RESPONSE_TYPES: Final = ("in_channel", "ephemeral")
JSON_FIELDS: Final = (
    ATTR_BLOCKS,
    ATTR_ATTACHMENTS,
    ATTR_METADATA,
    ATTR_HEADERS,
    ATTR_VARIABLES,
)
MAX_DEPTH: Final = 64
"""Levels of nesting a message may have; Block Kit needs far fewer."""
MAX_MESSAGE_BYTES: Final = 512 * 1024
"""The largest message accepted, as sent (compact UTF-8 JSON)."""
SLACK_HOOK_HOST: Final = "hooks.slack.com"
RESPONSE_URL_PATHS: Final = ("/actions/", "/commands/")
"""On Slack's hook host, the paths of interaction and slash-command response URLs."""


type Extend = Callable[[dict[str, Any]], dict[str, Any]]
"""Adds to the parsed fields before they are checked, such as a picture's slot."""


@dataclass(frozen=True, slots=True)
class Message:
    """A message checked for its target and storable: its body and extra headers."""

    body: dict[str, Any]
    headers: dict[str, str] | None


def validated_message(
    data: Mapping[str, Any],
    defaults: Mapping[str, Any],
    kind: TargetKind,
    extend: Extend | None = None,
) -> Message:
    """Return the message of action data, checked once for the target."""
    body = build_body(data, defaults, kind, extend)
    headers = build_headers(data)
    check_storable(body, headers)
    return Message(body, headers)


def build_body(
    data: Mapping[str, Any],
    defaults: Mapping[str, Any],
    kind: TargetKind = TargetKind.SLACK,
    extend: Extend | None = None,
) -> dict[str, Any]:
    """Return the webhook body for action data, with defaults under it."""
    fields = parse_json_fields(data)
    if extend is not None:
        fields = extend(fields)
    fields.pop(ATTR_HEADERS, None)
    if kind is TargetKind.WORKFLOW:
        return trigger_body(fields)
    if ATTR_VARIABLES in fields:
        raise invalid("variables_need_trigger")
    check_content(fields)
    if ATTR_TEXT in fields:
        check_text(fields[ATTR_TEXT])
    if ATTR_BLOCKS in fields:
        fields[ATTR_BLOCKS] = check_blocks(fields[ATTR_BLOCKS])
        check_block_types(fields[ATTR_BLOCKS], kind)
    if ATTR_ATTACHMENTS in fields:
        fields[ATTR_ATTACHMENTS] = check_attachments(fields[ATTR_ATTACHMENTS])
        for attachment in fields[ATTR_ATTACHMENTS]:
            if isinstance(blocks := attachment.get(ATTR_BLOCKS), list):
                check_block_types(check_blocks(blocks), kind)
    if ATTR_RESPONSE_TYPE in fields:
        check_response_type(fields[ATTR_RESPONSE_TYPE])
    if ATTR_METADATA in fields:
        check_metadata(fields[ATTR_METADATA])
    return {**defaults, **fields}


def trigger_body(fields: Mapping[str, Any]) -> dict[str, str]:
    """Return a Workflow Builder trigger's body: its variables, checked."""
    if unusable := sorted(set(fields) - TRIGGER_FIELDS):
        raise invalid("trigger_fields", fields=", ".join(unusable))
    return check_variables(fields.get(ATTR_VARIABLES))


def check_variables(variables: Any) -> dict[str, str]:
    """Return trigger variables as strings; refuse nesting, bad names and none at all."""
    if not isinstance(variables, Mapping) or not variables:
        raise invalid("no_variables")
    checked: dict[str, str] = {}
    for name, value in variables.items():
        if not isinstance(name, str) or not VARIABLE_NAME.fullmatch(name):
            raise invalid("invalid_variable_name", name=str(name))
        checked[name] = variable_text(name, value)
    return checked


def variable_text(name: str, value: Any) -> str:
    """Return a variable's value as text: numbers and booleans turned into strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and math.isfinite(value):
        return str(value)
    raise invalid("invalid_variable_value", name=name)


def build_headers(data: Mapping[str, Any]) -> dict[str, str] | None:
    """Return the extra request headers of action data, or None when none are given."""
    if ATTR_HEADERS not in data:
        return None
    return check_headers(parse_json(ATTR_HEADERS, data[ATTR_HEADERS]))


def parse_json_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of the data with JSON strings parsed in the JSON fields."""
    return {
        field: parse_json(field, value) if field in JSON_FIELDS else value
        for field, value in data.items()
    }


def parse_json(field: str, value: Any) -> Any:
    """Return a JSON string parsed, any other value as it is; NaN and Infinity are refused."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise invalid("invalid_json", field=field, error=err.msg) from err
    except ValueError as err:
        raise invalid("invalid_json", field=field, error=str(err)) from err
    except RecursionError:
        raise invalid("too_deep", max=str(MAX_DEPTH)) from None


def _refuse_constant(name: str) -> NoReturn:
    """Refuse NaN and Infinity, which Python's parser accepts but JSON has not."""
    raise ValueError(f"{name} is not a JSON value")


def check_storable(body: Mapping[str, Any], headers: Mapping[str, str] | None) -> None:
    """Refuse a message the outbox or the webhook cannot take, or one too large."""
    _check_values({"body": body, "headers": headers})
    try:
        json_bytes({"body": body, "headers": headers})
        size = len(encode_body(request_body(body)))
    except (TypeError, ValueError) as err:
        raise invalid("not_json", error=str(err)) from None
    if size > MAX_MESSAGE_BYTES:
        raise invalid("message_too_large", size=str(size), max=str(MAX_MESSAGE_BYTES))


def _check_values(value: Any) -> None:
    """Refuse deep nesting, text that is not valid Unicode and non-finite numbers."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise invalid("too_deep", max=str(MAX_DEPTH))
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise invalid("not_json", error=repr(item))
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if isinstance(key, str):
                    _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    """Refuse text that cannot be encoded, such as a lone surrogate (half an emoji)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        raise invalid("invalid_unicode") from None


def check_response_url(response_url: str, webhook_url: str) -> None:
    """Refuse a response_url that is not an answer URL on the webhook's origin.

    Origins compare scheme, host and port, default ports filled in. On
    Slack's hook host only interaction and slash-command URLs qualify, so
    data from outside cannot make an automation post to another webhook.
    """
    try:
        url, hook = URL(response_url), URL(webhook_url)
    except TypeError, ValueError:
        raise invalid("response_url_origin") from None
    if _origin(url) != _origin(hook) or (
        url.host == SLACK_HOOK_HOST and not url.path.startswith(RESPONSE_URL_PATHS)
    ):
        raise invalid("response_url_origin")


def _origin(url: URL) -> tuple[str, str, int | None]:
    """Return scheme, host and port (the scheme's default when none is given)."""
    return (url.scheme, (url.host or "").lower(), url.port)


def check_content(fields: Mapping[str, Any]) -> None:
    """Refuse a message without text, blocks or attachments, unless it deletes."""
    if fields.get(ATTR_DELETE_ORIGINAL) is True:
        return
    if not any(
        fields.get(field) for field in (ATTR_TEXT, ATTR_BLOCKS, ATTR_ATTACHMENTS)
    ):
        raise invalid("no_content")


def check_text(text: str) -> None:
    """Refuse text longer than Slack accepts."""
    if len(text) > MAX_TEXT:
        raise invalid("text_too_long", length=str(len(text)), max=str(MAX_TEXT))


def check_blocks(blocks: Any) -> list[Any]:
    """Return the blocks as a list; refuse too many or one without a type."""
    items = as_list(ATTR_BLOCKS, blocks)
    if len(items) > MAX_BLOCKS:
        raise invalid("too_many_blocks", count=str(len(items)), max=str(MAX_BLOCKS))
    for index, block in enumerate(items, 1):
        if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
            raise invalid("invalid_block", index=str(index))
    return items


def check_block_types(blocks: Sequence[Mapping[str, Any]], kind: TargetKind) -> None:
    """Refuse blocks the target does not show, and markdown blocks over Slack's limit."""
    markdown = 0
    for index, block in enumerate(blocks, 1):
        block_type = block.get("type")
        if kind is TargetKind.ZULIP and block_type not in ZULIP_BLOCK_TYPES:
            raise invalid(
                "block_not_shown",
                index=str(index),
                type=str(block_type),
                target=TARGET_NAMES[kind],
                types=", ".join(ZULIP_BLOCK_TYPES),
            )
        if block_type == "markdown":
            if not isinstance(text := block.get("text"), str):
                raise invalid("invalid_block", index=str(index))
            markdown += len(text)
    if markdown > MAX_MARKDOWN:
        raise invalid("markdown_too_long", length=str(markdown), max=str(MAX_MARKDOWN))


def check_attachments(attachments: Any) -> list[Any]:
    """Return the attachments as a list; refuse too many or one not a mapping."""
    items = as_list(ATTR_ATTACHMENTS, attachments)
    if len(items) > MAX_ATTACHMENTS:
        raise invalid(
            "too_many_attachments", count=str(len(items)), max=str(MAX_ATTACHMENTS)
        )
    for index, attachment in enumerate(items, 1):
        if not isinstance(attachment, Mapping):
            raise invalid("invalid_attachment", index=str(index))
    return items


def check_response_type(response_type: str) -> None:
    """Refuse a response type Slack does not know."""
    if response_type not in RESPONSE_TYPES:
        raise invalid("invalid_response_type", options=", ".join(RESPONSE_TYPES))


def check_metadata(metadata: Any) -> None:
    """Refuse metadata other than a non-empty event_type and an event_payload mapping."""
    if not (
        isinstance(metadata, Mapping)
        and metadata.keys() == {ATTR_EVENT_TYPE, ATTR_EVENT_PAYLOAD}
        and isinstance(metadata[ATTR_EVENT_TYPE], str)
        and metadata[ATTR_EVENT_TYPE]
        and isinstance(metadata[ATTR_EVENT_PAYLOAD], Mapping)
    ):
        raise invalid("invalid_metadata")


def check_headers(headers: Any) -> dict[str, str]:
    """Return headers as strings; refuse line breaks and reserved names."""
    if not isinstance(headers, Mapping):
        raise invalid("invalid_headers")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not (
            isinstance(name, str)
            and name
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            raise invalid("invalid_headers")
        text = str(value)
        if not valid_header_name(name):
            raise invalid("invalid_header_name", name=name)
        if not valid_header_value(text):
            raise invalid("header_control_character", name=name)
        if name.lower() in RESERVED_HEADERS:
            raise invalid("reserved_header", name=name)
        checked[name] = text
    return checked


def as_list(field: str, value: Any) -> list[Any]:
    """Return a sequence as a list; refuse anything else."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise invalid("not_a_list", field=field)
    return list(value)
