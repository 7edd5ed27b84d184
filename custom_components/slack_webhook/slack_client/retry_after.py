"""Parsing the Retry-After header: a delay in seconds or an HTTP date."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import math
import re

_SECONDS = re.compile(r"\d+(\.\d+)?")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the wait a Retry-After value asks for in seconds, or None if absent or invalid.

    A date in the past means no wait (0). Fractions of seconds are accepted;
    a number too large for a float (hundreds of digits) is invalid.
    """
    if value is None:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        seconds = float(value)
        return seconds if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except TypeError, ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
