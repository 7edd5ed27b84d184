"""Tests for the request headers, checked where they arrive: at the Slack-like server."""

import json
import re
from types import MappingProxyType

import aiohttp
from multidict import CIMultiDict
import pytest

from custom_components.slack_webhook.slack_client import (
    AsyncWebhookClient,
    WebhookRequestError,
)
from custom_components.slack_webhook.slack_client.headers import USER_AGENT
from tests.helpers.client import MakeClient
from tests.helpers.paths import INTEGRATION
from tests.helpers.slack_server import SlackServer

MANIFEST = INTEGRATION / "manifest.json"


def test_user_agent_names_python_the_integration_aiohttp_and_the_os() -> None:
    """As slack_sdk's get_user_agent, with this integration's name and version."""
    version = json.loads(MANIFEST.read_text())["version"]
    pattern = (
        r"Python/\d+\.\d+\.\d+ slackwebhookha/"
        + re.escape(version)
        + r" aiohttp/"
        + re.escape(aiohttp.__version__)
        + r" \S+/\S*"
    )
    assert re.fullmatch(pattern, USER_AGENT)


async def test_sent_headers(make_client: MakeClient, slack: SlackServer) -> None:
    """Content-Type is fixed; prefix and suffix wrap the User-Agent; defaults are sent."""
    client = make_client(
        default_headers={"X-Team": "ops"},
        user_agent_prefix="HomeAssistant/2026.10",
        user_agent_suffix="(test)",
    )
    await client.send(text="hi")
    headers = slack.received[0].headers
    assert headers["Content-Type"] == "application/json;charset=utf-8"
    assert headers["User-Agent"] == f"HomeAssistant/2026.10 {USER_AGENT} (test)"
    assert headers["X-Team"] == "ops"


async def test_request_headers_merge_over_defaults(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """Per-request headers replace defaults, whatever the case, and only for that request."""
    defaults = {"X-Team": "ops", "X-Keep": "yes", "User-Agent": "ignored"}
    client = make_client(default_headers=defaults)
    await client.send(text="1", headers={"x-team": "dev", "User-Agent": "mine"})
    await client.send(text="2")
    first, second = (CIMultiDict(received.headers) for received in slack.received)
    assert (first["X-Team"], first["X-Keep"], first["User-Agent"]) == (
        "dev",
        "yes",
        "mine",
    )
    assert (second["X-Team"], second["User-Agent"]) == ("ops", USER_AGENT)


async def test_default_headers_are_not_mutated(make_client: MakeClient) -> None:
    """The caller's mapping is left alone; even a read-only one works."""
    defaults = {"X-Team": "ops"}
    await make_client(default_headers=defaults).send(text="hi", headers={"X-Team": "x"})
    await make_client(default_headers=MappingProxyType(defaults)).send(text="hi")
    assert defaults == {"X-Team": "ops"}


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil": "a\r\nX-Injected: 1"},
        {"X-Evil": "a\nb"},
        {"X-Evil\r\n": "a"},
        {"X-Evil": "a\0"},
        {"X-Evil": "a\x01b"},
        {"X-Evil": "a\x7f"},
        {"X Evil": "a"},
        {"X:Evil": "a"},
        {"Émoji": "a"},
        {"Content-Type": "text/plain"},
        {"content-type": "application/json"},
        {"": "empty name"},
        {"X-Number": 5},
    ],
    ids=[
        "crlf-value",
        "lf-value",
        "crlf-name",
        "nul",
        "control",
        "del",
        "space-name",
        "colon-name",
        "non-ascii-name",
        "ct",
        "ct-lower",
        "empty",
        "int",
    ],
)
async def test_unsafe_request_headers_are_refused(
    make_client: MakeClient, slack: SlackServer, headers: dict[str, str]
) -> None:
    """Refused before anything is sent."""
    with pytest.raises(WebhookRequestError):
        await make_client().send(text="hi", headers=headers)
    assert slack.received == []


@pytest.mark.parametrize(
    "settings",
    [
        {"default_headers": {"X-Evil": "a\r\nb"}},
        {"default_headers": {"Content-Type": "text/plain"}},
        {"default_headers": [("X-Team", "ops")]},
        {"user_agent_prefix": "evil\r\nX-Injected: 1"},
        {"user_agent_suffix": "evil\n"},
    ],
)
def test_unsafe_default_headers_are_refused_at_construction(
    make_client: MakeClient, settings: dict[str, object]
) -> None:
    """So probe() and every send can rely on them."""
    with pytest.raises(WebhookRequestError):
        make_client(**settings)


async def test_the_same_content_type_is_no_override(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """Our own value, spelled differently, is accepted and sent once, as ours."""
    client = make_client(
        default_headers={"content-type": "Application/JSON; charset=UTF-8"}
    )
    await client.send(text="hi")
    assert slack.received[0].headers["Content-Type"] == "application/json;charset=utf-8"


def test_client_is_constructed_without_touching_the_network(
    session: aiohttp.ClientSession,
) -> None:
    """Construction validates only; nothing is sent (no server needed)."""
    client = AsyncWebhookClient(
        url="https://hooks.slack.com/services/T/B/x", session=session
    )
    assert client.timeout == 30.0
    assert client.total_timeout is None
