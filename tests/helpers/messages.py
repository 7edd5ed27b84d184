"""Action data for a message, and the invalid data with the error key each must raise."""

from typing import Any

from custom_components.slack_webhook.payload import (
    MAX_ATTACHMENTS,
    MAX_BLOCKS,
    MAX_TEXT,
)

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
