"""Differential tests: our request body against slack_sdk's for the same arguments.

Deliberate differences, asserted here rather than hidden: for an empty body
slack_sdk sends `null` (an empty mapping) or `{}` (every value None); we refuse
both. slack_sdk sends NaN and Infinity, which are not JSON; we refuse them.
"""

import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest
from slack_sdk.models.attachments import Attachment  # noqa: TID251
from slack_sdk.models.blocks import (  # noqa: TID251
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.metadata import Metadata  # noqa: TID251
from slack_sdk.webhook.async_client import AsyncWebhookClient as SdkClient  # noqa: TID251
from slack_sdk.webhook.internal_utils import _build_body  # noqa: TID251

from custom_components.slack_webhook.slack_client import WebhookRequestError
from custom_components.slack_webhook.slack_client.body import encode_body, request_body
from tests.helpers.client import MakeClient
from tests.helpers.slack_server import SlackServer

REFUSED = "refused"
SEND_KEYS = (
    "text",
    "attachments",
    "blocks",
    "response_type",
    "replace_original",
    "delete_original",
    "unfurl_links",
    "unfurl_media",
    "metadata",
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
short_text = st.text(min_size=1, max_size=30)
blocks = st.one_of(
    st.builds(SectionBlock, text=short_text),
    st.builds(HeaderBlock, text=short_text),
    st.just(DividerBlock()),
    st.builds(
        lambda t: ContextBlock(elements=[{"type": "mrkdwn", "text": t}]), short_text
    ),
    st.dictionaries(
        st.sampled_from(["type", "text", "block_id"]), short_text, min_size=1
    ),
)
attachments = st.one_of(
    st.builds(Attachment, text=short_text, color=st.sampled_from(["good", "#36a64f"])),
    st.dictionaries(
        st.sampled_from(["text", "color", "fallback"]), short_text, min_size=1
    ),
)
metadata = st.one_of(
    st.builds(
        Metadata,
        event_type=st.sampled_from(["alert", "task_created"]),
        event_payload=st.dictionaries(st.text(max_size=5), short_text, max_size=2),
    ),
    st.dictionaries(
        st.sampled_from(["event_type", "event_payload"]), json_values, max_size=2
    ),
)
send_arguments = st.fixed_dictionaries(
    {},
    optional={
        "text": st.none() | st.text(max_size=40),
        "attachments": st.none() | st.lists(attachments, max_size=3),
        "blocks": st.none() | st.lists(blocks, max_size=4),
        "response_type": st.none() | st.sampled_from(["in_channel", "ephemeral"]),
        "replace_original": st.none() | st.booleans(),
        "delete_original": st.none() | st.booleans(),
        "unfurl_links": st.none() | st.booleans(),
        "unfurl_media": st.none() | st.booleans(),
        "metadata": st.none() | metadata,
    },
)


def send_body(arguments: dict[str, Any]) -> dict[str, Any]:
    """Return the body send() and slack_sdk's send() hand on: every key, None if unset."""
    return {key: arguments.get(key) for key in SEND_KEYS}


def ours(body: dict[str, Any]) -> Any:
    """Return the JSON value this client would send, or REFUSED."""
    try:
        return json.loads(encode_body(request_body(body)))
    except WebhookRequestError:
        return REFUSED


def theirs(body: dict[str, Any]) -> Any:
    """Return the JSON value slack_sdk would send; REFUSED where we deliberately refuse."""
    sent = json.loads(json.dumps(_build_body(body)))
    return REFUSED if sent in (None, {}) else sent


@settings(max_examples=300, deadline=None)
@given(send_arguments)
def test_send_bodies_match_slack_sdk(arguments: dict[str, Any]) -> None:
    """send(**arguments) posts the same JSON as slack_sdk, empty bodies aside."""
    body = send_body(arguments)
    assert ours(body) == theirs(body)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_send_dict_bodies_match_slack_sdk(body: dict[str, Any]) -> None:
    """send_dict(body) posts the same JSON as slack_sdk for any JSON-ready body."""
    assert ours(body) == theirs(body)


@pytest.mark.parametrize(("body", "sent"), [({}, "null"), ({"text": None}, "{}")])
def test_empty_body_is_a_deliberate_difference(body: dict[str, Any], sent: str) -> None:
    """slack_sdk sends `null` or `{}`; we refuse."""
    assert json.dumps(_build_body(body)) == sent
    with pytest.raises(WebhookRequestError):
        request_body(body)


def test_nan_is_a_deliberate_difference() -> None:
    """slack_sdk sends NaN, which is not JSON; we refuse."""
    assert "NaN" in json.dumps(_build_body({"text": "x", "n": float("nan")}))
    with pytest.raises(WebhookRequestError):
        encode_body(request_body({"text": "x", "n": float("nan")}))


WIRE_CASES: list[dict[str, Any]] = [
    {"text": "plain"},
    {"text": "", "unfurl_links": False, "unfurl_media": True},
    {"text": "fallback", "blocks": [SectionBlock(text="*hi*"), DividerBlock()]},
    {"attachments": [Attachment(text="a", color="danger"), {"text": "b"}]},
    {"text": "r", "response_type": "ephemeral", "replace_original": True},
    {"delete_original": True},
    {"text": "m", "metadata": Metadata(event_type="alert", event_payload={"id": 1})},
    {"text": "ünï 👋", "metadata": {"event_type": "e", "event_payload": {}}},
]


@pytest.mark.parametrize("arguments", WIRE_CASES)
async def test_wire_bodies_match_slack_sdk(
    make_client: MakeClient, slack: SlackServer, arguments: dict[str, Any]
) -> None:
    """Both clients' send() against the same server: the received JSON is equal."""
    await make_client().send(**arguments)
    await SdkClient(url=slack.url).send(**arguments)
    mine, sdk = slack.bodies
    assert mine == sdk
