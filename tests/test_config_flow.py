"""Tests for the config, options, reconfigure and reauth flows."""

from collections.abc import AsyncIterator
from dataclasses import replace
import json
import logging
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest

from custom_components.slack_webhook.config_flow import (
    probe_errors,
    url_error,
    webhook_unique_id,
)
from custom_components.slack_webhook.const import (
    CONF_BURST,
    CONF_IMAGE_RETENTION,
    CONF_MAX_AGE,
    CONF_MAX_RETRY_AFTER,
    CONF_OUTBOX_SIZE,
    CONF_PROXY,
    CONF_RAISE_ON_QUEUED,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TIMEOUT,
    CONF_UNFURL_LINKS,
    CONF_UNFURL_MEDIA,
    DOMAIN,
)
from custom_components.slack_webhook.options import EntryOptions
from custom_components.slack_webhook.slack_client import (
    WebhookDNSError,
    WebhookError,
    WebhookProxyError,
    WebhookSessionClosedError,
    WebhookTLSError,
)
from custom_components.slack_webhook.slack_client.errors import (
    WebhookConnectTimeoutError,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_NAME, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    get_schema_suggested_value,
)
from tests.helpers.paths import INTEGRATION
from tests.helpers.ports import free_port
from tests.helpers.proxy_server import (
    PORTAL_302,
    PROXY_PASSWORD,
    PROXY_USER,
    ProxyServer,
    html_answer,
)
from tests.helpers.serving import serving
from tests.helpers.slack_server import HOOK_PATH, SECRET, Answer, SlackServer

STRINGS = json.loads((INTEGRATION / "strings.json").read_text())
OLD_SECRET = "oldS3cr3tValue"  # noqa: S105
OLD_PATH = f"/services/T0001/B0001/{OLD_SECRET}"
"""Where the hook of an existing entry was before it got a new URL."""
SOURCES = ["user", "reconfigure", "reauth"]
TOP_LEVEL_OPTIONS = (CONF_PROXY, CONF_TIMEOUT, CONF_UNFURL_LINKS, CONF_UNFURL_MEDIA)
RETRY_OPTIONS = (
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_MAX_RETRY_AFTER,
)
DEFAULTS = EntryOptions()
DEFAULT_OPTIONS = {
    CONF_TIMEOUT: DEFAULTS.timeout_seconds,
    CONF_RETRIES_CONNECTION: DEFAULTS.retries_connection,
    CONF_RETRIES_RATE_LIMIT: DEFAULTS.retries_rate_limit,
    CONF_RETRIES_SERVER: DEFAULTS.retries_server,
    CONF_MAX_RETRY_AFTER: DEFAULTS.max_retry_after_seconds,
    CONF_RATE: DEFAULTS.rate_per_second,
    CONF_BURST: DEFAULTS.burst,
    CONF_MAX_AGE: DEFAULTS.max_age_hours,
    CONF_OUTBOX_SIZE: DEFAULTS.outbox_size,
    CONF_RAISE_ON_QUEUED: DEFAULTS.raise_on_queued,
    CONF_IMAGE_RETENTION: DEFAULTS.image_retention_hours,
}


@pytest.fixture
async def mock_setup_entry(hass: HomeAssistant) -> AsyncIterator[AsyncMock]:
    """Replace setting up an entry where setup is not under test.

    A reauth or reconfigure schedules a reload; it must run while the
    replacement is in place, however late a loaded machine runs it.
    """
    with patch(
        "custom_components.slack_webhook.async_setup_entry", return_value=True
    ) as mock:
        yield mock
        await hass.async_block_till_done()


@pytest.fixture
def old_entry(hass: HomeAssistant, slack: SlackServer) -> MockConfigEntry:
    """Add an entry "Alerts" whose hook was at OLD_PATH."""
    url = slack.origin + OLD_PATH
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Alerts",
        data={CONF_NAME: "Alerts", CONF_URL: url},
        unique_id=webhook_unique_id(url),
    )
    entry.add_to_hass(hass)
    return entry


def assert_translated(result: FlowResult, section: str = "config") -> None:
    """Assert a result's errors or abort reason have English strings."""
    if result["type"] is FlowResultType.ABORT:
        assert result["reason"] in STRINGS[section]["abort"]
    else:
        assert set(result["errors"].values()) <= set(STRINGS[section]["error"])


async def start_flow(
    hass: HomeAssistant, source: str, entry: MockConfigEntry
) -> FlowResult:
    """Start a user flow, or a reconfigure or reauth flow for entry."""
    if source == "reconfigure":
        return await entry.start_reconfigure_flow(hass)
    if source == "reauth":
        return await entry.start_reauth_flow(hass)
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )


def form_input(source: str, url: str, **extra: str) -> dict[str, str]:
    """Return what a person enters in a flow's form."""
    if source == "user":
        return {CONF_NAME: "Alerts", CONF_URL: url, **extra}
    return {CONF_URL: url}


def assert_done(
    hass: HomeAssistant, source: str, result: FlowResult, old: MockConfigEntry
) -> None:
    """Assert a flow ended in an entry "Alerts" for the local hook's URL."""
    url = old.data[CONF_URL].replace(OLD_PATH, HOOK_PATH)
    entry = hass.config_entries.async_entry_for_domain_unique_id(
        DOMAIN, webhook_unique_id(url)
    )
    assert entry is not None
    assert entry.title == "Alerts"
    assert dict(entry.data) == {CONF_NAME: "Alerts", CONF_URL: url, "target": "slack"}
    if source == "user":
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["result"] is entry
    else:
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == f"{source}_successful"
        assert entry is old
        assert hass.config_entries.async_entries(DOMAIN) == [old]


def options_input(**values: Any) -> dict[str, Any]:
    """Return an options form submission with each value in its section."""
    top = {key: values.pop(key) for key in TOP_LEVEL_OPTIONS if key in values}
    retries = {key: values.pop(key) for key in RETRY_OPTIONS if key in values}
    return {**top, "retries": retries, "delivery": values}


def notify_entity_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the id of an entry's notify entity."""
    [entity] = [
        entity
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if entity.domain == "notify"
    ]
    return entity.entity_id


async def send_message(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Send a notification through an entry's notify entity."""
    await hass.services.async_call(
        "notify",
        "send_message",
        {"message": "Door opened"},
        target={"entity_id": notify_entity_id(hass, entry)},
        blocking=True,
    )


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://hooks.slack.com/services/T0/B0/x", None),
        ("http://localhost:8765/services/T0/B0/x", None),
        ("http://127.8.0.1/services/T0/B0/x", None),
        ("http://[::1]:8765/services/T0/B0/x", None),
        ("http://hooks.slack.com/services/T0/B0/x", "https_required"),
        ("http://10.0.0.2/services/T0/B0/x", "https_required"),
        ("http://localhost.example.com/x", "https_required"),
        ("ftp://hooks.slack.com/services/T0/B0/x", "invalid_url"),
        ("hooks.slack.com/services/T0/B0/x", "invalid_url"),
        ("https://", "invalid_url"),
        ("http://[::1/x", "invalid_url"),
    ],
)
def test_url_error(url: str, error: str | None) -> None:
    """Only http(s) URLs with a host pass; plain http only to this machine."""
    assert url_error(url) == error


@pytest.mark.parametrize(
    "spelling",
    [
        "https://hooks.slack.com/services/T0/B0/s3cr3t/",
        "HTTPS://HOOKS.slack.com/services/T0/B0/s3cr3t",
        "https://hooks.slack.com:443/services/T0/B0/s3cr3t",
        "https://hooks.slack.com/services/T0/B0/s3cr3t#top",
    ],
)
def test_unique_id_spellings(spelling: str) -> None:
    """Spellings of one hook share its id, which holds nothing of the URL."""
    url = "https://hooks.slack.com/services/T0/B0/s3cr3t"
    assert webhook_unique_id(spelling) == webhook_unique_id(url)
    assert "s3cr3t" not in webhook_unique_id(url)
    assert "slack" not in webhook_unique_id(url)


def test_unique_id_tells_hooks_apart() -> None:
    """Hooks that differ only in the secret's case or the query differ."""
    base = "https://hooks.slack.com/services/T0/B0/"
    assert webhook_unique_id(base + "a") != webhook_unique_id(base + "A")
    assert webhook_unique_id(base + "a?k=1") != webhook_unique_id(base + "a?k=2")
    assert webhook_unique_id(base + "a") != webhook_unique_id(
        "https://hooks.slack.com:8443/services/T0/B0/a"
    )


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    "answer",
    [
        Answer(status=400, body="no_text"),
        Answer(status=400, body="invalid_payload"),
        Answer(status=200, body="ok"),
        Answer(status=204, body=""),
    ],
    ids=["no_text", "invalid_payload", "ok", "no_content"],
)
async def test_user_flow(
    hass: HomeAssistant, slack: SlackServer, answer: Answer
) -> None:
    """The user step probes the hook with an empty body and creates an entry."""
    slack.answer(answer)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Alerts", CONF_URL: f"  {slack.url} ", CONF_PROXY: " "},
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Alerts"
    assert result["data"] == {
        CONF_NAME: "Alerts",
        CONF_URL: slack.url,
        "target": "slack",
    }
    assert result["description_placeholders"] == {"target": "Slack incoming webhook"}
    assert result["options"] == {}
    assert result["result"].unique_id == webhook_unique_id(slack.url)
    assert [(r.path, r.json) for r in slack.received] == [(HOOK_PATH, {})]


PROBE_ERRORS = [
    pytest.param(
        Answer(status=403, body="invalid_token"),
        {CONF_URL: "webhook_rejected"},
        id="403",
    ),
    pytest.param(
        Answer(status=404, body="no_service"), {CONF_URL: "webhook_rejected"}, id="404"
    ),
    pytest.param(
        Answer(status=410, body="channel_is_archived"),
        {CONF_URL: "webhook_rejected"},
        id="410",
    ),
    pytest.param(Answer(reset=True), {"base": "cannot_connect"}, id="reset"),
    pytest.param(Answer(delay=0.5), {"base": "cannot_connect"}, id="timeout"),
    pytest.param(
        Answer(status=407, body=""), {"base": "proxy_rejected"}, id="proxy_auth"
    ),
    pytest.param(
        Answer(status=500, body="rollup_error"), {"base": "unknown"}, id="500"
    ),
    pytest.param(
        Answer(status=502, body="<html>Bad gateway</html>"),
        {"base": "unknown"},
        id="502",
    ),
    pytest.param(
        Answer(status=401, body="nope"), {CONF_URL: "webhook_rejected"}, id="401"
    ),
    pytest.param(
        Answer(status=403, body="<html><h1>Forbidden</h1></html>"),
        {"base": "not_from_webhook"},
        id="html-403",
    ),
    pytest.param(
        Answer(status=429, body="rate_limited"), {"base": "unknown"}, id="429"
    ),
    pytest.param(
        Answer(status=302, body="", headers={"Location": "/elsewhere"}),
        {"base": "not_from_webhook"},
        id="302",
    ),
]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("answer", "errors"), PROBE_ERRORS)
async def test_probe_errors(
    hass: HomeAssistant,
    slack: SlackServer,
    old_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    source: str,
    answer: Answer,
    errors: dict[str, str],
) -> None:
    """A hook that does not answer as alive shows an error; a retry can succeed."""
    caplog.set_level(logging.DEBUG)
    slack.answer(answer)
    result = await start_flow(hass, source, old_entry)
    timeout = answer.delay / 5 or DEFAULTS.timeout_seconds
    read = EntryOptions.from_options
    with patch.object(
        EntryOptions,
        "from_options",
        lambda options: replace(read(options), timeout_seconds=timeout),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], form_input(source, slack.url)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert_translated(result)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(source, slack.url)
    )

    assert_done(hass, source, result, old_entry)
    assert len(slack.received) == 2
    assert SECRET not in caplog.text
    assert OLD_SECRET not in caplog.text


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    ("url", "errors"),
    [
        ("ftp://127.0.0.1/services/T/B/x", {CONF_URL: "invalid_url"}),
        ("not a url", {CONF_URL: "invalid_url"}),
        ("http://hooks.example.com/services/T/B/x", {CONF_URL: "https_required"}),
    ],
)
async def test_url_form_errors(
    hass: HomeAssistant,
    slack: SlackServer,
    old_entry: MockConfigEntry,
    source: str,
    url: str,
    errors: dict[str, str],
) -> None:
    """A malformed URL is refused before any request; a retry can succeed."""
    result = await start_flow(hass, source, old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(source, url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert_translated(result)
    assert slack.received == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(source, slack.url)
    )

    assert_done(hass, source, result, old_entry)


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", SOURCES)
async def test_unexpected_probe_error(
    hass: HomeAssistant,
    slack: SlackServer,
    old_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    source: str,
) -> None:
    """An unexpected exception is logged without the URL, shown as unknown."""
    result = await start_flow(hass, source, old_entry)
    with patch(
        "custom_components.slack_webhook.config_flow.AsyncWebhookClient.probe",
        side_effect=RuntimeError(f"broken at {slack.url}"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], form_input(source, slack.url)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected RuntimeError while probing a webhook" in caplog.text
    assert SECRET not in caplog.text

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(source, slack.url)
    )

    assert_done(hass, source, result, old_entry)


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    "proxy",
    [
        "socks5://127.0.0.1:1080",
        "proxy.lan:3128",
        "http://",
        "http://[::1:3128",
    ],
)
async def test_user_flow_proxy_form_error(
    hass: HomeAssistant,
    slack: SlackServer,
    old_entry: MockConfigEntry,
    proxy: str,
) -> None:
    """A malformed proxy is refused before any request; a retry can succeed."""
    result = await start_flow(hass, "user", old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input("user", slack.url, proxy=proxy)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PROXY: "invalid_proxy"}
    assert_translated(result)
    assert slack.received == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input("user", slack.url)
    )

    assert_done(hass, "user", result, old_entry)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_through_proxy(
    hass: HomeAssistant,
    slack: SlackServer,
    auth_proxy: ProxyServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The probe goes through the given proxy, with its credentials."""
    caplog.set_level(logging.DEBUG)
    wrong = f"http://{PROXY_USER}:wrong@127.0.0.1:{auth_proxy.port}"
    right = auth_proxy.url
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input("user", slack.url, proxy=wrong)
    )
    assert result["errors"] == {"base": "proxy_rejected"}
    assert slack.received == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input("user", slack.url, proxy=right)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {CONF_PROXY: right}
    assert [(p.target, p.forwarded) for p in auth_proxy.seen] == [
        (slack.url, False),
        (slack.url, True),
    ]
    assert [r.path for r in slack.received] == [HOOK_PATH]
    assert PROXY_PASSWORD not in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_already_configured(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry
) -> None:
    """Another spelling of a configured hook aborts before probing it."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        form_input("user", old_entry.data[CONF_URL].replace("http:", "HTTP:") + "/"),
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert_translated(result)
    assert slack.received == []
    assert hass.config_entries.async_entries(DOMAIN) == [old_entry]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", ["reconfigure", "reauth"])
async def test_new_url_of_another_entry(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry, source: str
) -> None:
    """A new URL that another entry uses aborts; neither entry changes."""
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Other",
        data={CONF_NAME: "Other", CONF_URL: slack.url},
        unique_id=webhook_unique_id(slack.url),
    )
    other.add_to_hass(hass)
    result = await start_flow(hass, source, old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: slack.url}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert_translated(result)
    assert slack.received == []
    assert old_entry.data[CONF_URL] == slack.origin + OLD_PATH
    assert old_entry.unique_id == webhook_unique_id(slack.origin + OLD_PATH)


@pytest.mark.parametrize("source", ["reconfigure", "reauth"])
async def test_new_url_form(
    hass: HomeAssistant,
    slack: SlackServer,
    old_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    source: str,
) -> None:
    """The form names the entry and shows its URL redacted; the entry reloads."""
    result = await start_flow(hass, source, old_entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == (
        "reconfigure" if source == "reconfigure" else "reauth_confirm"
    )
    assert result["errors"] == {}
    placeholders = result["description_placeholders"]
    assert placeholders[CONF_URL] == f"{slack.origin}/services/T0001/B0001/***"
    assert OLD_SECRET not in str(result)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: slack.url}
    )
    await hass.async_block_till_done()

    assert_done(hass, source, result, old_entry)
    assert mock_setup_entry.call_count == 1


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", ["reconfigure", "reauth"])
async def test_same_url_again(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry, source: str
) -> None:
    """The entry's own URL is accepted again once the hook answers."""
    old_url = old_entry.data[CONF_URL]
    result = await start_flow(hass, source, old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: old_url}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{source}_successful"
    assert old_entry.data[CONF_URL] == old_url
    assert [r.path for r in slack.received] == [OLD_PATH]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", ["reconfigure", "reauth"])
async def test_new_url_through_entry_proxy(
    hass: HomeAssistant,
    slack: SlackServer,
    auth_proxy: ProxyServer,
    old_entry: MockConfigEntry,
    source: str,
) -> None:
    """A new URL is probed through the entry's proxy; the options stay."""
    right = auth_proxy.url
    hass.config_entries.async_update_entry(old_entry, options={CONF_PROXY: right})
    result = await start_flow(hass, source, old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: slack.url}
    )

    assert_done(hass, source, result, old_entry)
    assert [(p.target, p.forwarded) for p in auth_proxy.seen] == [(slack.url, True)]
    assert old_entry.options == {CONF_PROXY: right}


@pytest.mark.parametrize("source", ["reconfigure", "reauth"])
async def test_new_url_takes_effect(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry, source: str
) -> None:
    """After the flow, the reloaded entry sends to the new URL."""
    assert await hass.config_entries.async_setup(old_entry.entry_id)
    await hass.async_block_till_done()
    result = await start_flow(hass, source, old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: slack.url}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert old_entry.state is ConfigEntryState.LOADED

    await send_message(hass, old_entry)

    assert [r.path for r in slack.received] == [HOOK_PATH, HOOK_PATH]
    assert slack.received[-1].json["text"]


async def test_options_flow_defaults(
    hass: HomeAssistant, old_entry: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """Accepting the form as shown stores the defaults and nothing else."""
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    schema = result["data_schema"]
    assert get_schema_suggested_value(schema.schema, CONF_PROXY) is None
    assert get_schema_suggested_value(schema.schema, CONF_UNFURL_LINKS) == "default"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"retries": {}, "delivery": {}}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert old_entry.options == DEFAULT_OPTIONS
    assert mock_setup_entry.call_count == 1


@pytest.mark.usefixtures("mock_setup_entry")
async def test_options_flow_stores_values(
    hass: HomeAssistant, old_entry: MockConfigEntry
) -> None:
    """Every option is stored as chosen, counts as whole numbers."""
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        options_input(
            proxy=" http://u:p@proxy.lan:3128 ",
            timeout=5,
            unfurl_links="off",
            unfurl_media="on",
            retries_connection=1.0,
            retries_rate_limit=0,
            retries_server=4,
            max_retry_after=30,
            rate=0.5,
            burst=2,
            max_age=1.5,
            outbox_size=50,
            raise_on_queued=True,
            image_retention=2,
        ),
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert old_entry.options == {
        CONF_PROXY: "http://u:p@proxy.lan:3128",
        CONF_TIMEOUT: 5,
        CONF_UNFURL_LINKS: False,
        CONF_UNFURL_MEDIA: True,
        CONF_RETRIES_CONNECTION: 1,
        CONF_RETRIES_RATE_LIMIT: 0,
        CONF_RETRIES_SERVER: 4,
        CONF_MAX_RETRY_AFTER: 30,
        CONF_RATE: 0.5,
        CONF_BURST: 2,
        CONF_MAX_AGE: 1.5,
        CONF_OUTBOX_SIZE: 50,
        CONF_RAISE_ON_QUEUED: True,
        CONF_IMAGE_RETENTION: 2,
    }
    counts = (CONF_RETRIES_CONNECTION, CONF_BURST, CONF_OUTBOX_SIZE)
    assert all(type(old_entry.options[key]) is int for key in counts)


@pytest.mark.parametrize(("rate", "accepted"), [(1000, True), (1001, False)])
async def test_options_flow_rate_for_self_hosted_targets(
    hass: HomeAssistant, old_entry: MockConfigEntry, rate: int, accepted: bool
) -> None:
    """A self-hosted target may take up to 1000 messages per second."""
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    submit = hass.config_entries.options.async_configure(
        result["flow_id"], options_input(rate=rate)
    )
    if not accepted:
        with pytest.raises(InvalidData):
            await submit
        return
    assert (await submit)["type"] is FlowResultType.CREATE_ENTRY
    assert old_entry.options[CONF_RATE] == rate


@pytest.mark.usefixtures("mock_setup_entry")
async def test_options_flow_clears_values(
    hass: HomeAssistant, old_entry: MockConfigEntry
) -> None:
    """The form shows the stored choices; clearing them stores nothing."""
    hass.config_entries.async_update_entry(
        old_entry,
        options={
            **DEFAULT_OPTIONS,
            CONF_PROXY: "http://proxy.lan:3128",
            CONF_UNFURL_LINKS: True,
            CONF_UNFURL_MEDIA: False,
        },
    )
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    schema = result["data_schema"].schema
    assert get_schema_suggested_value(schema, CONF_PROXY) == "http://proxy.lan:3128"
    assert get_schema_suggested_value(schema, CONF_UNFURL_LINKS) == "on"
    assert get_schema_suggested_value(schema, CONF_UNFURL_MEDIA) == "off"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(proxy="")
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert old_entry.options == DEFAULT_OPTIONS


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("submitted", "stored"),
    [
        (
            "http://********:********@proxy.lan:3128",
            "http://u:p%40ss@proxy.lan:3128",
        ),
        ("http://u:********@proxy.lan:3128", "http://u:p%40ss@proxy.lan:3128"),
        ("http://u:********@other.lan:8080", "http://u:p%40ss@other.lan:8080"),
        ("http://v:********@proxy.lan:3128", "http://v:p%40ss@proxy.lan:3128"),
        ("http://********:new@proxy.lan:3128", "http://u:new@proxy.lan:3128"),
        ("http://u:new@proxy.lan:3128", "http://u:new@proxy.lan:3128"),
        ("http://proxy.lan:3128", "http://proxy.lan:3128"),
    ],
)
async def test_options_flow_proxy_password(
    hass: HomeAssistant, old_entry: MockConfigEntry, submitted: str, stored: str
) -> None:
    """The form masks the proxy's user and password; a mask keeps the stored part."""
    hass.config_entries.async_update_entry(
        old_entry, options={CONF_PROXY: "http://u:p%40ss@proxy.lan:3128"}
    )
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    shown = get_schema_suggested_value(result["data_schema"].schema, CONF_PROXY)
    assert shown == "http://********:********@proxy.lan:3128"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(proxy=submitted)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert old_entry.options[CONF_PROXY] == stored


@pytest.mark.usefixtures("mock_setup_entry")
async def test_options_flow_invalid_proxy(
    hass: HomeAssistant, old_entry: MockConfigEntry
) -> None:
    """A malformed proxy is refused with the form as submitted; a retry succeeds."""
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(proxy="socks5://proxy.lan", burst=7)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PROXY: "invalid_proxy"}
    assert_translated(result, "options")
    schema = result["data_schema"].schema
    assert get_schema_suggested_value(schema, CONF_PROXY) == "socks5://proxy.lan"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(proxy="https://proxy.lan")
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert old_entry.options[CONF_PROXY] == "https://proxy.lan"


async def test_options_take_effect(
    hass: HomeAssistant,
    slack: SlackServer,
    proxy: ProxyServer,
    old_entry: MockConfigEntry,
) -> None:
    """A proxy chosen in the options is used at once, without a restart."""
    hass.config_entries.async_update_entry(
        old_entry, data={**old_entry.data, CONF_URL: slack.url}
    )
    assert await hass.config_entries.async_setup(old_entry.entry_id)
    await hass.async_block_till_done()
    await send_message(hass, old_entry)
    assert proxy.seen == []

    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(proxy=proxy.url)
    )
    await hass.async_block_till_done()
    assert old_entry.state is ConfigEntryState.LOADED
    await send_message(hass, old_entry)

    assert [p.target for p in proxy.forwarded] == [slack.url]
    assert len(slack.received) == 2


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    "stored",
    [
        "http://:T0KEN@proxy.lan:3128",
        "http://T0KEN@proxy.lan:3128",
        "http://us%2Fer:pa%3Fss@proxy.lan:3128",
    ],
    ids=["empty-user", "user-only", "percent-encoded"],
)
async def test_options_flow_masks_every_credential_form(
    hass: HomeAssistant, old_entry: MockConfigEntry, stored: str
) -> None:
    """No credential shows in the form, and the masked form stores them unchanged."""
    hass.config_entries.async_update_entry(old_entry, options={CONF_PROXY: stored})
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    shown = get_schema_suggested_value(result["data_schema"].schema, CONF_PROXY)
    assert shown == "http://********:********@proxy.lan:3128"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(proxy=shown)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert old_entry.options[CONF_PROXY] == stored


AMBIGUOUS_PROXY = "http://user:1234/x@proxy.lan:3128"
"""A person reads password `1234/x`; a URL parser reads host `user`, port 1234."""


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_ambiguous_proxy(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry
) -> None:
    """An ambiguous proxy is refused with its own error before any request."""
    result = await start_flow(hass, "user", old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input("user", slack.url, proxy=AMBIGUOUS_PROXY)
    )
    assert result["errors"] == {CONF_PROXY: "ambiguous_proxy"}
    assert_translated(result)
    assert slack.received == []


@pytest.mark.usefixtures("mock_setup_entry")
async def test_options_flow_ambiguous_proxy(
    hass: HomeAssistant, old_entry: MockConfigEntry
) -> None:
    """The options form refuses it too, and keeps what was typed."""
    result = await hass.config_entries.options.async_init(old_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(proxy=AMBIGUOUS_PROXY)
    )
    assert result["errors"] == {CONF_PROXY: "ambiguous_proxy"}
    assert_translated(result, "options")
    schema = result["data_schema"].schema
    assert get_schema_suggested_value(schema, CONF_PROXY) == AMBIGUOUS_PROXY
    assert CONF_PROXY not in old_entry.options


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", ["reconfigure", "reauth"])
async def test_new_url_with_a_stored_ambiguous_proxy(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry, source: str
) -> None:
    """A proxy stored before the check: the probe is not sent, the error says why."""
    hass.config_entries.async_update_entry(
        old_entry, options={CONF_PROXY: AMBIGUOUS_PROXY}
    )
    result = await start_flow(hass, source, old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(source, slack.url)
    )
    assert result["errors"] == {"base": "ambiguous_proxy"}
    assert slack.received == []


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_unreachable_proxy(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry
) -> None:
    """The proxy is down: the form says so, rather than blaming the webhook."""
    proxy = f"http://{PROXY_USER}:{PROXY_PASSWORD.replace('/', '%2F')}@127.0.0.1:{free_port()}"
    result = await start_flow(hass, "user", old_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input("user", slack.url, proxy=proxy)
    )
    assert result["errors"] == {"base": "cannot_connect_proxy"}
    assert_translated(result)


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    "raw", [PORTAL_302, html_answer(403, "Forbidden")], ids=["portal-302", "html-403"]
)
async def test_user_flow_through_an_intercepting_proxy(
    hass: HomeAssistant, slack: SlackServer, old_entry: MockConfigEntry, raw: bytes
) -> None:
    """A portal or filter answers for the hook: not the webhook's refusal."""
    async with serving(ProxyServer(intercept=raw)) as intercepting:
        result = await start_flow(hass, "user", old_entry)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], form_input("user", slack.url, proxy=intercepting.url)
        )
    assert result["errors"] == {"base": "not_from_webhook"}
    assert_translated(result)
    assert slack.received == []


@pytest.mark.parametrize(
    ("error", "errors"),
    [
        (
            WebhookProxyError("proxy.lan:3128", "refused"),
            {"base": "cannot_connect_proxy"},
        ),
        (WebhookTLSError("untrusted"), {"base": "tls_failed"}),
        (WebhookDNSError("unknown host"), {"base": "cannot_connect"}),
        (WebhookConnectTimeoutError("slow"), {"base": "cannot_connect"}),
        (WebhookSessionClosedError("closed"), {"base": "unknown"}),
    ],
)
def test_probe_errors_by_class(error: WebhookError, errors: dict[str, str]) -> None:
    """Failures without an answer map by class (an untrusted certificate among them).

    The TLS case is not run against the https server here: Home Assistant's
    test harness fails a test on the server's own log of the refused handshake.
    """
    assert probe_errors(error) == errors
    assert set(errors.values()) <= set(STRINGS["config"]["error"])
