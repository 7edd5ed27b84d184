"""What a webhook answered."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """A webhook's answer: status, body and headers; the URL only redacted."""

    url: str
    status_code: int
    body: str
    """At most MAX_BODY_BYTES of the answer, decoded (undecodable bytes replaced)."""
    headers: Mapping[str, str]
    truncated: bool = False
    """The answer was longer than MAX_BODY_BYTES; the rest was not read."""

    @property
    def ok(self) -> bool:
        """Return whether the webhook accepted the request (any 2xx)."""
        return 200 <= self.status_code < 300

    def header(self, name: str) -> str | None:
        """Return a header's value, whatever the case of its name, or None."""
        wanted = name.lower()
        return next(
            (value for key, value in self.headers.items() if key.lower() == wanted),
            None,
        )
