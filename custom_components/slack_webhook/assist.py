"""Slash commands answered by Assist: the command's text in, the agent's speech out.

A verified slash command for the entry's Assist command (assist_access.py
decides which, and who may) is handed to Home Assistant's conversation agent
after the request was acknowledged; the speech goes back to the command's
response_url through the entry's delivery queue (paced, retried, kept in the
outbox, reported). A refused user gets only the refusal, and nothing reaches
the agent. Commands of one Slack user are answered one after another (at
most MAX_WAITING wait; one more gets a busy answer). A user has at most one
refusal or busy answer on its way: commands that come meanwhile get none, so
nobody fills the entry's delivery queue with them. A
conversation id is kept per user and channel while Home Assistant keeps the
conversation, so follow-ups work.
"""

import asyncio
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.components import conversation
from homeassistant.const import CONF_URL
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import translation
from homeassistant.helpers.chat_session import CONVERSATION_TIMEOUT
from homeassistant.util import dt as dt_util

from .assist_access import AssistSettings, agent_loaded, async_acting_user
from .const import DOMAIN, LOGGER
from .data import SlackWebhookConfigEntry, entry_kind
from .payload import MAX_TEXT, check_response_url
from .slack_client import TargetKind

ATTR_ASSIST: Final = "assist"
"""The event field saying what Assist did with a command: answered, refused or None."""
ANSWERED: Final = "answered"
REFUSED: Final = "refused"
AGENT_TIMEOUT: Final = 120.0
"""Seconds the agent may take to answer one command."""
MAX_WAITING: Final = 10
"""Commands of one Slack user kept while the agent answers; more are answered busy."""
ESCAPES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
"""What Slack needs escaped in text, so an answer can mention nobody and link nothing."""


@dataclass(frozen=True, slots=True)
class Command:
    """One allowed command waiting for its answer."""

    text: str
    user: str
    channel: str | None
    response_url: str


class SlashAssist:
    """Answers one entry's Assist commands."""

    def __init__(self, hass: HomeAssistant, entry: SlackWebhookConfigEntry) -> None:
        """Answer with the entry's Assist settings."""
        self._hass = hass
        self._entry = entry
        self._settings = AssistSettings.from_options(entry.options)
        self._waiting: dict[str, deque[Command]] = {}
        self._conversations: dict[tuple[str, str | None], tuple[str, datetime]] = {}
        self._notifying: set[str | None] = set()
        """Slack users with a refusal or busy answer on its way."""

    @callback
    def async_take(self, data: dict[str, Any]) -> dict[str, Any]:
        """Start answering a verified request if it is for Assist; return its event data."""
        settings = self._settings
        if not settings.answers(data) or not self._answerable(data["response_url"]):
            return data | {ATTR_ASSIST: None}
        user, team = data["user"] or {}, data["team"] or {}
        if not settings.allows(data):
            if user.get("id") not in self._notifying:  # a flood logs once a refusal
                LOGGER.warning(
                    "Refused %s from Slack user %s (workspace %s) to %s: not allowed",
                    settings.command,
                    user.get("id"),
                    team.get("id"),
                    self._entry.title,
                )
            self._notify(user.get("id"), data["response_url"], "assist_refused")
            return data | {ATTR_ASSIST: REFUSED}
        channel = data["channel"] or {}
        self._enqueue(
            Command(
                data["text"] or "", user["id"], channel.get("id"), data["response_url"]
            )
        )
        return data | {ATTR_ASSIST: ANSWERED}

    def _answerable(self, response_url: str | None) -> bool:
        """Return whether an answer can go to the response_url, as slack_webhook.respond allows."""
        if response_url is None or entry_kind(self._entry) is TargetKind.WORKFLOW:
            return False
        try:
            check_response_url(response_url, self._entry.data[CONF_URL])
        except HomeAssistantError:
            LOGGER.warning(
                "A command to %s is not answered: its response_url is not on the webhook's origin",
                self._entry.title,
            )
            return False
        return True

    def _enqueue(self, command: Command) -> None:
        """Queue a command behind the user's earlier ones; start answering if idle."""
        if (waiting := self._waiting.get(command.user)) is not None:
            if len(waiting) >= MAX_WAITING:
                LOGGER.warning(
                    "A Slack command to %s is not answered: %s commands of its user wait",
                    self._entry.title,
                    MAX_WAITING,
                )
                self._notify(command.user, command.response_url, "assist_busy")
                return
            waiting.append(command)
            return
        self._waiting[command.user] = deque([command])
        self._start(self._async_answer_all(command.user))

    def _notify(self, user: str | None, response_url: str, key: str) -> None:
        """Post a refusal or busy answer, unless one to the same user is on its way."""
        if user not in self._notifying:
            self._notifying.add(user)
            self._start(self._async_notify(user, response_url, key))

    async def _async_notify(
        self, user: str | None, response_url: str, key: str
    ) -> None:
        """Post a refusal or busy answer; then the user may get another."""
        try:
            await self._async_post(response_url, key)
        finally:
            self._notifying.discard(user)

    def _start(self, job: Any) -> None:
        """Run a job in the background; unloading the entry cancels it."""
        self._entry.async_create_background_task(
            self._hass, job, f"{DOMAIN} assist {self._entry.title}"
        )

    async def _async_answer_all(self, user: str) -> None:
        """Answer a user's commands in the order they came."""
        waiting = self._waiting[user]
        try:
            while waiting:
                await self._async_answer(waiting[0])
                waiting.popleft()
        finally:
            del self._waiting[user]

    async def _async_answer(self, command: Command) -> None:
        """Ask the agent and post its speech, or a short message of what went wrong."""
        if not command.text.strip():
            await self._async_post(command.response_url, "assist_usage")
        elif (key := await self._async_problem()) is not None:
            await self._async_post(command.response_url, key)
        else:
            try:
                speech = await self._async_converse(command)
            except TimeoutError:
                LOGGER.warning("Assist did not answer a Slack command in time")
                await self._async_post(command.response_url, "assist_timeout")
            except Exception as err:  # noqa: BLE001 - any agent's failure is answered
                LOGGER.error("Assist failed to answer a Slack command: %r", err)
                await self._async_post(command.response_url, "assist_failed")
            else:
                await self._async_send(
                    command.response_url,
                    speech,
                    "in_channel" if self._settings.in_channel else "ephemeral",
                )

    async def _async_problem(self) -> str | None:
        """Return the message key of why Assist cannot answer now, or None."""
        settings = self._settings
        if await async_acting_user(self._hass, settings.user_id) is None:
            LOGGER.warning(
                "Slack commands to %s are not answered: the Home Assistant user Assist "
                "acts as is missing, inactive or an administrator",
                self._entry.title,
            )
            return "assist_unavailable"
        if not agent_loaded(self._hass, settings.agent_id):
            LOGGER.warning(
                "Slack commands to %s are not answered: the conversation agent %s "
                "is not loaded",
                self._entry.title,
                settings.agent_id,
            )
            return "assist_unavailable"
        return None

    async def _async_converse(self, command: Command) -> str:
        """Return the agent's speech for a command, keeping the conversation going."""
        settings = self._settings
        key = (command.user, command.channel)
        async with asyncio.timeout(AGENT_TIMEOUT):
            result = await conversation.async_converse(
                self._hass,
                command.text,
                self._conversation_id(key),
                Context(user_id=settings.user_id),
                language=settings.language,
                agent_id=settings.agent_id,
            )
        if result.conversation_id is not None:
            self._conversations[key] = (result.conversation_id, dt_util.utcnow())
        speech: str = result.response.speech.get("plain", {}).get("speech", "")
        return speech or await self._async_message("assist_no_speech")

    def _conversation_id(self, key: tuple[str, str | None]) -> str | None:
        """Return the conversation id of a user in a channel, if it is recent."""
        now = dt_util.utcnow()
        for stale in [
            k
            for k, (_, at) in self._conversations.items()
            if now - at > CONVERSATION_TIMEOUT
        ]:
            del self._conversations[stale]
        kept = self._conversations.get(key)
        return kept[0] if kept else None

    async def _async_post(self, response_url: str, key: str) -> None:
        """Post one of the integration's messages, for the user only."""
        await self._async_send(
            response_url, await self._async_message(key), "ephemeral"
        )

    async def _async_message(self, key: str) -> str:
        """Return a message to Slack users in Assist's language."""
        language = self._settings.language or self._hass.config.language
        messages = await translation.async_get_translations(
            self._hass, language, "exceptions", {DOMAIN}
        )
        return messages[f"component.{DOMAIN}.exceptions.{key}.message"]

    async def _async_send(
        self, response_url: str, text: str, response_type: str
    ) -> None:
        """Queue an answer to the response_url, escaped and cut to Slack's limit."""
        body = {
            "text": await self._async_fitted(escape(text)),
            "response_type": response_type,
        }
        try:
            await self._entry.runtime_data.delivery.async_send(
                body, response_url=response_url
            )
        except HomeAssistantError as err:
            LOGGER.warning("An answer to a Slack command was not posted: %s", err)

    async def _async_fitted(self, text: str) -> str:
        """Return text within Slack's limit: cut, with a note, when it is longer."""
        if len(text) <= MAX_TEXT:
            return text
        note = "\n\n" + await self._async_message("assist_cut")
        return cut(text, MAX_TEXT - len(note)) + note


def escape(text: str) -> str:
    """Return text with &, < and > escaped as Slack requires."""
    return "".join(ESCAPES.get(char, char) for char in text)


def cut(text: str, limit: int) -> str:
    """Return escaped text cut to limit characters, never inside an escape."""
    text = text[:limit]
    if (amp := text.rfind("&", max(0, limit - 4))) != -1 and ";" not in text[amp:]:
        return text[:amp]
    return text
