"""The blueprint "Ask on Slack and act on the answer", end to end in one process.

A trigger posts the question with buttons to the Slack-like server; a signed
click posted to the Request URL runs the button's actions through the event
entity and replaces the message through its response_url.
"""

from pathlib import Path
from typing import Any

import pytest

from custom_components.slack_webhook.const import CONF_SIGNING_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from tests.helpers.blueprints import set_up_automation, valid_blueprint
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_requests import (
    SIGNING_SECRET,
    WEBHOOK_ID,
    block_actions,
    button,
    form,
    signed_headers,
)
from tests.helpers.slack_server import SlackServer

BLUEPRINT = "ask_and_act.yaml"
AUTOMATION = "automation.garage_question"


def test_blueprint_is_valid() -> None:
    """The blueprint passes Home Assistant's schema; its pickers offer only ours."""
    inputs = valid_blueprint(BLUEPRINT).inputs
    assert inputs["webhook"]["selector"]["entity"]["filter"] == [
        {"integration": "slack_webhook", "domain": ["notify"]}
    ]
    assert inputs["interaction"]["selector"]["entity"]["filter"] == [
        {"integration": "slack_webhook", "domain": ["event"]}
    ]


@pytest.fixture
async def automation(
    hass: HomeAssistant, setup_entry: SetupEntry, tmp_path: Path
) -> None:
    """Set up an interactive entry and an automation from the blueprint."""
    await setup_entry(
        **{CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID}
    )
    await set_up_automation(
        hass,
        tmp_path,
        BLUEPRINT,
        {
            "webhook": "notify.alerts",
            "interaction": "event.alerts_slack_interaction",
            "ask_when": [{"trigger": "event", "event_type": "ask_now"}],
            "choice_1": "Close it",
            "choice_1_actions": [{"event": "chose_close"}],
            "choice_2": "Leave it",
            "choice_2_actions": [{"event": "chose_leave"}],
        },
        alias="Garage question",
    )


async def click(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    action: dict[str, Any],
    response_url: str,
) -> None:
    """Post a signed click on a button to the Request URL."""
    client = await hass_client_no_auth()
    body = form(block_actions(action, response_url=response_url))
    response = await client.post(
        f"/api/webhook/{WEBHOOK_ID}", data=body, headers=signed_headers(body)
    )
    assert response.status == 200
    await hass.async_block_till_done()


@pytest.mark.usefixtures("automation")
async def test_ask_act_and_answer(
    hass: HomeAssistant,
    slack: SlackServer,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The question has a button per choice; a click runs its actions and answers."""
    hass.bus.async_fire("ask_now")
    await hass.async_block_till_done()

    [question] = slack.bodies
    assert question["text"] == "The garage door is open. Close it?"
    section, actions = question["blocks"]
    assert section["text"]["text"] == question["text"]
    assert [
        (element["action_id"], element["text"]["text"], element["value"])
        for element in actions["elements"]
    ] == [
        (f"{AUTOMATION}:1", "Close it", "Close it"),
        (f"{AUTOMATION}:2", "Leave it", "Leave it"),
    ]

    closed = async_capture_events(hass, "chose_close")
    left = async_capture_events(hass, "chose_leave")
    clicked = actions["elements"][1]
    await click(
        hass,
        hass_client_no_auth,
        button(clicked["action_id"], clicked["value"]),
        f"{slack.origin}/actions/T0001/1/answer",
    )

    assert (len(closed), len(left)) == (0, 1)
    answer = slack.received[-1]
    assert answer.path == "/actions/T0001/1/answer"
    assert answer.json == {
        "text": "The garage door is open. Close it?\n"
        ":white_check_mark: *Leave it*, chosen by alice.",
        "replace_original": True,
    }


@pytest.mark.usefixtures("automation")
async def test_other_buttons_ignored(
    hass: HomeAssistant,
    slack: SlackServer,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A click on another message's button runs nothing and answers nothing."""
    closed = async_capture_events(hass, "chose_close")
    await click(
        hass,
        hass_client_no_auth,
        button("automation.other:1", "Close it"),
        f"{slack.origin}/actions/T0001/1/other",
    )
    assert closed == []
    assert slack.received == []
