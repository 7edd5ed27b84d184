"""The options' Assist fields: off by default, and on only with valid Slack ids, a user and an agent."""

from typing import Any

import pytest

from custom_components.slack_webhook.assist_access import (
    AssistSettings,
    acting_user_error,
)
from custom_components.slack_webhook.const import (
    CONF_ASSIST,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_COMMAND,
    CONF_ASSIST_IN_CHANNEL,
    CONF_ASSIST_LANGUAGE,
    CONF_ASSIST_SLACK_USERS,
    CONF_ASSIST_TEAM,
    CONF_ASSIST_USER,
    CONF_SIGNING_SECRET,
    CONF_WEBHOOK_ID,
)
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.auth.models import User
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_requests import SIGNING_SECRET, WEBHOOK_ID

MASK = "********"
"""What the form shows, and gets back, for the stored signing secret."""
INTERACTIVE = {CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID}


@pytest.fixture
async def slack_user(hass: HomeAssistant, hass_owner_user: User) -> User:
    """Return a non-administrator user (the owner came first)."""
    return await hass.auth.async_create_user("Slack", group_ids=[GROUP_ID_USER])


@pytest.fixture
async def conversation(hass: HomeAssistant) -> None:
    """Set up the conversation integration with Home Assistant's agent."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})


async def submit(
    hass: HomeAssistant, entry: MockConfigEntry, **interactivity: Any
) -> FlowResult:
    """Open the options form, submit the interactivity section and wait for the reload."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"retries": {}, "delivery": {}, "interactivity": interactivity},
    )
    await hass.async_block_till_done()
    return result


@pytest.mark.usefixtures("conversation")
async def test_enable(
    hass: HomeAssistant, setup_entry: SetupEntry, slack_user: User
) -> None:
    """Valid fields are stored, trimmed; the defaults (agent, command) are not."""
    entry = await setup_entry(**INTERACTIVE)

    result = await submit(
        hass,
        entry,
        signing_secret=MASK,
        assist=True,
        assist_command=" /home ",
        assist_agent="conversation.home_assistant",
        assist_slack_users=[" U0ALICE", "W0BOB", ""],
        assist_team="T0001",
        assist_user=slack_user.id,
        assist_language="de",
        assist_in_channel=True,
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: value for key, value in entry.options.items() if "assist" in key} == {
        CONF_ASSIST: True,
        CONF_ASSIST_SLACK_USERS: ["U0ALICE", "W0BOB"],
        CONF_ASSIST_TEAM: "T0001",
        CONF_ASSIST_USER: slack_user.id,
        CONF_ASSIST_LANGUAGE: "de",
        CONF_ASSIST_IN_CHANNEL: True,
    }
    assert AssistSettings.from_options(entry.options) == AssistSettings(
        enabled=True,
        slack_users=frozenset({"U0ALICE", "W0BOB"}),
        team="T0001",
        user_id=slack_user.id,
        language="de",
        in_channel=True,
    )


async def test_off_by_default(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    """An untouched form stores no Assist option: the feature stays off."""
    entry = await setup_entry(**INTERACTIVE)
    await submit(hass, entry, signing_secret=MASK)
    assert not any("assist" in key for key in entry.options)
    assert not AssistSettings.from_options(entry.options).enabled


@pytest.mark.usefixtures("conversation")
async def test_turned_off_keeps_the_allowed_users(
    hass: HomeAssistant, setup_entry: SetupEntry, slack_user: User
) -> None:
    """Assist turned off is not checked, and its list of users stays for next time."""
    entry = await setup_entry(
        **INTERACTIVE,
        **{CONF_ASSIST: True, CONF_ASSIST_USER: slack_user.id},
    )
    result = await submit(
        hass, entry, signing_secret=MASK, assist_slack_users=["U0ALICE"]
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_ASSIST_SLACK_USERS] == ["U0ALICE"]
    assert CONF_ASSIST not in entry.options


@pytest.mark.usefixtures("conversation")
@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {CONF_ASSIST_SLACK_USERS: ["alice"]},
            {CONF_ASSIST_SLACK_USERS: "invalid_slack_user"},
        ),
        (
            {CONF_ASSIST_SLACK_USERS: ["u0alice"]},
            {CONF_ASSIST_SLACK_USERS: "invalid_slack_user"},
        ),
        ({CONF_ASSIST_TEAM: "acme"}, {CONF_ASSIST_TEAM: "invalid_slack_team"}),
        ({CONF_ASSIST_COMMAND: "home"}, {CONF_ASSIST_COMMAND: "invalid_slash_command"}),
        (
            {CONF_ASSIST_COMMAND: "/turn on"},
            {CONF_ASSIST_COMMAND: "invalid_slash_command"},
        ),
        ({CONF_ASSIST_USER: None}, {CONF_ASSIST_USER: "assist_user_required"}),
        ({CONF_ASSIST_USER: "owner"}, {CONF_ASSIST_USER: "assist_user_admin"}),
        (
            {CONF_ASSIST_AGENT: "conversation.missing"},
            {CONF_ASSIST_AGENT: "assist_agent_unknown"},
        ),
        ({CONF_SIGNING_SECRET: ""}, {"base": "assist_needs_secret"}),
    ],
    ids=[
        "user_id",
        "lowercase_user_id",
        "team_id",
        "command_without_slash",
        "command_with_space",
        "no_user",
        "administrator",
        "agent",
        "no_secret",
    ],
)
async def test_invalid(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    slack_user: User,
    hass_owner_user: User,
    fields: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each invalid field is refused with its error; nothing is stored."""
    entry = await setup_entry(**INTERACTIVE)
    stored = dict(entry.options)
    users = {"owner": hass_owner_user.id, None: None}
    submitted: dict[str, Any] = {
        CONF_SIGNING_SECRET: MASK,
        CONF_ASSIST: True,
        CONF_ASSIST_SLACK_USERS: ["U0ALICE"],
        CONF_ASSIST_USER: slack_user.id,
    } | fields
    if CONF_ASSIST_USER in fields:
        submitted[CONF_ASSIST_USER] = users[fields[CONF_ASSIST_USER]]
    submitted = {key: value for key, value in submitted.items() if value is not None}

    result = await submit(hass, entry, **submitted)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert entry.options == stored


async def test_conversation_not_loaded(
    hass: HomeAssistant, setup_entry: SetupEntry, slack_user: User
) -> None:
    """Without the conversation integration no agent can be chosen."""
    entry = await setup_entry(**INTERACTIVE)
    result = await submit(
        hass,
        entry,
        signing_secret=MASK,
        assist=True,
        assist_user=slack_user.id,
    )
    assert result["errors"] == {CONF_ASSIST_AGENT: "assist_agent_unknown"}


async def test_offered_users(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    slack_user: User,
    hass_owner_user: User,
) -> None:
    """The form offers active users made by people, by name; not system users or inactive ones."""
    inactive = await hass.auth.async_create_user("Away", group_ids=[GROUP_ID_USER])
    await hass.auth.async_deactivate_user(inactive)
    await hass.auth.async_create_system_user("Robot")
    entry = await setup_entry(**INTERACTIVE)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    section = result["data_schema"].schema["interactivity"].schema.schema
    [selector] = [value for key, value in section.items() if key == CONF_ASSIST_USER]
    assert selector.config["options"] == sorted(
        [
            {"value": hass_owner_user.id, "label": hass_owner_user.name},
            {"value": slack_user.id, "label": "Slack"},
        ],
        key=lambda choice: choice["label"].casefold(),
    )


async def test_acting_user_that_went_away(
    hass: HomeAssistant, slack_user: User
) -> None:
    """A user deactivated or deleted while the form was open is refused."""
    users = await hass.auth.async_get_users()
    await hass.auth.async_deactivate_user(slack_user)
    assert acting_user_error(slack_user.id, users) == "assist_user_unknown"
    assert acting_user_error("gone", users) == "assist_user_unknown"
