"""What a webhook answered."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """A webhook's answer: status, body and headers; the URL only redacted."""

    url: str
    status_code: int
    body: str
    headers: Mapping[str, str]

    @property
    def ok(self) -> bool:
        """Return whether the webhook accepted the request (any 2xx)."""
        return 200 <= self.status_code < 300
