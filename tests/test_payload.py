"""Tests for turning action data into a webhook body and headers."""

from typing import Any

import pytest

from custom_components.slack_webhook.payload import (
    MAX_ATTACHMENTS,
    MAX_BLOCKS,
    MAX_TEXT,
    build_body,
    build_headers,
)
from homeassistant.exceptions import ServiceValidationError

DIVIDER = {"type": "divider"}

INVALID: list[tuple[dict[str, Any], str]] = [
    ({}, "no_content"),
    ({"text": ""}, "no_content"),
    ({"blocks": [], "attachments": []}, "no_content"),
    ({"unfurl_links": True}, "no_content"),
    ({"delete_original": False}, "no_content"),
    ({"text": "x" * (MAX_TEXT + 1)}, "text_too_long"),
    ({"blocks": "[{"}, "invalid_json"),
    ({"attachments": "nope"}, "invalid_json"),
    ({"text": "x", "metadata": "{"}, "invalid_json"),
    ({"text": "x", "headers": "X-A: b"}, "invalid_json"),
    ({"blocks": DIVIDER}, "not_a_list"),
    ({"blocks": '"divider"'}, "not_a_list"),
    ({"attachments": {"text": "x"}}, "not_a_list"),
    ({"blocks": [DIVIDER] * (MAX_BLOCKS + 1)}, "too_many_blocks"),
    ({"blocks": ["divider"]}, "invalid_block"),
    ({"blocks": [DIVIDER, {"text": "x"}]}, "invalid_block"),
    ({"blocks": [{"type": 1}]}, "invalid_block"),
    ({"attachments": [{}] * (MAX_ATTACHMENTS + 1)}, "too_many_attachments"),
    ({"attachments": [{}, "x"]}, "invalid_attachment"),
    ({"text": "x", "response_type": "public"}, "invalid_response_type"),
    ({"text": "x", "metadata": []}, "invalid_metadata"),
    ({"text": "x", "metadata": {"event_type": "a"}}, "invalid_metadata"),
    ({"text": "x", "metadata": {"event_payload": {}}}, "invalid_metadata"),
    (
        {"text": "x", "metadata": {"event_type": "", "event_payload": {}}},
        "invalid_metadata",
    ),
    (
        {"text": "x", "metadata": {"event_type": 1, "event_payload": {}}},
        "invalid_metadata",
    ),
    (
        {"text": "x", "metadata": {"event_type": "a", "event_payload": []}},
        "invalid_metadata",
    ),
    (
        {"text": "x", "metadata": {"event_type": "a", "event_payload": {}, "x": 1}},
        "invalid_metadata",
    ),
    ({"text": "x", "headers": ["X-A"]}, "invalid_headers"),
    ({"text": "x", "headers": {"": "b"}}, "invalid_headers"),
    ({"text": "x", "headers": {"X-A": None}}, "invalid_headers"),
    ({"text": "x", "headers": {"X-A": True}}, "invalid_headers"),
    ({"text": "x", "headers": {"X-A": {"b": 1}}}, "invalid_headers"),
    (
        {"text": "x", "headers": {"X-A": "b\r\nX-Injected: c"}},
        "header_control_character",
    ),
    ({"text": "x", "headers": {"X-A": "b\nc"}}, "header_control_character"),
    ({"text": "x", "headers": {"X-A": "b\x01c"}}, "header_control_character"),
    ({"text": "x", "headers": {"X-A\r": "b"}}, "invalid_header_name"),
    ({"text": "x", "headers": {"X A": "b"}}, "invalid_header_name"),
    ({"text": "x", "headers": {"Content-Type": "text/plain"}}, "reserved_header"),
    ({"text": "x", "headers": {"content-type": "text/plain"}}, "reserved_header"),
    ({"text": "x", "headers": {"Content-Length": "1"}}, "reserved_header"),
    ({"text": "x", "headers": {"Transfer-Encoding": "chunked"}}, "reserved_header"),
    ({"text": "x", "headers": {"Host": "example.com"}}, "reserved_header"),
]
"""Action data that must be refused, with the translation key of the error."""


def build(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str] | None]:
    """Return the body and headers for action data, as the entity builds them."""
    return build_body(data, {}), build_headers(data)


@pytest.mark.parametrize(("data", "key"), INVALID)
def test_invalid_data_is_refused(data: dict[str, Any], key: str) -> None:
    """Each kind of invalid data raises its translated validation error."""
    with pytest.raises(ServiceValidationError) as err:
        build(data)
    assert err.value.translation_domain == "slack_webhook"
    assert err.value.translation_key == key


@pytest.mark.parametrize(
    "data",
    [
        {"text": "x"},
        {"blocks": [DIVIDER]},
        {"attachments": [{"text": "x"}]},
        {"delete_original": True},
        {"text": "x" * MAX_TEXT},
        {"blocks": [DIVIDER] * MAX_BLOCKS},
        {"attachments": [{}] * MAX_ATTACHMENTS},
        {"text": "", "blocks": [DIVIDER]},
        {"text": "x", "response_type": "in_channel"},
        {"text": "x", "response_type": "ephemeral"},
        {"text": "x", "metadata": {"event_type": "a", "event_payload": {"b": 1}}},
        {
            "text": "x",
            "replace_original": False,
            "unfurl_links": True,
            "unfurl_media": False,
            "username": "HA",
            "icon_emoji": ":house:",
            "icon_url": "https://example.com/i.png",
            "channel": "#alerts",
            "thread_ts": "1712345678.123456",
        },
    ],
)
def test_valid_data_is_the_body(data: dict[str, Any]) -> None:
    """Valid data without JSON strings or headers is posted exactly as given."""
    assert build_body(data, {}) == data


def test_body_does_not_change_the_data() -> None:
    """Building the body leaves the action data as it was."""
    data = {"text": "x", "blocks": "[]", "headers": {"X-A": "b"}}
    build_body(data, {})
    assert data == {"text": "x", "blocks": "[]", "headers": {"X-A": "b"}}


def test_json_strings_are_parsed() -> None:
    """Blocks, attachments and metadata given as JSON strings are sent as JSON."""
    body = build_body(
        {
            "blocks": '[{"type": "divider"}]',
            "attachments": '[{"text": "a"}]',
            "metadata": '{"event_type": "e", "event_payload": {"k": "v"}}',
        },
        {},
    )
    assert body == {
        "blocks": [DIVIDER],
        "attachments": [{"text": "a"}],
        "metadata": {"event_type": "e", "event_payload": {"k": "v"}},
    }


def test_text_is_not_parsed_as_json() -> None:
    """Text that looks like JSON stays text."""
    assert build_body({"text": "[1]"}, {}) == {"text": "[1]"}


def test_sequences_become_lists() -> None:
    """Blocks and attachments given as tuples are sent as lists."""
    body = build_body({"blocks": (DIVIDER,), "attachments": ({},)}, {})
    assert body == {"blocks": [DIVIDER], "attachments": [{}]}


def test_defaults_go_under_the_fields() -> None:
    """Defaults fill fields not given; a field given wins."""
    defaults = {"unfurl_links": False, "unfurl_media": False}
    body = build_body({"text": "x", "unfurl_media": True}, defaults)
    assert body == {"unfurl_links": False, "unfurl_media": True, "text": "x"}


def test_headers_are_not_in_the_body() -> None:
    """Headers go to the request, not the body."""
    assert build_body({"text": "x", "headers": {"X-A": "b"}}, {}) == {"text": "x"}


def test_no_headers() -> None:
    """Without the headers field there are no extra headers."""
    assert build_headers({"text": "x"}) is None


def test_headers_become_strings() -> None:
    """Header values given as numbers are sent as strings."""
    headers = build_headers({"headers": {"X-A": "b", "X-Int": 5, "X-Float": 1.5}})
    assert headers == {"X-A": "b", "X-Int": "5", "X-Float": "1.5"}


def test_headers_as_json() -> None:
    """Headers given as a JSON string are parsed."""
    assert build_headers({"headers": '{"X-A": "b"}'}) == {"X-A": "b"}


def test_error_placeholders() -> None:
    """Errors carry what their messages show; errors without any carry None."""
    with pytest.raises(ServiceValidationError) as err:
        build_body({"blocks": [DIVIDER] * (MAX_BLOCKS + 1)}, {})
    assert err.value.translation_placeholders == {"count": "51", "max": "50"}
    with pytest.raises(ServiceValidationError) as err:
        build_body({}, {})
    assert err.value.translation_placeholders is None
