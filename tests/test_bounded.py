"""Tests for cutting event data and attributes to the recorder's limits (bounded.py)."""

from typing import Any

import pytest

from custom_components.slack_webhook.bounded import (
    MAX_EVENT_DATA_BYTES,
    MAX_STATE_ATTRS_BYTES,
    bounded,
)
from custom_components.slack_webhook.event import ATTRIBUTES, ATTRIBUTES_BYTES
from custom_components.slack_webhook.interaction import (
    MAX_RESPONSE_URL,
    interaction,
    parse,
)
from homeassistant.components.recorder import db_schema
from homeassistant.helpers.json import json_bytes
from tests.helpers.slack_requests import (
    RESPONSE_URL,
    block_actions,
    button,
    form,
    slash_command,
)

LONGEST_URL = RESPONSE_URL + '"' * (MAX_RESPONSE_URL - len(RESPONSE_URL))
"""The longest response_url kept, with the character whose JSON is longest."""


def size(data: dict[str, Any]) -> int:
    """Return the bytes of data as Home Assistant's JSON encoder writes it."""
    return len(json_bytes(data))


def test_limits_are_the_recorders() -> None:
    """The limits mirror the recorder's own."""
    assert MAX_EVENT_DATA_BYTES == db_schema.MAX_EVENT_DATA_BYTES
    assert MAX_STATE_ATTRS_BYTES == db_schema.MAX_STATE_ATTRS_BYTES


def test_fitting_data_unchanged() -> None:
    """Data that fits is returned as it is."""
    data = parse(form(block_actions(button())))
    assert bounded(data, MAX_EVENT_DATA_BYTES) == data


def test_ordinary_text_not_cut() -> None:
    """A slash command's text of 5,000 ASCII characters is cut in neither."""
    data = {"entry_id": "01J" + "0" * 23, **parse(slash_command("/say", "x" * 5000))}
    attributes = {key: data[key] for key in ATTRIBUTES}
    assert bounded(data, MAX_EVENT_DATA_BYTES) == data
    assert bounded(attributes, ATTRIBUTES_BYTES) == attributes


def test_string_cut_with_a_mark() -> None:
    """A long string keeps the first characters and says how many were cut."""
    assert bounded({"text": "x" * 100}, 60) == {
        "text": "x" * 16 + "… [cut: 84 characters]"
    }


def test_cut_as_little_as_needed() -> None:
    """The limit halves only until the data fits."""
    data = bounded({"text": "x" * 100_000, "command": "/say"}, 5000)
    assert data["text"] == "x" * 4096 + "… [cut: 95904 characters]"
    assert data["command"] == "/say"


def test_list_cut_with_a_mark() -> None:
    """A long list keeps its first items and one more that says how many were cut."""
    data = bounded({"values": [str(i) for i in range(1000)]}, 200)
    *kept, mark = data["values"]
    assert kept == [str(i) for i in range(len(kept))]
    assert mark == f"… [cut: {1000 - len(kept)} items]"
    assert size(data) <= 200


def test_raw_objects_cut_with_a_mark() -> None:
    """An object of the raw payload keeps its first entries and the mark under "…"."""
    data = bounded({"payload": {f"k{i}": i for i in range(1000)}}, 200)
    *kept, (last, mark) = data["payload"].items()
    assert kept == [(f"k{i}", i) for i in range(len(kept))]
    assert (last, mark) == ("…", f"… [cut: {1000 - len(kept)} items]")
    assert size(data) <= 200


def test_normalised_objects_keep_their_keys() -> None:
    """Objects outside the raw payload (user, options, actions) lose no key."""
    user = {"id": "U" * 1000, "name": "n" * 1000}
    data = bounded({"user": user, "actions": [{"action_id": "a", "value": None}]}, 200)
    assert set(data["user"]) == {"id", "name"}
    assert data["actions"] == [{"action_id": "a", "value": None}]


def test_response_url_never_cut() -> None:
    """The response_url is kept whole, the rest is cut around it."""
    data = bounded({"response_url": LONGEST_URL, "text": "x" * 100_000}, 8192)
    assert data["response_url"] == LONGEST_URL
    assert data["text"].endswith(" characters]")
    assert size(data) <= 8192


def test_raw_payload_that_cannot_fit_is_cut_whole() -> None:
    """A raw payload that does not fit even at the shortest cut is replaced by a mark."""
    deepest: Any = None
    for _ in range(252):  # with the event data and the payload: 254 levels
        deepest = {"\x01" * 100: deepest, **{f"e{i}": i for i in range(10)}}
    data = interaction("other", "view_submission", payload=deepest)
    cut = bounded(data, MAX_EVENT_DATA_BYTES)
    assert cut["payload"] == f"… [cut: {len(json_bytes(deepest).decode())} characters]"
    assert size(cut) <= MAX_EVENT_DATA_BYTES


def longest(text: str) -> dict[str, Any]:
    """Return event data with every string longer and every list longer than cut."""
    action = {
        "type": text,
        "action_id": text,
        "block_id": text,
        "value": text,
        "values": [text] * 3,
        "selected_options": [{"text": text, "value": text}] * 3,
    }
    pair = {"id": text, "name": text}
    return {
        "entry_id": "01J" + "0" * 23,
        **interaction(
            "other",
            text,
            **dict.fromkeys(("action_id", "block_id", "value", "callback_id"), text),
            **dict.fromkeys(("command", "text", "message_ts", "trigger_id"), text),
            values=action["values"],
            selected_options=action["selected_options"],
            actions=[action] * 3,
            user=pair,
            team={"id": text, "domain": text},
            channel=pair,
            response_url=LONGEST_URL,
            payload={text: [text] * 3},
        ),
    }


@pytest.mark.parametrize("char", ["x", '"', "é", "☃", "😀", "\x01"])
def test_shortest_cut_fits(char: str) -> None:
    """Cut at the shortest, the longest data of characters of any JSON length fits."""
    shortest = bounded(longest(char * 100), 0)
    assert size(shortest) <= ATTRIBUTES_BYTES < MAX_EVENT_DATA_BYTES
    assert shortest["response_url"] == LONGEST_URL
    assert shortest["payload"].startswith("… [cut: ")
