"""(g) Assist: how fast a slash command is acknowledged, whatever the agent's speed.

A Home Assistant core with its HTTP server on 127.0.0.1 and an entry with
Assist on; its agent takes a set time to answer. Signed /home commands are
posted to the Request URL one after another (each from another allowed
Slack user, so none waits for another's answer); the time from the request
to Slack's 200 is the acknowledgement, and the time to the answer at the
local hook's response_url is shown beside it.
"""

import asyncio
from pathlib import Path
import statistics
import time
from urllib.parse import urlencode

import aiohttp

from custom_components.slack_webhook.const import (
    CONF_ASSIST,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_SLACK_USERS,
    CONF_ASSIST_USER,
    CONF_BURST,
    CONF_RATE,
    CONF_SIGNING_SECRET,
    CONF_WEBHOOK_ID,
)
from custom_components.slack_webhook.signature import sign
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.components import conversation
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .home_assistant import add_entry, home_assistant
from .local_hook import LocalHook
from .report import Section, ms, p95

SECRET = "benchmark-signing-secret"  # noqa: S105 - made up for the run
WEBHOOK_ID = "benchmark-assist"


class SlowAgent(conversation.AbstractConversationAgent):
    """An agent that answers after `delay` seconds."""

    def __init__(self) -> None:
        """Answer at once until told otherwise."""
        self.delay = 0.0

    @property
    def supported_languages(self) -> str:
        """Understand every language."""
        return MATCH_ALL

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Wait, then answer with the text heard."""
        await asyncio.sleep(self.delay)
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(user_input.text)
        return conversation.ConversationResult(response=response)


async def assist_acknowledgement(
    config_dir: Path, commands: int, delays: list[float], port: int
) -> Section:
    """Post `commands` commands per agent delay; report acknowledgement and answer times."""
    hook = LocalHook()
    await hook.start()
    users = [f"U0BENCH{i}" for i in range(commands)]
    section = Section(
        title=f"(g) Assist: a slash command acknowledged, {commands} commands per agent speed",
        headers=["agent answers in", "ack p50 ms", "ack p95 ms", "answer p50 ms"],
    )
    try:
        async with home_assistant(config_dir) as hass:
            agent = await _set_up(hass, hook, users, port)
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{port}/api/webhook/{WEBHOOK_ID}"
                for delay in delays:
                    agent.delay = delay
                    acks, answers = await _commands(session, url, hook, users, delay)
                    section.rows.append(
                        [
                            f"{delay:g} s",
                            ms(statistics.median(acks)),
                            ms(p95(acks)),
                            ms(statistics.median(answers)),
                        ]
                    )
    finally:
        await hook.stop()
    section.notes += [
        "ack = request to HTTP 200 through Home Assistant's HTTP server; Slack waits 3 s",
        "answer = request to the answer at the response_url (the agent's time included)",
    ]
    return section


async def _set_up(
    hass: HomeAssistant, hook: LocalHook, users: list[str], port: int
) -> SlowAgent:
    """Start the HTTP server, the agent and an entry with Assist on for users."""
    http = {"server_host": ["127.0.0.1"], "server_port": port}
    for domain, config in (("http", {"http": http}), ("homeassistant", {})):
        if not await async_setup_component(hass, domain, config):
            raise RuntimeError(f"{domain} did not set up")
    if not await async_setup_component(hass, "conversation", {}):
        raise RuntimeError("conversation did not set up")
    await hass.http.start()
    agent = SlowAgent()
    agent_entry = MockConfigEntry(domain="benchmark", title="Slow agent")
    agent_entry.add_to_hass(hass)
    conversation.async_set_agent(hass, agent_entry, agent)
    await hass.auth.async_create_user("Owner", group_ids=[])
    user = await hass.auth.async_create_user("Slack", group_ids=[GROUP_ID_USER])
    await add_entry(
        hass,
        "Assist",
        f"{hook.origin}/services/T0/B0/assist",
        {
            CONF_SIGNING_SECRET: SECRET,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_ASSIST: True,
            CONF_ASSIST_SLACK_USERS: users,
            CONF_ASSIST_USER: user.id,
            CONF_ASSIST_AGENT: agent_entry.entry_id,
            CONF_RATE: 1000,
            CONF_BURST: 100,
        },
    )
    return agent


async def _commands(
    session: aiohttp.ClientSession,
    url: str,
    hook: LocalHook,
    users: list[str],
    delay: float,
) -> tuple[list[float], list[float]]:
    """Post one command per user; return the acknowledgement and answer times."""
    acks: list[float] = []
    sent: dict[str, float] = {}
    for user in users:
        text = f"{delay} {user}"
        body = urlencode(
            {
                "command": "/home",
                "text": text,
                "user_id": user,
                "team_id": "T0",
                "channel_id": "C0",
                "response_url": f"{hook.origin}/commands/T0/1/{user}",
            }
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(SECRET, timestamp, body),
        }
        start = sent[text] = time.perf_counter()
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            acks.append(time.perf_counter() - start)
            if response.status != 200:
                raise RuntimeError(f"A command was answered {response.status}")
    async with asyncio.timeout(delay + 60):
        while not all(text in hook.arrived for text in sent):
            await hook.arrival.wait()
            hook.arrival.clear()
    return acks, [hook.arrived[text] - start for text, start in sent.items()]
