"""Tests for the token bucket that paces sends to one webhook."""

import asyncio

import pytest

from custom_components.slack_webhook.delivery.token_bucket import (
    CAUTION_MARGIN,
    CAUTION_SECONDS,
    TokenBucket,
)


class FakeClock:
    """A clock that asyncio.sleep advances."""

    def __init__(self) -> None:
        """Start at zero."""
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        """Return the current time."""
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Replace asyncio.sleep in the pacer with one that advances a fake clock."""
    fake = FakeClock()

    async def sleep(seconds: float) -> None:
        fake.sleeps.append(seconds)
        fake.now += seconds

    monkeypatch.setattr(
        "custom_components.slack_webhook.delivery.token_bucket.asyncio",
        type("A", (), {"sleep": staticmethod(sleep)}),
    )
    return fake


async def _times(bucket: TokenBucket, clock: FakeClock, count: int) -> list[float]:
    """Acquire `count` slots and return when each was granted."""
    granted = []
    for _ in range(count):
        await bucket.acquire()
        granted.append(round(clock.now, 6))
    return granted


async def test_burst_then_rate(clock: FakeClock) -> None:
    """A full bucket lets a burst through, then one send per 1/rate seconds."""
    bucket = TokenBucket(rate=2.0, burst=3, max_pause=60, clock=clock)
    assert await _times(bucket, clock, 5) == [0.0, 0.0, 0.0, 0.5, 1.0]


async def test_try_acquire_takes_only_a_free_token(clock: FakeClock) -> None:
    """try_acquire takes what a burst allows, then refuses until the bucket refills."""
    bucket = TokenBucket(rate=2.0, burst=2, max_pause=60, clock=clock)
    assert [bucket.try_acquire() for _ in range(3)] == [True, True, False]
    clock.now = 0.5
    assert [bucket.try_acquire() for _ in range(2)] == [True, False]
    bucket.pause(3.0)
    assert bucket.try_acquire() is False
    clock.now = 3.5
    assert bucket.try_acquire() is True
    assert await _times(bucket, clock, 1) == [3.5 + 1 / (2.0 / (1 + CAUTION_MARGIN))]


async def test_refills_while_idle_up_to_burst(clock: FakeClock) -> None:
    """Idle time refills the bucket, never above the burst."""
    bucket = TokenBucket(rate=1.0, burst=2, max_pause=60, clock=clock)
    await _times(bucket, clock, 2)
    clock.now = 100.0
    assert await _times(bucket, clock, 3) == [100.0, 100.0, 101.0]


async def test_pause_holds_then_allows_one(clock: FakeClock) -> None:
    """A pause holds every send; after it one goes at once, then the (cautious) rate."""
    bucket = TokenBucket(rate=1.0, burst=5, max_pause=60, clock=clock)
    bucket.pause(4.0)
    assert bucket.paused_for == 4.0
    interval = 1 + CAUTION_MARGIN
    assert await _times(bucket, clock, 3) == [4.0, 4 + interval, 4 + 2 * interval]
    assert bucket.paused_for == 0.0


async def test_shorter_pause_does_not_shorten(clock: FakeClock) -> None:
    """A shorter pause inside a longer one changes nothing."""
    bucket = TokenBucket(rate=1.0, burst=1, max_pause=60, clock=clock)
    bucket.pause(10.0)
    bucket.pause(2.0)
    assert await _times(bucket, clock, 1) == [10.0]


async def test_real_sleep_is_used() -> None:
    """Without a fake clock the bucket waits for real."""
    bucket = TokenBucket(rate=50.0, burst=1, max_pause=60)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await bucket.acquire()
    await bucket.acquire()
    assert loop.time() - start >= 0.015


async def test_after_a_pause_no_bursts_and_a_margin(clock: FakeClock) -> None:
    """A 429 despite pacing: one send per interval plus the margin, no bursts, for a while."""
    bucket = TokenBucket(rate=1.0, burst=3, max_pause=60, clock=clock)
    bucket.pause(1)
    interval = 1 + CAUTION_MARGIN
    assert await _times(bucket, clock, 3) == [1.0, 1 + interval, 1 + 2 * interval]
    clock.now += CAUTION_SECONDS
    start = clock.now
    assert await _times(bucket, clock, 3) == [start] * 3
