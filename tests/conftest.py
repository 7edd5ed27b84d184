"""Fixtures for the Slack Webhook tests."""

from collections.abc import AsyncIterator, Iterator
import ssl
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
import trustme

from custom_components.slack_webhook.const import DOMAIN
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from tests.helpers.backoff import fast_backoff
from tests.helpers.entries import ENTRY_ID, LoadEntry, MakeEntry, SetupEntry
from tests.helpers.proxy_server import PROXY_PASSWORD, PROXY_USER, ProxyServer
from tests.helpers.serving import serving
from tests.helpers.slack_server import SlackServer


@pytest.fixture
def fast_outbox() -> Iterator[None]:
    """Retry, redeliver the outbox and write its removals within milliseconds.

    Requested before the entry fixtures (usefixtures), it is torn down after
    them, so the entry unloads under the same timing.
    """
    with fast_backoff():
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return syrupy's snapshot with Home Assistant's serializer, as core's tests do."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


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
    async with serving(server):
        yield server


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
    async with serving(server):
        yield server


@pytest.fixture
def make_entry(slack: SlackServer) -> MakeEntry:
    """Return a function that makes an entry "Alerts" for the local hook (or url)."""

    def _make(
        *, url: str | None = None, entry_id: str | None = None, **options: Any
    ) -> MockConfigEntry:
        return MockConfigEntry(
            domain=DOMAIN,
            title="Alerts",
            data={"name": "Alerts", "url": url or slack.url},
            options=options,
            entry_id=entry_id,
        )

    return _make


@pytest.fixture
async def load_entry(hass: HomeAssistant) -> AsyncIterator[LoadEntry]:
    """Return a function that adds and sets up an entry.

    Afterwards it waits for what a test left scheduled (the reload an options
    flow starts) and unloads the entries, so no delivery task outlives a test.
    """

    async def _load(entry: MockConfigEntry) -> MockConfigEntry:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    yield _load
    await hass.async_block_till_done()
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
def setup_entry(make_entry: MakeEntry, load_entry: LoadEntry) -> SetupEntry:
    """Return a function that adds and sets up an entry with the given options."""

    async def _setup(*, url: str | None = None, **options: Any) -> MockConfigEntry:
        return await load_entry(make_entry(url=url, **options))

    return _setup


@pytest.fixture
def config_entry(make_entry: MakeEntry) -> MockConfigEntry:
    """Return the entry "Alerts" (id ENTRY_ID) for the local hook, not yet added."""
    return make_entry(entry_id=ENTRY_ID)


@pytest.fixture
async def init_integration(
    config_entry: MockConfigEntry, load_entry: LoadEntry
) -> MockConfigEntry:
    """Add and set up config_entry; return it."""
    return await load_entry(config_entry)


@pytest.fixture
async def proxy(slack: SlackServer) -> AsyncIterator[ProxyServer]:
    """Run an open forward proxy on 127.0.0.1."""
    server = ProxyServer()
    async with serving(server):
        yield server


@pytest.fixture
async def auth_proxy(slack: SlackServer) -> AsyncIterator[ProxyServer]:
    """Run a forward proxy on 127.0.0.1 that demands PROXY_USER and PROXY_PASSWORD."""
    server = ProxyServer(credentials=(PROXY_USER, PROXY_PASSWORD))
    async with serving(server):
        yield server
