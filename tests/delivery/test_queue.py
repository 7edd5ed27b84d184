"""Tests for ordered, paced and durable delivery (issue: delivery you can trust)."""

import asyncio

import pytest

from custom_components.slack_webhook.const import (
    CONF_MAX_AGE,
    CONF_OUTBOX_SIZE,
    CONF_RAISE_ON_QUEUED,
    DOMAIN,
)
from custom_components.slack_webhook.delivery.queue import (
    QUEUED,
    DeliveryResult,
)
from custom_components.slack_webhook.delivery.reporting import EVENT_DELIVERY_FAILED
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from tests.helpers.entries import NO_RETRIES, LoadEntry, MakeEntry, SetupEntry
from tests.helpers.outbox_files import journal_path, stored, stored_texts
from tests.helpers.pending_sensor import pending_state
from tests.helpers.restart import restarted
from tests.helpers.slack_server import SECRET, UNAVAILABLE, Answer, SlackServer
from tests.helpers.waiting import until

pytestmark = pytest.mark.usefixtures("fast_outbox")


async def _send(entry: MockConfigEntry, text: str) -> DeliveryResult:
    """Send one text message through the entry's delivery queue."""
    return await entry.runtime_data.delivery.async_send({"text": text})


async def test_burst_is_delivered_in_order_at_the_hook_rate(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """20 concurrent sends to a 1 message/s hook: all delivered, in order, N+1 attempts at most."""
    slack.rate_limit = 1.0
    entry = await setup_entry()
    texts = [f"message {i}" for i in range(20)]
    results = await asyncio.gather(*(_send(entry, text) for text in texts))

    assert all(result.delivered for result in results)
    assert [result.status_code for result in results] == [200] * 20
    assert [body["text"] for body in slack.accepted] == texts
    assert len(slack.received) <= len(texts) + 1
    assert await pending_state(hass) == "0"


async def test_outage_queues_then_recovers_in_order(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sends during an outage return queued, are stored, and arrive in order later."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    results = await asyncio.gather(*(_send(entry, f"m{i}") for i in range(3)))
    assert results == [QUEUED] * 3
    assert await stored_texts(hass, entry.entry_id) == ["m0", "m1", "m2"]
    assert await _send(entry, "m3") == QUEUED
    await hass.async_block_till_done()
    assert await pending_state(hass) == "4"
    assert slack.accepted == []

    slack.default = Answer()
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert [body["text"] for body in slack.accepted] == ["m0", "m1", "m2", "m3"]
    async with asyncio.timeout(10):  # removals are written after a short delay
        while await stored_texts(hass, entry.entry_id):
            await asyncio.sleep(0.01)
    await hass.async_block_till_done()
    assert await pending_state(hass) == "0"
    logged = [
        r.getMessage()
        for r in caplog.records
        if r.name == "custom_components.slack_webhook"
    ]
    assert [m for m in logged if "unavailable" in m] == [
        "Slack webhook Alerts is unavailable (service_unavailable); queued 3 message(s) for redelivery"
    ]
    assert logged.count("Slack webhook Alerts answers again") == 1


async def test_outbox_survives_a_restart(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
) -> None:
    """A new Home Assistant on the same storage delivers the outbox."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    assert await _send(entry, "before restart") == QUEUED
    await hass.async_stop()
    slack.default = Answer()

    async with restarted(hass.config.config_dir, entry):
        pass
    assert [body["text"] for body in slack.accepted] == ["before restart"]


async def test_waiting_messages_are_kept_when_home_assistant_stops(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
) -> None:
    """Messages still waiting for their turn are written to the outbox on stop."""
    entry = await setup_entry()
    slack.default = Answer(delay=2)
    pending = [hass.async_create_task(_send(entry, f"m{i}")) for i in range(2)]
    await until(lambda: len(slack.received) == 1)
    await entry.runtime_data.delivery.async_stop()
    assert await asyncio.gather(*pending) == [QUEUED, QUEUED]
    hass.set_state(CoreState.stopping)
    assert await _send(entry, "while stopping") == QUEUED
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    assert await stored_texts(hass, entry.entry_id) == ["m0", "m1", "while stopping"]


async def test_expired_messages_are_given_up_with_an_event(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
) -> None:
    """A stored message past its age is dropped and reported, never sent."""
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES, **{CONF_MAX_AGE: 1 / 3600})
    assert await _send(entry, "old") == QUEUED
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    await hass.async_block_till_done()
    assert slack.accepted == []
    assert len(events) == 1
    assert events[0].data["reason"] == "expired"
    assert events[0].data["entry_id"] == entry.entry_id
    assert SECRET not in str(events[0].data)


async def test_full_outbox_refuses_with_a_repair_issue(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """New messages are refused, never dropped, when the outbox is full."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES, **{CONF_OUTBOX_SIZE: 2})
    assert await _send(entry, "one") == QUEUED
    assert await _send(entry, "two") == QUEUED
    with pytest.raises(HomeAssistantError) as err:
        await _send(entry, "three")
    assert err.value.translation_key == "outbox_full"
    issue_id = f"outbox_full_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    slack.default = Answer()
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert [body["text"] for body in slack.accepted] == ["one", "two"]
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("kind", ["outbox_full", "path_fault"])
async def test_issue_left_from_an_earlier_run_is_cleared(
    hass: HomeAssistant,
    slack: SlackServer,
    make_entry: MakeEntry,
    load_entry: LoadEntry,
    kind: str,
) -> None:
    """An issue raised before a restart goes with the first message delivered."""
    entry = make_entry()
    issue_id = f"{kind}_{entry.entry_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=kind,
    )
    await load_entry(entry)
    assert await _send(entry, "one") == DeliveryResult(True, 200, "ok")
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize(
    ("status", "body", "key"),
    [
        (400, "invalid_blocks", "payload_rejected"),
        (404, "channel_not_found", "webhook_rejected"),
        (410, "channel_is_archived", "webhook_rejected"),
        (403, "invalid_token", "webhook_auth"),
    ],
)
async def test_permanent_errors_raise_once(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    status: int,
    body: str,
    key: str,
) -> None:
    """A permanent failure is tried once and raised, naming Slack's code, never the URL."""
    slack.default = Answer(status=status, body=body)
    entry = await setup_entry()
    with pytest.raises(HomeAssistantError) as err:
        await _send(entry, "x")
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == {"error": body}
    assert SECRET not in str(err.value)
    assert len(slack.received) == 1
    assert entry.runtime_data.delivery.pending == 0


async def test_auth_error_starts_reauth(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A revoked hook raises and starts a reauth flow."""
    slack.default = Answer(status=404, body="no_service")
    entry = await setup_entry()
    with pytest.raises(HomeAssistantError):
        await _send(entry, "x")
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_stored_message_failing_permanently_fires_event(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A queued message that Slack then refuses is reported by an event."""
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    slack.answer(UNAVAILABLE)
    slack.default = Answer(status=400, body="invalid_payload")
    entry = await setup_entry(**NO_RETRIES)
    assert await _send(entry, "doomed") == QUEUED
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    await hass.async_block_till_done()
    assert [event.data["reason"] for event in events] == ["invalid_payload"]
    assert len(slack.received) == 2


async def test_revoked_hook_keeps_the_outbox_for_reauth(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
) -> None:
    """Queued messages are kept, not dropped, when the hook turns out revoked."""
    slack.answer(UNAVAILABLE)
    slack.default = Answer(status=403, body="invalid_token")
    entry = await setup_entry(**NO_RETRIES)
    assert await _send(entry, "keep me") == QUEUED
    delivery = entry.runtime_data.delivery
    await until(lambda: delivery.statistics()["halted_for_reauth"])
    assert await _send(entry, "and me") == QUEUED
    assert await stored_texts(hass, entry.entry_id) == ["keep me", "and me"]
    assert len(slack.received) == 2

    slack.default = Answer()
    hass.config_entries.async_update_entry(entry, data={**entry.data})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert [body["text"] for body in slack.accepted] == ["keep me", "and me"]


async def test_raise_on_queued_option(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """With the option set, a queued message raises (and is still queued)."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES, **{CONF_RAISE_ON_QUEUED: True})
    with pytest.raises(HomeAssistantError) as err:
        await _send(entry, "x")
    assert err.value.translation_key == "queued"
    assert err.value.translation_placeholders == {"error": "service_unavailable"}
    assert entry.runtime_data.delivery.pending == 1


async def test_unload_keeps_and_reload_delivers(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Unloading keeps the outbox; loading again delivers it."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    assert await _send(entry, "x") == QUEUED
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    slack.default = Answer()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert [body["text"] for body in slack.accepted] == ["x"]


async def test_removing_the_entry_deletes_its_outbox(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
) -> None:
    """The outbox file goes with the entry."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    assert await _send(entry, "x") == QUEUED
    path = journal_path(hass, entry.entry_id)
    assert await hass.async_add_executor_job(path.exists)
    await hass.config_entries.async_remove(entry.entry_id)
    assert not await hass.async_add_executor_job(path.exists)


async def test_response_url_messages_expire_after_30_minutes(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
) -> None:
    """A response_url accepts messages for 30 minutes, so its messages expire then."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    response_url = slack.origin + "/actions/T0001/123/responseT0k3n"
    assert await delivery.async_send({"text": "r"}, response_url=response_url) == QUEUED
    assert await _send(entry, "w") == QUEUED
    records = await stored(hass, entry.entry_id)
    ages = [m["expires"] - m["accepted"] for m in records]
    assert ages == [pytest.approx(1800), pytest.approx(24 * 3600)]
    assert records[0]["response_url"] == response_url

    slack.default = Answer()
    await until(lambda: delivery.pending == 0)
    assert [r.path for r in slack.received if r.status == 200] == [
        "/actions/T0001/123/responseT0k3n",
        "/services/T0001/B0001/" + SECRET,
    ]
