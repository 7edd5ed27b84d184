"""Tests for redact_url and redact_proxy."""

from hypothesis import assume, given, strategies as st
import pytest

from custom_components.slack_webhook.slack_client import redact_proxy, redact_url
from custom_components.slack_webhook.slack_client.redact import MASK


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


@pytest.mark.parametrize(
    ("proxy", "shown"),
    [
        ("http://proxy.lan:3128", "http://proxy.lan:3128"),
        ("proxy.lan:3128", "proxy.lan:3128"),
        ("http://u:pw@proxy.lan:3128", "http://***:***@proxy.lan:3128"),
        ("http://:T0KEN@proxy.lan:3128", "http://***:***@proxy.lan:3128"),
        ("http://T0KEN@proxy.lan", "http://***:***@proxy.lan"),
        ("http://T0KEN:@proxy.lan", "http://***:***@proxy.lan"),
        ("https://u%3Ax:p%40ss@proxy.lan", "https://***:***@proxy.lan"),
        ("http://u:p@ss@proxy.lan", "http://***:***@proxy.lan"),
        ("u:pw@proxy.lan:3128", "***:***@proxy.lan:3128"),
        ("u:a://b@proxy.lan:3128", "***:***@proxy.lan:3128"),
        ("http://user:1234/x@proxy.lan", "http://***:***@proxy.lan"),
        ("http://u:p?w#x@proxy.lan", "http://***:***@proxy.lan"),
    ],
    ids=[
        "none",
        "none-no-scheme",
        "user-password",
        "empty-user",
        "user-only",
        "user-empty-password",
        "percent-encoded",
        "raw-at",
        "no-scheme",
        "scheme-in-password",
        "ambiguous-slash",
        "ambiguous-query",
    ],
)
def test_redact_proxy(proxy: str, shown: str) -> None:
    """Whatever the form, everything before the last @ is masked, as user and password."""
    assert redact_proxy(proxy) == shown


def test_redact_proxy_with_another_mask() -> None:
    """Diagnostics and forms use their own mask."""
    assert redact_proxy("http://u:p@h:1", "##") == "http://##:##@h:1"


credential = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="@"), min_size=4
)


@given(
    user=credential | st.just(""),
    password=credential | st.just(""),
    scheme=st.sampled_from(["http://", "https://", ""]),
)
def test_credentials_never_survive(user: str, password: str, scheme: str) -> None:
    """No user or password shows, whatever characters they hold."""
    host = "proxy.lan:3128"
    for secret in (user, password):
        assume(not secret or (secret not in scheme + host and secret not in MASK))
    shown = redact_proxy(f"{scheme}{user}:{password}@{host}")
    assert shown.endswith(f"@{host}")
    for secret in (user, password):
        assert not secret or secret not in shown
