"""The kinds of Slack-style targets, told by their URL and answers, and how each says failure.

What each target answers, from its documentation and source:

- Slack incoming webhooks (`/services/T…/B…/…`): `ok`; failures are 4xx
  with a bare code such as `no_text`.
- Slack Workflow Builder webhook triggers (`/triggers/…`, and the older
  `/workflows/…`): `{"ok": true}`, or `{"ok": false, "error": …}`. A POST
  starts the workflow, so the probe is a GET, which starts nothing.
- Discord's Slack-compatible endpoint (`/api/webhooks/<id>/<token>/slack`):
  `ok`; failures are 4xx JSON `{"message": …, "code": …}`.
- Mattermost (`/hooks/<id>`): `ok` as text/plain; failures are JSON with a
  `message` and an `id` such as `web.incoming_webhook.invalid.app_error`,
  which Mattermost answers with 400 for an unknown hook.
- Rocket.Chat (`/hooks/<id>/<token>`): `{"success": true}`; failures
  `{"success": false, "error": …}`, normally with 400 (a script may answer
  200).
- Zulip (`/api/v1/external/slack_incoming`): `{"result": "success"}`;
  failures `{"result": "error", "msg": …}`. It renders only some block types.
- Any other server: any 2xx is success.

`/hooks/…` paths are shared by several servers: the probe's answer decides.
"""

from collections.abc import Mapping
from enum import StrEnum
import json
import re
from typing import Any

from yarl import URL

from .response import WebhookResponse


class TargetKind(StrEnum):
    """What a webhook URL points at."""

    SLACK = "slack"
    WORKFLOW = "slack_workflow"
    DISCORD = "discord"
    MATTERMOST = "mattermost"
    ROCKET_CHAT = "rocket_chat"
    ZULIP = "zulip"
    OTHER = "other"


TARGET_NAMES: Mapping[TargetKind, str] = {
    TargetKind.SLACK: "Slack",
    TargetKind.WORKFLOW: "Slack Workflow Builder",
    TargetKind.DISCORD: "Discord",
    TargetKind.MATTERMOST: "Mattermost",
    TargetKind.ROCKET_CHAT: "Rocket.Chat",
    TargetKind.ZULIP: "Zulip",
    TargetKind.OTHER: "The server",
}
"""How errors name each target."""
AMBIGUOUS_KINDS = frozenset(
    {TargetKind.MATTERMOST, TargetKind.ROCKET_CHAT, TargetKind.OTHER}
)
"""Kinds a URL's shape only suggests; the probe's answer may correct them."""
ZULIP_BLOCK_TYPES = ("section", "header", "divider", "image", "context")
"""The block types Zulip's slack_incoming shows; it drops or refuses the others."""
MAX_MESSAGE = 200
"""Characters of a target's own error message that are kept."""
_SLACK = re.compile(r"/services/T\w+/B\w+/\w+/?")
_WORKFLOW = re.compile(r"/(triggers|workflows)/T\w+/[\w/]+")
_DISCORD = re.compile(r"/api(/v\d+)?/webhooks/\d+/[\w-]+(/(?P<suffix>slack|github))?/?")
_MATTERMOST = re.compile(r"/hooks/[A-Za-z0-9]+/?")
_ROCKET_CHAT = re.compile(r"/hooks/[\w-]+(/[\w-]+)?/[^/]+/?")
_ZULIP = re.compile(r"/api/v1/external/slack_incoming/?")
_DISCORD_HOSTS = frozenset(
    {"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"}
)
_TEAMS_HOSTS = (".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com")


def kind_from_url(url: str) -> TargetKind:
    """Return the kind a URL's path (and host) points at; OTHER when unknown."""
    parsed = URL(url)
    path = parsed.path
    for pattern, kind in (
        (_SLACK, TargetKind.SLACK),
        (_WORKFLOW, TargetKind.WORKFLOW),
        (_DISCORD, TargetKind.DISCORD),
        (_ZULIP, TargetKind.ZULIP),
        (_MATTERMOST, TargetKind.MATTERMOST),
        (_ROCKET_CHAT, TargetKind.ROCKET_CHAT),
    ):
        if pattern.fullmatch(path):
            return kind
    if (parsed.host or "").lower() == "hooks.slack.com":
        return TargetKind.SLACK
    return TargetKind.OTHER


def unsuitable_url(url: str) -> str | None:
    """Return what a URL is when it takes no Slack messages, or None.

    `google_chat`, `microsoft_teams` (Teams and Power Automate) or
    `discord_native` (a Discord webhook without its /slack suffix).
    """
    parsed = URL(url)
    host = (parsed.host or "").lower()
    if host == "chat.googleapis.com":
        return "google_chat"
    if host.endswith(_TEAMS_HOSTS) or (
        host == "outlook.office.com" and parsed.path.startswith("/webhook")
    ):
        return "microsoft_teams"
    if host in _DISCORD_HOSTS and (match := _DISCORD.fullmatch(parsed.path)):
        return None if match.group("suffix") == "slack" else "discord_native"
    return None


def kind_from_answer(response: WebhookResponse) -> TargetKind | None:
    """Return the kind whose answer this is, when its body gives it away."""
    data = _json_object(response.body)
    if data is None:
        return None
    if isinstance(data.get("success"), bool):
        return TargetKind.ROCKET_CHAT
    if data.get("result") in ("success", "error") and "msg" in data:
        return TargetKind.ZULIP
    if str(data.get("id", "")).endswith(".app_error"):
        return TargetKind.MATTERMOST
    if isinstance(data.get("code"), int) and "message" in data:
        return TargetKind.DISCORD
    return None


def resolve_kind(url_kind: TargetKind, response: WebhookResponse) -> TargetKind:
    """Return the kind a URL suggested, corrected by the probe's answer if ambiguous."""
    if url_kind in AMBIGUOUS_KINDS:
        return kind_from_answer(response) or url_kind
    return url_kind


def answer_failure(kind: TargetKind, response: WebhookResponse) -> str | None:
    """Return the target's own message when a 2xx answer's body says failure."""
    data = _json_object(response.body)
    if data is None or kind in (TargetKind.OTHER, TargetKind.DISCORD):
        return None
    failed = {
        TargetKind.SLACK: data.get("ok") is False,
        TargetKind.WORKFLOW: data.get("ok") is False,
        TargetKind.MATTERMOST: "id" in data and "message" in data,
        TargetKind.ROCKET_CHAT: data.get("success") is False,
        TargetKind.ZULIP: data.get("result") == "error",
    }[kind]
    if not failed:
        return None
    return _own_message(kind, data) or "failed"


def target_message(kind: TargetKind, response: WebhookResponse) -> str | None:
    """Return the target's own error message in a JSON answer, if it has one."""
    data = _json_object(response.body)
    if data is None or kind in (TargetKind.SLACK, TargetKind.OTHER):
        return None
    return _own_message(kind, data)


def is_dead_hook(kind: TargetKind, response: WebhookResponse) -> bool:
    """Return whether the target's answer says the hook itself is unknown or revoked."""
    if kind is TargetKind.MATTERMOST:
        data = _json_object(response.body) or {}
        return data.get("id") == "web.incoming_webhook.invalid.app_error"
    return response.status_code in (401, 404, 410)


def clean_message(message: str, url: str) -> str:
    """Return a target's message on one line, shortened, with no part of the URL's secret."""
    parsed = URL(url)
    secrets = [
        s for s in (*parsed.path.split("/"), *parsed.query.values()) if len(s) >= 8
    ]
    for secret in secrets:
        message = message.replace(secret, "…")
    text = " ".join(message.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _own_message(kind: TargetKind, data: Mapping[str, Any]) -> str | None:
    """Return the field in which a target puts its error message."""
    keys = {
        TargetKind.SLACK: ("error",),
        TargetKind.WORKFLOW: ("error",),
        TargetKind.DISCORD: ("message",),
        TargetKind.MATTERMOST: ("message", "id"),
        TargetKind.ROCKET_CHAT: ("error", "message"),
        TargetKind.ZULIP: ("msg", "code"),
    }.get(kind, ())
    for key in keys:
        if isinstance(value := data.get(key), str) and value.strip():
            return value
    return None


def _json_object(body: str) -> dict[str, Any] | None:
    """Return a body parsed as a JSON object, or None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
