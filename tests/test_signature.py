"""Tests for the verification of Slack's request signatures (signature.py)."""

from hypothesis import given, strategies as st
import pytest
from slack_sdk.signature import SignatureVerifier as SlackSdkVerifier  # noqa: TID251

from custom_components.slack_webhook.signature import (
    MAX_AGE,
    SignatureVerifier,
    VerificationError,
    sign,
)
from tests.helpers.slack_requests import (
    EXAMPLE_BODY,
    EXAMPLE_SIGNATURE,
    EXAMPLE_TIMESTAMP,
    SIGNING_SECRET,
)

NOW = int(EXAMPLE_TIMESTAMP)


def test_slack_documented_example() -> None:
    """Slack's example in "Verifying requests from Slack" verifies."""
    assert sign(SIGNING_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_BODY) == EXAMPLE_SIGNATURE
    SignatureVerifier(SIGNING_SECRET).verify(
        EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, EXAMPLE_BODY, NOW + 1
    )


@given(secret=st.text(min_size=1), body=st.text(), timestamp=st.integers(0, 2**40))
def test_agrees_with_slack_sdk(secret: str, body: str, timestamp: int) -> None:
    """Our signature is the one Slack's own SDK computes, for any secret and text body."""
    sdk = SlackSdkVerifier(secret)
    assert sign(secret, str(timestamp), body.encode()) == sdk.generate_signature(
        timestamp=str(timestamp), body=body
    )


def refusal(
    verifier: SignatureVerifier,
    timestamp: str | None,
    signature: str | None,
    body: bytes = EXAMPLE_BODY,
    now: float = NOW,
) -> VerificationError:
    """Return the error a verifier raises for a request."""
    with pytest.raises(VerificationError) as caught:
        verifier.verify(timestamp, signature, body, now)
    return caught.value


def test_wrong_secret() -> None:
    """A request signed with another secret is refused and points at the secret."""
    error = refusal(
        SignatureVerifier("another-secret"), EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE
    )
    assert error.reason == "signature mismatch"
    assert error.misconfigured


def test_body_altered_after_signing() -> None:
    """One byte changed after signing fails the signature."""
    altered = EXAMPLE_BODY.replace(b"text=", b"text=x")
    error = refusal(
        SignatureVerifier(SIGNING_SECRET), EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, altered
    )
    assert error.reason == "signature mismatch"


def test_timestamp_altered_after_signing() -> None:
    """The timestamp is part of what is signed."""
    error = refusal(
        SignatureVerifier(SIGNING_SECRET), str(NOW + 1), EXAMPLE_SIGNATURE, now=NOW
    )
    assert error.reason == "signature mismatch"


@pytest.mark.parametrize("offset", [MAX_AGE + 1, -MAX_AGE - 1, 86_400, -86_400])
def test_stale_and_future_timestamps(offset: int) -> None:
    """A correctly signed request more than five minutes off, either way, is refused."""
    error = refusal(
        SignatureVerifier(SIGNING_SECRET),
        EXAMPLE_TIMESTAMP,
        EXAMPLE_SIGNATURE,
        now=NOW + offset,
    )
    assert error.reason == "timestamp more than five minutes from now"
    assert error.misconfigured


@pytest.mark.parametrize("offset", [MAX_AGE, -MAX_AGE])
def test_five_minutes_either_way_pass(offset: int) -> None:
    """Exactly five minutes off still verifies."""
    SignatureVerifier(SIGNING_SECRET).verify(
        EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, EXAMPLE_BODY, NOW + offset
    )


def test_replay_refused() -> None:
    """The same signed request twice: the second is refused as a replay."""
    verifier = SignatureVerifier(SIGNING_SECRET)
    verifier.verify(EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, EXAMPLE_BODY, NOW)
    error = refusal(verifier, EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, now=NOW + 10)
    assert error.reason == "signature replayed"
    assert not error.misconfigured


def test_replay_memory_is_bounded_by_the_window() -> None:
    """Signatures are forgotten once their timestamps are stale anyway."""
    verifier = SignatureVerifier(SIGNING_SECRET)
    verifier.verify(EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, EXAMPLE_BODY, NOW)
    later = str(NOW + MAX_AGE + 1)
    verifier.verify(
        later,
        sign(SIGNING_SECRET, later, EXAMPLE_BODY),
        EXAMPLE_BODY,
        NOW + MAX_AGE + 1,
    )
    assert list(verifier._seen) == [sign(SIGNING_SECRET, later, EXAMPLE_BODY)]
    # And the old one is still refused: now for its timestamp.
    error = refusal(
        verifier, EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE, now=NOW + MAX_AGE + 1
    )
    assert error.reason == "timestamp more than five minutes from now"


@pytest.mark.parametrize(
    ("timestamp", "signature", "reason"),
    [
        (None, EXAMPLE_SIGNATURE, "signature headers missing"),
        (EXAMPLE_TIMESTAMP, None, "signature headers missing"),
        ("", "", "signature headers missing"),
        ("1531420618.5", EXAMPLE_SIGNATURE, "timestamp malformed"),
        ("-1531420618", EXAMPLE_SIGNATURE, "timestamp malformed"),
        ("١٥٣١٤٢٠٦١٨", EXAMPLE_SIGNATURE, "timestamp malformed"),
        ("9" * 5000, EXAMPLE_SIGNATURE, "timestamp malformed"),
        (EXAMPLE_TIMESTAMP, "v0=ä" + EXAMPLE_SIGNATURE[4:], "signature mismatch"),
        (EXAMPLE_TIMESTAMP, "v1=" + EXAMPLE_SIGNATURE[3:], "signature mismatch"),
        (EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE.upper(), "signature mismatch"),
    ],
)
def test_malformed_headers(
    timestamp: str | None, signature: str | None, reason: str
) -> None:
    """Missing or malformed headers are refused without an exception of another kind."""
    error = refusal(SignatureVerifier(SIGNING_SECRET), timestamp, signature)
    assert error.reason == reason
    assert error.misconfigured is (reason == "signature mismatch")


def test_reason_holds_no_secret() -> None:
    """What is logged of a refusal holds neither the secret nor the signature."""
    error = refusal(SignatureVerifier(SIGNING_SECRET), EXAMPLE_TIMESTAMP, "v0=00")
    assert SIGNING_SECRET not in str(error)
    assert EXAMPLE_SIGNATURE not in str(error)
