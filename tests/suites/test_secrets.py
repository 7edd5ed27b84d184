"""No secret leaks: the hook's secret path segment and proxy credentials never show.

Every flow and failure path runs with DEBUG logging for all loggers; the
captured logs, diagnostics, entity states, events, flow results and the
messages of every exception raised must not hold a secret.
"""

import asyncio
import base64
from collections.abc import Awaitable
import logging
import re
from typing import Any
from urllib.parse import quote

import pytest

from custom_components.slack_webhook.const import (
    CONF_BURST,
    CONF_PROXY,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TIMEOUT,
    DOMAIN,
)
from custom_components.slack_webhook.delivery import Delivery
from custom_components.slack_webhook.delivery.reporting import EVENT_DELIVERY_FAILED
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.const import CONF_NAME, CONF_URL, EVENT_LOGGING_CHANGED
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    get_schema_suggested_value,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from tests.helpers.entries import MakeEntry, SetupEntry
from tests.helpers.proxy_server import PROXY_PASSWORD, PROXY_USER, ProxyServer
from tests.helpers.slack_server import SECRET, Answer, SlackServer

ENCODED_PASSWORD = quote(PROXY_PASSWORD, safe="")
WRONG_PASSWORD = "wr0ngPa55w0rd"  # noqa: S105
NEW_SECRET = "n3wH00kS3cr3t"  # noqa: S105
RESPONSE_SECRET = "r3sp0ns3S3cr3t"  # noqa: S105
SECRETS = (
    SECRET,
    NEW_SECRET,
    RESPONSE_SECRET,
    PROXY_USER,
    PROXY_PASSWORD,
    ENCODED_PASSWORD,
    WRONG_PASSWORD,
    base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode(),
    base64.b64encode(f"{PROXY_USER}:{WRONG_PASSWORD}".encode()).decode(),
)
GIVEN_RESPONSE_URL = re.compile(r"\bresponse_url=\S+")
TIMEOUT = 0.3
"""Seconds one attempt may take in the send tests."""


class Evidence:
    """Everything a test collects that must be free of secrets."""

    def __init__(self) -> None:
        """Start with nothing collected."""
        self.texts: list[str] = []
        self.errors: list[BaseException] = []

    def add(self, value: Any) -> None:
        """Collect a value as text."""
        self.texts.append(repr(value))

    async def outcome(self, call: Awaitable[Any]) -> Any:
        """Await a call and collect its result or the exception it raised."""
        try:
            result = await call
        except Exception as err:  # noqa: BLE001 - every exception is evidence
            self.errors.append(err)
            return err
        self.add(result)
        return result

    def leaks(self) -> dict[str, list[str]]:
        """Return, per secret, the collected texts that hold it."""
        texts = self.texts + [_describe(err) for err in self.errors]
        found = {secret: [t for t in texts if secret in t] for secret in SECRETS}
        return {secret: where for secret, where in found.items() if where}


def _describe(err: BaseException) -> str:
    """Return an exception's messages, placeholders and causes as text."""
    parts: list[str] = []
    current: BaseException | None = err
    while current is not None:
        parts += [str(current), repr(current), repr(current.args)]
        parts.append(repr(getattr(current, "translation_placeholders", None)))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def _log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return every captured record as formatted, with its traceback."""
    return [
        _without_given_response_url(record, caplog.handler.format(record))
        for record in caplog.records
    ]


def _without_given_response_url(record: logging.LogRecord, text: str) -> str:
    """Leave out the response_url of an action call logged by the event bus.

    Home Assistant's event bus logs each action call with its data at DEBUG,
    a response_url as the caller gave it included: no integration can keep
    that out. Everything else in such a record is still checked.
    """
    if record.name == "homeassistant.core" and "call_service" in record.getMessage():
        return GIVEN_RESPONSE_URL.sub("response_url=<given>", text)
    return text


def _assert_clean(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, evidence: Evidence
) -> None:
    """Assert no secret in logs, states, flows or the evidence collected."""
    evidence.texts += _log_texts(caplog)
    evidence.add([state.as_dict() for state in hass.states.async_all()])
    evidence.add(hass.config_entries.flow.async_progress())
    assert evidence.leaks() == {}


@pytest.fixture
def debug_logs(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG; the event bus logs every event then."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    hass.bus.async_fire(EVENT_LOGGING_CHANGED)
    return caplog


def hook(secret: str = SECRET) -> str:
    """Return the hook's path with a secret."""
    return f"/services/T0001/B0001/{secret}"


async def until_delivered(delivery: Delivery) -> None:
    """Wait until nothing is pending, for 5 seconds at most."""
    async with asyncio.timeout(5):
        while delivery.pending:
            await asyncio.sleep(0.01)


def _proxy_url(proxy: ProxyServer, password: str = ENCODED_PASSWORD) -> str:
    """Return the proxy's URL with credentials (the password as it goes in a URL)."""
    return f"http://{PROXY_USER}:{password}@127.0.0.1:{proxy.port}"


async def _user_step(
    hass: HomeAssistant, evidence: Evidence, url: str, proxy: str = ""
) -> Any:
    """Run the user step with a URL and proxy; collect the result's messages."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Alerts", CONF_URL: url, CONF_PROXY: proxy}
    )
    evidence.add({k: result.get(k) for k in ("errors", "reason", "title", "type")})
    return result


async def test_config_flows_keep_secrets(
    hass: HomeAssistant,
    slack: SlackServer,
    auth_proxy: ProxyServer,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    """User step errors and success, options, reauth: no secret logged or shown."""
    evidence = Evidence()
    for url in (
        f"ftp://hooks.example.com{hook()}",
        f"http://hooks.example.com{hook()}",
        f"http://127.0.0.1:1{hook()}",
    ):
        result = await _user_step(hass, evidence, url)
        assert result["type"] is FlowResultType.FORM
    result = await _user_step(
        hass, evidence, slack.url, f"http://{PROXY_USER}:{ENCODED_PASSWORD}@127.0.0.1:1"
    )
    assert result["errors"] == {"base": "cannot_connect_proxy"}
    result = await _user_step(
        hass, evidence, slack.url, f"http://{PROXY_USER}:{PROXY_PASSWORD}/x@proxy"
    )
    assert result["errors"] == {"proxy": "ambiguous_proxy"}
    for answer in (
        Answer(status=404, body="no_service"),
        Answer(status=500, body="rollup_error"),
        Answer(reset=True),
    ):
        slack.answer(answer)
        result = await _user_step(hass, evidence, slack.url)
        assert result["errors"], answer
    result = await _user_step(
        hass, evidence, slack.url, _proxy_url(auth_proxy, WRONG_PASSWORD)
    )
    assert result["errors"] == {"base": "proxy_rejected"}
    result = await _user_step(
        hass, evidence, slack.url, f"socks5://{PROXY_USER}:{ENCODED_PASSWORD}@proxy"
    )
    assert result["errors"] == {"proxy": "invalid_proxy"}

    result = await _user_step(hass, evidence, slack.url, _proxy_url(auth_proxy))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()

    result = await hass.config_entries.options.async_init(entry.entry_id)
    shown = get_schema_suggested_value(result["data_schema"].schema, CONF_PROXY)
    assert shown == f"http://********:********@127.0.0.1:{auth_proxy.port}", (
        "the form masks the user and password"
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_PROXY: _proxy_url(auth_proxy, "********"),
            "retries": {},
            "delivery": {},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_PROXY] == _proxy_url(auth_proxy)
    await hass.async_block_till_done()

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_REAUTH, "entry_id": entry.entry_id},
        data=entry.data,
    )
    evidence.add(result)
    slack.answer(Answer(reset=True))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: slack.url.replace(SECRET, NEW_SECRET)}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    evidence.add(result)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: slack.url.replace(SECRET, NEW_SECRET)}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()

    assert len(auth_proxy.forwarded) == 3
    assert "/services/T0001/B0001/*** (attempt 1)" in debug_logs.text
    assert "Bus:Handling" in debug_logs.text
    _assert_clean(hass, debug_logs, evidence)


@pytest.mark.usefixtures("fast_outbox")
async def test_send_paths_keep_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    slack: SlackServer,
    auth_proxy: ProxyServer,
    debug_logs: pytest.LogCaptureFixture,
    setup_entry: SetupEntry,
) -> None:
    """Sends, retries, 429, resets, timeouts, outbox and failures through a proxy."""
    evidence = Evidence()
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    entry = await setup_entry(
        **{
            CONF_PROXY: _proxy_url(auth_proxy),
            CONF_TIMEOUT: TIMEOUT,
            CONF_RETRIES_CONNECTION: 1,
            CONF_RETRIES_SERVER: 1,
            CONF_RETRIES_RATE_LIMIT: 1,
            CONF_RATE: 1000,
            CONF_BURST: 100,
        }
    )
    delivery = entry.runtime_data.delivery
    response_url = f"{slack.origin}/actions/T0001/42/{RESPONSE_SECRET}"

    async def send(*answers: Answer, service: str = "send", **data: Any) -> Any:
        slack.answer(*answers)
        call = hass.services.async_call(
            DOMAIN,
            service,
            {"entity_id": "notify.alerts", "text": "hi", **data},
            blocking=True,
            return_response=True,
        )
        return await evidence.outcome(call)

    unavailable = Answer(status=503, body="service_unavailable")
    await send()
    await send(unavailable)
    await send(Answer(status=429, body="rate_limited", headers={"Retry-After": "0.05"}))
    await send(Answer(reset=True))
    await send(Answer(delay=2 * TIMEOUT))
    await send(unavailable, unavailable)
    await until_delivered(delivery)
    await send(unavailable, unavailable, Answer(status=400, body="invalid_payload"))
    await until_delivered(delivery)
    await send(Answer(status=400, body="invalid_blocks"))
    await send(service="respond", response_url=response_url)
    await send(
        service="respond",
        response_url=f"https://elsewhere.example/actions/T0001/42/{RESPONSE_SECRET}",
    )
    await evidence.outcome(
        hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": "notify.alerts", "message": "hi", "title": "t"},
            blocking=True,
        )
    )
    await until_delivered(delivery)
    await send(Answer(status=403, body="invalid_token"))
    await hass.async_block_till_done()

    evidence.add([event.data for event in events])
    evidence.add(await get_diagnostics_for_config_entry(hass, hass_client, entry))
    evidence.add(delivery.statistics())
    assert [type(err).__name__ for err in evidence.errors] == [
        "HomeAssistantError",
        "ServiceValidationError",
        "HomeAssistantError",
    ]
    assert [event.data["reason"] for event in events] == ["invalid_payload"]
    assert any(r.status == 0 for r in slack.received)
    assert "No answer within" in debug_logs.text
    assert "Bus:Handling <Event call_service" in debug_logs.text
    assert "retried in" in debug_logs.text
    assert all(p.proxy_authorization for p in auth_proxy.forwarded)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    _assert_clean(hass, debug_logs, evidence)


def test_evidence_finds_leaks() -> None:
    """The checker itself finds each secret, in texts and in exception chains."""
    evidence = Evidence()
    evidence.add({"url": f"http://x{hook()}"})
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = ValueError(PROXY_PASSWORD)
    evidence.errors.append(wrapped)
    assert set(evidence.leaks()) == {SECRET, PROXY_PASSWORD}


@pytest.mark.parametrize(
    "credentials",
    [f":{ENCODED_PASSWORD}", ENCODED_PASSWORD, f"{PROXY_USER}:{ENCODED_PASSWORD}/x"],
    ids=["empty-user", "user-only", "ambiguous"],
)
async def test_diagnostics_keep_proxy_secrets_in_every_form(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    slack: SlackServer,
    make_entry: MakeEntry,
    credentials: str,
) -> None:
    """Whatever form the stored proxy URL has, its credentials do not show."""
    entry = make_entry(**{CONF_PROXY: f"http://{credentials}@proxy.lan:3128"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    evidence = Evidence()
    if entry.state is ConfigEntryState.LOADED:
        evidence.add(await get_diagnostics_for_config_entry(hass, hass_client, entry))
    evidence.add(entry.reason)
    assert evidence.leaks() == {}
