"""Tests for the slack_webhook.send and slack_webhook.respond actions, end to end."""

from typing import Any
from unittest.mock import ANY, patch

import probatio
import pytest

from custom_components.slack_webhook.const import (
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    DOMAIN,
)
from custom_components.slack_webhook.services import SERVICE_RESPOND, SERVICE_SEND
from homeassistant.components import notify
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import service as service_helper, translation
from pytest_homeassistant_custom_component.common import MockConfigEntry
from tests.helpers.entries import LoadEntry, SetupEntry
from tests.helpers.messages import INVALID
from tests.helpers.slack_server import HOOK_PATH, SECRET, Answer, SlackServer

ENTITY_ID = "notify.alerts"
DIVIDER = {"type": "divider"}
FIELDS = [
    "text",
    "blocks",
    "attachments",
    "response_type",
    "replace_original",
    "delete_original",
    "unfurl_links",
    "unfurl_media",
    "metadata",
    "headers",
    "username",
    "icon_emoji",
    "icon_url",
    "channel",
    "thread_ts",
]
PICTURE_FIELDS = ["camera", "image_entity", "image_file", "alt_text", "image_title"]


async def call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    *,
    entity_id: str | list[str] = ENTITY_ID,
    return_response: bool = False,
) -> ServiceResponse:
    """Call one of the integration's actions, blocking."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        {ATTR_ENTITY_ID: entity_id, **data},
        blocking=True,
        return_response=return_response,
    )


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "data",
    [
        {"text": "x"},
        {"blocks": [DIVIDER]},
        {"attachments": [{"color": "#36a64f", "text": "ok"}]},
        {"text": "x", "response_type": "ephemeral"},
        {"text": "x", "replace_original": True},
        {"delete_original": True},
        {"text": "x", "unfurl_links": False},
        {"text": "x", "unfurl_media": True},
        {"text": "x", "metadata": {"event_type": "e", "event_payload": {"k": 1}}},
        {"text": "x", "username": "HA"},
        {"text": "x", "icon_emoji": ":house:"},
        {"text": "x", "icon_url": "https://example.com/i.png"},
        {"text": "x", "channel": "#alerts"},
        {"text": "x", "thread_ts": "1712345678.123456"},
    ],
)
async def test_send_wire_form(
    hass: HomeAssistant, slack: SlackServer, data: dict[str, Any]
) -> None:
    """Each field is posted as given, and nothing that was not given."""
    await call(hass, SERVICE_SEND, data)
    assert slack.bodies == [data]
    assert slack.received[0].path == HOOK_PATH


@pytest.mark.usefixtures("init_integration")
async def test_send_json_strings(hass: HomeAssistant, slack: SlackServer) -> None:
    """Blocks, attachments and metadata from templates (JSON strings) are posted as JSON."""
    await call(
        hass,
        SERVICE_SEND,
        {
            "blocks": '[{"type": "divider"}]',
            "attachments": '[{"text": "a"}]',
            "metadata": '{"event_type": "e", "event_payload": {}}',
        },
    )
    assert slack.bodies == [
        {
            "blocks": [DIVIDER],
            "attachments": [{"text": "a"}],
            "metadata": {"event_type": "e", "event_payload": {}},
        }
    ]


@pytest.mark.usefixtures("init_integration")
async def test_send_headers(hass: HomeAssistant, slack: SlackServer) -> None:
    """Headers go on the request, not in the body; JSON stays the content type."""
    await call(
        hass, SERVICE_SEND, {"text": "x", "headers": {"X-Source": "ha", "X-N": 5}}
    )
    assert slack.bodies == [{"text": "x"}]
    headers = slack.received[0].headers
    assert headers["X-Source"] == "ha"
    assert headers["X-N"] == "5"
    assert headers["Content-Type"].startswith("application/json")


async def test_send_defaults(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """The entry's defaults are posted under the fields; a field given wins."""
    await setup_entry(unfurl_links=False, unfurl_media=False)
    await call(hass, SERVICE_SEND, {"text": "x", "unfurl_media": True})
    assert slack.bodies == [{"unfurl_links": False, "unfurl_media": True, "text": "x"}]


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("service", [SERVICE_SEND, SERVICE_RESPOND])
@pytest.mark.parametrize(("data", "key"), INVALID)
async def test_invalid_data_sends_nothing(
    hass: HomeAssistant,
    slack: SlackServer,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Invalid data raises a translated validation error and makes no request."""
    if service == SERVICE_RESPOND:
        data = {"response_url": slack.url, **data}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_key == key
    assert str(err.value) != key
    assert "{" not in str(err.value)
    assert slack.received == []


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "data",
    [
        {"text": "x", "color": "red"},
        {"text": ["x"]},
        {"text": "x", "unfurl_links": "maybe"},
        {"text": "x", "response_url": "http://127.0.0.1/x"},
    ],
)
async def test_send_schema(
    hass: HomeAssistant, slack: SlackServer, data: dict[str, Any]
) -> None:
    """Unknown fields and wrong simple types are refused by the schema."""
    with pytest.raises(probatio.Invalid):
        await call(hass, SERVICE_SEND, data)
    assert slack.received == []


@pytest.mark.usefixtures("init_integration")
async def test_respond_needs_response_url(
    hass: HomeAssistant, slack: SlackServer
) -> None:
    """Respond without a response_url is refused by the schema."""
    with pytest.raises(probatio.Invalid):
        await call(hass, SERVICE_RESPOND, {"text": "x"})
    assert slack.received == []


@pytest.mark.usefixtures("init_integration")
async def test_send_response_data(hass: HomeAssistant, slack: SlackServer) -> None:
    """The response data holds, per entity, the delivery and Slack's answer."""
    slack.answer(Answer(status=200, body="ok"))
    response = await call(hass, SERVICE_SEND, {"text": "x"}, return_response=True)
    assert response == {
        ENTITY_ID: {
            "delivered": True,
            "status_code": 200,
            "body": "ok",
            "message_id": ANY,
        }
    }


@pytest.mark.usefixtures("init_integration")
async def test_send_records_the_notification(
    hass: HomeAssistant, slack: SlackServer
) -> None:
    """A sent message sets the notify entity's state to its time."""
    await call(hass, SERVICE_SEND, {"text": "x"})
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state != STATE_UNKNOWN


async def test_send_queued_response_data(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A message queued after a transient failure is reported as not delivered."""
    await setup_entry(
        **{
            CONF_RETRIES_CONNECTION: 0,
            CONF_RETRIES_SERVER: 0,
            CONF_RETRIES_RATE_LIMIT: 0,
        },
    )
    slack.answer(Answer(status=503, body="service_unavailable"))
    response = await call(hass, SERVICE_SEND, {"text": "x"}, return_response=True)
    assert response == {
        ENTITY_ID: {
            "delivered": False,
            "status_code": None,
            "body": None,
            "message_id": ANY,
        }
    }


async def test_send_to_several_entities(
    hass: HomeAssistant,
    slack: SlackServer,
    config_entry: MockConfigEntry,
    load_entry: LoadEntry,
) -> None:
    """Each targeted webhook gets the message and has its own response data."""
    other = MockConfigEntry(
        domain=DOMAIN, title="Ops", data={"name": "Ops", "url": slack.url + "/ops"}
    )
    other.add_to_hass(hass)
    await load_entry(config_entry)
    response = await call(
        hass,
        SERVICE_SEND,
        {"text": "x"},
        entity_id=[ENTITY_ID, "notify.ops"],
        return_response=True,
    )
    assert response is not None
    assert set(response) == {ENTITY_ID, "notify.ops"}
    assert sorted(r.path for r in slack.received) == [HOOK_PATH, HOOK_PATH + "/ops"]


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("status", "code", "key"),
    [
        (400, "invalid_blocks", "payload_rejected"),
        (400, "no_text", "payload_rejected"),
        (403, "action_prohibited", "webhook_rejected"),
        (404, "channel_not_found", "webhook_rejected"),
        (410, "channel_is_archived", "webhook_rejected"),
    ],
)
async def test_slack_error(
    hass: HomeAssistant, slack: SlackServer, status: int, code: str, key: str
) -> None:
    """Slack's refusal is raised translated, naming its code and never the URL."""
    slack.answer(Answer(status=status, body=code))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, SERVICE_SEND, {"text": "x"})
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == key
    message = str(err.value)
    assert code in message
    assert SECRET not in message
    assert str(slack.port) not in message
    assert len(slack.received) == 1


@pytest.mark.usefixtures("init_integration")
async def test_slack_auth_error_starts_reauth(
    hass: HomeAssistant, slack: SlackServer, config_entry: MockConfigEntry
) -> None:
    """A dead webhook URL raises its error and asks for a new URL."""
    slack.answer(Answer(status=403, body="invalid_token"))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, SERVICE_SEND, {"text": "x"})
    assert err.value.translation_key == "webhook_auth"
    assert "invalid_token" in str(err.value)
    assert SECRET not in str(err.value)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.usefixtures("init_integration")
async def test_respond(hass: HomeAssistant, slack: SlackServer) -> None:
    """Respond posts the fields to the response_url and returns Slack's answer."""
    response_url = f"{slack.origin}/actions/T0001/123/abc"
    response = await call(
        hass,
        SERVICE_RESPOND,
        {"response_url": response_url, "text": "Done", "replace_original": True},
        return_response=True,
    )
    assert response == {
        ENTITY_ID: {
            "delivered": True,
            "status_code": 200,
            "body": "ok",
            "message_id": ANY,
        }
    }
    assert [r.path for r in slack.received] == ["/actions/T0001/123/abc"]
    assert slack.bodies == [{"text": "Done", "replace_original": True}]


@pytest.mark.usefixtures("init_integration")
async def test_respond_delete_original(hass: HomeAssistant, slack: SlackServer) -> None:
    """A bare delete_original is a valid response."""
    await call(
        hass,
        SERVICE_RESPOND,
        {"response_url": f"{slack.origin}/actions/1", "delete_original": True},
    )
    assert slack.bodies == [{"delete_original": True}]


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "response_url",
    [
        "http://127.0.0.2:{port}/actions/1",
        "https://127.0.0.1:{port}/actions/1",
        "http://127.0.0.1:1/actions/1",
        "http://localhost:{port}/actions/1",
        "file:///etc/passwd",
        "not a url",
    ],
)
async def test_respond_host_pinning(
    hass: HomeAssistant, slack: SlackServer, response_url: str
) -> None:
    """A response_url on another scheme, host or port is refused; nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            SERVICE_RESPOND,
            {"response_url": response_url.format(port=slack.port), "text": "x"},
        )
    assert err.value.translation_key == "response_url_origin"
    assert slack.received == []


@pytest.mark.usefixtures("init_integration")
async def test_action_descriptions(hass: HomeAssistant) -> None:
    """Both actions have a selector for every field and offer response data."""
    descriptions = await action_descriptions(hass)
    for action, extra in (
        (SERVICE_SEND, ["variables", *PICTURE_FIELDS]),
        (SERVICE_RESPOND, ["response_url"]),
    ):
        description = descriptions[action]
        assert description["target"] == {
            "entity": [{"integration": DOMAIN, "domain": ["notify"]}]
        }
        assert description["response"] == {"optional": True}
        fields = sections_and_fields(description["fields"])[1]
        assert sorted(fields) == sorted([*FIELDS, *extra])
        assert all(field["selector"] for field in fields.values())


@pytest.mark.usefixtures("init_integration")
async def test_action_translations(hass: HomeAssistant) -> None:
    """Every action, section and field has a name and a description; links resolve."""
    services = hass.services.async_services_for_domain(DOMAIN)
    descriptions = await action_descriptions(hass)
    strings = await translation.async_get_translations(hass, "en", "services", [DOMAIN])
    for action in (SERVICE_SEND, SERVICE_RESPOND):
        prefix = f"component.{DOMAIN}.services.{action}"
        sections, fields = sections_and_fields(descriptions[action]["fields"])
        keys = [prefix] + [f"{prefix}.sections.{name}" for name in sections]
        keys += [f"{prefix}.fields.{name}" for name in fields]
        for key in keys:
            assert strings[f"{key}.name"]
            assert strings[f"{key}.description"]
        placeholders = services[action].description_placeholders or {}
        for key, text in strings.items():
            if key.startswith(prefix):
                assert text.format(**placeholders)


async def action_descriptions(hass: HomeAssistant) -> dict[str, Any]:
    """Return the descriptions of the integration's actions, from services.yaml."""
    # notify's services.yaml filters on a feature; HA then imports every base
    # component, assist_satellite among them, whose audio dependency
    # (pymicro_vad) the test environment lacks. Only notify is needed here.
    with patch.object(
        service_helper, "_base_components", return_value={"notify": notify}
    ):
        descriptions = await service_helper.async_get_all_descriptions(hass)
    return descriptions[DOMAIN]


def sections_and_fields(
    fields: dict[str, Any],
) -> tuple[list[str], dict[str, Any]]:
    """Return the section names and every field, those in sections lifted out."""
    sections: list[str] = []
    flat: dict[str, Any] = {}
    for name, field in fields.items():
        if "fields" in field:
            sections.append(name)
            flat.update(field["fields"])
        else:
            flat[name] = field
    return sections, flat
