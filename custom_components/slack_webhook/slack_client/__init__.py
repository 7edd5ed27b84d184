"""A Slack incoming-webhook client for asyncio and aiohttp.

The client sends one JSON message to one webhook URL (Slack, Zulip's Slack
endpoint or a Workflow Builder trigger) with retries, pacing and answers
judged by the target; it masks the URL in everything it says. It imports
nothing of Home Assistant (the nested ruff.toml bans it), so it can be read
and tested as a plain library. The integration imports it only through the
names below; its modules stay the client's own.
"""

from .body import encode_body, request_body
from .client import AsyncWebhookClient
from .errors import (
    WebhookAnswerFailedError,
    WebhookAuthError,
    WebhookConnectionError,
    WebhookDNSError,
    WebhookError,
    WebhookInterceptedError,
    WebhookPayloadError,
    WebhookProxyAuthError,
    WebhookProxyError,
    WebhookRateLimitedError,
    WebhookRejectedError,
    WebhookRequestError,
    WebhookResponseError,
    WebhookSessionClosedError,
    WebhookTimeoutError,
    WebhookTLSError,
)
from .headers import RESERVED_HEADERS, valid_header_name, valid_header_value
from .proxy import ambiguous_proxy
from .redact import redact_proxy, redact_url, split_proxy
from .response import WebhookResponse
from .retry import default_retry_handlers
from .targets import (
    TARGET_NAMES,
    ZULIP_BLOCK_TYPES,
    TargetKind,
    kind_from_url,
    unsuitable_url,
)
from .urls import cleartext_to_remote, http_url

__all__ = [
    "RESERVED_HEADERS",
    "TARGET_NAMES",
    "ZULIP_BLOCK_TYPES",
    "AsyncWebhookClient",
    "TargetKind",
    "WebhookAnswerFailedError",
    "WebhookAuthError",
    "WebhookConnectionError",
    "WebhookDNSError",
    "WebhookError",
    "WebhookInterceptedError",
    "WebhookPayloadError",
    "WebhookProxyAuthError",
    "WebhookProxyError",
    "WebhookRateLimitedError",
    "WebhookRejectedError",
    "WebhookRequestError",
    "WebhookResponse",
    "WebhookResponseError",
    "WebhookSessionClosedError",
    "WebhookTLSError",
    "WebhookTimeoutError",
    "ambiguous_proxy",
    "cleartext_to_remote",
    "default_retry_handlers",
    "encode_body",
    "http_url",
    "kind_from_url",
    "redact_proxy",
    "redact_url",
    "request_body",
    "split_proxy",
    "unsuitable_url",
    "valid_header_name",
    "valid_header_value",
]
