"""Slack's requests to a Request URL, normalised into the data of Home Assistant events.

A request is either an interaction (a form field `payload` holding JSON:
`block_actions`, `shortcut`, `message_action`, `view_submission`, ...) or a
slash command (form fields `command`, `text`, `user_id`, ...). Each becomes
one mapping with the same keys (see `interaction`); what a request does not
have is None or empty. Slack's verification `token` is never kept, nor a
`response_url` longer than MAX_RESPONSE_URL or not printable ASCII. A
payload that Home Assistant's JSON encoder cannot write (nested deeper than
it goes, a lone surrogate, an integer beyond 64 bits) is malformed: nothing
that holds it could be recorded or sent to a websocket.
"""

from collections.abc import Mapping
import json
from typing import Any, Final
from urllib.parse import parse_qsl

from homeassistant.helpers.json import json_bytes

EVENT_BUTTON: Final = "button"
EVENT_SELECT: Final = "select"
EVENT_SHORTCUT: Final = "shortcut"
EVENT_SLASH_COMMAND: Final = "slash_command"
EVENT_OTHER: Final = "other"
EVENT_TYPES: Final = [
    EVENT_BUTTON,
    EVENT_SELECT,
    EVENT_SHORTCUT,
    EVENT_SLASH_COMMAND,
    EVENT_OTHER,
]
TYPE_SLASH_COMMAND: Final = "slash_command"
"""The `type` of a slash command, which Slack sends without one."""
SHORTCUT_TYPES: Final = frozenset({"shortcut", "message_action"})
"""Global and message shortcuts."""
SINGLE_VALUE_FIELDS: Final = (
    "value",
    "selected_user",
    "selected_conversation",
    "selected_channel",
    "selected_date",
    "selected_time",
    "selected_date_time",
)
"""Where a block action holds the one value it chose, by element type."""
MULTI_VALUE_FIELDS: Final = (
    "selected_users",
    "selected_conversations",
    "selected_channels",
)
"""Where a multi-select block action holds the ids it chose."""
SECRET_FIELDS: Final = frozenset({"token"})
"""Slack's deprecated verification token: dropped from everything fired."""
MAX_RESPONSE_URL: Final = 2048
"""Characters of a response_url kept (Slack's have about 100); it is never cut."""


class MalformedRequestError(ValueError):
    """A verified request that is neither an interaction nor a slash command."""


def interaction(
    event_type: str, payload_type: str | None, **fields: Any
) -> dict[str, Any]:
    """Return the normalised data of one request: every key, the given ones set."""
    return {
        "event_type": event_type,
        "type": payload_type,
        "action_id": None,
        "block_id": None,
        "value": None,
        "values": [],
        "selected_options": [],
        "actions": [],
        "callback_id": None,
        "command": None,
        "text": None,
        "user": None,
        "team": None,
        "channel": None,
        "message_ts": None,
        "trigger_id": None,
        "response_url": None,
        "payload": None,
    } | fields


def parse(body: bytes) -> dict[str, Any]:
    """Return the normalised data of a verified request body.

    Raises MalformedRequestError for a body that is not a form with a JSON
    `payload` object or a slash command.
    """
    try:
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    except UnicodeDecodeError as err:
        raise MalformedRequestError("the body is not UTF-8") from err
    if "payload" in form:
        try:
            payload = json.loads(form["payload"])
        except (ValueError, RecursionError) as err:
            raise MalformedRequestError("the payload field is not JSON") from err
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            raise MalformedRequestError("the payload is not an object with a type")
        return _encodable(_payload(payload))
    if form.get("command"):
        return _slash_command(form)
    raise MalformedRequestError("the form has neither a payload field nor a command")


def _encodable(data: dict[str, Any]) -> dict[str, Any]:
    """Return data if Home Assistant's JSON encoder can write it."""
    try:
        json_bytes(data)
    except TypeError as err:
        raise MalformedRequestError(
            "the payload cannot be encoded as JSON (nested too deep,"
            " a lone surrogate or an integer beyond 64 bits)"
        ) from err
    return data


def _payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the normalised data of an interaction payload."""
    kind = payload["type"]
    common = {
        "user": _user(payload.get("user")),
        "team": _named(payload.get("team"), "domain"),
        "channel": _named(payload.get("channel"), "name"),
        "trigger_id": _text(payload.get("trigger_id")),
        "response_url": _url(payload.get("response_url")),
    }
    if kind == "block_actions" and (actions := _actions(payload.get("actions"))):
        first = actions[0]
        return interaction(
            EVENT_BUTTON if first["type"] == "button" else EVENT_SELECT,
            kind,
            **{key: first[key] for key in ("action_id", "block_id", "value")},
            values=first["values"],
            selected_options=first["selected_options"],
            actions=actions,
            message_ts=_message_ts(payload),
            **common,
        )
    if kind in SHORTCUT_TYPES and (callback_id := _text(payload.get("callback_id"))):
        return interaction(
            EVENT_SHORTCUT,
            kind,
            action_id=callback_id,
            callback_id=callback_id,
            message_ts=_message_ts(payload),
            **common,
        )
    return interaction(EVENT_OTHER, kind, payload=_without_secrets(payload), **common)


def _slash_command(form: Mapping[str, str]) -> dict[str, Any]:
    """Return the normalised data of a slash command's form."""
    text = form.get("text", "")
    return interaction(
        EVENT_SLASH_COMMAND,
        TYPE_SLASH_COMMAND,
        action_id=form["command"],
        value=text,
        values=[text] if text else [],
        command=form["command"],
        text=text,
        user=_pair("id", form.get("user_id"), "name", form.get("user_name")),
        team=_pair("id", form.get("team_id"), "domain", form.get("team_domain")),
        channel=_pair("id", form.get("channel_id"), "name", form.get("channel_name")),
        trigger_id=form.get("trigger_id") or None,
        response_url=_url(form.get("response_url")),
    )


def _actions(actions: Any) -> list[dict[str, Any]]:
    """Return the block actions of a payload, normalised."""
    if not isinstance(actions, list):
        return []
    return [_action(action) for action in actions if isinstance(action, dict)]


def _action(action: Mapping[str, Any]) -> dict[str, Any]:
    """Return one block action: its ids, the value(s) and option(s) it chose."""
    options = [
        _option(option)
        for option in _listed(action.get("selected_options"))
        or ([action["selected_option"]] if "selected_option" in action else [])
        if isinstance(option, dict)
    ]
    values = [option["value"] for option in options if option["value"] is not None]
    values += [
        str(value)
        for key in SINGLE_VALUE_FIELDS
        if (value := action.get(key)) is not None
        and not isinstance(value, (dict, list))
    ]
    values += [
        str(value) for key in MULTI_VALUE_FIELDS for value in _listed(action.get(key))
    ]
    return {
        "type": _text(action.get("type")),
        "action_id": _text(action.get("action_id")),
        "block_id": _text(action.get("block_id")),
        "value": values[0] if len(values) == 1 else None,
        "values": values,
        "selected_options": options,
    }


def _option(option: Mapping[str, Any]) -> dict[str, Any]:
    """Return a chosen option as its shown text and its value."""
    text = option.get("text")
    return {
        "text": _text(text.get("text")) if isinstance(text, dict) else _text(text),
        "value": _text(option.get("value")),
    }


def _message_ts(payload: Mapping[str, Any]) -> str | None:
    """Return the timestamp of the message acted on, if any."""
    message = payload.get("message")
    container = payload.get("container")
    if isinstance(message, dict) and (ts := _text(message.get("ts"))):
        return ts
    if isinstance(container, dict):
        return _text(container.get("message_ts"))
    return None


def _user(user: Any) -> dict[str, str | None] | None:
    """Return a payload's user as id and name."""
    if not isinstance(user, dict):
        return None
    name = user.get("name") or user.get("username")
    return _pair("id", user.get("id"), "name", name)


def _named(value: Any, label: str) -> dict[str, str | None] | None:
    """Return a payload's team or channel as id and its label (domain or name)."""
    if not isinstance(value, dict):
        return None
    return _pair("id", value.get("id"), label, value.get(label))


def _pair(
    first: str, first_value: Any, second: str, second_value: Any
) -> dict[str, str | None] | None:
    """Return {first: ..., second: ...} of the given strings, or None when both lack."""
    pair = {first: _text(first_value), second: _text(second_value)}
    return pair if any(pair.values()) else None


def _listed(value: Any) -> list[Any]:
    """Return value if it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """Return value if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def _url(value: Any) -> str | None:
    """Return a response_url of printable ASCII up to MAX_RESPONSE_URL long, else None."""
    url = _text(value)
    if url is None or len(url) > MAX_RESPONSE_URL:
        return None
    return url if url.isascii() and url.isprintable() else None


def _without_secrets(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return a raw payload without Slack's verification token."""
    return {key: value for key, value in payload.items() if key not in SECRET_FIELDS}
