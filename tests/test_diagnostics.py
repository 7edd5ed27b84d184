"""Tests for the diagnostics of a config entry."""

import json

import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.slack_webhook.const import (
    CONF_PROXY,
    CONF_SIGNING_SECRET,
    CONF_TIMEOUT,
    CONF_UNFURL_LINKS,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from custom_components.slack_webhook.diagnostics import redact_proxy
from homeassistant.const import CONF_NAME, CONF_URL
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .proxy_server import ProxyServer
from .slack_requests import SIGNING_SECRET, WEBHOOK_ID
from .slack_server import SECRET, SlackServer

PROXY_USER = "hauser"
PROXY_PASSWORD = "pr0xyPass"  # noqa: S105


async def setup_entry(
    hass: HomeAssistant, url: str, options: dict[str, object]
) -> MockConfigEntry:
    """Add and set up an entry "Alerts" for url with options."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Alerts",
        data={CONF_NAME: "Alerts", CONF_URL: url},
        options=options,
        entry_id="01JSLACKWEBHOOKDIAGNOSTICS",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show data, options and statistics with the secrets redacted."""
    entry = await setup_entry(
        hass,
        f"https://hooks.slack.com/services/T0001/B0001/{SECRET}",
        {
            CONF_PROXY: f"http://{PROXY_USER}:{PROXY_PASSWORD}@proxy.lan:3128",
            CONF_TIMEOUT: 5.0,
            CONF_UNFURL_LINKS: False,
        },
    )

    assert await get_diagnostics_for_config_entry(hass, hass_client, entry) == snapshot


async def test_diagnostics_interactivity(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """With interactivity: the Request URL's path; the signing secret redacted."""
    entry = await setup_entry(
        hass,
        f"https://hooks.slack.com/services/T0001/B0001/{SECRET}",
        {CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID},
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
) -> None:
    """A message delivered through a proxy is counted; no secret shows."""
    proxy = ProxyServer(credentials=(PROXY_USER, PROXY_PASSWORD))
    await proxy.start()
    proxy_url = f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
    try:
        entry = await setup_entry(hass, slack.url, {CONF_PROXY: proxy_url})
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": "notify.alerts", "message": "Door opened"},
            blocking=True,
        )
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    finally:
        await proxy.stop()

    assert len(proxy.forwarded) == 1
    assert diagnostics["data"] == {
        CONF_NAME: "Alerts",
        CONF_URL: f"{slack.origin}/services/T0001/B0001/***",
    }
    assert diagnostics["options"] == {
        CONF_PROXY: f"http://**REDACTED**:**REDACTED**@127.0.0.1:{proxy.port}"
    }
    assert diagnostics["delivery"]["delivered"] == 1
    text = json.dumps(diagnostics)
    assert SECRET not in text
    assert PROXY_PASSWORD not in text
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
    ],
)
def test_redact_proxy(proxy: str, shown: str) -> None:
    """A proxy's user and password are redacted; a proxy without them is shown."""
    assert redact_proxy(proxy) == shown
