"""Ordered, paced and durable delivery of messages to one webhook.

Messages go out one at a time in the order they were accepted. A transient
failure that outlasts the client's retries moves the message, and every
message behind it, to the durable outbox; their callers are answered
"queued" and the outbox is redelivered with backoff, also after a restart.
A caller waits at most the client's total_timeout; then its message is queued.
Permanent failures are never retried: the caller gets the error or, for a
message already in the outbox, the event `slack_webhook_delivery_failed`.
A message the outbox could not write is not queued: its caller gets the
error and it is not sent (unless it was being sent at that moment: then
that attempt answers it).
Faults of the path to the hook (a proxy, portal, TLS or DNS) are not the
message's: messages stay in the outbox and a repair issue is raised; so do
they when Home Assistant's HTTP session closes under a send (it is stopping).

Scheduling runs on the event loop's monotonic clock. The delivery task runs
while messages wait and starts again with the next one; nothing but
cancellation ends it earlier: whatever happens to one message ends that
message, reported, and the queue goes on.

Checking a message is the caller's (payload.py); one request with its
retries is the client's; keeping the outbox is outbox.py's, and what is
reported, and how, reporting.py's.
"""

import asyncio
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
import random
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, LOGGER, RESPONSE_URL_MAX_AGE_SECONDS
from ..exceptions import failure, translated_error
from ..options import EntryOptions
from ..slack_client import (
    AsyncWebhookClient,
    WebhookAuthError,
    WebhookError,
    WebhookRateLimitedError,
    WebhookResponse,
    WebhookSessionClosedError,
    WebhookTimeoutError,
)
from .outbox import NO_HEADERS, Clock, LoadedOutbox, Message, OutboxStore
from .reporting import DeliveryReporter
from .token_bucket import TokenBucket

DEADLINES: HassKey[dict[str, dict[str, float]]] = HassKey(f"{DOMAIN}_deadlines")
"""Deadlines of the messages of stopped queues by entry id and message id, kept
for a reload in this process; the next load or the entry's removal takes them.

The monotonic clock outlives an unload but not a restart: a message that
waits through a reload keeps its deadline whatever the wall clock did.
"""
OUTBOX_RETRY_BASE = 10.0
"""Seconds before the first redelivery of the outbox; doubles each round."""
OUTBOX_RETRY_MAX = 600.0
_MAX_DOUBLINGS = 32
"""Past this many rounds the backoff is at its cap anyway; 2.0**n stays finite."""


def outbox_backoff(attempts: int) -> float:
    """Return the jittered wait after `attempts` failed rounds, capped for any count."""
    doublings = min(max(attempts - 1, 0), _MAX_DOUBLINGS)
    delay = min(OUTBOX_RETRY_MAX, OUTBOX_RETRY_BASE * 2.0**doublings)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What became of a message: delivered (with the answer) or queued."""

    delivered: bool
    status_code: int | None = None
    body: str | None = None
    message_id: str | None = field(default=None, compare=False)
    """The id a later `slack_webhook_delivery_failed` event names."""


QUEUED = DeliveryResult(delivered=False)


class Delivery:
    """The delivery queue of one config entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: AsyncWebhookClient,
        pacer: TokenBucket,
        options: EntryOptions,
    ) -> None:
        """Prepare an idle queue; async_start loads the outbox and starts it."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._pacer = pacer
        self._options = options
        self._store = OutboxStore(hass, entry.entry_id)
        self._queue: deque[Message] = deque()
        self._task: asyncio.Task[None] | None = None
        self._sending: Message | None = None
        """The message whose request is under way."""
        self._stopping = False
        self._halted = False
        self._report = DeliveryReporter(hass, entry)
        self._listeners: list[Callable[[], None]] = []
        self._counts: Counter[str] = Counter()
        self._last_error: str | None = None

    @property
    def pending(self) -> int:
        """Return the number of messages not yet delivered."""
        return len(self._queue)

    def pending_bodies(self, holding: bytes) -> Iterator[dict[str, Any]]:
        """Yield the bodies of the messages not yet delivered that may hold `holding`.

        A body in the outbox is read from its line only when the line holds
        those bytes, so asking about a long outbox costs a search, not a parse.
        """
        for message in self._queue:
            if message.body is not None:
                yield message.body
            elif holding in message.line:
                yield message.content()

    async def async_start(self) -> None:
        """Load the outbox and start delivering."""
        loaded = await self._store.async_load(Clock.now(), self._max_age)
        self._queue.extend(self._loaded_messages(loaded))
        self._entry.async_on_unload(
            self._hass.bus.async_listen_once(
                EVENT_HOMEASSISTANT_STOP, self._async_on_hass_stop
            )
        )
        self._run_if_idle()

    async def async_stop(self) -> None:
        """Stop delivering; keep every undelivered message in the outbox, callers answered."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._store_all_and_answer_queued(flush=True)
        self._hass.data.setdefault(DEADLINES, {})[self._entry.entry_id] = {
            message.id: message.deadline for message in self._queue
        }

    async def async_send(
        self,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        response_url: str | None = None,
    ) -> DeliveryResult:
        """Deliver a message; return once it is delivered or safely queued."""
        if self._stopping and not self._hass.is_stopping:
            raise failure("not_loaded", name=self._entry.title)
        if len(self._queue) >= self._options.outbox_size:
            self._report.outbox_full(self._options.outbox_size)
            raise failure("outbox_full", size=str(self._options.outbox_size))
        message = self._new_message(body, headers or NO_HEADERS, response_url)
        self._queue.append(message)
        self._notify_listeners()
        if self._stopping or self._halted or any(m.stored for m in self._queue):
            result = await self._queue_directly(message)
        else:
            result = await self._wait_for(message)
        if not result.delivered and self._options.raise_on_queued:
            raise failure("queued", error=self._last_error or "unknown")
        return result

    def statistics(self) -> dict[str, Any]:
        """Return counters and state for diagnostics."""
        return {
            "pending": len(self._queue),
            "in_outbox": sum(m.stored for m in self._queue),
            "delivered": self._counts["delivered"],
            "queued": self._counts["queued"],
            "failed": self._counts["failed"],
            "expired": self._counts["expired"],
            "possible_duplicates": self._counts["possible_duplicates"],
            "last_error": self._last_error,
            "paused_for": round(self._pacer.paused_for, 3),
            "halted_for_reauth": self._halted,
        }

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` whenever the number of pending messages changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _loaded_messages(self, loaded: LoadedOutbox) -> list[Message]:
        """Return the messages of a loaded outbox, and report what was skipped."""
        if loaded.kept_aside is not None:
            self._report.outbox_unreadable(loaded.kept_aside)
        self._report.outbox_not_read(self._store.name, loaded.unreadable)
        self._report.outbox_invalid(loaded.invalid)
        if known := forget_deadlines(self._hass, self._entry.entry_id):
            for message in loaded.messages:
                message.deadline = known.get(message.id, message.deadline)
        return loaded.messages

    def _new_message(
        self, body: dict[str, Any], headers: Mapping[str, str], response_url: str | None
    ) -> Message:
        """Return a message accepted now, with its deadline and expiry."""
        accepted, max_age = time.time(), self._max_age(response_url)
        return Message(
            body,
            headers,
            response_url,
            accepted=accepted,
            deadline=self._hass.loop.time() + max_age,
            expires=accepted + max_age,
        )

    def _max_age(self, response_url: str | None) -> float:
        """Return the seconds a message may wait: less for a response_url."""
        if response_url is None:
            return self._options.max_age_seconds
        return min(self._options.max_age_seconds, RESPONSE_URL_MAX_AGE_SECONDS)

    async def _queue_directly(self, message: Message) -> DeliveryResult:
        """Put a message behind the outbox: write it, then answer queued (or the write's error)."""
        waiter: asyncio.Future[DeliveryResult] = self._hass.loop.create_future()
        message.waiter = waiter
        self._write([message])
        self._run_if_idle()
        return await waiter

    async def _wait_for(self, message: Message) -> DeliveryResult:
        """Start the task if it is idle and wait for the result, queuing the message past the deadline.

        Past the client's total_timeout a timer queues every waiting message
        (they are written to the outbox, then answered). A caller that is
        cancelled only stops waiting: the delivery task still sends.
        """
        waiter: asyncio.Future[DeliveryResult] = self._hass.loop.create_future()
        message.waiter = waiter
        self._run_if_idle()
        timer = None
        if (limit := self._client.total_timeout) is not None:
            timer = self._hass.loop.call_later(limit, self._queue_waiting, waiter)
        try:
            return await waiter
        finally:
            if timer is not None:
                timer.cancel()

    @callback
    def _queue_waiting(self, waiter: asyncio.Future[DeliveryResult]) -> None:
        """Write the waiting messages to the outbox and answer them queued."""
        if not waiter.done():
            self._entry.async_create_background_task(
                self._hass,
                self._store_all_and_answer_queued(),
                f"{DOMAIN} queue waiting messages {self._entry.title}",
            )

    @callback
    def _run_if_idle(self) -> None:
        """Start the delivery task if there is work and it is not running.

        The task starts eagerly: it runs in the caller's turn of the event
        loop up to its first wait, usually the HTTP request.
        """
        if (
            (self._task is None or self._task.done())
            and self._queue
            and not self._halted
            and not self._stopping
        ):
            self._task = self._entry.async_create_background_task(
                self._hass, self._run(), f"{DOMAIN} delivery {self._entry.title}"
            )

    async def _run(self) -> None:
        """Deliver the head of the queue, again and again, until it is empty or halted."""
        while self._queue and not self._halted:
            message = self._queue[0]
            try:
                await self._try_head(message)
            except Exception:  # noqa: BLE001 - a bug must not stop the queue
                LOGGER.exception("Unexpected error delivering to %s", self._entry.title)
                self._last_error = "unknown_error"
                if self._queue and self._queue[0] is message:
                    self._finish(
                        message,
                        "failed",
                        failure("delivery_failed", error="unknown_error"),
                    )

    async def _try_head(self, message: Message) -> None:
        """Try the head message once: deliver, defer, fail or give it up."""
        now = self._hass.loop.time()
        if now >= message.deadline:
            self._finish(message, "expired", failure("message_expired"))
            return
        if message.next_try > now:
            await asyncio.sleep(min(message.next_try, message.deadline) - now)
            return
        try:
            response = await self._send(message)
        except asyncio.CancelledError:
            # Stopped mid-send: the hook may have posted it, and it goes again.
            self._counts["possible_duplicates"] += 1
            raise
        except WebhookError as err:
            await self._handle_failure(message, err)
            return
        self._report.available()
        self._finish(message, "delivered", response)

    async def _send(self, message: Message) -> WebhookResponse:
        """Send a message once, known to be in flight meanwhile."""
        self._sending = message
        try:
            return await self._client_for(message).send_dict(
                message.content(), message.headers
            )
        finally:
            self._sending = None

    def _client_for(self, message: Message) -> AsyncWebhookClient:
        """Return the client for the message's URL: the webhook or its response_url."""
        if message.response_url is None:
            return self._client
        return self._client.with_url(message.response_url)

    async def _handle_failure(self, message: Message, err: WebhookError) -> None:
        """Defer, halt or fail the head message, as the failure says."""
        self._last_error = err.error
        if isinstance(err, WebhookTimeoutError):
            self._counts["possible_duplicates"] += 1
        if (
            err.transient
            or err.path_fault
            or isinstance(err, WebhookSessionClosedError)
        ):
            await self._defer(message, err)
        elif message.response_url is not None:
            self._finish(message, "failed", translated_error(err))
        elif isinstance(err, WebhookAuthError) and message.stored:
            self._halt_for_reauth(err)
        else:
            self._finish(message, "failed", translated_error(err))
            if isinstance(err, WebhookAuthError):
                self._report.refused()

    def _finish(
        self,
        message: Message,
        outcome: str,
        result: WebhookResponse | HomeAssistantError,
    ) -> None:
        """Take the head message off the queue and tell whoever waits for it."""
        self._queue.popleft()
        self._counts[outcome] += 1
        if message.stored:
            self._store.async_schedule_removal(message)
        if isinstance(result, HomeAssistantError):
            self._answer_failure(message, outcome, result)
        elif message.waiter is not None and not message.waiter.done():
            message.waiter.set_result(
                DeliveryResult(True, result.status_code, result.body, message.id)
            )
        if len(self._queue) < self._options.outbox_size:
            self._report.outbox_has_room()
        self._notify_listeners()

    def _answer_failure(
        self, message: Message, outcome: str, err: HomeAssistantError
    ) -> None:
        """Raise to the waiting caller, or fire the event when none waits."""
        if message.waiter is not None and not message.waiter.done():
            message.waiter.set_exception(err)
            return
        reason = self._last_error if outcome == "failed" else outcome
        self._report.gave_up(message.id, message.accepted, reason)

    async def _defer(self, message: Message, err: WebhookError) -> None:
        """Back off the head message and put every waiting message in the outbox."""
        message.attempts += 1
        delay = outbox_backoff(message.attempts)
        if isinstance(err, WebhookRateLimitedError) and err.retry_after:
            delay = max(delay, min(err.retry_after, OUTBOX_RETRY_MAX))
        message.next_try = self._hass.loop.time() + delay
        self._store.async_schedule_update(message)
        self._report.unavailable(
            err.error,
            sum(not m.stored for m in self._queue),
            path_fault=err.path_fault and message.response_url is None,
        )
        await self._store_all_and_answer_queued()

    async def _store_all_and_answer_queued(self, *, flush: bool = False) -> None:
        """Write every pending message to the outbox, then answer their callers.

        New messages are written at once; `flush` also writes the gathered
        removals and retry counts. Callers are answered when the write ends,
        even when this is cancelled meanwhile.
        """
        if newly := [m for m in self._queue if not m.stored]:
            await asyncio.wait([self._write(newly)])
        if flush:
            await self._store.async_flush()

    def _write(self, messages: list[Message]) -> asyncio.Future[None]:
        """Start writing messages to the outbox; their callers are answered when it ends."""
        for message in messages:
            message.stored = True
        written = self._store.async_add(messages)
        written.add_done_callback(partial(self._answer_written, messages))
        return written

    def _answer_written(
        self, messages: list[Message], written: asyncio.Future[None]
    ) -> None:
        """Answer the callers of written messages queued, or take back what was not written."""
        if (err := written.exception()) is not None:
            for message in messages:
                self._take_back(message, err)
            self._notify_listeners()
            return
        self._counts["queued"] += len(messages)
        for message in messages:
            if message.waiter is not None and not message.waiter.done():
                message.waiter.set_result(_queued(message))

    def _take_back(self, message: Message, err: BaseException) -> None:
        """Take a message the outbox could not write off the queue, and report it.

        A message being sent stays: that attempt answers its caller, and a
        transient failure writes it again. One already finished is left alone.
        """
        message.stored = False
        if message is self._sending or message not in self._queue:
            return
        self._queue.remove(message)
        self._counts["failed"] += 1
        self._last_error = "outbox_write_failed"
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        error = failure("outbox_write_failed", error=str(reason))
        if message.waiter is not None and not message.waiter.done():
            message.waiter.set_exception(error)
        else:
            self._report.gave_up(message.id, message.accepted, "outbox_write_failed")

    def _halt_for_reauth(self, err: WebhookAuthError) -> None:
        """Keep the outbox for the new URL that reauthentication brings."""
        self._halted = True
        self._report.halted(err.error)

    async def _async_on_hass_stop(self, _event: Event) -> None:
        """Keep waiting messages in the outbox when Home Assistant stops."""
        await self.async_stop()

    def _notify_listeners(self) -> None:
        """Tell listeners the pending count may have changed."""
        for listener in list(self._listeners):
            listener()


def forget_deadlines(hass: HomeAssistant, entry_id: str) -> dict[str, float]:
    """Take the deadlines kept for an entry's messages, by message id."""
    return hass.data.get(DEADLINES, {}).pop(entry_id, {})


def _queued(message: Message) -> DeliveryResult:
    """Return the result of a message that waits in the outbox."""
    return DeliveryResult(delivered=False, message_id=message.id)
