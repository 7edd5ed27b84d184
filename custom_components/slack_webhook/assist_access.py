"""Who may talk to Assist from Slack, and as whom Assist acts: the options and their checks.

The feature refuses by default: it is off, and once on it allows only the
Slack user ids listed (none listed allows nobody), optionally only from one
workspace. Assist acts as the Home Assistant user the options name, which
must be an active, non-administrator user made by a person.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
import re
from typing import Any, Final, Self

from homeassistant.auth.models import User
from homeassistant.components.conversation import DOMAIN as CONVERSATION_DOMAIN
from homeassistant.components.conversation.agent_manager import async_get_agent
from homeassistant.components.conversation.const import HOME_ASSISTANT_AGENT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import SelectOptionDict

from .const import (
    CONF_ASSIST,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_COMMAND,
    CONF_ASSIST_IN_CHANNEL,
    CONF_ASSIST_LANGUAGE,
    CONF_ASSIST_SLACK_USERS,
    CONF_ASSIST_TEAM,
    CONF_ASSIST_USER,
)
from .interaction import EVENT_SLASH_COMMAND

SLACK_USER_ID: Final = re.compile(r"[UW][A-Z0-9]{2,31}")
"""A Slack user id: U (or W in Enterprise Grid) and uppercase letters and digits."""
SLACK_TEAM_ID: Final = re.compile(r"T[A-Z0-9]{2,31}")
SLASH_COMMAND: Final = re.compile(r"/[a-z0-9_\-.]{1,31}")
"""A slash command as Slack sends it: a slash and a lowercase name without spaces."""
DEFAULT_COMMAND: Final = "/home"


@dataclass(frozen=True, slots=True, kw_only=True)
class AssistSettings:
    """An entry's Assist options; the defaults are those of an entry without them."""

    enabled: bool = False
    command: str = DEFAULT_COMMAND
    agent_id: str = HOME_ASSISTANT_AGENT
    language: str | None = None
    """None speaks Home Assistant's language."""
    slack_users: frozenset[str] = frozenset()
    team: str | None = None
    user_id: str | None = None
    """The Home Assistant user Assist acts as."""
    in_channel: bool = False
    """Post the answers for the whole channel instead of only for the user."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Return the settings stored in an entry's options."""
        return cls(
            enabled=bool(options.get(CONF_ASSIST, False)),
            command=str(options.get(CONF_ASSIST_COMMAND) or DEFAULT_COMMAND),
            agent_id=str(options.get(CONF_ASSIST_AGENT) or HOME_ASSISTANT_AGENT),
            language=options.get(CONF_ASSIST_LANGUAGE) or None,
            slack_users=frozenset(options.get(CONF_ASSIST_SLACK_USERS) or ()),
            team=options.get(CONF_ASSIST_TEAM) or None,
            user_id=options.get(CONF_ASSIST_USER) or None,
            in_channel=bool(options.get(CONF_ASSIST_IN_CHANNEL, False)),
        )

    def answers(self, data: Mapping[str, Any]) -> bool:
        """Return whether a verified request is a command for Assist."""
        return (
            self.enabled
            and data["event_type"] == EVENT_SLASH_COMMAND
            and data["command"] == self.command
        )

    def allows(self, data: Mapping[str, Any]) -> bool:
        """Return whether the command's Slack user (and workspace) is allowed."""
        user, team = data["user"] or {}, data["team"] or {}
        return user.get("id") in self.slack_users and (
            self.team is None or team.get("id") == self.team
        )


def slack_id_errors(
    users: Iterable[str], team: str | None, command: str | None
) -> dict[str, str]:
    """Return the form errors of malformed Slack user ids, team id and command, by field."""
    errors: dict[str, str] = {}
    if any(not SLACK_USER_ID.fullmatch(user) for user in users):
        errors[CONF_ASSIST_SLACK_USERS] = "invalid_slack_user"
    if team is not None and not SLACK_TEAM_ID.fullmatch(team):
        errors[CONF_ASSIST_TEAM] = "invalid_slack_team"
    if command is not None and not SLASH_COMMAND.fullmatch(command):
        errors[CONF_ASSIST_COMMAND] = "invalid_slash_command"
    return errors


def may_act(user: User | None) -> bool:
    """Return whether Assist may act as a user: active, made by a person, not an administrator."""
    return (
        user is not None
        and user.is_active
        and not user.system_generated
        and not user.is_admin
    )


async def async_acting_user(hass: HomeAssistant, user_id: str | None) -> User | None:
    """Return the user Assist acts as, or None when there is none it may act as."""
    if user_id is None:
        return None
    user = await hass.auth.async_get_user(user_id)
    return user if may_act(user) else None


def acting_user_error(user_id: str | None, users: Iterable[User]) -> str | None:
    """Return the form error of the chosen acting user, or None."""
    if user_id is None:
        return "assist_user_required"
    user = next((user for user in users if user.id == user_id), None)
    if user is not None and user.is_admin and user.is_active:
        return "assist_user_admin"
    return None if may_act(user) else "assist_user_unknown"


def agent_loaded(hass: HomeAssistant, agent_id: str) -> bool:
    """Return whether a conversation agent can be talked to."""
    return (
        CONVERSATION_DOMAIN in hass.config.components
        and async_get_agent(hass, agent_id) is not None
    )


def user_choices(users: Iterable[User]) -> list[SelectOptionDict]:
    """Return the users the form offers: active ones made by people, by name."""
    return sorted(
        (
            SelectOptionDict(value=user.id, label=user.name or user.id)
            for user in users
            if user.is_active and not user.system_generated
        ),
        key=lambda choice: choice["label"].casefold(),
    )
