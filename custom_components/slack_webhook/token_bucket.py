"""Pacing of sends to one webhook: a token bucket that a 429 can pause."""

import asyncio
from collections.abc import Callable
import math
import time


class TokenBucket:
    """Allow `rate` sends per second with bursts of up to `burst`.

    `pause` holds every send until the pause ends, for `max_pause` seconds at
    most; then exactly one send may go at once and the bucket refills from
    there. Time is the monotonic clock, so wall-clock steps change nothing.
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

    @property
    def paused_for(self) -> float:
        """Return the seconds left of the current pause."""
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self) -> None:
        """Wait until a send may go, and take its token."""
        while (wait := self._wait()) > 0:  # noqa: ASYNC110 - a pause may grow meanwhile
            await asyncio.sleep(wait)
        self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` (at most max_pause), as a Retry-After asks."""
        if math.isnan(seconds):
            seconds = self._max_pause
        until = self._clock() + min(max(seconds, 0.0), self._max_pause)
        if until > self._paused_until:
            self._paused_until = until
            self._tokens = 1.0
            self._updated = until

    def _wait(self) -> float:
        """Return the seconds until a token is available, refilling first."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        if now > self._updated:
            self._tokens = min(
                self._burst, self._tokens + (now - self._updated) * self._rate
            )
            self._updated = now
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
