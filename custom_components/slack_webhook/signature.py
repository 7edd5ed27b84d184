"""Slack's request signatures: proof, on the raw bytes, that a request came from Slack.

Slack signs each request it sends to an app's Request URL with the app's
signing secret: X-Slack-Signature is `v0=` + the hex HMAC-SHA256 of
`v0:{X-Slack-Request-Timestamp}:{raw body}`. A request is accepted only when
its timestamp is within five minutes of now, its signature matches (compared
in constant time) and the signature was not accepted before (the caller may
keep the accepted ones across verifiers: inbound.py keeps them across reloads).
"""

import hashlib
import hmac
from typing import Final

VERSION: Final = "v0"
MAX_AGE: Final = 300
"""Seconds a request's timestamp may be away from now, either way."""
MAX_TIMESTAMP_DIGITS: Final = 12
"""UNIX seconds have 10 digits until the year 2286; int() refuses 4,300 and more."""
HEADER_TIMESTAMP: Final = "X-Slack-Request-Timestamp"
HEADER_SIGNATURE: Final = "X-Slack-Signature"


class VerificationError(Exception):
    """A request that does not prove it came from Slack.

    The reason is safe to log: it holds neither the secret nor the request.
    `misconfigured` is True when a request looks like Slack's but fails, as it
    does with a wrong signing secret or a clock that is off.
    """

    def __init__(self, reason: str, *, misconfigured: bool) -> None:
        """Keep the reason and whether it points at the configuration."""
        super().__init__(reason)
        self.reason = reason
        self.misconfigured = misconfigured


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return Slack's signature of a body sent at timestamp."""
    message = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


class SignatureVerifier:
    """Checks the requests to one Request URL and remembers the signatures it accepted."""

    def __init__(self, secret: str, seen: dict[str, int] | None = None) -> None:
        """Verify with the app's signing secret, remembering in `seen` if given."""
        self._secret = secret
        self._seen: dict[str, int] = {} if seen is None else seen
        """Accepted signatures, each with the time after which its timestamp is stale."""

    def verify(
        self, timestamp: str | None, signature: str | None, body: bytes, now: float
    ) -> None:
        """Raise VerificationError unless the request is Slack's and new."""
        if not timestamp or not signature:
            raise VerificationError("signature headers missing", misconfigured=False)
        if not (
            timestamp.isascii()
            and timestamp.isdigit()
            and len(timestamp) <= MAX_TIMESTAMP_DIGITS
        ):
            raise VerificationError("timestamp malformed", misconfigured=False)
        sent = int(timestamp)
        if abs(now - sent) > MAX_AGE:
            raise VerificationError(
                "timestamp more than five minutes from now", misconfigured=True
            )
        expected = sign(self._secret, timestamp, body).encode()
        if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
            raise VerificationError("signature mismatch", misconfigured=True)
        self._forget_stale(now)
        if signature in self._seen:
            raise VerificationError("signature replayed", misconfigured=False)
        self._seen[signature] = sent + MAX_AGE

    def _forget_stale(self, now: float) -> None:
        """Drop the signatures whose timestamps no longer pass the time check."""
        for signature in [sig for sig, until in self._seen.items() if until < now]:
            del self._seen[signature]
