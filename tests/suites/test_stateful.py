"""A stateful property-based test: one entry through outages, rate limits, clock steps and restarts.

Hypothesis drives one config entry through a random sequence of steps: sends
from concurrent callers (slack_webhook.send, slack_webhook.respond to a
response_url on the hook, and notify.send_message), a hook that answers 503,
resets, answers too late, hangs, refuses the payload (400) or rate-limits
with any Retry-After, a hook that goes down and comes back, a
proxy that answers 407 or like a captive portal, wall-clock steps of an hour
both ways, unload, setup, reload, and restarts of Home Assistant on the same
config directory, some with broken lines written into the outbox journal,
and disk faults in the journal's next writes (the disk full, after part of a
line or not, an I/O error on sync, a failed rename of a compaction).
What must hold:

- every call is answered within the client's deadline (plus slack);
  "delivered" means the hook posted it;
- every accepted message is posted, or reported exactly once (the caller's
  error or the `slack_webhook_delivery_failed` event), and only its own fault
  (the hook refusing the payload), expiry, or a disk fault while it was open
  (then the caller gets the error `outbox_write_failed`) drops it: not
  outages, 429, proxies, clock steps, unloads or restarts;
- messages are posted in acceptance order: one answered before another was
  sent is posted first;
- a message is posted more than once only after attempts that got no answer
  (timed out, or cut off by an unload or stop), and no more often; one
  answered with an error is not posted later (the same count: none);
- a 429's pause is never longer than max_retry_after;
- setup never fails; a corrupted outbox record is skipped and reported (a
  log line and a repair issue naming how many); a journal of nothing but
  broken lines is kept aside whole, unchanged, and reported by its new name;
  a path fault (proxy 407, portal) raises a repair issue;
- at the end, with the hook healthy, the queue drains and a new message is
  posted: delivery never stalls.

Hypothesis runs the machine in a thread; every step runs on the test's event
loop, where the servers and Home Assistant live, so time keeps passing
between steps as it would. Each example boots its own Home Assistant.

SLACK_WEBHOOK_STATEFUL_EXAMPLES and SLACK_WEBHOOK_STATEFUL_STEPS (25 each by
default) run it longer; SLACK_WEBHOOK_STATEFUL_RANDOM=1 draws new examples each
run instead of the same ones; SLACK_WEBHOOK_STATEFUL_CHECK=OutOfOrderError,... fails
it only on the promises named, to shrink an example of one of them. The rootfs
starts with an empty environment, so set them inside it:
`in_env env SLACK_WEBHOOK_STATEFUL_EXAMPLES=500 python -m pytest tests/suites/test_stateful.py`.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
import errno
import itertools
import json
import logging
import math
import os
from pathlib import Path
import threading
from typing import Any
import uuid

from hypothesis import HealthCheck, Phase, note, settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
import pytest

from custom_components.slack_webhook.const import (
    CONF_BURST,
    CONF_MAX_AGE,
    CONF_MAX_RETRY_AFTER,
    CONF_PROXY,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TIMEOUT,
    DOMAIN,
)
from custom_components.slack_webhook.delivery.reporting import EVENT_DELIVERY_FAILED
from custom_components.slack_webhook.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import frame, issue_registry as ir
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import STORAGE_DIR
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)
from tests.helpers.backoff import fast_backoff
from tests.helpers.disk_faults import DiskFaults, Fault, enospc_after
from tests.helpers.switchable import (
    OutboxWatch,
    SwitchableHook,
    SwitchableProxy,
    WallClock,
    counting_interrupted_attempts,
    markers_in,
)

EXAMPLES = int(os.environ.get("SLACK_WEBHOOK_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("SLACK_WEBHOOK_STATEFUL_STEPS", "25"))
RANDOM = os.environ.get("SLACK_WEBHOOK_STATEFUL_RANDOM") == "1"

ENTITY_ID = "notify.alerts"
RESPONSE_PATH = "/actions/T0001/1/stateful"
"""Where `respond` calls post: an interaction's response_url on the hook's origin."""
TIMEOUT = 0.1
"""Seconds one attempt may take."""
SLOW = 2 * TIMEOUT
"""When a slow hook answers (and posts): always after the client gave up."""
MAX_RETRY_AFTER = 0.2
RETRIES = {
    CONF_RETRIES_CONNECTION: 1,
    CONF_RETRIES_SERVER: 1,
    CONF_RETRIES_RATE_LIMIT: 1,
}
DEADLINE = TIMEOUT * (sum(RETRIES.values()) + 1) + MAX_RETRY_AFTER
"""The client's deadline for one send, as EntryOptions.total_timeout_seconds computes it."""
ANSWER_BOUND = DEADLINE + 2.5
"""Seconds a caller may wait: the deadline, and slack for a loaded machine."""
SETTLE = 5.0
"""Seconds the healed entry may take to drain its outbox at the end."""
STEP_LIMIT = 60.0
"""Seconds one step may take before the run is declared hung."""
MAX_AGE = 1800.0
"""Seconds a message lives (the max_age option is in hours): less than a clock step."""
CLOCK_STEP = 3600.0
OPTIONS = {
    CONF_TIMEOUT: TIMEOUT,
    **RETRIES,
    CONF_MAX_RETRY_AFTER: MAX_RETRY_AFTER,
    CONF_RATE: 10_000,
    CONF_BURST: 100,
    CONF_MAX_AGE: MAX_AGE / 3600,
}
RETRY_AFTERS = st.one_of(
    st.sampled_from(
        [None, "0", "0.05", "1", "3600", "9" * 400, "soon", "-1", "1e3", ""]
    ),
    st.sampled_from(["date +1h", "date -1m"]),
    st.integers(0, 10**6).map(str),
)
"""Retry-After values: none, small, large, huge, malformed, HTTP dates."""
HOOK_CHANGES = st.one_of(
    st.sampled_from(["ok", "503", "reset", "slow", "hang", "400", "down", "up"]),
    st.tuples(st.just("429"), RETRY_AFTERS),
)
"""How the hook can change: modes (see HOOK_MODES), 429 with a Retry-After, down, up."""
CORRUPTIONS = (
    "missing_field",
    "text_for_number",
    "null_for_number",
    "not_a_record",
    "cut_short",
)
"""Ways a hand edit or damage can break a line of the outbox journal."""
DISK_FAULTS = {
    "full": Fault("write", errno.ENOSPC),
    "torn": enospc_after(20),
    "sync": Fault("sync"),
    "rename": Fault("replace"),
}
"""Faults of the journal's next writes: the disk full (after part of a line or not),
an I/O error on sync, or on the rename that ends a compaction."""
ACCEPTED = frozenset({"delivered", "queued", "accepted"})
"""Outcomes after which a message must be posted or reported."""

_markers = itertools.count()


def new_marker() -> str:
    """Return a marker no other message in this run carries."""
    return f"mk{next(_markers)}"


class BrokenPromiseError(AssertionError):
    """A promise of delivery was broken; subclasses name which one."""


class CallNotAnsweredError(BrokenPromiseError):
    """A caller waited past the client's deadline."""


class FalselyDeliveredError(BrokenPromiseError):
    """A caller was told "delivered" but the hook never posted the message."""


class DroppedWithoutFaultError(BrokenPromiseError):
    """An accepted message failed, or was refused, though it was not its fault."""


class ReportedTwiceError(BrokenPromiseError):
    """A message was reported more than once, or reported after being delivered."""


class MessageLostError(BrokenPromiseError):
    """An accepted message was neither posted nor reported."""


class OutOfOrderError(BrokenPromiseError):
    """A message answered before another was sent was posted after it."""


class UnexplainedDuplicateError(BrokenPromiseError):
    """The hook posted a message more often than attempts went unanswered."""


class PauseUnboundedError(BrokenPromiseError):
    """The pacer's pause exceeds max_retry_after (or is not finite)."""


class SetupFailedError(BrokenPromiseError):
    """The entry failed to set up, or Home Assistant failed to stop."""


class CorruptRecordMishandledError(BrokenPromiseError):
    """A corrupted outbox record was delivered, or skipped without a report."""


class PathFaultUnreportedError(BrokenPromiseError):
    """A proxy answering for the hook raised no repair issue."""


class DeliveryDeadError(BrokenPromiseError):
    """With the hook healthy again, a new message is not posted."""


class UnexpectedError(BrokenPromiseError):
    """A call raised something other than a Home Assistant error."""


VIOLATIONS: list[type[BrokenPromiseError]] = [
    SetupFailedError,
    UnexpectedError,
    CallNotAnsweredError,
    FalselyDeliveredError,
    DroppedWithoutFaultError,
    MessageLostError,
    DeliveryDeadError,
    ReportedTwiceError,
    OutOfOrderError,
    UnexplainedDuplicateError,
    PauseUnboundedError,
    CorruptRecordMishandledError,
    PathFaultUnreportedError,
]
"""Broken promises, gravest first: an example is reported as its gravest."""
CHECKED = set(os.environ.get("SLACK_WEBHOOK_STATEFUL_CHECK", "").split(",")) - {""} or {
    kind.__name__ for kind in VIOLATIONS
}
"""The promises that fail the test (all unless SLACK_WEBHOOK_STATEFUL_CHECK names some)."""


@dataclass
class World:
    """What outlives one example: the loop, the config directory, the clock, the counts."""

    loop: asyncio.AbstractEventLoop
    config_dir: str
    """Where every Home Assistant of the run keeps its .storage (and the journals)."""
    outbox: OutboxWatch
    disk: DiskFaults
    """Faults of the journal's writes (its prefix is set to each example's journal)."""
    clock: WallClock
    interrupted: Counter[str]
    """Per marker, the attempts that got no answer (timed out or cut off)."""


@dataclass
class Call:
    """One caller's message and what it was told."""

    marker: str
    kind: str
    """"send" (slack_webhook.send with its response), "respond" (slack_webhook.respond
    to a response_url on the hook) or "notify" (notify.send_message)."""
    started: int
    started_at: float
    offset: float
    """The lowest wall-clock offset while the call was open (when it may have been accepted)."""
    task: asyncio.Task[Any] | None = None
    answered: int | None = None
    outcome: str | None = None
    """delivered, queued, accepted (notify), error (ours), refused (Home Assistant's)."""
    detail: str = ""
    key: str | None = None
    """The translation key of the error it got."""
    message_id: str | None = None
    overdue: bool = False


@dataclass
class Failure:
    """A slack_webhook_delivery_failed event."""

    seq: int
    data: dict[str, Any]
    checked: bool = False


@dataclass
class Windows:
    """Periods (in step sequence numbers) during which something held."""

    spans: list[list[int | None]] = field(default_factory=list)

    def open(self, seq: int) -> None:
        """Start a period unless one is open."""
        if not self.spans or self.spans[-1][1] is not None:
            self.spans.append([seq, None])

    def close(self, seq: int) -> None:
        """End the open period, if any."""
        if self.spans and self.spans[-1][1] is None:
            self.spans[-1][1] = seq

    def since(self, seq: int) -> bool:
        """Return whether a period was open at or after `seq`."""
        return any(end is None or end >= seq for _start, end in self.spans)


class DeliveryMachine(RuleBasedStateMachine):
    """One entry, its hook, maybe a proxy, and a model of what callers were told."""

    def __init__(self, world: World) -> None:
        """Prepare an empty model; start() builds the entry."""
        super().__init__()
        self.world = world
        self.loop = world.loop
        self.seq = 0
        self.calls: dict[str, Call] = {}
        self.failures: list[Failure] = []
        self.violations: list[tuple[type[BrokenPromiseError], str]] = []
        self.refusing = Windows()
        """When the hook answered 400: a message may fail then by its own fault."""
        self.disk_failing = Windows()
        """While faults of the journal's writes were scheduled and had not all struck,
        or the journal was left unread (then nothing can be queued)."""
        self.restarts: list[tuple[int, float]] = []
        self.corrupt: set[str] = set()
        self.kept_aside: dict[str, bytes] = {}
        """Journals kept aside as unreadable, by name, with what they held."""
        self.deliveries: list[Any] = []
        self.hook = SwitchableHook(slow=SLOW)
        self.proxy: SwitchableProxy | None = None
        self.entry_id = uuid.uuid4().hex
        self.options: dict[str, Any] = dict(OPTIONS)
        self.hass: HomeAssistant | None = None
        self.entry: MockConfigEntry | None = None
        self.hass_stack: AsyncExitStack | None = None
        self.loaded = False
        self.broken = False
        self.notes: list[str] = []
        """Notes made on the loop, handed to hypothesis in the machine's thread."""

    # Steps

    @initialize(through_proxy=st.booleans())
    def start(self, through_proxy: bool) -> None:
        """Start the hook (and a proxy), and set the entry up in a new Home Assistant."""
        self._run(self._start(through_proxy))

    @rule(
        kinds=st.lists(
            st.sampled_from(["send", "send", "notify", "respond"]),
            min_size=1,
            max_size=3,
        ),
        wait=st.booleans(),
    )
    def send(self, kinds: list[str], wait: bool) -> None:
        """Send from concurrent callers (if loaded); wait for their answers, or go on."""
        self._run(self._send(kinds, wait))

    @rule(change=HOOK_CHANGES)
    def hook(self, change: str | tuple[str, str | None]) -> None:
        """Make the hook answer otherwise: a mode, 429 with a Retry-After, down or up."""
        self._run(self._change_hook(change))

    @precondition(lambda self: self.proxy is not None)
    @rule(mode=st.sampled_from(["ok", "407", "portal"]))
    def proxy_answers(self, mode: str) -> None:
        """Make the proxy forward, refuse everyone (407) or answer like a captive portal."""
        self._run(self._switch_proxy(mode))

    @rule(hours=st.sampled_from([1, -1]))
    def step_wall_clock(self, hours: int) -> None:
        """Step the wall clock by an hour, forward or back."""
        self._run(self._step_clock(hours * CLOCK_STEP))

    @rule(seconds=st.sampled_from([0.01, 0.05, 0.2]))
    def let_time_pass(self, seconds: float) -> None:
        """Let deliveries go on for a while."""
        self._run(asyncio.sleep(seconds))

    @rule(action=st.sampled_from(["reload", "unload", "set_up"]))
    def entry(self, action: str) -> None:
        """Reload or unload the entry if it is loaded, or set it up if it is not."""
        self._run(getattr(self, f"_{action}")())

    @rule(
        corruption=st.none() | st.sampled_from(CORRUPTIONS),
        count=st.integers(1, 2),
        position=st.integers(0, 4),
        beside_valid=st.booleans(),
    )
    def restart(
        self, corruption: str | None, count: int, position: int, beside_valid: bool
    ) -> None:
        """Restart Home Assistant on the same config directory, maybe breaking journal lines first.

        With `beside_valid`, a journal left with broken lines only gets a
        valid line the product wrote (a removal, replayed as a no-op), so
        its broken lines are counted rather than the whole file kept aside.
        """
        self._run(self._restart(corruption, count, position, beside_valid))

    @rule(fault=st.sampled_from(sorted(DISK_FAULTS)), count=st.integers(1, 2))
    def disk_fault(self, fault: str, count: int) -> None:
        """Make the next `count` writes of the journal fail so (faults not struck yet are dropped).

        At most two, so the three tries of an unload's flush get its removals
        written: a removal given up would bring a delivered message back.
        """
        self._run(self._fail_disk(DISK_FAULTS[fault], count))

    @invariant()
    def promises_hold(self) -> None:
        """Check what can be checked at any moment; broken promises are raised at the end.

        Raising only at the end keeps the steps drawn independent of timing,
        which hypothesis needs to replay and shrink an example.
        """
        self._run(self._check())

    def teardown(self) -> None:
        """Heal the path, check that everything arrives, clean up, raise what broke."""
        try:
            if not self.broken:
                self._run(self._final_check())
        finally:
            self._run(self._clean_up(), check=False)
        if not self.broken:
            self._raise_violations()

    # Running on the loop

    def _run(self, coro: Coroutine[Any, Any, Any], *, check: bool = True) -> None:
        """Run a step on the test's loop and wait for it, within STEP_LIMIT."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        if check:
            self.broken = True
        try:
            future.result(STEP_LIMIT)
        except TimeoutError:
            future.cancel()
            raise SetupFailedError(f"a step took over {STEP_LIMIT} s") from None
        finally:
            for text in self.notes:
                note(text)
            self.notes.clear()
        if check:
            self.broken = False

    def _raise_violations(self) -> None:
        """Raise the gravest broken promise that is checked, listing all of them."""
        found = [kind for kind, _text in self.violations if kind.__name__ in CHECKED]
        if found:
            kind = min(found, key=VIOLATIONS.index)
            raise kind(
                "; ".join(f"{k.__name__}: {text}" for k, text in self.violations)
            )

    def _violation(self, kind: type[BrokenPromiseError], text: str) -> None:
        """Record a broken promise."""
        self.notes.append(f"{kind.__name__}: {text}")
        self.violations.append((kind, text))

    def _tick(self) -> int:
        """Return the next sequence number: the logical time of the model."""
        self.seq += 1
        return self.seq

    # Setup and restarts

    async def _start(self, through_proxy: bool) -> None:
        """Start the servers and the first Home Assistant."""
        self.world.clock.offset = 0.0
        self.world.disk.prefix = str(self._journal())
        await self.hook.start()
        if through_proxy:
            self.proxy = SwitchableProxy()
            await self.proxy.start()
            self.options[CONF_PROXY] = self.proxy.url
        await self._boot()

    async def _boot(self) -> None:
        """Start a Home Assistant on the shared config directory and set the entry up."""
        self.hass_stack = AsyncExitStack()
        hass = await self.hass_stack.enter_async_context(
            async_test_home_assistant(config_dir=self.world.config_dir)
        )
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        # Home Assistant's reports of code usage look the integration up in
        # this instance, not in the hass fixture's (2026.11 reports a boolean
        # that async_setup_entry returns).
        frame.async_setup(hass)
        hass.bus.async_listen(EVENT_DELIVERY_FAILED, self._on_failure)
        self.hass = hass
        self.entry = MockConfigEntry(
            domain=DOMAIN,
            entry_id=self.entry_id,
            title="Alerts",
            data={"name": "Alerts", "url": self.hook.url},
            options=self.options,
        )
        self.entry.add_to_hass(hass)
        await self._set_up()

    async def _set_up(self) -> None:
        """Set the entry up (again, after a failure) unless it is loaded; it must load."""
        if self.loaded:
            return
        assert self.hass is not None and self.entry is not None
        entries = self.hass.config_entries
        try:
            if self.entry.state is ConfigEntryState.NOT_LOADED:
                ok = await entries.async_setup(self.entry.entry_id)
            else:
                ok = await entries.async_reload(self.entry.entry_id)
        except Exception as err:  # noqa: BLE001 - reported as a broken promise
            ok = False
            self.notes.append(f"setup raised {err!r}")
        self._loaded_after("setup", ok)

    async def _reload(self) -> None:
        """Reload the entry, if it is loaded; it must load again."""
        if not self.loaded:
            return
        assert self.hass is not None and self.entry is not None
        ok = await self.hass.config_entries.async_reload(self.entry.entry_id)
        self._loaded_after("reload", ok)

    async def _unload(self) -> None:
        """Unload the entry, if it is loaded."""
        if not self.loaded:
            return
        assert self.hass is not None and self.entry is not None
        await self.hass.config_entries.async_unload(self.entry.entry_id)
        self.loaded = self.entry.state is ConfigEntryState.LOADED

    def _loaded_after(self, what: str, ok: bool) -> None:
        """Record whether the entry loaded, and its delivery if it did."""
        assert self.entry is not None
        self.loaded = ok and self.entry.state is ConfigEntryState.LOADED
        if self.loaded:
            self.deliveries.append(self.entry.runtime_data.delivery)
        else:
            self._violation(
                SetupFailedError, f"{what} left the entry {self.entry.state}"
            )

    async def _stop_hass(self) -> None:
        """Stop the current Home Assistant, as on a shutdown."""
        if self.hass is None or self.hass_stack is None:
            return
        try:
            async with asyncio.timeout(STEP_LIMIT / 2):
                await self.hass.async_stop()
        except TimeoutError:
            self._violation(SetupFailedError, "Home Assistant did not stop")
            await self.hass.async_stop(force=True)
        await self.hass_stack.aclose()
        self.hass = self.hass_stack = None
        self.loaded = False

    async def _restart(
        self, corruption: str | None, count: int, position: int, beside_valid: bool
    ) -> None:
        """Stop Home Assistant, maybe break lines of the outbox journal, start a new one."""
        await self._stop_hass()
        self.restarts.append((self._tick(), self.world.clock.offset))
        if self.proxy is not None:
            # Repair issues are not restored as raised: the new Home Assistant
            # reports the path fault when it meets one itself.
            self.proxy.intercepted = 0
        written: Corrupted | None = None
        if corruption is not None:
            written = await self.loop.run_in_executor(
                None, self._corrupt_outbox, corruption, count, position, beside_valid
            )
        logged = _WarningsCaught()
        with logged.attached():
            await self._boot()
        if written is not None and self.loaded:
            await self._check_corruption_reported(written, logged.messages)

    def _corrupt_outbox(
        self, corruption: str, count: int, position: int, beside_valid: bool
    ) -> Corrupted:
        """Insert `count` broken lines into the outbox journal (in the executor)."""
        path = self._journal()
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = path.read_bytes().split(b"\n") if path.exists() else [b""]
        tail = lines.pop()  # b"" after the last newline; a torn line otherwise
        for _ in range(count):
            marker = new_marker()
            self.corrupt.add(marker)
            line = _broken_line(
                self.world.outbox.last_line, corruption, marker, self.world
            )
            lines.insert(min(position, len(lines)), line)
        kept = [line for line in lines if line]
        broken = sum(bool(set(markers_in(line)) & self.corrupt) for line in kept)
        removal = self.world.outbox.last_removal
        if beside_valid and removal is not None and broken == len(kept):
            lines.append(removal)
            kept.append(removal)
        data = b"".join(line + b"\n" for line in lines) + tail
        path.write_bytes(data)
        self.notes.append(f"corrupted outbox ({corruption}): {data[:600]!r}")
        return Corrupted(data, broken, whole=broken == len(kept))

    def _remove_journals(self) -> None:
        """Delete the entry's journal and the journals kept aside (in the executor)."""
        for path in self._journal().parent.glob(f"{DOMAIN}.{self.entry_id}.*"):
            path.unlink()

    def _journal(self) -> Path:
        """Return the path of the entry's outbox journal."""
        name = f"{DOMAIN}.{self.entry_id}.outbox.jsonl"
        return Path(self.world.config_dir, STORAGE_DIR, name)

    async def _check_corruption_reported(
        self, written: Corrupted, logged: list[str]
    ) -> None:
        """Check the report: a repair issue and a log line name the count, or the file kept aside."""
        assert self.hass is not None
        if written.whole:
            await self._check_kept_aside(written, logged)
            return
        number = str(written.broken)
        if not await _eventually(lambda: _issue_naming(self.hass, number)):
            self._violation(
                CorruptRecordMishandledError,
                f"no repair issue names the {number} skipped outbox record(s)",
            )
        if not any(number in message.split() for message in logged):
            self._violation(
                CorruptRecordMishandledError,
                f"no warning names the {number} skipped outbox record(s): {logged}",
            )

    async def _check_kept_aside(self, written: Corrupted, logged: list[str]) -> None:
        """Check that a journal of broken lines only was kept aside unchanged and reported.

        Journals kept aside before must still be there as they were: keeping
        one aside destroys nothing.
        """
        assert self.hass is not None
        if await self._left_unread(written):
            return
        issue = ir.async_get(self.hass).async_get_issue(
            DOMAIN, f"outbox_unreadable_{self.entry_id}"
        )
        name = (issue.translation_placeholders or {}).get("file") if issue else None
        journal_name = self._journal().name
        if name is None or not name.startswith(f"{journal_name}.unreadable-"):
            self._violation(
                CorruptRecordMishandledError,
                f"a journal of broken lines only: no repair issue names it kept aside ({name})",
            )
            return
        if not any(journal_name in message for message in logged):
            self._violation(
                CorruptRecordMishandledError,
                f"a journal of broken lines only: no log line names it: {logged}",
            )
        if name in self.kept_aside:
            self._violation(
                CorruptRecordMishandledError,
                f"a journal was kept aside as {name}, in place of one kept aside before",
            )
        self.kept_aside[name] = written.data
        folder = self._journal().parent
        found = await self.loop.run_in_executor(
            None, _read_files, [folder / aside for aside in self.kept_aside]
        )
        for aside, data in self.kept_aside.items():
            if found[folder / aside] != data:
                self._violation(
                    CorruptRecordMishandledError,
                    f"{aside}, a journal kept aside, no longer holds what it held",
                )

    def _journal_unread(self) -> bool:
        """Return whether the entry's journal was left unread (a repair issue says so)."""
        return self.hass is not None and (
            ir.async_get(self.hass).async_get_issue(
                DOMAIN, f"outbox_not_read_{self.entry_id}"
            )
            is not None
        )

    async def _left_unread(self, written: Corrupted) -> bool:
        """Return whether the journal was reported unread (a disk fault kept it from being moved aside).

        It must then be in place, as it was: nothing is written over it.
        """
        if not self._journal_unread():
            return False
        found = await self.loop.run_in_executor(None, _read_files, [self._journal()])
        if found[self._journal()] != written.data:
            self._violation(
                CorruptRecordMishandledError,
                "a journal left unread was changed",
            )
        return True

    # Sends

    async def _send(self, kinds: list[str], wait: bool) -> None:
        """Start one call per kind, at once, if the entry is loaded; wait if asked."""
        if not self.loaded:
            return
        calls = [self._launch(kind) for kind in kinds]
        if wait:
            tasks = [call.task for call in calls if call.task is not None]
            await asyncio.wait(tasks, timeout=ANSWER_BOUND)

    def _launch(self, kind: str) -> Call:
        """Start a call of `kind` with a new marker, eagerly (so it is accepted now)."""
        call = Call(
            marker=new_marker(),
            kind=kind,
            started=self._tick(),
            started_at=self.loop.time(),
            offset=self.world.clock.offset,
        )
        self.calls[call.marker] = call
        task = asyncio.Task(self._call(call), loop=self.loop, eager_start=True)
        call.task = task
        if task.done():
            self._answered(call, task)
        else:
            task.add_done_callback(lambda done: self._answered(call, done))
        return call

    async def _call(self, call: Call) -> Any:
        """Call the action for one message; return its response data."""
        assert self.hass is not None
        if call.kind == "notify":
            await self.hass.services.async_call(
                "notify",
                "send_message",
                {"entity_id": ENTITY_ID, "message": call.marker},
                blocking=True,
            )
            return None
        data = {"entity_id": ENTITY_ID, "text": call.marker}
        if call.kind == "respond":
            data["response_url"] = f"{self.hook.origin}{RESPONSE_PATH}"
        response = await self.hass.services.async_call(
            DOMAIN,
            "respond" if call.kind == "respond" else "send",
            data,
            blocking=True,
            return_response=True,
        )
        assert response is not None
        return response[ENTITY_ID]

    def _answered(self, call: Call, task: asyncio.Task[Any]) -> None:
        """Record what the caller was told and check it at once."""
        if call.answered is not None or task.cancelled():
            return
        call.answered = self._tick()
        err = task.exception()
        if err is None:
            data = task.result()
            if data is None:
                call.outcome = "accepted"
            else:
                call.outcome = "delivered" if data.get("delivered") else "queued"
                call.message_id = data.get("message_id")
        elif isinstance(err, HomeAssistantError):
            domain = getattr(err, "translation_domain", None)
            call.outcome = "error" if domain == DOMAIN else "refused"
            call.detail = f"{type(err).__name__}({err.translation_key or err})"
            call.key = err.translation_key
        else:
            call.outcome = "error"
            call.detail = repr(err)
            self._violation(UnexpectedError, f"{call.marker} raised {err!r}")
        self.notes.append(
            f"{call.marker} ({call.kind}) answered {call.outcome} {call.detail}"
        )
        if call.outcome == "delivered" and call.marker not in self.hook.processed:
            self._violation(
                FalselyDeliveredError, f"{call.marker} answered delivered, never posted"
            )
        if call.outcome == "error" and not self._may_drop(call):
            self._violation(
                DroppedWithoutFaultError, f"{call.marker} answered {call.detail}"
            )

    @callback
    def _on_failure(self, event: Event) -> None:
        """Record a slack_webhook_delivery_failed event."""
        self.failures.append(Failure(self._tick(), dict(event.data)))

    def _may_drop(self, call: Call) -> bool:
        """Return whether the message may fail: refused by the hook, or expired over a restart.

        After a restart the age comes from the wall clock: a step forward
        since it was accepted may then expire it.
        """
        if self.refusing.since(call.started):
            return True
        if call.key == "outbox_write_failed" and self.disk_failing.since(call.started):
            return True
        return any(
            seq > call.started and offset - call.offset >= MAX_AGE - 60
            for seq, offset in self.restarts
        )

    # Switches

    async def _change_hook(self, change: str | tuple[str, str | None]) -> None:
        """Stop or start the hook, or switch how it answers."""
        if change == "down":
            if self.hook.up:
                await self.hook.stop()
        elif change == "up":
            if not self.hook.up:
                await self.hook.start()
        elif isinstance(change, tuple):
            await self._switch_hook(*change)
        else:
            await self._switch_hook(change, None)

    async def _switch_hook(self, mode: str, retry_after: str | None) -> None:
        """Switch the hook's answers; dates are made from the real wall clock."""
        if retry_after is not None and retry_after.startswith("date "):
            shift = 3600 if retry_after.endswith("+1h") else -60
            retry_after = formatdate(self.world.clock.real() + shift, usegmt=True)
        seq = self._tick()
        if mode == "400":
            self.refusing.open(seq)
        else:
            self.refusing.close(seq)
        self.hook.switch(mode, retry_after)

    async def _switch_proxy(self, mode: str) -> None:
        """Switch the proxy; healing a path fault first checks it was reported."""
        assert self.proxy is not None
        self._tick()
        if mode == "ok":
            await self._check_path_fault_reported()
            self.proxy.intercepted = 0
        self.proxy.mode = mode

    async def _check_path_fault_reported(self) -> None:
        """Check that a repair issue was raised after the proxy answered for the hook."""
        if self.proxy is None or self.proxy.mode == "ok" or not self.proxy.intercepted:
            return
        if not self.loaded or self.hass is None:
            return
        hass = self.hass
        if not await _eventually(lambda: _issues(hass, exclude="outbox_full")):
            self._violation(
                PathFaultUnreportedError,
                f"the proxy answered {self.proxy.mode} {self.proxy.intercepted} time(s); no repair issue",
            )

    async def _step_clock(self, seconds: float) -> None:
        """Step the wall clock; open calls may have been accepted at either offset."""
        self._tick()
        self.world.clock.offset += seconds
        for call in self.calls.values():
            if call.answered is None:
                call.offset = min(call.offset, self.world.clock.offset)

    # Checks

    async def _fail_disk(self, fault: Fault, count: int) -> None:
        """Schedule faults of the journal's next writes."""
        self.world.disk.clear()
        self.world.disk.schedule(*[fault] * count)
        self.disk_failing.open(self._tick())

    async def _check(self) -> None:
        """Check calls, reports and the pause as they stand now."""
        if self._journal_unread():
            self.disk_failing.open(self._tick())
        elif not self.world.disk.pending:
            self.disk_failing.close(self._tick())
        now = self.loop.time()
        for call in self.calls.values():
            if now - call.started_at > ANSWER_BOUND:
                self._flag_if_unanswered(call)
        self._check_failures()
        posted = set(self.hook.processed)
        if delivered_corrupt := posted & self.corrupt:
            self._violation(
                CorruptRecordMishandledError,
                f"corrupted records posted: {delivered_corrupt}",
            )
        await self._check_pause()

    def _check_failures(self) -> None:
        """Check that each event reports one accepted message, once, that may fail."""
        reported = Counter(self._marker_of(f) for f in self.failures if f.checked)
        for failure in self.failures:
            if failure.checked:
                continue
            failure.checked = True
            marker = self._marker_of(failure)
            if marker in self.corrupt:
                continue
            call = self.calls.get(marker or "")
            self.notes.append(f"event for {marker}: {failure.data.get('reason')}")
            if call is None:
                self._violation(
                    ReportedTwiceError, f"event for an unknown message: {failure.data}"
                )
                continue
            reported[marker] += 1
            if reported[marker] > 1 or call.outcome not in ACCEPTED | {None}:
                self._violation(
                    ReportedTwiceError,
                    f"{marker} answered {call.outcome}, then reported {reported[marker]} time(s)",
                )
            elif call.outcome == "delivered":
                self._violation(
                    ReportedTwiceError, f"{marker} delivered, then reported"
                )
            if not self._may_drop(call):
                self._violation(
                    DroppedWithoutFaultError,
                    f"{marker} ({call.outcome}) reported failed: {failure.data.get('reason')}",
                )

    def _marker_of(self, failure: Failure) -> str | None:
        """Return the marker of the message an event reports."""
        message_id = failure.data.get("message_id")
        for call in self.calls.values():
            if call.message_id is not None and call.message_id == message_id:
                return call.marker
        return self.world.outbox.markers.get(str(message_id))

    async def _check_pause(self) -> None:
        """Check that a 429 never pauses for longer than max_retry_after."""
        if not self.loaded or self.hass is None or self.entry is None:
            return
        diagnostics = await async_get_config_entry_diagnostics(self.hass, self.entry)
        paused = diagnostics["delivery"].get("paused_for", 0.0)
        if not (isinstance(paused, (int, float)) and math.isfinite(paused)) or (
            paused > MAX_RETRY_AFTER + 0.05
        ):
            self._violation(PauseUnboundedError, f"paused_for is {paused}")

    async def _final_check(self) -> None:
        """Heal everything, then check that every accepted message arrives or is reported."""
        await self._check()
        self.world.disk.clear()
        if self.proxy is not None:
            await self._switch_proxy("ok")
        await self._switch_hook("ok", None)
        if not self.hook.up:
            await self.hook.start()
        if not self.loaded:
            await self._set_up()
        probe = self._launch("send") if self.loaded else None
        await self._wait_for_answers()
        if not await _eventually(lambda: not self._unresolved(), SETTLE):
            lost = self._unresolved()
            kind = (
                DeliveryDeadError
                if probe is not None and probe.marker in lost
                else MessageLostError
            )
            self._violation(kind, f"never posted nor reported: {sorted(lost)}")
        self._check_failures()
        self._check_order()
        self._check_duplicates()

    async def _wait_for_answers(self) -> None:
        """Wait for open calls, each until its bound; flag those that overrun it."""
        for call in self.calls.values():
            if call.answered is not None or call.task is None:
                continue
            left = call.started_at + ANSWER_BOUND - self.loop.time()
            await asyncio.wait([call.task], timeout=max(left, 0.01))
            self._flag_if_unanswered(call)

    def _flag_if_unanswered(self, call: Call) -> None:
        """Record a call past its bound that is still unanswered, once."""
        if call.answered is None and not call.overdue:
            call.overdue = True
            self._violation(
                CallNotAnsweredError,
                f"{call.marker} unanswered after {ANSWER_BOUND:g} s",
            )

    def _unresolved(self) -> set[str]:
        """Return accepted markers neither posted nor reported yet."""
        posted = set(self.hook.processed)
        reported = {self._marker_of(failure) for failure in self.failures}
        return {
            marker
            for marker, call in self.calls.items()
            if call.outcome in ACCEPTED and marker not in posted | reported
        }

    def _check_order(self) -> None:
        """Check that a message answered before another was sent is posted before it."""
        first: dict[str, int] = {}
        for index, marker in enumerate(self.hook.processed):
            first.setdefault(marker, index)
        reported = {self._marker_of(failure) for failure in self.failures}
        ordered = [
            call
            for call in self.calls.values()
            if call.outcome in ACCEPTED
            and call.marker in first
            and call.marker not in reported
        ]
        for before in ordered:
            for after in ordered:
                assert before.answered is not None
                if (
                    before.answered < after.started
                    and first[before.marker] > first[after.marker]
                ):
                    self._violation(
                        OutOfOrderError,
                        f"{before.marker} answered {before.outcome} before {after.marker} "
                        f"was sent, but posted after it",
                    )
                    return

    def _check_duplicates(self) -> None:
        """Check that extra copies at the hook had as many unanswered attempts."""
        copies = Counter(self.hook.processed)
        reported = {self._marker_of(failure) for failure in self.failures}
        interrupted = self.world.interrupted
        extra_total = 0
        for marker, call in self.calls.items():
            dropped = marker in reported or call.outcome not in ACCEPTED
            extra = copies[marker] - (0 if dropped else 1)
            extra_total += max(extra, 0)
            if extra > interrupted[marker]:
                self._violation(
                    UnexplainedDuplicateError,
                    f"{marker} posted {copies[marker]} time(s) ({call.outcome}), "
                    f"{interrupted[marker]} attempt(s) unanswered",
                )
        counted = [
            stats["possible_duplicates"]
            for stats in (delivery.statistics() for delivery in self.deliveries)
            if "possible_duplicates" in stats
        ]
        if counted and extra_total > sum(counted):
            self._violation(
                UnexplainedDuplicateError,
                f"{extra_total} duplicate(s) posted, possible_duplicates says {sum(counted)}",
            )

    async def _clean_up(self) -> None:
        """Stop Home Assistant and the servers; forget this entry's storage."""
        for call in self.calls.values():
            if call.task is not None and not call.task.done():
                call.task.cancel()
        try:
            await self._stop_hass()
        finally:
            self.hook.switch("ok")
            if self.hook.up:
                await self.hook.stop()
            if self.proxy is not None:
                await self.proxy.stop()
            await self.loop.run_in_executor(None, self._remove_journals)
            self.world.clock.offset = 0.0
            self.world.disk.clear()


@dataclass(frozen=True)
class Corrupted:
    """What a corruption left in the journal."""

    data: bytes
    broken: int
    """Lines in it that carry a corrupted marker."""
    whole: bool
    """Whether every line is broken (the file is then no journal at all)."""


def _broken_line(
    template: bytes | None, corruption: str, marker: str, world: World
) -> bytes:
    """Return a journal line carrying `marker`, broken as `corruption` says.

    It is modelled on the last valid line the outbox wrote, so it breaks
    the format the product writes today.
    """
    now = world.clock.real() + world.clock.offset
    record: dict[str, Any] = (
        json.loads(template)
        if template
        else {
            "id": "",
            "body": {},
            "headers": {},
            "response_url": None,
            "accepted": now,
            "expires": now + MAX_AGE,
            "attempts": 0,
        }
    )
    record["id"] = uuid.uuid4().hex
    record["body"] = {"text": marker}
    for name, value in (("accepted", now), ("expires", now + MAX_AGE)):
        if name in record:
            record[name] = value
    numbers = [
        k for k, v in record.items() if isinstance(v, (int, float)) and k != "id"
    ]
    target = "expires" if "expires" in record else (numbers[0] if numbers else "body")
    if corruption == "missing_field":
        del record[target]
    elif corruption == "text_for_number":
        record[target] = "2030-01-01"
    elif corruption == "null_for_number":
        record[target] = None
    elif corruption == "not_a_record":
        return json_bytes(f"hand-edited {marker}")
    else:
        line = json_bytes(record)
        return line[: max(len(line) // 2, line.index(marker.encode()) + len(marker))]
    return json_bytes(record)


def _read_files(paths: list[Path]) -> dict[Path, bytes | None]:
    """Return what each file holds, None for a file that is not there."""
    return {path: path.read_bytes() if path.exists() else None for path in paths}


def _issues(hass: HomeAssistant | None, exclude: str = "") -> list[ir.IssueEntry]:
    """Return the integration's repair issues, except those whose id starts with `exclude`."""
    if hass is None:
        return []
    return [
        issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and not (exclude and issue_id.startswith(exclude))
    ]


def _issue_naming(hass: HomeAssistant | None, number: str) -> bool:
    """Return whether a repair issue of the integration names `number`."""
    return any(
        number in (issue.translation_placeholders or {}).values()
        for issue in _issues(hass)
    )


async def _eventually(
    condition: Callable[[], Any], seconds: float = ANSWER_BOUND
) -> bool:
    """Return whether `condition` holds within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            while not condition():
                await asyncio.sleep(0.01)
    except TimeoutError:
        return bool(condition())
    return True


class _WarningsCaught(logging.Handler):
    """Collects the integration's warnings and errors while attached."""

    def __init__(self) -> None:
        """Collect nothing yet."""
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message."""
        self.messages.append(record.getMessage())

    @contextmanager
    def attached(self) -> Iterator[None]:
        """Collect from the integration's logger."""
        logger = logging.getLogger("custom_components.slack_webhook")
        logger.addHandler(self)
        try:
            yield
        finally:
            logger.removeHandler(self)


SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)


async def _in_thread(func: Callable[[], None]) -> None:
    """Run func in a thread of its own and wait for it without blocking the loop."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def target() -> None:
        try:
            func()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            loop.call_soon_threadsafe(done.set_exception, err)
        else:
            loop.call_soon_threadsafe(done.set_result, None)

    thread = threading.Thread(target=target, name="stateful-machine")
    thread.start()
    try:
        await done
    finally:
        thread.join(STEP_LIMIT)


@pytest.mark.timeout(120 + EXAMPLES * STEPS)
@pytest.mark.usefixtures("socket_enabled")
async def test_delivery_keeps_its_promises(hass: HomeAssistant) -> None:
    """Random steps over one entry never break a promise of delivery."""
    loop = asyncio.get_running_loop()
    debug = loop.get_debug()
    loop.set_debug(False)  # its stack per callback costs more than the test
    clock = WallClock()
    outbox = OutboxWatch()
    disk = DiskFaults(Path(hass.config.config_dir, STORAGE_DIR, "no journal yet"))
    try:
        with (
            disk.active(),
            outbox.watching(),
            clock.patched(),
            fast_backoff(),
            counting_interrupted_attempts() as interrupted,
        ):
            world = World(
                loop, hass.config.config_dir, outbox, disk, clock, interrupted
            )
            await _in_thread(
                lambda: run_state_machine_as_test(
                    lambda: DeliveryMachine(world), settings=SETTINGS
                )
            )
    finally:
        loop.set_debug(debug)
