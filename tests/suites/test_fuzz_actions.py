"""Fuzzing slack_webhook.send and slack_webhook.respond through Home Assistant.

Every bad input must end in a validation error (the schema's Invalid or a
translated ServiceValidationError), with nothing sent and no other exception.
Arbitrary input either posts exactly one message or is refused the same way.
"""

from collections.abc import Callable
import json
import string
from typing import Any
from unittest.mock import ANY

from hypothesis import HealthCheck, event, given, settings, strategies as st
import probatio
import pytest

from custom_components.slack_webhook.const import CONF_BURST, CONF_RATE, DOMAIN
from custom_components.slack_webhook.payload import (
    MAX_ATTACHMENTS,
    MAX_BLOCKS,
    MAX_TEXT,
    RESPONSE_TYPES,
)
from custom_components.slack_webhook.services import (
    MESSAGE_FIELDS,
    SERVICE_RESPOND,
    SERVICE_SEND,
)
from custom_components.slack_webhook.slack_client.headers import RESERVED_HEADERS
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_server import SlackServer

ENTITY_ID = "notify.alerts"
FIELDS = sorted(str(key) for key in MESSAGE_FIELDS)
BOOLEAN_FIELDS = ["replace_original", "delete_original", "unfurl_links", "unfurl_media"]
STRING_FIELDS = ["text", "username", "icon_emoji", "icon_url", "channel", "thread_ts"]
TARGET_FIELDS = {"entity_id", "device_id", "area_id", "floor_id", "label_id"}
VALIDATION_ERRORS = (ServiceValidationError, probatio.Invalid)
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HEADER_NAME_CHARS = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
"""The characters of an HTTP token (RFC 9110), which a header name is."""
CONTROL_CHARACTERS = [chr(c) for c in (*range(0x20), 0x7F) if chr(c) != "\t"]
"""What no header value may hold (RFC 9110 allows a tab, and bytes from 0x80)."""
NOT_JSON = object()
VALID_URL = object()
"""Stands for the hook's own response_url, whose port is known only at run time."""

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
containers = st.lists(json_values, max_size=3) | st.dictionaries(
    st.text(max_size=6), json_values, max_size=3
)
"""Values that no string or boolean field accepts."""
base_fields = st.fixed_dictionaries(
    {"text": st.text(min_size=1, max_size=20).filter(str.strip)}
)


def _parsed(value: Any) -> Any:
    """Return the value as the action sees it: a JSON string parsed, else itself."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return NOT_JSON
    return value


def _is_metadata(value: Any) -> bool:
    """Return whether a value passes as Slack message metadata."""
    return (
        isinstance(value, dict)
        and value.keys() == {"event_type", "event_payload"}
        and isinstance(value["event_type"], str)
        and bool(value["event_type"])
        and isinstance(value["event_payload"], dict)
    )


def _not_json(text: str) -> bool:
    """Return whether a text is not JSON."""
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def _with(field: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    """Return valid base fields with one field set to a drawn value."""
    return st.builds(lambda base, value: {**base, field: value}, base_fields, values)


def _not_a_list(field: str) -> st.SearchStrategy[dict[str, Any]]:
    """Return data whose field is neither a list nor a JSON list."""
    values = (json_values | st.text(max_size=12)).filter(
        lambda value: not isinstance(_parsed(value), list)
    )
    return _with(field, values)


def _too_many(field: str, item: dict[str, Any], limit: int) -> st.SearchStrategy:
    """Return data with more items in a list field than Slack takes."""
    return _with(field, st.integers(limit + 1, limit + 20).map(lambda n: [item] * n))


def _bad_items(field: str, bad: Callable[[Any], bool]) -> st.SearchStrategy:
    """Return data whose list field holds at least one item that `bad` accepts."""
    items = st.lists(json_values, min_size=1, max_size=4).filter(
        lambda values: any(bad(value) for value in values)
    )
    return _with(field, items)


def _is_block(value: Any) -> bool:
    """Return whether a value passes as a block: a mapping with a string type."""
    return isinstance(value, dict) and isinstance(value.get("type"), str)


no_content = st.fixed_dictionaries(
    {},
    optional={
        "text": st.just(""),
        "blocks": st.just([]) | st.just("[]"),
        "attachments": st.just([]),
        "delete_original": st.just(False),
        "unfurl_links": st.booleans(),
        "response_type": st.sampled_from(RESPONSE_TYPES),
        "username": st.text(max_size=8),
    },
)
bad_metadata = json_values.filter(lambda value: not _is_metadata(_parsed(value)))
any_header_names = st.text(min_size=1, max_size=10).filter(
    lambda name: "\r" not in name and "\n" not in name
)
bad_headers = st.one_of(
    json_values.filter(lambda value: not isinstance(_parsed(value), dict)),
    st.builds(
        lambda name, value: {name: value},
        st.sampled_from(sorted(RESERVED_HEADERS)).map(str.title),
        st.text(max_size=8),
    ),
    st.builds(
        lambda name, before, after: {name: f"{before}\r\n{after}"},
        any_header_names,
        st.text(max_size=6),
        st.text(max_size=6),
    ),
    st.dictionaries(
        any_header_names, st.none() | st.booleans() | containers, min_size=1
    ),
    st.builds(
        lambda name: {name: "v"},
        any_header_names.filter(lambda name: set(name) - set(HEADER_NAME_CHARS)),
    ),
    st.builds(
        lambda before, control, after: {"X-A": f"{before}{control}{after}"},
        st.text(max_size=4),
        st.sampled_from(CONTROL_CHARACTERS),
        st.text(max_size=4),
    ),
)
bad_fields = st.one_of(
    st.builds(
        lambda base, key, value: {**base, key: value},
        base_fields,
        st.text(min_size=1, max_size=12).filter(
            lambda key: key not in FIELDS and key not in TARGET_FIELDS
        ),
        json_values,
    ),
    no_content,
    _with("text", st.integers(MAX_TEXT + 1, MAX_TEXT + 500).map("x".__mul__)),
    st.one_of(*(_with(field, containers | st.none()) for field in STRING_FIELDS)),
    st.one_of(
        *(
            _with(
                field,
                containers
                | st.none()
                | st.text(max_size=8).filter(
                    lambda text: (
                        text.lower().strip()
                        not in {"1", "true", "yes", "on", "enable"}
                        | {"0", "false", "no", "off", "disable"}
                    )
                ),
            )
            for field in BOOLEAN_FIELDS
        )
    ),
    _not_a_list("blocks"),
    _too_many("blocks", {"type": "divider"}, MAX_BLOCKS),
    _bad_items("blocks", lambda item: not _is_block(item)),
    _not_a_list("attachments"),
    _too_many("attachments", {}, MAX_ATTACHMENTS),
    _bad_items("attachments", lambda item: not isinstance(item, dict)),
    _with(
        "response_type",
        st.text(max_size=12).filter(lambda text: text not in RESPONSE_TYPES),
    ),
    _with("metadata", bad_metadata),
    _with("headers", bad_headers),
    _with(
        "blocks",
        st.sampled_from([float("nan"), float("inf"), -float("inf")]).map(
            lambda number: [{"type": "section", "n": number}]
        ),
    ),
    *(
        _with(field, st.text(min_size=1, max_size=8).filter(_not_json))
        for field in ("blocks", "attachments", "metadata", "headers")
    ),
)
"""Message fields that are bad in one way, whatever else they hold."""
bad_response_urls = st.one_of(
    st.none(),
    st.just("https://elsewhere.example/actions/T0001/1/abc"),
    st.text(max_size=20).filter(lambda text: "://" not in text),
    containers,
)
"""response_url values the respond action must refuse; None leaves it out."""
header_names = st.text(HEADER_NAME_CHARS, min_size=1, max_size=8) | st.text(max_size=8)
header_values = st.text(
    st.characters(blacklist_categories=["Cc"]) | st.just("\t"), max_size=8
) | st.text(max_size=8)
"""Header names and values: mostly valid (a token, no control character), or any text."""
plausible = {
    **dict.fromkeys(STRING_FIELDS, st.text(max_size=12)),
    **dict.fromkeys(BOOLEAN_FIELDS, st.booleans() | st.sampled_from(["on", "off"])),
    "blocks": st.lists(
        st.fixed_dictionaries({"type": st.text(max_size=8)}), min_size=1, max_size=3
    ),
    "attachments": st.lists(st.dictionaries(st.text(max_size=4), scalars), max_size=3),
    "response_type": st.sampled_from(RESPONSE_TYPES),
    "metadata": st.fixed_dictionaries(
        {
            "event_type": st.text(max_size=8),
            "event_payload": st.dictionaries(st.text(max_size=4), json_values),
        }
    ),
    "headers": st.dictionaries(header_names, header_values, max_size=2),
}
"""Values of the kind each field takes; still invalid now and then."""
any_fields = st.fixed_dictionaries(
    {},
    optional={
        field: st.one_of(plausible[field], plausible[field], json_values)
        for field in FIELDS
    },
)
"""Any mix of fields, mostly with values of the right kind."""


@pytest.fixture
async def entry(setup_entry: SetupEntry) -> MockConfigEntry:
    """Set up an entry for the local hook, paced so fast that pacing never waits."""
    return await setup_entry(**{CONF_RATE: 10_000, CONF_BURST: 1_000})


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    """Call an action on the entry's notify entity, blocking, with its response."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"entity_id": ENTITY_ID, **data},
        blocking=True,
        return_response=True,
    )


async def _assert_refused(
    hass: HomeAssistant, slack: SlackServer, service: str, data: dict[str, Any]
) -> None:
    """Assert the action refuses data with a validation error, sending nothing."""
    slack.received.clear()
    with pytest.raises(VALIDATION_ERRORS):
        await _call(hass, service, data)
    await hass.async_block_till_done()
    assert slack.received == []


@pytest.mark.usefixtures("entry")
@FUZZ
@given(fields=bad_fields)
async def test_send_refuses_bad_input(
    hass: HomeAssistant, slack: SlackServer, fields: dict[str, Any]
) -> None:
    """Bad message fields for send: a validation error, nothing sent."""
    await _assert_refused(hass, slack, SERVICE_SEND, fields)


@pytest.mark.usefixtures("entry")
@FUZZ
@given(
    case=st.tuples(bad_fields, st.just(VALID_URL))
    | st.tuples(base_fields, bad_response_urls)
)
async def test_respond_refuses_bad_input(
    hass: HomeAssistant, slack: SlackServer, case: tuple[dict[str, Any], Any]
) -> None:
    """Bad message fields or response_url for respond: a validation error, nothing sent."""
    fields, response_url = case
    if response_url is VALID_URL:
        response_url = f"{slack.origin}/actions/T0001/1/abc"
    if response_url is not None:
        fields = {**fields, "response_url": response_url}
    await _assert_refused(hass, slack, SERVICE_RESPOND, fields)


@pytest.mark.usefixtures("entry")
@FUZZ
@given(
    service=st.sampled_from([SERVICE_SEND, SERVICE_RESPOND]),
    fields=any_fields,
)
async def test_any_input_is_sent_once_or_refused(
    hass: HomeAssistant, slack: SlackServer, service: str, fields: dict[str, Any]
) -> None:
    """Arbitrary fields: one message delivered, or a validation error and none sent."""
    slack.received.clear()
    if service == SERVICE_RESPOND:
        fields = {**fields, "response_url": f"{slack.origin}/actions/T0001/1/abc"}
    try:
        response = await _call(hass, service, fields)
    except VALIDATION_ERRORS:
        event("refused")
        await hass.async_block_till_done()
        assert slack.received == []
        return
    event("delivered")
    assert response == {
        ENTITY_ID: {
            "delivered": True,
            "status_code": 200,
            "body": "ok",
            "message_id": ANY,
        }
    }
    assert len(slack.received) == 1


@pytest.mark.usefixtures("entry")
@pytest.mark.parametrize("name", [")", "a b", "é", "X:Y", "@"])
async def test_header_name_that_is_no_token_is_refused(
    hass: HomeAssistant, slack: SlackServer, name: str
) -> None:
    """A header name must be an HTTP token; anything else is refused, nothing sent."""
    await _assert_refused(
        hass, slack, SERVICE_SEND, {"text": "x", "headers": {name: "v"}}
    )


@pytest.mark.usefixtures("entry")
@pytest.mark.parametrize("value", ["\x01", "a\x0bb", "\x1f", "\x7f"])
async def test_header_value_with_control_character_is_refused(
    hass: HomeAssistant, slack: SlackServer, value: str
) -> None:
    """A header value with a control character is refused, nothing sent."""
    await _assert_refused(
        hass, slack, SERVICE_SEND, {"text": "x", "headers": {"X-A": value}}
    )
