"""Retry handlers on slack_sdk's model: a handler decides, a state counts, a calculator waits.

Deliberate differences from slack_sdk's http_retry:

- handlers see the client's mapped exception (a WebhookError), not a raw
  request, response and aiohttp error;
- `prepare_for_next_attempt` returns the wait instead of sleeping, so the
  client can keep waits within its deadline and log them;
- the client gives every handler its own RetryState, so each kind of failure
  has its own count, and consults them on every failed attempt (slack_sdk's
  async webhook client consults them only on 429);
- the backoff's jitter is a parameter (slack_sdk always adds up to 1 s);
- a timeout once the request may have been sent (WebhookTimeoutError) is not
  retried unless the connection handler is given retry_timeouts=True:
  slack_sdk's connection handler retries aiohttp's ServerTimeoutError, so a
  slow hook that does deliver gets the message again. A connect timeout
  (WebhookConnectTimeoutError: nothing was sent) is retried. TLS failures and
  a closed session are never retried; neither is a 429 whose Retry-After
  was capped.
"""

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass, field
import random
from typing import Protocol

from .errors import (
    WebhookConnectionError,
    WebhookError,
    WebhookRateLimitedError,
    WebhookResponseError,
    WebhookTimeoutError,
    WebhookTLSError,
)


@dataclass
class RetryState:
    """How many retries a handler has granted during one send."""

    current_attempt: int = 0
    """Zero-origin: 0 means no retry was granted yet."""

    def increment_current_attempt(self) -> int:
        """Count one more retry and return the new count."""
        self.current_attempt += 1
        return self.current_attempt


class RetryIntervalCalculator(Protocol):
    """Gives the wait before a retry."""

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        """Return the seconds to wait before retry number current_attempt + 1."""


@dataclass(frozen=True, kw_only=True)
class BackoffRetryIntervalCalculator:
    """Exponential backoff with jitter: factor * 2**attempt plus up to `jitter` seconds."""

    backoff_factor: float = 0.5
    jitter: float = 1.0

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        """Return the backoff for an attempt, with random jitter added."""
        backoff = self.backoff_factor * 2.0**current_attempt
        return backoff + random.uniform(0, self.jitter)  # noqa: S311


@dataclass(kw_only=True)
class RetryHandler(ABC):
    """Decides whether a failed attempt is retried and how long to wait first."""

    max_retry_count: int = 1
    interval_calculator: RetryIntervalCalculator = field(
        default_factory=BackoffRetryIntervalCalculator
    )

    def can_retry(self, *, state: RetryState, error: WebhookError) -> bool:
        """Return whether this handler retries the failure, within its count."""
        if state.current_attempt >= self.max_retry_count:
            return False
        return self._can_retry(state=state, error=error)

    @abstractmethod
    def _can_retry(self, *, state: RetryState, error: WebhookError) -> bool:
        """Return whether this handler is the one for the failure."""

    def prepare_for_next_attempt(
        self, *, state: RetryState, error: WebhookError
    ) -> float:
        """Count the retry and return the seconds to wait before it."""
        wait = self._wait(state=state, error=error)
        state.increment_current_attempt()
        return wait

    def _wait(self, *, state: RetryState, error: WebhookError) -> float:
        """Return the wait before the next attempt."""
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)


@dataclass(kw_only=True)
class ConnectionErrorRetryHandler(RetryHandler):
    """Retries connection failures, resets, DNS and connect timeouts.

    Not TLS failures, which another try does not mend, and timeouts after the
    request may have been sent only with retry_timeouts: the hook may have
    posted the message, and a retry would post it twice.
    """

    retry_timeouts: bool = False

    def _can_retry(self, *, state: RetryState, error: WebhookError) -> bool:
        """Return whether the webhook could not be reached, or did not answer if allowed."""
        if isinstance(error, WebhookTimeoutError):
            return self.retry_timeouts
        return isinstance(error, WebhookConnectionError) and not isinstance(
            error, WebhookTLSError
        )


@dataclass(kw_only=True)
class RateLimitErrorRetryHandler(RetryHandler):
    """Retries 429 after its Retry-After (backoff when missing), if it is at most max_wait."""

    max_wait: float = 60.0
    """A longer or capped Retry-After is not waited out: the error goes to the caller."""

    def _can_retry(self, *, state: RetryState, error: WebhookError) -> bool:
        """Return whether the failure is a 429 with an acceptable wait."""
        return (
            isinstance(error, WebhookRateLimitedError)
            and not error.capped
            and (error.retry_after is None or error.retry_after <= self.max_wait)
        )

    def _wait(self, *, state: RetryState, error: WebhookError) -> float:
        """Return the Retry-After wait, or the backoff when there is none."""
        if isinstance(error, WebhookRateLimitedError) and error.retry_after is not None:
            return error.retry_after
        return super()._wait(state=state, error=error)


@dataclass(kw_only=True)
class ServerErrorRetryHandler(RetryHandler):
    """Retries answers with one of the given statuses (by default 500, 502, 503, 504)."""

    statuses: Collection[int] = (500, 502, 503, 504)

    def _can_retry(self, *, state: RetryState, error: WebhookError) -> bool:
        """Return whether the webhook answered with one of the statuses."""
        return (
            isinstance(error, WebhookResponseError)
            and error.status_code in self.statuses
        )


def default_retry_handlers(
    *,
    connection: int = 3,
    rate_limit: int = 3,
    server: int = 2,
    max_retry_after: float = 60.0,
    backoff_factor: float = 0.5,
    jitter: float = 1.0,
    retry_timeouts: bool = False,
) -> list[RetryHandler]:
    """Return handlers for connection errors, 429 and server errors with these counts."""
    calculator = BackoffRetryIntervalCalculator(
        backoff_factor=backoff_factor, jitter=jitter
    )
    return [
        ConnectionErrorRetryHandler(
            max_retry_count=connection,
            interval_calculator=calculator,
            retry_timeouts=retry_timeouts,
        ),
        RateLimitErrorRetryHandler(
            max_retry_count=rate_limit,
            max_wait=max_retry_after,
            interval_calculator=calculator,
        ),
        ServerErrorRetryHandler(max_retry_count=server, interval_calculator=calculator),
    ]
