"""Tests for building and encoding the request body."""

from collections.abc import Mapping
from typing import Any

import pytest
from slack_sdk.models.attachments import Attachment  # noqa: TID251
from slack_sdk.models.blocks import DividerBlock, SectionBlock  # noqa: TID251

from custom_components.slack_webhook.slack_client import WebhookRequestError
from custom_components.slack_webhook.slack_client.body import encode_body, request_body


class Custom:
    """Not a slack_sdk model, but it has to_dict()."""

    def to_dict(self) -> Mapping[str, Any]:
        """Return a fixed mapping."""
        return {"type": "custom", "nested": [DividerBlock()]}


def test_only_top_level_none_is_dropped() -> None:
    """False, "", 0 and empty lists stay; nested None stays."""
    body = {
        "text": "",
        "unfurl_links": False,
        "count": 0,
        "blocks": [],
        "metadata": None,
        "attachments": [{"fallback": None}],
    }
    assert request_body(body) == {
        "text": "",
        "unfurl_links": False,
        "count": 0,
        "blocks": [],
        "attachments": [{"fallback": None}],
    }


def test_to_dict_objects_are_converted_at_any_depth() -> None:
    """slack_sdk models and any to_dict() object become plain data."""
    body = {
        "blocks": (SectionBlock(text="hi"), {"type": "divider"}),
        "attachments": [Attachment(text="a")],
        "metadata": Custom(),
    }
    assert request_body(body) == {
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}},
            {"type": "divider"},
        ],
        "attachments": [{"text": "a", "fields": []}],
        "metadata": {"type": "custom", "nested": [{"type": "divider"}]},
    }


def test_the_callers_body_is_not_changed() -> None:
    """Building a body leaves the argument as it was."""
    blocks = [DividerBlock()]
    body = {"blocks": blocks, "text": None}
    request_body(body)
    assert body == {"blocks": blocks, "text": None}
    assert isinstance(blocks[0], DividerBlock)


@pytest.mark.parametrize("body", [{}, {"text": None, "blocks": None}])
def test_empty_body_is_refused(body: dict[str, Any]) -> None:
    """slack_sdk would send `null`; this client refuses."""
    with pytest.raises(WebhookRequestError, match="empty"):
        request_body(body)


def test_non_mapping_body_is_refused() -> None:
    """A list is not a body."""
    with pytest.raises(WebhookRequestError, match="mapping"):
        request_body(["text"])  # type: ignore[arg-type]


def test_encoding_is_compact_utf8() -> None:
    """No spaces, no ASCII escapes."""
    assert encode_body({"text": "héllo 👋", "n": [1, True]}) == (
        '{"text":"héllo 👋","n":[1,true]}'.encode()
    )


@pytest.mark.parametrize(
    "value",
    [object(), {1, 2}, b"bytes", float("nan"), float("inf"), "\ud800"],
    ids=["object", "set", "bytes", "nan", "inf", "lone-surrogate"],
)
def test_what_json_cannot_hold_is_refused(value: Any) -> None:
    """Refused with WebhookRequestError, not a TypeError or ValueError from json."""
    with pytest.raises(WebhookRequestError, match="JSON"):
        encode_body(request_body({"text": "x", "extra": value}))


def test_circular_body_is_refused() -> None:
    """A body that contains itself is refused, not a RecursionError."""
    loop: dict[str, Any] = {}
    loop["self"] = [loop]
    with pytest.raises(WebhookRequestError, match="contains itself"):
        request_body({"text": "x", "loop": loop})
