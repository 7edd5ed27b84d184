"""Tests for the normalisation of Slack's requests into event data (interaction.py)."""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, strategies as st
import pytest

from custom_components.slack_webhook.interaction import (
    MAX_RESPONSE_URL,
    MalformedRequestError,
    interaction,
    parse,
)
from homeassistant.helpers.json import json_bytes
from tests.helpers.slack_requests import (
    CHANNEL,
    EXAMPLE_BODY,
    MESSAGE,
    RESPONSE_URL,
    TEAM,
    USER,
    VERIFICATION_TOKEN,
    block_actions,
    button,
    form,
    option,
    slash_command,
)

KEYS = set(interaction("other", None))
ALICE = {"id": USER["id"], "name": "alice"}
OPS = {"id": CHANNEL["id"], "name": CHANNEL["name"]}
ACME = {"id": TEAM["id"], "domain": TEAM["domain"]}
NOT_ENCODABLE = "cannot be encoded as JSON"


def nested_json(depth: int) -> str:
    """Return a view_submission payload with lists nested depth levels deep."""
    return '{"type": "view_submission", "view": ' + "[" * depth + "]" * depth + "}"


def test_button() -> None:
    """A button click: its action, the user, channel, message and response_url."""
    data = parse(form(block_actions(button())))
    assert data == interaction(
        "button",
        "block_actions",
        action_id="close_garage",
        block_id="garage",
        value="close",
        values=["close"],
        actions=[
            {
                "type": "button",
                "action_id": "close_garage",
                "block_id": "garage",
                "value": "close",
                "values": ["close"],
                "selected_options": [],
            }
        ],
        user=ALICE,
        team=ACME,
        channel=OPS,
        message_ts=MESSAGE["ts"],
        trigger_id="123.456.abc",
        response_url=RESPONSE_URL,
    )


def test_button_without_value() -> None:
    """A button need not have a value."""
    data = parse(form(block_actions(button(value=None))))
    assert (data["event_type"], data["value"], data["values"]) == ("button", None, [])


def select(kind: str, **chosen: Any) -> dict[str, Any]:
    """Return a block action of an element that chooses something."""
    return {"type": kind, "action_id": "pick", "block_id": "b", **chosen}


@pytest.mark.parametrize(
    ("action", "value", "values", "options"),
    [
        (
            select("static_select", selected_option=option("Close", "close")),
            "close",
            ["close"],
            [{"text": "Close", "value": "close"}],
        ),
        (
            select("external_select", selected_option=option("Open", "open")),
            "open",
            ["open"],
            [{"text": "Open", "value": "open"}],
        ),
        (
            select("overflow", selected_option=option("Snooze", "snooze")),
            "snooze",
            ["snooze"],
            [{"text": "Snooze", "value": "snooze"}],
        ),
        (
            select("radio_buttons", selected_option=option("Eco", "eco")),
            "eco",
            ["eco"],
            [{"text": "Eco", "value": "eco"}],
        ),
        (
            select(
                "checkboxes",
                selected_options=[option("Lights", "lights"), option("Heat", "heat")],
            ),
            None,
            ["lights", "heat"],
            [
                {"text": "Lights", "value": "lights"},
                {"text": "Heat", "value": "heat"},
            ],
        ),
        (
            select(
                "multi_static_select", selected_options=[option("Lights", "lights")]
            ),
            "lights",
            ["lights"],
            [{"text": "Lights", "value": "lights"}],
        ),
        (
            select("datepicker", selected_date="2026-05-01"),
            "2026-05-01",
            ["2026-05-01"],
            [],
        ),
        (select("timepicker", selected_time="07:30"), "07:30", ["07:30"], []),
        (
            select("datetimepicker", selected_date_time=1746082800),
            "1746082800",
            ["1746082800"],
            [],
        ),
        (select("users_select", selected_user="U0BOB"), "U0BOB", ["U0BOB"], []),
        (
            select("conversations_select", selected_conversation="C0X"),
            "C0X",
            ["C0X"],
            [],
        ),
        (select("channels_select", selected_channel="C0Y"), "C0Y", ["C0Y"], []),
        (
            select("multi_users_select", selected_users=["U0A", "U0B"]),
            None,
            ["U0A", "U0B"],
            [],
        ),
        (select("static_select", selected_option=None), None, [], []),
    ],
    ids=lambda value: value["type"] if isinstance(value, dict) else None,
)
def test_selections(
    action: dict[str, Any],
    value: str | None,
    values: list[str],
    options: list[dict[str, str]],
) -> None:
    """Selects, overflow menus, pickers, checkboxes and radio buttons are `select`s."""
    data = parse(form(block_actions(action)))
    assert data["event_type"] == "select"
    assert (data["action_id"], data["block_id"]) == ("pick", "b")
    assert (data["value"], data["values"], data["selected_options"]) == (
        value,
        values,
        options,
    )


def test_first_action_leads_all_are_kept() -> None:
    """With several actions the first sets the fields; all are in `actions`."""
    data = parse(
        form(block_actions(button("first", "1"), select("overflow"), "not an action"))
    )
    assert (data["event_type"], data["action_id"]) == ("button", "first")
    assert [action["action_id"] for action in data["actions"]] == ["first", "pick"]


def test_ephemeral_message_ts_from_container() -> None:
    """A click in an ephemeral message has no message; its ts is the container's."""
    payload = block_actions(button())
    del payload["message"]
    assert parse(form(payload))["message_ts"] == MESSAGE["ts"]


def test_global_shortcut() -> None:
    """A global shortcut: its callback_id; no channel, message or response_url."""
    payload = {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": "1712345690.000100",
        "team": TEAM,
        "user": {"id": USER["id"], "username": "alice", "team_id": TEAM["id"]},
        "callback_id": "open_garage",
        "trigger_id": "111.222.ccc",
    }
    assert parse(form(payload)) == interaction(
        "shortcut",
        "shortcut",
        action_id="open_garage",
        callback_id="open_garage",
        user=ALICE,
        team=ACME,
        trigger_id="111.222.ccc",
    )


def test_message_shortcut() -> None:
    """A message shortcut: its callback_id, the message and a response_url."""
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "callback_id": "remind_me",
        "trigger_id": "333.444.ddd",
        "team": TEAM,
        "channel": CHANNEL,
        "user": USER,
        "message": MESSAGE,
        "response_url": RESPONSE_URL,
    }
    data = parse(form(payload))
    assert data["event_type"] == "shortcut"
    assert data["type"] == "message_action"
    assert (data["action_id"], data["callback_id"]) == ("remind_me", "remind_me")
    assert (data["channel"], data["message_ts"]) == (OPS, MESSAGE["ts"])
    assert data["response_url"] == RESPONSE_URL


def test_slash_command() -> None:
    """A slash command: command and text, also as action_id and value."""
    assert parse(slash_command("/garage", "close now")) == interaction(
        "slash_command",
        "slash_command",
        action_id="/garage",
        value="close now",
        values=["close now"],
        command="/garage",
        text="close now",
        user=ALICE,
        team=ACME,
        channel=OPS,
        trigger_id="987.654.def",
        response_url="https://hooks.slack.com/commands/T0001/987/c0mm4nd",
    )


def test_slack_example_slash_command() -> None:
    """The slash command of Slack's signing example, with empty text."""
    data = parse(EXAMPLE_BODY)
    assert (data["command"], data["text"], data["values"]) == (
        "/webhook-collect",
        "",
        [],
    )
    assert data["user"] == {"id": "U2CERLKJA", "name": "roadrunner"}
    assert data["response_url"].startswith("https://hooks.slack.com/commands/")


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "view_submission", "view": {"id": "V1", "state": {"values": {}}}},
        {"type": "view_closed", "view": {"id": "V1"}},
        {"type": "block_suggestion", "action_id": "pick", "value": "ga"},
        {"type": "interactive_message", "callback_id": "legacy"},
        {"type": "block_actions", "actions": []},
        {"type": "block_actions", "actions": "not a list"},
        {"type": "shortcut"},
    ],
    ids=lambda payload: payload["type"],
)
def test_other_types(payload: dict[str, Any]) -> None:
    """Other payloads are `other` with their type and raw payload, without the token."""
    data = parse(form({**payload, "token": VERIFICATION_TOKEN, "user": USER}))
    assert data["event_type"] == "other"
    assert data["type"] == payload["type"]
    assert data["payload"] == {**payload, "user": USER}
    assert data["user"] == ALICE


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "neither a payload field nor a command"),
        (b'{"type": "block_actions"}', "neither a payload field nor a command"),
        (b"text=hello", "neither a payload field nor a command"),
        (b"command=", "neither a payload field nor a command"),
        (b"payload=", "not JSON"),
        (b"payload=%7Bnot+json", "not JSON"),
        (urlencode({"payload": "[" * 100_000}).encode(), "not JSON"),
        (b"payload=%5B%5D", "not an object with a type"),
        (b"payload=%7B%22type%22%3A+1%7D", "not an object with a type"),
        (b"payload=\xff", "not UTF-8"),
        pytest.param(
            urlencode({"payload": nested_json(300)}).encode(),
            NOT_ENCODABLE,
            id="too_deep",
        ),
        pytest.param(
            form(block_actions(button(value="\ud800"))),
            NOT_ENCODABLE,
            id="lone_surrogate",
        ),
        pytest.param(
            form({"type": "view_submission", "view": {"n": 2**64}}),
            NOT_ENCODABLE,
            id="beyond_64_bits",
        ),
    ],
)
def test_malformed(body: bytes, reason: str) -> None:
    """Bodies that are neither an interaction nor a slash command are refused."""
    with pytest.raises(MalformedRequestError, match=reason):
        parse(body)


def test_deep_payload_within_the_encoder() -> None:
    """A payload nested as deep as Home Assistant's JSON encoder goes is kept."""
    data = parse(urlencode({"payload": nested_json(250)}).encode())
    assert data["event_type"] == "other"
    assert json_bytes(data["payload"]["view"]) == b"[" * 250 + b"]" * 250


@pytest.mark.parametrize(
    "request_with",
    [
        lambda url: form(block_actions(button(), response_url=url)),
        lambda url: urlencode(
            dict(parse_qsl(slash_command().decode())) | {"response_url": url}
        ).encode(),
    ],
    ids=["block_actions", "slash_command"],
)
def test_absurd_response_url_left_out(request_with: Callable[[str], bytes]) -> None:
    """A response_url of printable ASCII is kept whole up to MAX_RESPONSE_URL long."""
    longest = RESPONSE_URL + "x" * (MAX_RESPONSE_URL - len(RESPONSE_URL))
    assert parse(request_with(longest))["response_url"] == longest
    for absurd in (longest + "x", RESPONSE_URL + "\x01", RESPONSE_URL + "é"):
        assert parse(request_with(absurd))["response_url"] is None


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "type",
        "actions",
        "user",
        "team",
        "channel",
        "message",
        "container",
        "callback_id",
        "response_url",
        "trigger_id",
        "selected_option",
        "selected_options",
        "value",
        "text",
    ]
)
TYPES = st.sampled_from(
    ["block_actions", "shortcut", "message_action", "view_submission"]
)
ACTION = st.dictionaries(FIELDS | st.sampled_from(["action_id", "block_id"]), JSON)


@given(
    kind=TYPES,
    fields=st.dictionaries(FIELDS, JSON),
    actions=st.lists(ACTION | JSON, max_size=3),
)
def test_any_shape_is_understood_or_other(
    kind: str, fields: dict[str, Any], actions: list[Any]
) -> None:
    """Whatever a payload holds, it becomes event data with every key, never an error."""
    payload = {**fields, "type": kind, "actions": actions}
    data = parse(form(payload))
    assert set(data) == KEYS
    assert data["event_type"] in {"button", "select", "shortcut", "other"}
    assert VERIFICATION_TOKEN.encode() not in json_bytes(data)


@given(body=st.binary(max_size=200))
def test_any_body_is_understood_or_malformed(body: bytes) -> None:
    """Any body either becomes event data or raises MalformedRequestError."""
    try:
        data = parse(body)
    except MalformedRequestError:
        return
    assert set(data) == KEYS
