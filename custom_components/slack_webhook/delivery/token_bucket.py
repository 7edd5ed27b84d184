"""Pacing of sends to one webhook: a token bucket that a 429 can pause."""

import asyncio
from collections.abc import Callable
import math
import time

CAUTION_SECONDS = 600.0
"""How long the bucket stays cautious after a 429: bursts of one, with a margin."""
CAUTION_MARGIN = 0.05
"""The part of each interval added while cautious, so sends do not land on the edge."""
_EPSILON = 1e-9
"""Tokens short of one that count as one: refills in floating point fall short."""


class TokenBucket:
    """Allow `rate` sends per second with bursts of up to `burst`.

    `pause` holds every send until the pause ends, for `max_pause` seconds at
    most; then exactly one send may go at once and the bucket refills from
    there. A pause also means the pacing did not fit the hook's limit, so for
    CAUTION_SECONDS the bucket allows no bursts and spaces sends a little
    wider than `rate` (a strict limiter that rounds Retry-After up would
    otherwise refuse sends that land exactly on its interval). Time is the
    monotonic clock, so wall-clock steps change nothing.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        max_pause: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start with a full bucket."""
        self._rate = rate
        self._burst = float(max(burst, 1))
        self._max_pause = max_pause
        self._clock = clock
        self._tokens = self._burst
        self._updated = clock()
        self._paused_until = 0.0
        self._cautious_until = -math.inf

    @property
    def paused_for(self) -> float:
        """Return the seconds left of the current pause."""
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self) -> None:
        """Wait until a send may go, and take its token."""
        while (wait := self._wait()) > 0:  # noqa: ASYNC110 - a pause may grow meanwhile
            await asyncio.sleep(wait)
        self._tokens -= 1

    def try_acquire(self) -> bool:
        """Take a token if one is there now; return whether it was."""
        if self._wait() > 0:
            return False
        self._tokens -= 1
        return True

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` (at most max_pause), as a Retry-After asks."""
        if math.isnan(seconds):
            seconds = self._max_pause
        now = self._clock()
        until = now + min(max(seconds, 0.0), self._max_pause)
        self._cautious_until = until + CAUTION_SECONDS
        if until > self._paused_until:
            self._paused_until = until
            self._tokens = 1.0
            self._updated = until

    def _wait(self) -> float:
        """Return the seconds until a token is available, refilling first."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        cautious = now < self._cautious_until
        burst = 1.0 if cautious else self._burst
        rate = self._rate / (1 + CAUTION_MARGIN) if cautious else self._rate
        if now > self._updated:
            self._tokens = min(burst, self._tokens + (now - self._updated) * rate)
            self._updated = now
        missing = 1 - self._tokens
        return 0.0 if missing <= _EPSILON else missing / rate
