"""Tests for parsing Retry-After."""

from datetime import UTC, datetime

import pytest

from custom_components.slack_webhook.slack_client.retry_after import parse_retry_after

NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 30 ", 30.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Sun, 29 Nov 2026 12:00:42 GMT", 42.0),
        ("Sun, 29 Nov 2026 12:00:42 -0000", 42.0),
        ("Sun, 29 Nov 2026 11:59:00 GMT", 0.0),
        ("Sunday, 29-Nov-26 12:01:00 GMT", 60.0),
        ("Sun Nov 29 12:02:00 2026", 120.0),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("9" * 400, None),
        ("1e999", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    """Seconds or an HTTP date (any of its three forms); a past date means 0."""
    assert parse_retry_after(value, NOW) == seconds


def test_http_date_is_relative_to_the_clock() -> None:
    """Without `now`, the current time is used."""
    soon = datetime.now(UTC).replace(microsecond=0).timestamp() + 100
    value = datetime.fromtimestamp(soon, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    wait = parse_retry_after(value)
    assert wait is not None
    assert 98 < wait <= 100
