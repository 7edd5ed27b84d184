"""Slash commands answered by Assist, through the Request URL and the response_url.

Home Assistant's own agent turns a real input_boolean on and off; a recording
agent (registered through the conversation component's API) shows what an
agent receives and stands in for slow and failing ones. Answers reach the
local Slack-like server at the command's response_url.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import logging
from typing import Any

from aiohttp import ClientResponse
import pytest

from custom_components.slack_webhook import assist
from custom_components.slack_webhook.assist import MAX_WAITING, cut, escape
from custom_components.slack_webhook.const import (
    CONF_ASSIST,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_IN_CHANNEL,
    CONF_ASSIST_SLACK_USERS,
    CONF_ASSIST_TEAM,
    CONF_ASSIST_USER,
    CONF_SIGNING_SECRET,
    CONF_WEBHOOK_ID,
    EVENT_INTERACTION,
)
from custom_components.slack_webhook.payload import MAX_TEXT
from homeassistant.auth.const import GROUP_ID_ADMIN, GROUP_ID_USER
from homeassistant.auth.models import User
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.const import MATCH_ALL, STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from homeassistant.util.ulid import ulid_now
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_requests import (
    SIGNING_SECRET,
    USER,
    WEBHOOK_ID,
    signed_headers,
    slash_command,
)
from tests.helpers.slack_server import Answer as SlackAnswer, SlackServer
from tests.helpers.waiting import until

PATH = f"/api/webhook/{WEBHOOK_ID}"
KITCHEN = "input_boolean.kitchen"
REFUSAL = (
    "You are not allowed to use Home Assistant from Slack. "
    "Ask its administrator to add your Slack member id."
)
FAILED = "Sorry, Home Assistant could not answer that."

type Answer = Callable[[conversation.ConversationInput], Awaitable[str]]
type Command = Callable[..., Awaitable[ClientResponse]]


class RecordingAgent(conversation.AbstractConversationAgent):
    """An agent that records its inputs and answers what `answer` returns."""

    def __init__(self, answer: Answer) -> None:
        """Answer with `answer`."""
        self.inputs: list[conversation.ConversationInput] = []
        self.answer = answer

    @property
    def supported_languages(self) -> str:
        """Understand every language."""
        return MATCH_ALL

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Record the input; answer it, keeping or starting a conversation."""
        self.inputs.append(user_input)
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(await self.answer(user_input))
        return conversation.ConversationResult(
            response=response,
            conversation_id=user_input.conversation_id or ulid_now(),
        )


async def echo(user_input: conversation.ConversationInput) -> str:
    """Answer with the text heard."""
    return f"Heard: {user_input.text}"


@pytest.fixture
async def home(hass: HomeAssistant) -> None:
    """Set up Assist with Home Assistant's agent and an exposed input_boolean "Kitchen"."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"kitchen": {"name": "Kitchen"}}}
    )
    async_expose_entity(hass, conversation.DOMAIN, KITCHEN, True)


@pytest.fixture
async def slack_user(hass: HomeAssistant, hass_owner_user: User) -> User:
    """Return the non-administrator user Assist acts as (the owner came first)."""
    return await hass.auth.async_create_user("Slack", group_ids=[GROUP_ID_USER])


@pytest.fixture
def agent(hass: HomeAssistant, home: None) -> RecordingAgent:
    """Register a recording agent that echoes; its id is its config entry's."""
    agent = RecordingAgent(echo)
    entry = MockConfigEntry(domain="test", title="Recorder", entry_id="recorder")
    entry.add_to_hass(hass)
    conversation.async_set_agent(hass, entry, agent)
    return agent


@pytest.fixture
def assist_entry(
    setup_entry: SetupEntry, slack_user: User
) -> Callable[..., Awaitable[MockConfigEntry]]:
    """Return a function that sets up an interactive entry with Assist on for alice."""

    async def _setup(**options: Any) -> MockConfigEntry:
        return await setup_entry(
            **{
                CONF_SIGNING_SECRET: SIGNING_SECRET,
                CONF_WEBHOOK_ID: WEBHOOK_ID,
                CONF_ASSIST: True,
                CONF_ASSIST_SLACK_USERS: [USER["id"]],
                CONF_ASSIST_USER: slack_user.id,
                **options,
            }
        )

    return _setup


@pytest.fixture
async def command(
    hass_client_no_auth: ClientSessionGenerator, slack: SlackServer
) -> Command:
    """Return a function that posts a signed /home command answered at the local server.

    The client starts Home Assistant's HTTP server at the first command, after
    the entry registered its webhook.
    """
    clients = []

    async def _command(text: str, **fields: Any) -> ClientResponse:
        if not clients:
            clients.append(await hass_client_no_auth())
        fields.setdefault("response_url", f"{slack.origin}/commands/T0001/1/x")
        body = slash_command("/home", text, **fields)
        return await clients[0].post(PATH, data=body, headers=signed_headers(body))

    return _command


@pytest.fixture
def fired(hass: HomeAssistant) -> list[Event]:
    """Capture the slack_webhook_interaction bus events."""
    return async_capture_events(hass, EVENT_INTERACTION)


async def answers(slack: SlackServer, count: int) -> list[dict[str, Any]]:
    """Wait for `count` answers at the server; return their bodies."""
    await until(lambda: len(slack.received) >= count)
    return slack.bodies


@pytest.mark.usefixtures("home")
async def test_allowed_user_turns_on_a_light(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    slack_user: User,
    fired: list[Event],
) -> None:
    """An allowed user's command reaches Home Assistant's agent, which acts as the chosen user."""
    await assist_entry()
    assert hass.states.get(KITCHEN).state == STATE_OFF

    response = await command("turn on the kitchen")
    assert response.status == 200
    assert await response.read() == b""

    [answer] = await answers(slack, 1)
    assert answer == {"text": "Turned on the switch", "response_type": "ephemeral"}
    state = hass.states.get(KITCHEN)
    assert state.state == STATE_ON
    assert state.context.user_id == slack_user.id
    [event] = fired
    assert event.data["assist"] == "answered"
    assert event.data["text"] == "turn on the kitchen"


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(
    ("options", "fields"),
    [
        ({}, {"user_id": "U0MALLORY"}),
        ({CONF_ASSIST_SLACK_USERS: []}, {}),
        ({CONF_ASSIST_TEAM: "T0OTHER"}, {}),
    ],
    ids=["not_listed", "nobody_listed", "other_workspace"],
)
async def test_refused_user_changes_nothing(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    fired: list[Event],
    caplog: pytest.LogCaptureFixture,
    options: dict[str, Any],
    fields: dict[str, Any],
) -> None:
    """A user not allowed gets the refusal, ephemeral; nothing is turned on, the text is not logged."""
    await assist_entry(**options)

    assert (await command("turn on the kitchen", **fields)).status == 200

    assert await answers(slack, 1) == [{"text": REFUSAL, "response_type": "ephemeral"}]
    assert hass.states.get(KITCHEN).state == STATE_OFF
    assert [event.data["assist"] for event in fired] == ["refused"]
    assert "Refused /home from Slack user" in caplog.text
    assert "kitchen" not in caplog.text


async def test_follow_up_continues_the_conversation(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
    slack_user: User,
) -> None:
    """A follow-up of the same user in the same channel keeps the conversation id; another channel does not."""
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})

    await command("turn on the kitchen light")
    await answers(slack, 1)
    await command("and the bedroom?")
    await answers(slack, 2)
    await command("and the hall?", channel_id="C0OTHER")

    assert [answer["text"] for answer in await answers(slack, 3)] == [
        "Heard: turn on the kitchen light",
        "Heard: and the bedroom?",
        "Heard: and the hall?",
    ]
    first, follow_up, elsewhere = agent.inputs
    assert first.conversation_id is None
    assert follow_up.conversation_id is not None
    assert elsewhere.conversation_id is None
    assert {i.context.user_id for i in agent.inputs} == {slack_user.id}
    assert {i.language for i in agent.inputs} == {hass.config.language}


async def test_conversation_forgotten_after_a_pause(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After Home Assistant's conversation timeout (none here) a command starts a new conversation."""
    monkeypatch.setattr(assist, "CONVERSATION_TIMEOUT", timedelta(0))
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})

    await command("turn on the kitchen light")
    await answers(slack, 1)
    await command("and the bedroom?")
    await answers(slack, 2)

    assert [i.conversation_id for i in agent.inputs] == [None, None]


async def test_unsigned_and_replayed_commands_reach_no_agent(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    hass_client_no_auth: ClientSessionGenerator,
    slack: SlackServer,
    agent: RecordingAgent,
) -> None:
    """Only the first of a signed command and its replay reaches the agent; unsigned ones none."""
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})
    client = await hass_client_no_auth()
    body = slash_command("/home", "open the garage", response_url=slack.url)
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    headers = signed_headers(body)

    assert (await client.post(PATH, data=body, headers=unsigned)).status == 401
    assert (await client.post(PATH, data=body, headers=headers)).status == 200
    assert (await client.post(PATH, data=body, headers=headers)).status == 401
    await answers(slack, 1)
    await hass.async_block_till_done()

    assert [i.text for i in agent.inputs] == ["open the garage"]
    assert len(slack.received) == 1


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (RuntimeError("Traceback: secret internals"), FAILED),
        (HomeAssistantError("The garage is offline"), "The garage is offline"),
    ],
    ids=["crash", "home_assistant_error"],
)
async def test_failing_agent_yields_a_short_answer(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
    error: Exception,
    text: str,
) -> None:
    """An agent's failure reaches the user as a short message; the next command is answered."""

    async def fail(user_input: conversation.ConversationInput) -> str:
        if user_input.text == "fail":
            raise error
        return "fine"

    agent.answer = fail
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})

    await command("fail")
    await answers(slack, 1)
    await command("again")

    assert await answers(slack, 2) == [
        {"text": text, "response_type": "ephemeral"},
        {"text": "fine", "response_type": "ephemeral"},
    ]


async def test_slow_agent_times_out(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An agent that does not answer in time gets the user a short message."""
    monkeypatch.setattr(assist, "AGENT_TIMEOUT", 0.05)

    async def hang(user_input: conversation.ConversationInput) -> str:
        await asyncio.sleep(3600)
        return "never"

    agent.answer = hang
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})

    await command("wait")

    assert await answers(slack, 1) == [
        {
            "text": "Sorry, Home Assistant took too long to answer that.",
            "response_type": "ephemeral",
        }
    ]


async def test_commands_of_a_busy_user_are_queued(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
) -> None:
    """Commands that come while the agent answers the same user wait their turn, none lost."""
    release = asyncio.Event()
    busy: list[int] = [0]
    most: list[int] = [0]

    async def slow(user_input: conversation.ConversationInput) -> str:
        busy[0] += 1
        most[0] = max(most[0], busy[0])
        await release.wait()
        busy[0] -= 1
        return user_input.text

    agent.answer = slow
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})

    for text in ("one", "two", "three"):
        assert (await command(text)).status == 200
    await until(lambda: len(agent.inputs) == 1)
    release.set()

    assert [a["text"] for a in await answers(slack, 3)] == ["one", "two", "three"]
    assert most == [1]


@pytest.mark.usefixtures("home")
async def test_a_user_with_too_many_waiting_gets_busy(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
) -> None:
    """Past MAX_WAITING commands of one user, the next is answered busy, not kept."""
    release = asyncio.Event()

    async def slow(user_input: conversation.ConversationInput) -> str:
        await release.wait()
        return user_input.text

    agent.answer = slow
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})
    for number in range(MAX_WAITING + 1):
        assert (await command(str(number))).status == 200
    await until(lambda: len(agent.inputs) == 1)

    busy = await answers(slack, 1)
    assert busy[0]["text"].startswith("Home Assistant is still answering")
    release.set()
    texts = [a["text"] for a in await answers(slack, MAX_WAITING + 1)]
    assert texts[1:] == [str(number) for number in range(MAX_WAITING)]


async def test_answers_are_escaped_cut_and_can_go_to_the_channel(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
) -> None:
    """Speech mentions nobody (escaped), a long one is cut with a note, in_channel if chosen."""

    async def speak(user_input: conversation.ConversationInput) -> str:
        if user_input.text == "long":
            return "x" * (MAX_TEXT + 10)
        return "<!channel> Tom & Jerry"

    agent.answer = speak
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder", CONF_ASSIST_IN_CHANNEL: True})

    await command("mention")
    await answers(slack, 1)
    await command("long")

    short, long = await answers(slack, 2)
    assert short == {
        "text": "&lt;!channel&gt; Tom &amp; Jerry",
        "response_type": "in_channel",
    }
    note = "\n\n(The answer was cut: it is longer than Slack shows.)"
    assert long["text"].endswith(note)
    assert len(long["text"]) == MAX_TEXT
    assert set(long["text"].removesuffix(note)) == {"x"}


def test_cut_never_splits_an_escape() -> None:
    """Text cut inside &amp; ends before it."""
    text = escape("ab&c")
    assert text == "ab&amp;c"
    assert [cut(text, limit) for limit in range(2, 9)] == [
        "ab",
        "ab",
        "ab",
        "ab",
        "ab",
        "ab&amp;",
        "ab&amp;c",
    ]


async def test_empty_command_gets_usage_without_the_agent(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
) -> None:
    """A command without text is answered with how to use it."""
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})

    await command("  ")

    [answer] = await answers(slack, 1)
    assert answer["text"].startswith("Type what Home Assistant should do")
    assert agent.inputs == []


@pytest.mark.parametrize(
    "problem", ["admin", "deleted", "no_user", "missing_agent", "no_conversation"]
)
async def test_unavailable_without_a_user_to_act_as_or_an_agent(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    slack_user: User,
    caplog: pytest.LogCaptureFixture,
    problem: str,
) -> None:
    """An acting user made administrator or deleted, or no agent: a short message, nothing done."""
    if problem != "no_conversation":
        assert await async_setup_component(hass, "homeassistant", {})
        assert await async_setup_component(hass, "conversation", {})
    await assist_entry(
        **{
            CONF_ASSIST_USER: None if problem == "no_user" else slack_user.id,
            CONF_ASSIST_AGENT: "conversation.missing"
            if problem == "missing_agent"
            else conversation.HOME_ASSISTANT_AGENT,
        }
    )
    if problem == "admin":
        await hass.auth.async_update_user(slack_user, group_ids=[GROUP_ID_ADMIN])
    elif problem == "deleted":
        await hass.auth.async_remove_user(slack_user)

    with caplog.at_level(logging.WARNING):
        await command("turn on the kitchen")
        [answer] = await answers(slack, 1)

    assert answer["text"].startswith("Home Assistant cannot answer commands from Slack")
    assert "are not answered" in caplog.text


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize(
    ("options", "command_name", "response_url"),
    [
        ({CONF_ASSIST: False}, "/home", None),
        ({}, "/garage", None),
        ({}, "/home", "https://elsewhere.example/commands/T0001/1/x"),
    ],
    ids=["assist_off", "other_command", "foreign_response_url"],
)
async def test_other_commands_only_fire_the_event(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    hass_client_no_auth: ClientSessionGenerator,
    slack: SlackServer,
    fired: list[Event],
    options: dict[str, Any],
    command_name: str,
    response_url: str | None,
) -> None:
    """Assist off, another command or a response_url off the webhook's origin: the event alone."""
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder", **options})
    client = await hass_client_no_auth()
    body = slash_command(
        command_name, "open it", response_url=response_url or slack.url
    )

    assert (
        await client.post(PATH, data=body, headers=signed_headers(body))
    ).status == 200
    await hass.async_block_till_done()

    assert [event.data["assist"] for event in fired] == [None]
    assert slack.received == []


async def test_answer_refused_by_slack_is_logged(
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    agent: RecordingAgent,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answer Slack refuses is reported in the log; the next one still goes."""
    await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})
    slack.answer(SlackAnswer(status=400, body="invalid_payload"))

    await command("first")
    await answers(slack, 1)
    await command("second")

    assert [a["text"] for a in await answers(slack, 2)] == [
        "Heard: first",
        "Heard: second",
    ]
    assert "An answer to a Slack command was not posted" in caplog.text


@pytest.mark.usefixtures("agent")
@pytest.mark.parametrize("case", ["no_response_url", "workflow_entry"])
async def test_no_answer_without_a_response_url_or_to_a_workflow(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    hass_client_no_auth: ClientSessionGenerator,
    slack: SlackServer,
    fired: list[Event],
    case: str,
) -> None:
    """A command without a response_url is not answered, nor one to a Workflow Builder entry."""
    response_url = f"{slack.origin}/commands/T0001/1/x"
    if case == "workflow_entry":
        await assist_entry(
            url=f"{slack.origin}/triggers/T0001/1/x", **{CONF_ASSIST_AGENT: "recorder"}
        )
    else:
        await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})
        response_url = ""
    client = await hass_client_no_auth()
    body = slash_command("/home", "open it", response_url=response_url)

    response = await client.post(PATH, data=body, headers=signed_headers(body))
    assert response.status == 200
    await hass.async_block_till_done()

    assert [event.data["assist"] for event in fired] == [None]
    assert slack.received == []


@pytest.mark.usefixtures("home")
async def test_a_flood_of_refused_commands_queues_one_refusal(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    command: Command,
    slack: SlackServer,
    fired: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While a user's refusal is on its way, the user's next commands get none: the queue stays the house's."""
    entry = await assist_entry()
    release = asyncio.Event()

    async def held(request: Any) -> SlackAnswer:
        await release.wait()
        return SlackAnswer()

    slack.handler = held
    await command("turn on the kitchen", user_id="U0MALLORY")
    await until(lambda: len(slack.received) == 1)
    for number in range(5):
        assert (await command(str(number), user_id="U0MALLORY")).status == 200
    await until(lambda: len(fired) == 6)
    await hass.async_block_till_done()

    pending = entry.runtime_data.delivery.statistics()["pending"]
    release.set()
    assert [event.data["assist"] for event in fired] == ["refused"] * 6
    assert pending == 1
    assert caplog.text.count("from Slack user U0MALLORY") == 1  # nor floods the log
    await until(lambda: entry.runtime_data.delivery.statistics()["pending"] == 0)
    assert (await command("once more", user_id="U0MALLORY")).status == 200
    assert [a["text"] for a in await answers(slack, 2)] == [REFUSAL] * 2


async def test_a_command_replayed_after_a_reload_reaches_no_agent(
    hass: HomeAssistant,
    assist_entry: Callable[..., Awaitable[MockConfigEntry]],
    hass_client_no_auth: ClientSessionGenerator,
    slack: SlackServer,
    agent: RecordingAgent,
) -> None:
    """The signatures accepted before a reload (an options change) are still refused after it."""
    entry = await assist_entry(**{CONF_ASSIST_AGENT: "recorder"})
    client = await hass_client_no_auth()
    body = slash_command("/home", "open the garage", response_url=slack.url)
    headers = signed_headers(body)
    assert (await client.post(PATH, data=body, headers=headers)).status == 200
    await answers(slack, 1)

    assert await hass.config_entries.async_reload(entry.entry_id)
    assert (await client.post(PATH, data=body, headers=headers)).status == 401
    await hass.async_block_till_done()

    assert [i.text for i in agent.inputs] == ["open the garage"]
