"""Each Slack-style target judged by its own answer: detection, refusals, triggers, block rules."""

from typing import Any

import pytest

from custom_components.slack_webhook.const import (
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_SERVER,
    CONF_TEXT_VARIABLE,
    CONF_TITLE_VARIABLE,
    DOMAIN,
)
from custom_components.slack_webhook.slack_client import (
    TargetKind,
    kind_from_url,
    unsuitable_url,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_NAME, CONF_URL
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from tests.helpers.entries import SetupEntry
from tests.helpers.pending_sensor import pending_state
from tests.helpers.slack_server import Answer, SlackServer
from tests.helpers.targets_server import TARGETS, Target

ENTITY_ID = "notify.alerts"
BY_KIND = {target.kind: target for target in TARGETS}
WITH_FAILURE_200 = [t for t in TARGETS if t.failure_200 is not None]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://hooks.slack.com/services/T0/B0/abc", TargetKind.SLACK),
        ("https://hooks.slack.com/triggers/T0/123/abc", TargetKind.WORKFLOW),
        ("https://hooks.slack.com/workflows/T0/A0/123/abc", TargetKind.WORKFLOW),
        ("https://hooks.slack.com/other", TargetKind.SLACK),
        ("https://discord.com/api/webhooks/123/tok-en/slack", TargetKind.DISCORD),
        ("https://discord.com/api/v10/webhooks/123/tok/slack", TargetKind.DISCORD),
        ("https://chat.example.com/hooks/abc123", TargetKind.MATTERMOST),
        ("https://chat.example.com/hooks/abc/tok", TargetKind.ROCKET_CHAT),
        (
            "https://z.example.com/api/v1/external/slack_incoming?api_key=k",
            TargetKind.ZULIP,
        ),
        ("https://relay.example.com/notify", TargetKind.OTHER),
    ],
)
def test_kind_from_url(url: str, kind: TargetKind) -> None:
    """The URL's path (and Slack's host) tells the target kind."""
    assert kind_from_url(url) is kind


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://chat.googleapis.com/v1/spaces/AAA/messages?key=k", "google_chat"),
        (
            "https://acme.webhook.office.com/webhookb2/x/IncomingWebhook/y",
            "microsoft_teams",
        ),
        (
            "https://prod-1.westus.logic.azure.com:443/workflows/x/triggers",
            "microsoft_teams",
        ),
        ("https://outlook.office.com/webhook/x", "microsoft_teams"),
        ("https://discord.com/api/webhooks/123/token", "discord_native"),
        ("https://discordapp.com/api/webhooks/123/token/github", "discord_native"),
        ("https://discord.com/api/webhooks/123/token/slack", None),
        ("https://hooks.slack.com/services/T0/B0/x", None),
    ],
)
def test_unsuitable_url(url: str, error: str | None) -> None:
    """URLs that take no Slack messages are named; Slack-compatible ones pass."""
    assert unsuitable_url(url) == error


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://chat.googleapis.com/v1/spaces/AAA/messages?key=k", "google_chat"),
        ("https://acme.webhook.office.com/webhookb2/x", "microsoft_teams"),
        ("https://discord.com/api/webhooks/123/token", "discord_native"),
    ],
)
async def test_flow_refuses_unsuitable_url(
    hass: HomeAssistant, url: str, error: str
) -> None:
    """The form says what to use instead, before anything is sent."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Alerts", CONF_URL: url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: error}


async def add_through_flow(hass: HomeAssistant, url: str) -> Any:
    """Run the user step with url; return the result."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Alerts", CONF_URL: url}
    )


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.kind)
async def test_flow_detects_kind(
    hass: HomeAssistant, slack: SlackServer, target: Target
) -> None:
    """The probe's answer is judged as the target answers; the kind is stored and shown."""
    slack.answer(target.to_empty)
    result = await add_through_flow(hass, slack.origin + target.path)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["target"] == target.kind
    assert result["description"] == "target"
    entry = result["result"]
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert result["description_placeholders"]["target"].endswith(device.model.lower())


async def test_flow_trigger_is_not_started(
    hass: HomeAssistant, slack: SlackServer
) -> None:
    """A trigger is probed with a GET without a body: its workflow does not run."""
    target = BY_KIND["slack_workflow"]
    slack.answer(target.to_empty)
    result = await add_through_flow(hass, slack.origin + target.path)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    [probe] = slack.received
    assert (probe.method, probe.raw) == ("GET", b"")


@pytest.mark.parametrize(
    "answer",
    [Answer(status=407, body=""), Answer(status=503, body="")],
    ids=["proxy_auth", "server_error"],
)
async def test_flow_trigger_path_faults(
    hass: HomeAssistant, slack: SlackServer, answer: Answer
) -> None:
    """A trigger's GET still fails on a proxy's 407 or a server error."""
    slack.answer(answer)
    result = await add_through_flow(hass, slack.origin + BY_KIND["slack_workflow"].path)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"]


@pytest.mark.parametrize(
    "target",
    [t for t in TARGETS if t.kind != "slack_workflow"],
    ids=lambda t: t.kind,
)
async def test_flow_refuses_dead_hook(
    hass: HomeAssistant, slack: SlackServer, target: Target
) -> None:
    """Each target's own answer for an unknown hook refuses the URL."""
    slack.answer(target.dead)
    result = await add_through_flow(hass, slack.origin + target.path)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "webhook_rejected"}


@pytest.mark.parametrize(
    ("path", "answer", "kind"),
    [
        (
            "/hooks/abc/def",
            BY_KIND["mattermost"].to_empty,
            "mattermost",
        ),
        ("/relay/x", BY_KIND["rocket_chat"].to_empty, "rocket_chat"),
        ("/relay/x", BY_KIND["zulip"].to_empty, "zulip"),
        ("/relay/x", BY_KIND["discord"].to_empty, "discord"),
        ("/relay/x", Answer(body="ok"), "other"),
    ],
)
async def test_flow_ambiguous_kind_from_answer(
    hass: HomeAssistant, slack: SlackServer, path: str, answer: Answer, kind: str
) -> None:
    """Where the URL's shape is ambiguous, the probe's answer tells the kind."""
    slack.answer(answer)
    result = await add_through_flow(hass, slack.origin + path)
    assert result["data"]["target"] == kind


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any]
) -> ServiceResponse:
    """Call an action of the integration on the entry's notify entity."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        {ATTR_ENTITY_ID: ENTITY_ID, **data},
        blocking=True,
        return_response=True,
    )


def message_for(target: Target) -> dict[str, Any]:
    """Return send data the target takes."""
    if target.kind == "slack_workflow":
        return {"variables": {"text": "Door opened"}}
    return {"text": "Door opened"}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.kind)
async def test_send_success(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, target: Target
) -> None:
    """The target's success answer is delivered."""
    await setup_entry(url=slack.origin + target.path)
    slack.default = target.success
    response = await call(hass, "send", message_for(target))
    assert response[ENTITY_ID]["delivered"] is True


@pytest.mark.parametrize("target", WITH_FAILURE_200, ids=lambda t: t.kind)
async def test_send_200_with_failure(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, target: Target
) -> None:
    """A 2xx whose body says failure fails permanently, naming the target's message."""
    await setup_entry(url=slack.origin + target.path, **{CONF_RETRIES_SERVER: 3})
    assert target.failure_200 is not None
    slack.default = target.failure_200
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "send", message_for(target))
    assert err.value.translation_key == "answer_failed"
    placeholders = err.value.translation_placeholders or {}
    assert placeholders["error"] in target.failure_200.body
    assert len(slack.received) == 1
    assert await pending_state(hass) == "0"


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.kind)
async def test_retry_and_outbox_unchanged(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, target: Target
) -> None:
    """Server errors are retried, and unreachable hooks queue, for every kind."""
    await setup_entry(
        url=slack.origin + target.path,
        **{CONF_RETRIES_SERVER: 1, CONF_RETRIES_CONNECTION: 0},
    )
    slack.answer(Answer(status=503, body=""), target.success)
    response = await call(hass, "send", message_for(target))
    assert response[ENTITY_ID]["delivered"] is True
    assert len(slack.received) == 2
    slack.answer(Answer(reset=True))
    response = await call(hass, "send", message_for(target))
    assert response[ENTITY_ID]["delivered"] is False
    assert await pending_state(hass) == "1"


async def test_target_message_keeps_secret_out(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A target's message quoting the URL's secret is shown without it."""
    target = BY_KIND["rocket_chat"]
    secret = target.path.rsplit("/", 1)[-1]
    await setup_entry(url=slack.origin + target.path)
    slack.default = Answer(
        status=200, body=f'{{"success": false, "error": "bad token {secret}"}}'
    )
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "send", {"text": "x"})
    assert secret not in str(err.value.translation_placeholders)


async def trigger_entry(
    setup_entry: SetupEntry, slack: SlackServer, **options: Any
) -> None:
    """Set up an entry for a Workflow Builder trigger on the local server."""
    await setup_entry(url=slack.origin + BY_KIND["slack_workflow"].path, **options)
    slack.default = BY_KIND["slack_workflow"].success


async def test_trigger_variables_stringified(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Variables go as the body; numbers and booleans become strings; no defaults."""
    await trigger_entry(setup_entry, slack, unfurl_links=False)
    await call(
        hass,
        "send",
        {"variables": {"door": "Front", "count": 3, "ratio": 0.5, "is-open": True}},
    )
    assert slack.bodies == [
        {"door": "Front", "count": "3", "ratio": "0.5", "is-open": "true"}
    ]


async def test_trigger_variables_json_string(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Variables may be a JSON string, as a template renders them."""
    await trigger_entry(setup_entry, slack)
    await call(hass, "send", {"variables": '{"door": "Back"}'})
    assert slack.bodies == [{"door": "Back"}]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"variables": {"door": {"name": "x"}}}, "invalid_variable_value"),
        ({"variables": {"door": ["x"]}}, "invalid_variable_value"),
        ({"variables": {"door": None}}, "invalid_variable_value"),
        ({"variables": {"door.state": "x"}}, "invalid_variable_name"),
        ({"variables": {"x" * 101: "x"}}, "invalid_variable_name"),
        ({"variables": {"the door": "x"}}, "invalid_variable_name"),
        ({"variables": {}}, "no_variables"),
        ({"variables": "[1]"}, "no_variables"),
        ({"text": "x"}, "trigger_fields"),
        ({"variables": {"a": "b"}, "blocks": [{"type": "divider"}]}, "trigger_fields"),
    ],
)
async def test_trigger_refusals(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Nested values, bad names and fields a trigger cannot use are refused unsent."""
    await trigger_entry(setup_entry, slack)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "send", data)
    assert err.value.translation_key == key
    assert slack.received == []


async def test_trigger_refuses_respond(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A trigger has no response_url to answer."""
    await trigger_entry(setup_entry, slack)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "respond",
            {"response_url": slack.origin + "/actions/x", "text": "x"},
        )
    assert err.value.translation_key == "trigger_fields"


async def test_variables_need_trigger(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Variables on an incoming webhook are refused."""
    await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "send", {"text": "x", "variables": {"a": "b"}})
    assert err.value.translation_key == "variables_need_trigger"
    assert slack.received == []


@pytest.mark.parametrize(
    ("options", "title", "expected"),
    [
        ({}, None, {"text": "Door opened"}),
        ({}, "Garage", {"text": "Door opened", "title": "Garage"}),
        (
            {CONF_TEXT_VARIABLE: "body", CONF_TITLE_VARIABLE: "subject"},
            "Garage",
            {"body": "Door opened", "subject": "Garage"},
        ),
    ],
)
async def test_notify_maps_to_trigger_variables(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    options: dict[str, str],
    title: str | None,
    expected: dict[str, str],
) -> None:
    """notify.send_message fills the variables the options name."""
    await trigger_entry(setup_entry, slack, **options)
    data = {"message": "Door opened"} | ({"title": title} if title else {})
    await hass.services.async_call(
        "notify",
        "send_message",
        {ATTR_ENTITY_ID: ENTITY_ID, **data},
        blocking=True,
    )
    assert slack.bodies == [expected]


async def test_trigger_options_variable_names(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Trigger entries get the variable names in their options; bad names are refused."""
    entry = await setup_entry(url=slack.origin + BY_KIND["slack_workflow"].path)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_TEXT_VARIABLE in result["data_schema"].schema
    form = {
        CONF_TEXT_VARIABLE: "bad name",
        CONF_TITLE_VARIABLE: "title",
        "retries": {},
        "delivery": {},
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["errors"] == {CONF_TEXT_VARIABLE: "invalid_variable_name"}
    form[CONF_TEXT_VARIABLE] = "1st-body"
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TEXT_VARIABLE] == "1st-body"


async def test_slack_options_have_no_variables(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    """Only trigger entries show the variable names."""
    entry = await setup_entry()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_TEXT_VARIABLE not in result["data_schema"].schema


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "actions", "elements": []}],
        [{"type": "markdown", "text": "**hi**"}],
        [{"type": "rich_text", "elements": []}],
    ],
)
async def test_zulip_refuses_blocks_it_does_not_show(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    blocks: list[dict[str, Any]],
) -> None:
    """Zulip shows only some block types; others are refused, not lost."""
    await setup_entry(url=slack.origin + BY_KIND["zulip"].path)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "send", {"text": "x", "blocks": blocks})
    assert err.value.translation_key == "block_not_shown"
    with pytest.raises(ServiceValidationError):
        await call(hass, "send", {"text": "x", "attachments": [{"blocks": blocks}]})
    assert slack.received == []


async def test_zulip_takes_blocks_it_shows(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Section, header, divider, image and context blocks reach Zulip."""
    await setup_entry(url=slack.origin + BY_KIND["zulip"].path)
    slack.default = BY_KIND["zulip"].success
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Door"}},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*open*"}},
    ]
    response = await call(hass, "send", {"text": "x", "blocks": blocks})
    assert response[ENTITY_ID]["delivered"] is True


async def test_slack_markdown_block_limit(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Slack's markdown block is accepted up to 12,000 characters in all."""
    await setup_entry()
    ok = [{"type": "markdown", "text": "a" * 6000}] * 2
    await call(hass, "send", {"text": "x", "blocks": ok})
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "send",
            {"text": "x", "blocks": [*ok, {"type": "markdown", "text": "a"}]},
        )
    assert err.value.translation_key == "markdown_too_long"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "send", {"text": "x", "blocks": [{"type": "markdown"}]})
    assert err.value.translation_key == "invalid_block"
    assert len(slack.received) == 1
