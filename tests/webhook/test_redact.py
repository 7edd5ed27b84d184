"""Tests for redact_url."""

from hypothesis import assume, given, strategies as st
import pytest

from custom_components.slack_webhook.webhook import redact_url


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        (
            "https://hooks.slack.com/services/T0001/B0001/s3cr3t",
            "https://hooks.slack.com/services/T0001/B0001/***",
        ),
        (
            "https://user:pw@hooks.slack.com:8443/services/T0/B0/s3cr3t?a=1#frag",
            "https://hooks.slack.com:8443/services/T0/B0/***",
        ),
        (
            "http://127.0.0.1:8765/services/T0/B0/dev/",
            "http://127.0.0.1:8765/services/T0/B0/***/",
        ),
        (
            "https://hooks.slack.com/actions/T0/1234567/aBcDeF",
            "https://hooks.slack.com/actions/T0/1234567/***",
        ),
        (
            "https://discord.com/api/webhooks/123/abcdefghijklmnopqrstuvwxyz0123/slack",
            "https://discord.com/api/webhooks/123/***/***",
        ),
        (
            "https://chat.example/api/v1/external/slack_incoming?api_key=s3cr3t",
            "https://chat.example/api/v1/external/***",
        ),
        ("http://[::1]:80/hooks/abc", "http://[::1]:80/hooks/***"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/", "https://example.com/"),
        ("not a url", "***"),
        ("/services/T0/B0/s3cr3t", "***"),
        ("http://[::1/hooks/abc", "***"),
        ("", "***"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    """Userinfo, query and fragment go; the secret segment is masked."""
    assert redact_url(url) == redacted


@given(
    secret=st.text(
        alphabet=st.characters(categories=["L", "N"], max_codepoint=127),
        min_size=6,
        max_size=60,
    ),
    trailing_slash=st.booleans(),
    query=st.booleans(),
)
def test_secret_never_survives(secret: str, trailing_slash: bool, query: bool) -> None:
    """Whatever the secret, it is not in the redacted URL."""
    prefix = "https://user:pw@hooks.slack.com/services/T0001/B0001/"
    assume(secret not in prefix)
    url = (
        prefix
        + secret
        + ("/" if trailing_slash else "")
        + (f"?t={secret}" if query else "")
    )
    assert secret not in redact_url(url)
