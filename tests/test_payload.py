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
from tests.helpers.messages import DIVIDER, INVALID


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
