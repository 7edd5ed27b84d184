"""Fixtures for the Slack Webhook tests."""

from collections.abc import AsyncIterator, Awaitable, Callable
import ssl
from typing import Any

import pytest
import trustme

from custom_components.slack_webhook.const import DOMAIN
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .proxy_server import PROXY_PASSWORD, PROXY_USER, ProxyServer
from .slack_server import SlackServer


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Give each test its own config directory, where the outbox journals are written."""
    return hass_tmp_config_dir


@pytest.fixture
async def slack(socket_enabled: None) -> AsyncIterator[SlackServer]:
    """Run a Slack-like webhook server on 127.0.0.1 (sockets allowed for it)."""
    server = SlackServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def tls_ca() -> trustme.CA:
    """Return a throwaway certificate authority made at run time."""
    return trustme.CA()


@pytest.fixture
async def slack_tls(
    socket_enabled: None, tls_ca: trustme.CA
) -> AsyncIterator[SlackServer]:
    """Run the Slack-like server over https, with a certificate for 127.0.0.1 from tls_ca."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert("127.0.0.1").configure_cert(context)
    server = SlackServer(ssl_context=context)
    await server.start()
    yield server
    await server.stop()


type SetupEntry = Callable[..., Awaitable[MockConfigEntry]]
"""setup_entry(**options): add and set up an entry "Alerts" for the local hook."""


@pytest.fixture
def config_entry(slack: SlackServer) -> MockConfigEntry:
    """Return an entry "Alerts" for the local hook, not yet added."""
    return MockConfigEntry(
        domain=DOMAIN, title="Alerts", data={"name": "Alerts", "url": slack.url}
    )


@pytest.fixture
def setup_entry(hass: HomeAssistant, slack: SlackServer) -> SetupEntry:
    """Return a function that adds and sets up an entry with the given options."""

    async def _setup(**options: Any) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Alerts",
            data={"name": "Alerts", "url": slack.url},
            options=options,
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return _setup


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Add and set up the entry; return it."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def proxy(slack: SlackServer) -> AsyncIterator[ProxyServer]:
    """Run an open forward proxy on 127.0.0.1."""
    server = ProxyServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def auth_proxy(slack: SlackServer) -> AsyncIterator[ProxyServer]:
    """Run a forward proxy on 127.0.0.1 that demands PROXY_USER and PROXY_PASSWORD."""
    server = ProxyServer(credentials=(PROXY_USER, PROXY_PASSWORD))
    await server.start()
    yield server
    await server.stop()
