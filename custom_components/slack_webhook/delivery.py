"""Ordered, paced and durable delivery of messages to one webhook.

Messages go out one at a time in the order they were accepted. A transient
failure that outlasts the client's retries moves the message, and every
message behind it, to the durable outbox; their callers are answered
"queued" and the outbox is redelivered with backoff, also after a restart.
Permanent failures are never retried: the caller gets the error or, for a
message already in the outbox, the event `slack_webhook_delivery_failed`.
"""

import asyncio
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
import random
import time
from typing import Any

from yarl import URL

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, LOGGER, RESPONSE_URL_MAX_AGE
from .exceptions import error, translated_error
from .outbox import Message, OutboxStore
from .pacer import TokenBucket
from .webhook import (
    AsyncWebhookClient,
    WebhookAuthError,
    WebhookError,
    WebhookRateLimitedError,
    WebhookResponse,
)

EVENT_DELIVERY_FAILED = f"{DOMAIN}_delivery_failed"
OUTBOX_RETRY_BASE = 10.0
"""Seconds before the first redelivery of the outbox; doubles each round."""
OUTBOX_RETRY_MAX = 600.0


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What became of a message: delivered (with the answer) or queued."""

    delivered: bool
    status_code: int | None = None
    body: str | None = None


QUEUED = DeliveryResult(delivered=False)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """The entry's delivery options."""

    max_age: float
    """Seconds a message may wait before it is given up."""
    outbox_size: int
    raise_on_queued: bool


class Delivery:
    """The delivery queue of one config entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: AsyncWebhookClient,
        pacer: TokenBucket,
        settings: DeliverySettings,
    ) -> None:
        """Prepare an idle queue; async_start loads the outbox and starts it."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._pacer = pacer
        self._settings = settings
        self._store = OutboxStore(hass, entry.entry_id)
        self._queue: deque[Message] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._halted = False
        self._unavailable = False
        self._listeners: list[Callable[[], None]] = []
        self._counts: Counter[str] = Counter()
        self._last_error: str | None = None

    @property
    def pending(self) -> int:
        """Return the number of messages not yet delivered."""
        return len(self._queue)

    async def async_start(self) -> None:
        """Load the outbox and start delivering."""
        self._queue.extend(await self._store.async_load())
        self._task = self._entry.async_create_background_task(
            self._hass, self._run(), f"{DOMAIN} delivery {self._entry.title}"
        )
        self._entry.async_on_unload(
            self._hass.bus.async_listen_once(
                EVENT_HOMEASSISTANT_STOP, self._async_on_hass_stop
            )
        )
        self._wake.set()

    async def async_stop(self) -> None:
        """Stop delivering and keep every undelivered message in the outbox."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._store_all_and_answer_queued(flush=True)

    async def async_send(
        self,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        response_url: str | None = None,
    ) -> DeliveryResult:
        """Deliver a message; return once it is delivered or safely queued."""
        if response_url is not None:
            self._check_response_url(response_url)
        if len(self._queue) >= self._settings.outbox_size:
            self._report_outbox_full()
            raise error("outbox_full", size=str(self._settings.outbox_size))
        message = self._new_message(body, headers or {}, response_url)
        self._queue.append(message)
        self._notify_listeners()
        if self._task is None or self._halted or any(m.stored for m in self._queue):
            message.stored = True
            await self._store.async_save(list(self._queue))
            result = QUEUED
            self._counts["queued"] += 1
        else:
            message.waiter = self._hass.loop.create_future()
            self._wake.set()
            result = await asyncio.shield(message.waiter)
        if not result.delivered and self._settings.raise_on_queued:
            raise error("queued", error=self._last_error or "unknown")
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
            "last_error": self._last_error,
            "paused_for": round(self._pacer.paused_for, 3),
            "halted_for_reauth": self._halted,
        }

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` whenever the number of pending messages changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _check_response_url(self, response_url: str) -> None:
        """Refuse a response_url on another scheme or host than the webhook's."""
        try:
            same_origin = URL(response_url).origin() == URL(self._client.url).origin()
        except ValueError:
            same_origin = False
        if not same_origin:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="response_url_origin"
            )

    def _new_message(
        self, body: dict[str, Any], headers: dict[str, str], response_url: str | None
    ) -> Message:
        """Return a message accepted now, with its expiry."""
        now = time.time()
        max_age = self._settings.max_age
        if response_url is not None:
            max_age = min(max_age, RESPONSE_URL_MAX_AGE * 3600)
        return Message(body, headers, response_url, accepted=now, expires=now + max_age)

    async def _run(self) -> None:
        """Deliver the head of the queue, again and again."""
        while True:
            if not self._queue or self._halted:
                self._wake.clear()
                await self._wake.wait()
                continue
            await self._deliver(self._queue[0])

    async def _deliver(self, message: Message) -> None:
        """Try the head message once: deliver, defer, fail or give it up."""
        now = time.time()
        if now >= message.expires:
            self._finish(message, "expired", error("message_expired"))
            return
        if message.next_try > now:
            await asyncio.sleep(min(message.next_try, message.expires) - now)
            return
        try:
            response = await self._client_for(message).send_dict(
                message.body, message.headers
            )
        except WebhookError as err:
            self._last_error = err.error
            if err.transient:
                await self._defer(message, err)
            elif isinstance(err, WebhookAuthError) and message.stored:
                self._halt_for_reauth(err)
            else:
                self._finish(message, "failed", translated_error(err))
                if isinstance(err, WebhookAuthError):
                    self._entry.async_start_reauth(self._hass)
            return
        except Exception:  # noqa: BLE001 - a bug must not stop the queue
            LOGGER.exception("Unexpected error delivering to %s", self._entry.title)
            self._last_error = "unknown_error"
            self._finish(
                message, "failed", error("delivery_failed", error="unknown_error")
            )
            return
        if self._unavailable:
            self._unavailable = False
            LOGGER.info("Slack webhook %s answers again", self._entry.title)
        self._finish(message, "delivered", response)

    def _client_for(self, message: Message) -> AsyncWebhookClient:
        """Return the client for the message's URL: the webhook or its response_url."""
        if message.response_url is None:
            return self._client
        return self._client.with_url(message.response_url)

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
            self._store.async_schedule_save(lambda: list(self._queue))
        if isinstance(result, HomeAssistantError):
            self._answer_failure(message, outcome, result)
        elif message.waiter is not None and not message.waiter.done():
            message.waiter.set_result(
                DeliveryResult(True, result.status_code, result.body)
            )
        if len(self._queue) < self._settings.outbox_size:
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
        self._notify_listeners()

    def _answer_failure(
        self, message: Message, outcome: str, err: HomeAssistantError
    ) -> None:
        """Raise to the waiting caller, or fire the event when none waits."""
        if message.waiter is not None and not message.waiter.done():
            message.waiter.set_exception(err)
            return
        reason = self._last_error if outcome == "failed" else outcome
        LOGGER.warning(
            "Gave up a message to %s accepted at %s: %s",
            self._entry.title,
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(message.accepted)),
            reason,
        )
        self._hass.bus.async_fire(
            EVENT_DELIVERY_FAILED,
            {
                "entry_id": self._entry.entry_id,
                "name": self._entry.title,
                "reason": reason,
                "message_id": message.id,
            },
        )

    async def _defer(self, message: Message, err: WebhookError) -> None:
        """Back off the head message and put every waiting message in the outbox."""
        message.attempts += 1
        delay = min(OUTBOX_RETRY_MAX, OUTBOX_RETRY_BASE * 2 ** (message.attempts - 1))
        delay *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
        if isinstance(err, WebhookRateLimitedError) and err.retry_after:
            delay = max(delay, err.retry_after)
        message.next_try = time.time() + delay
        if not self._unavailable:
            self._unavailable = True
            LOGGER.warning(
                "Slack webhook %s is unavailable (%s); queued %d message(s) for redelivery",
                self._entry.title,
                err.error,
                sum(not m.stored for m in self._queue),
            )
        await self._store_all_and_answer_queued()

    async def _store_all_and_answer_queued(self, *, flush: bool = False) -> None:
        """Write every pending message to the outbox, then answer their callers.

        The write is immediate when it adds messages (or `flush` asks for it);
        a retry round that only moved the head's next try is written later.
        """
        newly = [m for m in self._queue if not m.stored]
        for message in newly:
            message.stored = True
        if newly or flush:
            await self._store.async_save(list(self._queue))
        else:
            self._store.async_schedule_save(lambda: list(self._queue))
        self._counts["queued"] += len(newly)
        for message in newly:
            if message.waiter is not None and not message.waiter.done():
                message.waiter.set_result(QUEUED)

    def _halt_for_reauth(self, err: WebhookAuthError) -> None:
        """Keep the outbox for the new URL that reauthentication brings."""
        LOGGER.warning(
            "Slack webhook %s no longer accepts messages (%s); the outbox is kept until it is reauthenticated",
            self._entry.title,
            err.error,
        )
        self._halted = True
        self._entry.async_start_reauth(self._hass)

    @property
    def _issue_id(self) -> str:
        """Return the repair issue id of this entry's full outbox."""
        return f"outbox_full_{self._entry.entry_id}"

    def _report_outbox_full(self) -> None:
        """Raise a repair issue: new messages are being refused."""
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="outbox_full",
            translation_placeholders={
                "name": self._entry.title,
                "size": str(self._settings.outbox_size),
            },
        )

    async def _async_on_hass_stop(self, _event: Event) -> None:
        """Keep waiting messages in the outbox when Home Assistant stops."""
        await self.async_stop()

    def _notify_listeners(self) -> None:
        """Tell listeners the pending count may have changed."""
        for listener in list(self._listeners):
            listener()
