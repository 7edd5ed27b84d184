"""Delivery at the edges: long outages, hostile input, unloads, clock steps (issue 11)."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
import errno
import math
import os
from pathlib import Path
import threading
import time
from typing import Any
from unittest.mock import patch

from aiohttp import ClientSession
import pytest

from custom_components.slack_webhook.const import (
    CONF_BURST,
    CONF_MAX_AGE,
    CONF_MAX_RETRY_AFTER,
    CONF_PROXY,
    CONF_RATE,
    CONF_TIMEOUT,
    DOMAIN,
)
from custom_components.slack_webhook.delivery import journal
from custom_components.slack_webhook.delivery.queue import (
    DEADLINES,
    QUEUED,
    outbox_backoff,
)
from custom_components.slack_webhook.delivery.reporting import EVENT_DELIVERY_FAILED
from custom_components.slack_webhook.delivery.token_bucket import TokenBucket
from custom_components.slack_webhook.payload import (
    check_response_url,
    check_storable,
    parse_json,
)
from custom_components.slack_webhook.slack_client import AsyncWebhookClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
)
from tests.helpers.disk_faults import DiskFaults, Fault, enospc_after
from tests.helpers.entries import NO_RETRIES, LoadEntry, MakeEntry, SetupEntry
from tests.helpers.outbox_files import journal_path, record
from tests.helpers.proxy_server import PORTAL_302, REFUSED_407, ProxyServer, html_answer
from tests.helpers.slack_server import UNAVAILABLE, Answer, SlackServer
from tests.helpers.waiting import until

pytestmark = pytest.mark.usefixtures("fast_outbox")

HOOK = "https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3nValue"


def _old_record(text: str, **changes: Any) -> dict[str, Any]:
    """Return an outbox record as the old store (before the journal) held it."""
    return record(text, next_try=0.0, **changes)


def _outbox(hass_storage: dict[str, Any], entry_id: str, records: list[Any]) -> None:
    """Put records in an entry's outbox file before it is set up."""
    hass_storage[f"{DOMAIN}.{entry_id}.outbox"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{entry_id}.outbox",
        "data": {"messages": records},
    }


@contextmanager
def _wall_clock_step(seconds: float) -> Iterator[None]:
    """Step the wall clock (time.time) by `seconds`; the monotonic clock runs on."""
    real = time.time
    with patch("time.time", lambda: real() + seconds):
        yield


# Finding 1: a long outage must not kill the delivery task.


def test_outbox_backoff_is_bounded_for_any_round() -> None:
    """The redelivery wait is finite and capped however many rounds failed."""
    for attempts in (1, 2, 10, 1_025, 10**6):
        assert 0 < outbox_backoff(attempts) <= 600 * 1.2


async def test_many_failed_rounds_keep_the_task_alive(
    hass: HomeAssistant,
    slack: SlackServer,
    hass_storage: dict[str, Any],
    make_entry: MakeEntry,
    load_entry: LoadEntry,
) -> None:
    """A message that failed 5,000 rounds is retried again, and later ones follow."""
    entry = make_entry(**NO_RETRIES)
    _outbox(hass_storage, entry.entry_id, [_old_record("old", attempts=5_000)])
    slack.answer(UNAVAILABLE, UNAVAILABLE)
    await load_entry(entry)
    await until(lambda: len(slack.received) >= 3)
    result = await entry.runtime_data.delivery.async_send({"text": "new"})
    await until(lambda: [b["text"] for b in slack.accepted] == ["old", "new"])
    assert result.delivered or result == QUEUED


# Finding 2: what is accepted is storable and sendable.


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"text": "half an emoji \ud83d"}, "invalid_unicode"),
        ({"blocks": '[{"type": "section", "n": NaN}]'}, "invalid_json"),
        (
            {
                "text": "x",
                "metadata": {"event_type": "t", "event_payload": {"n": math.inf}},
            },
            "not_json",
        ),
    ],
    ids=["lone-surrogate", "nan-in-json-string", "infinity-value"],
)
async def test_unstorable_input_is_refused_before_anything_is_queued(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    hass_storage: dict[str, Any],
    data: dict[str, Any],
    key: str,
) -> None:
    """Input HA's store or JSON cannot hold is refused with a translated error."""
    entry = await setup_entry(**NO_RETRIES)
    slack.default = UNAVAILABLE  # anything accepted would be queued
    call = hass.services.async_call(
        DOMAIN,
        "send",
        {"entity_id": "notify.alerts", **data},
        blocking=True,
        return_response=True,
    )
    with pytest.raises(ServiceValidationError) as err:
        await call
    assert err.value.translation_key == key
    assert slack.received == []
    assert entry.runtime_data.delivery.pending == 0


async def test_deep_nesting_is_refused(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Blocks nested deeper than the store can hold are refused, nothing sent."""
    await setup_entry(**NO_RETRIES)
    deep: Any = "leaf"
    for _ in range(300):
        deep = [deep]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "send",
            {"entity_id": "notify.alerts", "blocks": [{"type": "x", "deep": deep}]},
            blocking=True,
        )
    assert err.value.translation_key == "too_deep"
    assert slack.received == []


async def test_a_message_too_large_is_refused(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """One message's encoded size is capped with a clear error."""
    await setup_entry(**NO_RETRIES)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "€" * 39_000}}]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "send",
            {"entity_id": "notify.alerts", "blocks": blocks * 50},
            blocking=True,
        )
    assert err.value.translation_key == "message_too_large"
    assert slack.received == []


# Finding 3: unload during an outbox write answers every caller.


async def test_unload_during_an_outbox_write_answers_the_caller(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A caller whose message is being written when the entry unloads is answered."""
    entry = await setup_entry(**NO_RETRIES)
    slack.default = UNAVAILABLE
    writing, release = threading.Event(), threading.Event()
    real_append = journal.append

    def blocked_append(path: Path, data: bytes) -> None:
        writing.set()
        release.wait(5)
        real_append(path, data)

    with patch.object(journal, "append", blocked_append):
        caller = asyncio.ensure_future(
            entry.runtime_data.delivery.async_send({"text": "a"})
        )
        await until(writing.is_set)
        unload = asyncio.ensure_future(hass.config_entries.async_unload(entry.entry_id))
        await asyncio.sleep(0.05)
        assert not caller.done()
        release.set()
        assert await unload
        async with asyncio.timeout(5):
            assert await caller == QUEUED


async def test_a_send_after_unload_is_refused_not_lost(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A send reaching a stopped queue (a reload race) is refused, not half-accepted."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await delivery.async_send({"text": "late"})
    assert err.value.translation_key == "not_loaded"


# Finding 4: no call waits past its deadline; pauses are capped.


@pytest.mark.parametrize("seconds", [3600.0, math.inf, math.nan, -5.0])
def test_pacer_pause_is_capped(seconds: float) -> None:
    """A pause never exceeds the cap and is always finite."""
    now = [100.0]
    bucket = TokenBucket(rate=1, burst=1, max_pause=60, clock=lambda: now[0])
    bucket.pause(seconds)
    assert 0 <= bucket.paused_for <= 60


async def test_a_waiting_caller_is_answered_queued_at_its_deadline(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Behind a slow pacer a caller is answered queued, and the message still goes."""
    entry = await setup_entry(
        **NO_RETRIES | {CONF_TIMEOUT: 1, CONF_MAX_RETRY_AFTER: 1},
        **{CONF_RATE: 0.2, CONF_BURST: 1},
    )
    delivery = entry.runtime_data.delivery
    first = await delivery.async_send({"text": "1"})
    assert first.delivered
    async with asyncio.timeout(10):
        second = await delivery.async_send({"text": "2"})
    assert second == QUEUED
    await until(lambda: [b["text"] for b in slack.accepted] == ["1", "2"])


# Finding 5: scheduling runs on the monotonic clock.


async def test_a_wall_clock_step_back_does_not_delay_a_due_retry(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """After the wall clock steps back an hour, a retry due in milliseconds still runs."""
    entry = await setup_entry(**NO_RETRIES)
    slack.answer(UNAVAILABLE)
    assert await entry.runtime_data.delivery.async_send({"text": "a"}) == QUEUED
    with _wall_clock_step(-3600):
        await until(lambda: [b["text"] for b in slack.accepted] == ["a"])


async def test_a_wall_clock_step_forward_does_not_expire_new_messages(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A day's step forward (NTP after an offline boot) expires nothing accepted seconds ago."""
    entry = await setup_entry(**NO_RETRIES)
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    slack.answer(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE)
    assert await entry.runtime_data.delivery.async_send({"text": "a"}) == QUEUED
    with _wall_clock_step(48 * 3600):
        await until(lambda: [b["text"] for b in slack.accepted] == ["a"])
    assert events == []


async def test_expiry_survives_a_restart_bounded_by_max_age(
    hass: HomeAssistant,
    slack: SlackServer,
    hass_storage: dict[str, Any],
    make_entry: MakeEntry,
    load_entry: LoadEntry,
) -> None:
    """Loaded messages expire by wall time, but never later than max_age from now."""
    entry = make_entry(**NO_RETRIES)
    now = time.time()
    _outbox(
        hass_storage,
        entry.entry_id,
        [
            _old_record("stale", accepted=now - 90_000, expires=now - 10),
            _old_record("far", expires=now + 10**9),
        ],
    )
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    await load_entry(entry)
    await until(lambda: [b["text"] for b in slack.accepted] == ["far"])
    assert [e.data["reason"] for e in events] == ["expired"]
    stored = entry.runtime_data.delivery.statistics()
    assert stored["expired"] == 1


# Finding 6: a response_url's answer belongs to that message only.


@pytest.mark.parametrize("body", ["invalid_token", "no_service", "expired_url"])
async def test_a_response_url_auth_answer_fails_only_that_message(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, body: str
) -> None:
    """No reauth flow, no halt: the webhook keeps delivering."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    slack.answer(Answer(status=404, body=body))
    with pytest.raises(HomeAssistantError):
        await delivery.async_send(
            {"text": "r"}, response_url=slack.origin + "/actions/T1/1/tok"
        )
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert (await delivery.async_send({"text": "next"})).delivered
    assert not delivery.statistics()["halted_for_reauth"]


async def test_a_queued_response_url_auth_answer_does_not_halt(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """From the outbox too: the response_url message is reported, the rest delivered."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    slack.answer(UNAVAILABLE, Answer(status=403, body="invalid_token"))
    url = slack.origin + "/actions/T1/1/tok"
    # The retry waits long enough that the second send finds the first queued.
    with patch.multiple(
        "custom_components.slack_webhook.delivery.queue",
        OUTBOX_RETRY_BASE=0.3,
        OUTBOX_RETRY_MAX=0.3,
    ):
        assert await delivery.async_send({"text": "r"}, response_url=url) == QUEUED
        assert await delivery.async_send({"text": "hook"}) == QUEUED
        await until(lambda: [b["text"] for b in slack.accepted] == ["hook"])
    assert [e.data["reason"] for e in events] == ["invalid_token"]
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


# Finding 7: a hand-edited outbox never breaks the entry.


@pytest.mark.parametrize(
    "bad",
    [
        {"expires": "2030-01-01"},
        {"id": None},
        {"body": "text"},
        {"body": {}},
        {"headers": {"X": 1}},
        {"attempts": -1},
        {"response_url": 5},
        {"accepted": math.nan},
    ],
)
async def test_invalid_outbox_records_are_skipped_and_reported(
    hass: HomeAssistant,
    slack: SlackServer,
    hass_storage: dict[str, Any],
    bad: dict[str, Any],
    make_entry: MakeEntry,
    load_entry: LoadEntry,
) -> None:
    """Setup succeeds, the valid records are delivered, a repair issue counts the rest."""
    entry = make_entry(**NO_RETRIES)
    missing = _old_record("missing")
    del missing["expires"]
    _outbox(
        hass_storage,
        entry.entry_id,
        [
            _old_record("a"),
            _old_record("bad", **bad),
            missing,
            "junk",
            _old_record("b"),
        ],
    )
    await load_entry(entry)
    assert entry.state is ConfigEntryState.LOADED
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert [b["text"] for b in slack.accepted] == ["a", "b"]
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"outbox_invalid_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Alerts", "count": "3"}
    assert (await entry.runtime_data.delivery.async_send({"text": "c"})).delivered


@pytest.mark.parametrize(
    "data", [{"messages": "x"}, ["x"], {"messages": [1, 2]}, {"other": []}]
)
async def test_an_outbox_of_the_wrong_shape_still_sets_up(
    hass: HomeAssistant,
    slack: SlackServer,
    hass_storage: dict[str, Any],
    data: Any,
    make_entry: MakeEntry,
    load_entry: LoadEntry,
) -> None:
    """Whatever the file holds, setup succeeds and new messages are delivered."""
    entry = make_entry(**NO_RETRIES)
    key = f"{DOMAIN}.{entry.entry_id}.outbox"
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": data}
    await load_entry(entry)
    assert entry.state is ConfigEntryState.LOADED
    assert (await entry.runtime_data.delivery.async_send({"text": "c"})).delivered


# Findings 11 and 12: the response_url origin and path.


@pytest.mark.parametrize(
    ("hook", "response_url"),
    [
        (HOOK, "https://hooks.slack.com:443/actions/T1/1/tok"),
        (
            HOOK.replace(".com/", ".com:443/"),
            "https://hooks.slack.com/actions/T1/1/tok",
        ),
        (HOOK, "https://HOOKS.slack.com/commands/T1/1/tok"),
        ("http://chat.example:80/hooks/abc", "http://chat.example/hooks/reply"),
    ],
)
def test_same_origin_with_default_ports_is_accepted(
    hook: str, response_url: str
) -> None:
    """Explicit default ports and host case do not change the origin."""
    check_response_url(response_url, hook)


@pytest.mark.parametrize(
    "response_url",
    [
        "https://hooks.slack.com/services/T2/B2/other",
        "https://hooks.slack.com/triggers/T2/1/abc",
        "https://hooks.slack.com/actions",
        "https://hooks.slack.com/",
        "https://hooks.slack.com:8443/actions/T1/1/tok",
        "http://hooks.slack.com/actions/T1/1/tok",
        "https://evil.example/actions/T1/1/tok",
        "not a url",
    ],
)
def test_other_response_urls_are_refused(response_url: str) -> None:
    """On Slack's hook host only interaction and slash-command URLs are answers."""
    with pytest.raises(ServiceValidationError) as err:
        check_response_url(response_url, HOOK)
    assert err.value.translation_key == "response_url_origin"


async def test_an_unreadable_outbox_file_is_kept_aside(
    hass: HomeAssistant,
    slack: SlackServer,
    tmp_path: Path,
    make_entry: MakeEntry,
    load_entry: LoadEntry,
) -> None:
    """A file that is not JSON is moved aside, reported, and setup goes on."""
    entry = make_entry(**NO_RETRIES)
    hass.config.config_dir = str(tmp_path)
    storage = tmp_path / ".storage"
    storage.mkdir()
    (storage / f"{DOMAIN}.{entry.entry_id}.outbox").write_text("{not json")
    real_load = Store.async_load

    async def load(self: Store[Any]) -> Any:
        if self.key.endswith(".outbox"):
            raise HomeAssistantError("not JSON")
        return await real_load(self)

    with patch.object(Store, "async_load", load):
        await load_entry(entry)
    assert entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"outbox_unreadable_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    kept = issue.translation_placeholders["file"]
    assert kept.startswith(f"{DOMAIN}.{entry.entry_id}.outbox.unreadable-")
    assert (storage / kept).read_text() == "{not json"
    assert (await entry.runtime_data.delivery.async_send({"text": "c"})).delivered


# Finding 9: faults of the path keep the outbox and raise a repair issue.


@pytest.mark.parametrize(
    "answer",
    [REFUSED_407, PORTAL_302, html_answer(403, "Forbidden")],
    ids=["proxy-407", "portal-302", "html-403"],
)
async def test_a_broken_path_keeps_every_message_and_raises_a_repair(
    hass: HomeAssistant,
    slack: SlackServer,
    proxy: ProxyServer,
    setup_entry: SetupEntry,
    answer: bytes,
) -> None:
    """Nothing is failed while the path is broken; all goes out once it heals."""
    proxy.intercept = answer
    entry = await setup_entry(**NO_RETRIES, **{CONF_PROXY: proxy.url})
    delivery = entry.runtime_data.delivery
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    results = [await delivery.async_send({"text": f"m{i}"}) for i in range(3)]
    assert results == [QUEUED] * 3
    await until(lambda: sum(p.forwarded is False for p in proxy.seen) >= 3)
    issue_id = f"path_fault_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert delivery.pending == 3
    assert events == []
    proxy.intercept = None
    await until(lambda: delivery.pending == 0)
    assert [b["text"] for b in slack.accepted] == ["m0", "m1", "m2"]
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert events == []


async def test_a_closed_session_keeps_the_message(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A send that meets a closed HTTP session (HA stopping) queues, never fails."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    with patch.object(ClientSession, "closed", True):
        assert await delivery.async_send({"text": "a"}) == QUEUED
    await until(lambda: delivery.pending == 0)
    assert [b["text"] for b in slack.accepted] == ["a"]


async def test_a_timeout_after_sending_counts_as_a_possible_duplicate(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A slow hook that posts gets the message again later, and diagnostics say so."""
    entry = await setup_entry(**NO_RETRIES | {CONF_TIMEOUT: 0.2})
    delivery = entry.runtime_data.delivery
    slack.answer(Answer(delay=0.5))
    assert await delivery.async_send({"text": "slow"}) == QUEUED
    await until(lambda: delivery.pending == 0)
    assert [b["text"] for b in slack.bodies] == ["slow", "slow"]
    assert delivery.statistics()["possible_duplicates"] == 1


# The delivery task never dies.


async def test_an_unexpected_error_ends_that_message_only(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A bug while handling one message fails it, reported; the queue goes on."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    real_send = AsyncWebhookClient.send_dict
    calls = 0

    async def broken_once(self: AsyncWebhookClient, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        return await real_send(self, *args)

    with patch.object(AsyncWebhookClient, "send_dict", broken_once):
        with pytest.raises(HomeAssistantError) as err:
            await delivery.async_send({"text": "a"})
        assert err.value.translation_key == "delivery_failed"
        assert (await delivery.async_send({"text": "b"})).delivered
    assert [b["text"] for b in slack.accepted] == ["b"]
    assert delivery.statistics()["failed"] == 1


def test_a_json_string_nested_beyond_the_parser_is_refused() -> None:
    """A JSON string too deep for Python's parser is refused, not crashed on."""
    with pytest.raises(ServiceValidationError) as err:
        parse_json("blocks", "[" * 100_000 + "]" * 100_000)
    assert err.value.translation_key == "too_deep"


def test_a_value_json_cannot_encode_is_refused() -> None:
    """An object the webhook's JSON cannot hold (a datetime from a template) is refused."""
    with pytest.raises(ServiceValidationError) as err:
        check_storable({"text": "x", "metadata": {"at": datetime.now(UTC)}}, None)
    assert err.value.translation_key == "not_json"


def test_an_unparsable_response_url_is_refused() -> None:
    """A response_url yarl cannot parse is refused like any other."""
    with pytest.raises(ServiceValidationError):
        check_response_url("http://[::1", HOOK)


async def test_a_reload_keeps_deadlines_whatever_the_wall_clock_did(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Queued, unloaded, the clock steps past max_age, set up again: still delivered."""
    entry = await setup_entry(**NO_RETRIES, **{CONF_MAX_AGE: 1})
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    slack.default = UNAVAILABLE
    assert await entry.runtime_data.delivery.async_send({"text": "a"}) == QUEUED
    assert await hass.config_entries.async_unload(entry.entry_id)
    slack.default = Answer()
    with _wall_clock_step(2 * 3600):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await until(lambda: [b["text"] for b in slack.accepted] == ["a"])
    assert events == []


async def test_a_send_cut_off_by_a_reload_counts_as_a_possible_duplicate(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """The hook may have posted a send the unload cut off; it goes again, counted."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    slack.answer(Answer(delay=1))
    caller = asyncio.ensure_future(delivery.async_send({"text": "a"}))
    await until(lambda: len(slack.received) == 1)
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert await caller == QUEUED
    assert delivery.statistics()["possible_duplicates"] == 1
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert [b["text"] for b in slack.bodies] == ["a", "a"]


async def test_deadlines_kept_for_a_reload_go_with_the_load_or_the_removal(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """What a stopped queue keeps for a reload is taken by the next load or the removal."""
    entry = await setup_entry(**NO_RETRIES)
    slack.default = UNAVAILABLE
    assert await entry.runtime_data.delivery.async_send({"text": "a"}) == QUEUED
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert list(hass.data[DEADLINES]) == [entry.entry_id]
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert hass.data[DEADLINES] == {}
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert list(hass.data[DEADLINES]) == [entry.entry_id]
    await hass.config_entries.async_remove(entry.entry_id)
    assert hass.data[DEADLINES] == {}


# Issue 23: the outbox journal under disk faults.


def _journal_faults(hass: HomeAssistant, entry_id: str) -> DiskFaults:
    """Return faults for an entry's outbox journal."""
    return DiskFaults(journal_path(hass, entry_id))


async def test_a_send_the_outbox_cannot_write_fails_and_is_never_sent(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Queued on a full disk: the caller gets the error; the message never goes out."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    disk = _journal_faults(hass, entry.entry_id)
    slack.default = UNAVAILABLE
    with disk.active():
        # The head the hook fails, then one behind a queued message.
        for text, fault in (("b", enospc_after(12)), ("c", Fault("sync"))):
            disk.schedule(fault)
            with pytest.raises(HomeAssistantError) as err:
                await delivery.async_send({"text": text})
            assert err.value.translation_key == "outbox_write_failed"
            assert err.value.translation_placeholders == {
                "error": os.strerror(fault.error)
            }
            if text == "b":
                assert await delivery.async_send({"text": "a"}) == QUEUED
        slack.default = Answer()
        await until(lambda: delivery.pending == 0)
        assert (await delivery.async_send({"text": "d"})).delivered
    assert [b["text"] for b in slack.accepted] == ["a", "d"]
    assert events == []
    assert delivery.statistics()["failed"] == 2


async def test_a_message_in_flight_when_its_write_fails_is_answered_by_its_send(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """The hook may post it: the caller hears the answer, not the write's error."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    release = threading.Event()
    real_append = journal.append

    def failing_append(path: Path, data: bytes) -> None:
        if b'"text":"m"' in data:
            release.wait(5)
            raise OSError(errno.ENOSPC, "No space left on device")
        real_append(path, data)

    slack.answer(UNAVAILABLE, Answer(delay=0.3), Answer(delay=0.3))
    assert await delivery.async_send({"text": "s"}) == QUEUED
    with patch.object(journal, "append", failing_append):
        caller = asyncio.ensure_future(delivery.async_send({"text": "m"}))
        await until(lambda: len(slack.received) == 3)  # m is being sent
        release.set()
        result = await caller
    assert result.delivered
    await until(lambda: delivery.pending == 0)
    assert [b["text"] for b in slack.accepted] == ["s", "m"]
    assert delivery.statistics()["failed"] == 0


async def test_an_outbox_file_that_cannot_be_opened_is_reported_and_kept(
    hass: HomeAssistant,
    slack: SlackServer,
    tmp_path: Path,
    make_entry: MakeEntry,
    load_entry: LoadEntry,
) -> None:
    """Left in place, reported, read at the next start; meanwhile nothing is queued."""
    entry = make_entry(**NO_RETRIES)
    hass.config.config_dir = str(tmp_path)
    path = journal_path(hass, entry.entry_id)
    path.parent.mkdir()
    path.write_bytes(json_bytes(record("old")) + b"\n")
    disk = _journal_faults(hass, entry.entry_id)
    disk.schedule(Fault("open", errno.EACCES))
    issue_id = f"outbox_not_read_{entry.entry_id}"
    with disk.active():
        await load_entry(entry)
    assert entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": "Alerts",
        "file": path.name,
        "error": "Permission denied",
    }
    delivery = entry.runtime_data.delivery
    assert (await delivery.async_send({"text": "new"})).delivered
    slack.answer(UNAVAILABLE)
    with pytest.raises(HomeAssistantError) as err:
        await delivery.async_send({"text": "waits"})
    assert err.value.translation_key == "outbox_write_failed"
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert [b["text"] for b in slack.accepted] == ["new", "old"]


async def test_a_message_whose_caller_left_is_reported_when_its_write_fails(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Nobody to raise to: the event reports the message the outbox could not write."""
    entry = await setup_entry(**NO_RETRIES)
    delivery = entry.runtime_data.delivery
    events = async_capture_events(hass, EVENT_DELIVERY_FAILED)
    writing, release = threading.Event(), threading.Event()

    def failing_append(path: Path, data: bytes) -> None:
        writing.set()
        release.wait(5)
        raise OSError(errno.EIO, "Input/output error")

    slack.default = UNAVAILABLE
    with patch.object(journal, "append", failing_append):
        caller = asyncio.ensure_future(delivery.async_send({"text": "a"}))
        await until(writing.is_set)
        caller.cancel()
        release.set()
        await until(lambda: delivery.pending == 0)
    assert [e.data["reason"] for e in events] == ["outbox_write_failed"]
    assert events[0].data["message_id"] is not None
