"""Slack's requests to the Request URL, through Home Assistant's HTTP server.

Each request is verified before anything else; a verified one is answered 200
with an empty body and only then fired as the bus event and the event entity's
event. Refused ones change nothing.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
import json
import logging
import time
from typing import Any

from aiohttp import ClientResponse
import pytest

from custom_components.slack_webhook.const import (
    CONF_SIGNING_SECRET,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_INTERACTION,
)
from custom_components.slack_webhook.inbound import FAILURES_FOR_ISSUE, MAX_BODY
from homeassistant.components import webhook
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.db_schema import (
    MAX_EVENT_DATA_BYTES,
    MAX_STATE_ATTRS_BYTES,
)
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.json import json_bytes
from homeassistant.util.aiohttp import MockRequest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_requests import (
    RESPONSE_URL,
    SIGNING_SECRET,
    VERIFICATION_TOKEN,
    WEBHOOK_ID,
    block_actions,
    button,
    form,
    option,
    signed_headers,
    slash_command,
)

EVENT_ENTITY = "event.alerts_slack_interaction"
PATH = f"/api/webhook/{WEBHOOK_ID}"
ISSUE_ID = "verification_fails_{entry_id}"
CUT = "… [cut: "
"""How the mark of a cut string or list begins."""
NOT_UNDERSTOOD = "A verified request from Slack to Alerts is not understood: {}"

type Post = Callable[..., Awaitable[ClientResponse]]


@pytest.fixture
def mock_recorder_before_hass(recorder_db_url: str) -> None:
    """Prepare the recorder's database before hass, for the tests that record."""


@pytest.fixture
async def entry(setup_entry: SetupEntry) -> MockConfigEntry:
    """Set up an entry "Alerts" with interactivity on."""
    return await setup_entry(
        **{CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID}
    )


@pytest.fixture
async def post(hass_client_no_auth: ClientSessionGenerator) -> Post:
    """Return a function that posts a body to the Request URL, signed unless told."""
    client = await hass_client_no_auth()

    async def _post(
        body: bytes, headers: dict[str, str] | None = None, **signing: Any
    ) -> ClientResponse:
        if headers is None:
            headers = signed_headers(body, **signing)
        return await client.post(PATH, data=body, headers=headers)

    return _post


@pytest.fixture
def fired(hass: HomeAssistant) -> list[Event]:
    """Capture the slack_webhook_interaction bus events."""
    return async_capture_events(hass, EVENT_INTERACTION)


async def assert_answer(response: ClientResponse, status: int) -> None:
    """Assert a response's status and that its body is empty."""
    assert response.status == status
    assert await response.read() == b""


def attributes(hass: HomeAssistant) -> dict[str, Any]:
    """Return the event entity's attributes."""
    state = hass.states.get(EVENT_ENTITY)
    assert state is not None
    return dict(state.attributes)


@pytest.mark.usefixtures("entry")
async def test_button_click(
    hass: HomeAssistant, post: Post, fired: list[Event]
) -> None:
    """A signed click: 200 with an empty body, one bus event, the entity's event."""
    assert hass.states.get(EVENT_ENTITY).state == STATE_UNKNOWN

    await assert_answer(await post(form(block_actions(button()))), 200)
    await hass.async_block_till_done()

    [event] = fired
    assert event.data["entry_id"]
    assert event.data["event_type"] == "button"
    assert event.data["action_id"] == "close_garage"
    assert event.data["response_url"] == RESPONSE_URL
    state = hass.states.get(EVENT_ENTITY)
    assert state.state != STATE_UNKNOWN
    assert attributes(hass) == {
        "event_types": ["button", "select", "shortcut", "slash_command", "other"],
        "event_type": "button",
        "action_id": "close_garage",
        "value": "close",
        "values": ["close"],
        "user": {"id": "U0ALICE", "name": "alice"},
        "channel": {"id": "C0OPS", "name": "ops"},
        "response_url": RESPONSE_URL,
        "friendly_name": "Alerts Slack interaction",
    }


@pytest.mark.parametrize(
    ("body", "event_type", "action_id", "value"),
    [
        (form(block_actions(button("open", "1"))), "button", "open", "1"),
        (
            form(
                block_actions(
                    {
                        "type": "static_select",
                        "action_id": "mode",
                        "selected_option": option("Eco", "eco"),
                    }
                )
            ),
            "select",
            "mode",
            "eco",
        ),
        (
            form({"type": "shortcut", "callback_id": "panic", "user": {"id": "U1"}}),
            "shortcut",
            "panic",
            None,
        ),
        (slash_command("/garage", "close"), "slash_command", "/garage", "close"),
        (form({"type": "view_submission", "view": {}}), "other", None, None),
        (b'{"type": "block_actions"}', "other", None, None),
        (b"text=no+payload", "other", None, None),
    ],
    ids=[
        "button",
        "select",
        "shortcut",
        "slash_command",
        "other",
        "json",
        "no_payload",
    ],
)
@pytest.mark.usefixtures("entry")
async def test_payload_types(
    hass: HomeAssistant,
    post: Post,
    fired: list[Event],
    body: bytes,
    event_type: str,
    action_id: str | None,
    value: str | None,
) -> None:
    """Each kind of request: the entity's event type and attributes, the bus event."""
    await assert_answer(await post(body), 200)
    await hass.async_block_till_done()

    [event] = fired
    assert event.data["event_type"] == event_type
    state = attributes(hass)
    assert (state["event_type"], state["action_id"], state["value"]) == (
        event_type,
        action_id,
        value,
    )


@pytest.mark.usefixtures("entry")
async def test_events_hold_no_secrets(
    hass: HomeAssistant,
    post: Post,
    fired: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No signing secret, webhook id, verification token or header in events or logs."""
    caplog.set_level(logging.DEBUG, logger="custom_components.slack_webhook")
    body = form({"type": "view_submission", "token": VERIFICATION_TOKEN})
    headers = signed_headers(body)
    await assert_answer(await post(body, headers), 200)
    await assert_answer(await post(body, headers), 401)
    await hass.async_block_till_done()

    [event] = fired
    shown = json.dumps(event.data) + json.dumps(attributes(hass))
    shown += "".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components")
    )
    for secret in (
        SIGNING_SECRET,
        WEBHOOK_ID,
        VERIFICATION_TOKEN,
        headers["X-Slack-Signature"],
    ):
        assert secret not in shown
    assert "X-Slack" not in json.dumps(event.data)


async def test_events_fire_after_the_answer(
    hass: HomeAssistant, entry: MockConfigEntry, fired: list[Event]
) -> None:
    """The handler returns its answer before anything is fired."""
    body = form(block_actions(button()))
    request = MockRequest(
        body, mock_source="test", method="POST", headers=signed_headers(body)
    )

    response = await webhook.async_handle_webhook(hass, WEBHOOK_ID, request)

    assert (response.status, response.body) == (200, None)
    assert fired == []
    assert hass.states.get(EVENT_ENTITY).state == STATE_UNKNOWN
    await hass.async_block_till_done()
    assert len(fired) == 1
    assert hass.states.get(EVENT_ENTITY).state != STATE_UNKNOWN


@pytest.mark.parametrize(
    "signing",
    [
        {"headers": {}},
        {"headers": {"X-Slack-Request-Timestamp": str(int(time.time()))}},
        {"secret": "wrong-secret"},
        {"timestamp": int(time.time()) - 301},
        {"timestamp": int(time.time()) + 3600},
    ],
    ids=["unsigned", "no_signature", "wrong_secret", "stale", "future"],
)
@pytest.mark.usefixtures("entry")
async def test_refused(
    hass: HomeAssistant,
    post: Post,
    fired: list[Event],
    caplog: pytest.LogCaptureFixture,
    signing: dict[str, Any],
) -> None:
    """Unverified requests get 401 with an empty body, fire nothing, log at debug."""
    caplog.set_level(logging.DEBUG, logger="custom_components.slack_webhook")
    body = form(block_actions(button()))

    await assert_answer(await post(body, **signing), 401)
    await hass.async_block_till_done()

    assert fired == []
    assert hass.states.get(EVENT_ENTITY).state == STATE_UNKNOWN
    [record] = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert record.levelno == logging.DEBUG
    assert record.getMessage().startswith(
        "Refused a request to the Slack interactivity of Alerts: "
    )
    assert "close_garage" not in record.getMessage()


@pytest.mark.usefixtures("entry")
async def test_body_altered_after_signing(
    hass: HomeAssistant, post: Post, fired: list[Event]
) -> None:
    """A body changed after it was signed is refused."""
    body = form(block_actions(button()))
    headers = signed_headers(body)
    altered = body.replace(b"close_garage", b"open_garage_")

    await assert_answer(await post(altered, headers), 401)
    await hass.async_block_till_done()
    assert fired == []


@pytest.mark.usefixtures("entry")
async def test_replay(hass: HomeAssistant, post: Post, fired: list[Event]) -> None:
    """The same signed request again is refused and fires nothing more."""
    body = form(block_actions(button()))
    headers = signed_headers(body)
    await assert_answer(await post(body, headers), 200)
    await assert_answer(await post(body, headers), 401)
    await hass.async_block_till_done()
    assert len(fired) == 1


@pytest.mark.usefixtures("entry")
async def test_body_too_large(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    fired: list[Event],
) -> None:
    """A body over the limit gets 413, declared or streamed, even when signed."""
    client = await hass_client_no_auth()
    body = b"payload=" + b"x" * MAX_BODY
    response = await client.post(PATH, data=body, headers=signed_headers(body))
    await assert_answer(response, 413)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"x" * 65536

    response = await client.post(PATH, data=chunks(), headers=signed_headers(b""))
    await assert_answer(response, 413)
    await hass.async_block_till_done()
    assert fired == []


@pytest.mark.usefixtures("entry")
async def test_largest_body_accepted(
    hass: HomeAssistant, post: Post, fired: list[Event]
) -> None:
    """A body of exactly the limit is read and verified."""
    body = form({"type": "view_submission"})
    body += b"&" + b"x" * (MAX_BODY - len(body) - 1)
    assert len(body) == MAX_BODY
    await assert_answer(await post(body), 200)
    await hass.async_block_till_done()
    assert [event.data["type"] for event in fired] == ["view_submission"]


@pytest.mark.usefixtures("entry")
async def test_post_only(
    hass_client_no_auth: ClientSessionGenerator, fired: list[Event]
) -> None:
    """Other methods are not allowed."""
    client = await hass_client_no_auth()
    for method in ("GET", "PUT"):
        response = await client.request(method, PATH)
        assert response.status == 405
    assert fired == []


async def test_registered_for_the_internet(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The webhook is not local-only and takes POST only; unloading removes it."""
    [registered] = [
        data for data in hass.data[webhook._HANDLERS].values() if data.domain == DOMAIN
    ]
    assert registered.local_only is False
    assert registered.allowed_methods == frozenset({"POST"})

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert WEBHOOK_ID not in hass.data[webhook._HANDLERS]


@pytest.mark.usefixtures("entry")
async def test_malformed_logged_once_at_warning(
    hass: HomeAssistant,
    post: Post,
    fired: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A signed body that is not understood: one warning without the body; `other`."""
    body = b"payload=%7Bsecret-looking+body"
    await assert_answer(await post(body), 200)
    await hass.async_block_till_done()

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        NOT_UNDERSTOOD.format("the payload field is not JSON")
    ]
    assert [(e.data["event_type"], e.data["type"]) for e in fired] == [("other", None)]


async def test_repair_issue_after_repeated_failures(
    hass: HomeAssistant, entry: MockConfigEntry, post: Post
) -> None:
    """Failures that look like Slack's raise a repair issue; a good request clears it."""
    registry = ir.async_get(hass)
    issue_id = ISSUE_ID.format(entry_id=entry.entry_id)
    body = form(block_actions(button()))
    # Unsigned requests (anyone on the internet) do not count.
    for _ in range(FAILURES_FOR_ISSUE):
        await assert_answer(await post(body, {}), 401)
    assert registry.async_get_issue(DOMAIN, issue_id) is None

    for _ in range(FAILURES_FOR_ISSUE):
        response = await post(body, secret="old-secret")  # noqa: S106
        await assert_answer(response, 401)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "verification_fails"
    assert issue.translation_placeholders == {"name": "Alerts"}

    await assert_answer(await post(body), 200)
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_repair_issue_cleared_on_unload(
    hass: HomeAssistant, entry: MockConfigEntry, post: Post
) -> None:
    """Changing the options reloads the entry, which clears the issue."""
    body = form(block_actions(button()))
    for _ in range(FAILURES_FOR_ISSUE):
        await post(body, timestamp=int(time.time()) - 3600)
    issue_id = ISSUE_ID.format(entry_id=entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_not_interactive(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    hass_client_no_auth: ClientSessionGenerator,
    fired: list[Event],
) -> None:
    """Without a signing secret nothing is registered or fired and no entity exists."""
    entry = await setup_entry(**{CONF_WEBHOOK_ID: WEBHOOK_ID})
    client = await hass_client_no_auth()
    body = form(block_actions(button()))

    response = await client.post(PATH, data=body, headers=signed_headers(body))
    await hass.async_block_till_done()

    assert response.status == 200  # Home Assistant's answer for unknown webhooks
    assert fired == []
    assert hass.states.get(EVENT_ENTITY) is None
    assert not [
        entity
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if entity.domain == "event"
    ]


def nested(depth: int) -> list[Any]:
    """Return empty lists nested depth levels deep."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


async def test_nested_deeper_than_the_encoder(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    entry: MockConfigEntry,
    post: Post,
    fired: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A payload deeper than Home Assistant's JSON encoder goes is `other`, left out."""
    body = form({"type": "view_submission", "view": nested(300)})
    await assert_answer(await post(body), 200)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.name == "custom_components.slack_webhook"
    assert warning.getMessage() == (
        NOT_UNDERSTOOD.format(
            "the payload cannot be encoded as JSON (nested too deep,"
            " a lone surrogate or an integer beyond 64 bits)"
        )
    )
    [event] = fired
    assert (event.data["event_type"], event.data["type"]) == ("other", None)
    assert event.data["payload"] is None
    json_bytes(event.data)
    json_bytes(attributes(hass))


CHECKBOXES = {
    "type": "checkboxes",
    "action_id": "rooms",
    "block_id": "b",
    "selected_options": [option(f"Room {i}", f"room_{i}") for i in range(3000)],
}
VIEW = {
    "type": "view_submission",
    "response_url": RESPONSE_URL,
    "view": {
        "id": "V1",
        "state": {
            "values": {
                f"block_{i}": {"input": {"type": "plain_text_input", "value": "y" * 40}}
                for i in range(3000)
            }
        },
    },
}


@pytest.mark.parametrize(
    "body",
    [
        slash_command("/say", "x" * 300_000),
        form(block_actions(*[button(f"a{i}", "v" * 100) for i in range(500)])),
        form(block_actions(CHECKBOXES)),
        form(VIEW),
        form(block_actions(button(value="\u2603" * 100_000))),
    ],
    ids=["long_text", "many_actions", "many_values", "large_payload", "non_ascii"],
)
async def test_recorded_within_the_limits(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    entry: MockConfigEntry,
    post: Post,
    fired: list[Event],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    """Huge signed requests: the recorder keeps the event and the state, cut to fit."""
    await assert_answer(await post(body), 200)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    [event] = fired
    data, shown = json_bytes(event.data), json_bytes(attributes(hass))
    assert len(data) <= MAX_EVENT_DATA_BYTES
    assert len(shown) <= MAX_STATE_ATTRS_BYTES
    assert CUT.encode() in data
    assert event.data["response_url"].startswith("https://hooks.slack.com/")
    assert attributes(hass)["response_url"] == event.data["response_url"]
    assert not [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name != "asyncio"
    ]


@pytest.mark.usefixtures("entry")
async def test_long_text_cut_with_a_mark(
    hass: HomeAssistant, post: Post, fired: list[Event]
) -> None:
    """A long slash command's text ends with the mark of how much was cut."""
    await assert_answer(await post(slash_command("/say", "x" * 300_000)), 200)
    await hass.async_block_till_done()

    [event] = fired
    text = event.data["text"]
    kept = text.index(CUT)
    assert text == "x" * kept + f"… [cut: {300_000 - kept} characters]"
    assert event.data["command"] == "/say"
    value = attributes(hass)["value"]
    assert value.startswith("xxx")
    assert value.endswith(" characters]")
    assert attributes(hass)["values"] == [value]


@pytest.mark.usefixtures("entry")
async def test_long_lists_cut_with_a_mark(
    hass: HomeAssistant, post: Post, fired: list[Event]
) -> None:
    """A long list keeps its first items and one more, the mark of how many were cut."""
    await assert_answer(await post(form(block_actions(CHECKBOXES))), 200)
    await hass.async_block_till_done()

    [event] = fired
    *values, mark = attributes(hass)["values"]
    assert values == [f"room_{i}" for i in range(len(values))]
    assert mark == f"… [cut: {3000 - len(values)} items]"
    assert event.data["selected_options"][-1].startswith(CUT)
    assert event.data["selected_options"][0] == {"text": "Room 0", "value": "room_0"}
