"""Requests as Slack sends them to an app's Request URL, signed like Slack signs them.

The payloads follow the examples in Slack's reference pages for block_actions,
shortcuts, message shortcuts, view_submission and slash commands, trimmed to
the fields the integration reads plus a few it must ignore (such as `token`).
"""

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # noqa: S105
"""The signing secret of Slack's documented example."""
VERIFICATION_TOKEN = "xyzz0WbapA4vBCDEFasx0q6G"  # noqa: S105
"""Slack's deprecated verification token: in payloads, never in events."""
WEBHOOK_ID = "3d2f0c6e1b5a4f7e9c8d0b1a2e3f4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d"
RESPONSE_URL = "https://hooks.slack.com/actions/T0001/123456/r3sp0ns3"

# Slack's "Verifying requests from Slack" example: a slash command.
EXAMPLE_TIMESTAMP = "1531420618"
EXAMPLE_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA"
    b"&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
    b"%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
EXAMPLE_SIGNATURE = (
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

USER = {"id": "U0ALICE", "username": "alice", "name": "alice", "team_id": "T0001"}
TEAM = {"id": "T0001", "domain": "acme"}
CHANNEL = {"id": "C0OPS", "name": "ops"}
MESSAGE = {"type": "message", "ts": "1712345678.123456", "text": "The garage is open"}


def sign(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Return Slack's signature of a body, computed here independently."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Return the headers Slack sends with a body signed now (or at timestamp)."""
    sent = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": sent,
        "X-Slack-Signature": sign(body, sent, secret),
    }


def form(payload: dict[str, Any]) -> bytes:
    """Return an interaction payload as Slack posts it: a form field holding JSON."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def block_actions(*actions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Return a block_actions payload from a message in #ops."""
    return {
        "type": "block_actions",
        "token": VERIFICATION_TOKEN,
        "user": USER,
        "api_app_id": "A0APP",
        "container": {
            "type": "message",
            "message_ts": MESSAGE["ts"],
            "channel_id": CHANNEL["id"],
        },
        "trigger_id": "123.456.abc",
        "team": TEAM,
        "channel": CHANNEL,
        "message": MESSAGE,
        "response_url": RESPONSE_URL,
        "actions": list(actions),
        **extra,
    }


def button(
    action_id: str = "close_garage", value: str | None = "close"
) -> dict[str, Any]:
    """Return a clicked button action."""
    action = {
        "type": "button",
        "action_id": action_id,
        "block_id": "garage",
        "text": {"type": "plain_text", "text": "Close it"},
        "action_ts": "1712345690.000100",
    }
    if value is not None:
        action["value"] = value
    return action


def option(text: str, value: str) -> dict[str, Any]:
    """Return a select option."""
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def slash_command(
    command: str = "/garage",
    text: str = "close",
    *,
    response_url: str = "https://hooks.slack.com/commands/T0001/987/c0mm4nd",
    user_id: str = USER["id"],
    team_id: str = TEAM["id"],
    channel_id: str = CHANNEL["id"],
) -> bytes:
    """Return a slash command's form body (from alice in #ops unless told)."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM["domain"],
            "channel_id": channel_id,
            "channel_name": CHANNEL["name"],
            "user_id": user_id,
            "user_name": USER["name"],
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": response_url,
            "trigger_id": "987.654.def",
        }
    ).encode()
