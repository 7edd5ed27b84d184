"""A Slack incoming-webhook client for asyncio and aiohttp, with no Home Assistant imports."""

from .body import SupportsToDict
from .client import AsyncWebhookClient
from .errors import (
    AUTH_ERRORS,
    DEFAULT_MAX_RETRY_AFTER,
    WebhookAuthError,
    WebhookConnectionError,
    WebhookConnectTimeoutError,
    WebhookDNSError,
    WebhookError,
    WebhookInterceptedError,
    WebhookPacerTimeoutError,
    WebhookPayloadError,
    WebhookProxyAuthError,
    WebhookProxyError,
    WebhookRateLimitedError,
    WebhookRejectedError,
    WebhookRequestError,
    WebhookResponseError,
    WebhookServerError,
    WebhookSessionClosedError,
    WebhookTimeoutError,
    WebhookTLSError,
    error_code,
    response_error,
    slack_code,
)
from .pacer import Pacer
from .proxy import ambiguous_proxy, parse_proxy
from .redact import redact_proxy, redact_url, split_proxy
from .response import WebhookResponse
from .retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryIntervalCalculator,
    RetryState,
    ServerErrorRetryHandler,
    default_retry_handlers,
)
from .retry_after import parse_retry_after
from .transport import MAX_BODY_BYTES
from .urls import cleartext_to_remote, http_url, is_loopback

__all__ = [
    "AUTH_ERRORS",
    "DEFAULT_MAX_RETRY_AFTER",
    "MAX_BODY_BYTES",
    "AsyncWebhookClient",
    "BackoffRetryIntervalCalculator",
    "ConnectionErrorRetryHandler",
    "Pacer",
    "RateLimitErrorRetryHandler",
    "RetryHandler",
    "RetryIntervalCalculator",
    "RetryState",
    "ServerErrorRetryHandler",
    "SupportsToDict",
    "WebhookAuthError",
    "WebhookConnectTimeoutError",
    "WebhookConnectionError",
    "WebhookDNSError",
    "WebhookError",
    "WebhookInterceptedError",
    "WebhookPacerTimeoutError",
    "WebhookPayloadError",
    "WebhookProxyAuthError",
    "WebhookProxyError",
    "WebhookRateLimitedError",
    "WebhookRejectedError",
    "WebhookRequestError",
    "WebhookResponse",
    "WebhookResponseError",
    "WebhookServerError",
    "WebhookSessionClosedError",
    "WebhookTLSError",
    "WebhookTimeoutError",
    "ambiguous_proxy",
    "cleartext_to_remote",
    "default_retry_handlers",
    "error_code",
    "http_url",
    "is_loopback",
    "parse_proxy",
    "parse_retry_after",
    "redact_proxy",
    "redact_url",
    "response_error",
    "slack_code",
    "split_proxy",
]
