"""Building and encoding the JSON body of a webhook request.

Deliberate differences from slack_sdk's `_build_body`:

- an empty body (nothing left after dropping top-level None) is refused;
  slack_sdk sends the literal `null`;
- every object with a `to_dict()` method is converted, at any depth, not only
  slack_sdk's own Block, Attachment and Metadata classes in their usual keys;
- NaN and infinities are refused (they are not JSON); slack_sdk sends them;
- the encoding is compact UTF-8 rather than `json.dumps` defaults: same value,
  fewer bytes.
"""

from collections.abc import Mapping
import json
from typing import Any, Protocol

from .errors import WebhookRequestError


class SupportsToDict(Protocol):
    """An object that can turn itself into a JSON-ready mapping (slack_sdk models)."""

    def to_dict(self) -> Mapping[str, Any]:
        """Return the object as a mapping."""


def request_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """Return the body to send: top-level None dropped, to_dict() objects converted."""
    if not isinstance(body, Mapping):
        raise WebhookRequestError("The body must be a mapping")
    try:
        built = {key: _plain(v) for key, v in body.items() if v is not None}
    except RecursionError:
        raise WebhookRequestError("The body contains itself or is too deep") from None
    if not built:
        raise WebhookRequestError("Nothing to send: the body is empty")
    return built


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Return the body as compact UTF-8 JSON, or refuse what JSON cannot hold."""
    try:
        text = json.dumps(
            body, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
        return text.encode()
    except (TypeError, ValueError) as err:
        raise WebhookRequestError(f"The body is not JSON-serialisable: {err}") from None


def _plain(value: Any) -> Any:
    """Return a value with every to_dict() object in it converted."""
    if callable(getattr(value, "to_dict", None)):
        return _plain(value.to_dict())
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
