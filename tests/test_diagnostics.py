"""Tests for the diagnostics of a config entry."""

import json
import math
from typing import Any
from urllib.parse import quote

import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.slack_webhook.const import (
    CONF_MAX_RETRY_AFTER,
    CONF_PROXY,
    CONF_SIGNING_SECRET,
    CONF_TIMEOUT,
    CONF_UNFURL_LINKS,
    CONF_WEBHOOK_ID,
)
from custom_components.slack_webhook.diagnostics import TO_REDACT
from homeassistant.const import CONF_NAME, CONF_URL
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from tests.helpers.entries import SetupEntry
from tests.helpers.proxy_server import PROXY_PASSWORD, PROXY_USER, ProxyServer
from tests.helpers.slack_requests import SIGNING_SECRET, WEBHOOK_ID
from tests.helpers.slack_server import SECRET, Answer, SlackServer


async def _send_and_diagnose(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: MockConfigEntry
) -> dict[str, Any]:
    """Send a notify message to the entry, then return its diagnostics."""
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.alerts", "message": "Door opened"},
        blocking=True,
    )
    return await get_diagnostics_for_config_entry(hass, hass_client, entry)


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    setup_entry: SetupEntry,
) -> None:
    """Diagnostics show data, options and statistics with the secrets redacted."""
    password = quote(PROXY_PASSWORD, safe="")
    entry = await setup_entry(
        url=f"https://hooks.slack.com/services/T0001/B0001/{SECRET}",
        **{
            CONF_PROXY: f"http://{PROXY_USER}:{password}@proxy.lan:3128",
            CONF_TIMEOUT: 5.0,
            CONF_UNFURL_LINKS: False,
        },
    )

    assert await get_diagnostics_for_config_entry(hass, hass_client, entry) == snapshot


async def test_diagnostics_interactivity(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    setup_entry: SetupEntry,
) -> None:
    """With interactivity: the Request URL's path; the signing secret redacted."""
    entry = await setup_entry(
        url=f"https://hooks.slack.com/services/T0001/B0001/{SECRET}",
        **{CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID},
    )

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics == snapshot
    assert diagnostics["interactivity"] == {
        "request_path": f"/api/webhook/{WEBHOOK_ID}"
    }
    assert SIGNING_SECRET not in json.dumps(diagnostics)


async def test_diagnostics_after_delivery(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    slack: SlackServer,
    auth_proxy: ProxyServer,
    setup_entry: SetupEntry,
) -> None:
    """A message delivered through a proxy is counted; no secret shows."""
    entry = await setup_entry(**{CONF_PROXY: auth_proxy.url})
    diagnostics = await _send_and_diagnose(hass, hass_client, entry)

    assert len(auth_proxy.forwarded) == 1
    assert diagnostics["data"] == {
        CONF_NAME: "Alerts",
        CONF_URL: f"{slack.origin}/services/T0001/B0001/***",
    }
    assert diagnostics["options"] == {
        CONF_PROXY: f"http://**REDACTED**:**REDACTED**@127.0.0.1:{auth_proxy.port}"
    }
    assert diagnostics["delivery"]["delivered"] == 1
    text = json.dumps(diagnostics)
    assert SECRET not in text
    assert PROXY_PASSWORD not in text
    assert quote(PROXY_PASSWORD, safe="") not in text
    assert PROXY_USER not in text


@pytest.mark.parametrize(
    ("proxy", "shown"),
    [
        ("http://proxy.lan:3128", "http://proxy.lan:3128"),
        (
            "http://u:p%40ss@proxy.lan:3128",
            "http://**REDACTED**:**REDACTED**@proxy.lan:3128",
        ),
        ("https://u@proxy.lan", "https://**REDACTED**:**REDACTED**@proxy.lan"),
        ("http://:T0KEN@proxy.lan", "http://**REDACTED**:**REDACTED**@proxy.lan"),
        ("T0KEN:pw@proxy.lan:3128", "**REDACTED**:**REDACTED**@proxy.lan:3128"),
        (
            "http://user:1234/x@proxy.lan",
            "http://**REDACTED**:**REDACTED**@proxy.lan",
        ),
    ],
    ids=["none", "encoded", "user-only", "empty-user", "no-scheme", "ambiguous"],
)
def test_redact_proxy(proxy: str, shown: str) -> None:
    """A proxy's user and password are redacted in every form; one without them is shown."""
    assert TO_REDACT[CONF_PROXY](proxy) == shown


async def test_a_huge_retry_after_pauses_for_max_retry_after(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    slack: SlackServer,
    setup_entry: SetupEntry,
) -> None:
    """A 400-digit Retry-After pauses sends for max_retry_after, never for infinity."""
    slack.default = Answer(429, "rate_limited", {"Retry-After": "9" * 400})
    entry = await setup_entry(**{CONF_MAX_RETRY_AFTER: 5.0})
    diagnostics = await _send_and_diagnose(hass, hass_client, entry)

    assert len(slack.received) == 1, "a capped wait is not waited out in the send"
    paused_for = diagnostics["delivery"]["paused_for"]
    assert math.isfinite(paused_for)
    assert 0 < paused_for <= 5
