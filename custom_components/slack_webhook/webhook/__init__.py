"""A Slack incoming-webhook client for asyncio and aiohttp, with no Home Assistant imports."""

from .body import SupportsToDict
from .client import AsyncWebhookClient
from .errors import (
    AUTH_ERRORS,
    WebhookAuthError,
    WebhookConnectionError,
    WebhookError,
    WebhookPayloadError,
    WebhookRateLimitedError,
    WebhookRejectedError,
    WebhookRequestError,
    WebhookResponseError,
    WebhookServerError,
    WebhookTimeoutError,
    error_code,
    response_error,
)
from .pacer import Pacer
from .redact import redact_url
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

__all__ = [
    "AUTH_ERRORS",
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
    "WebhookConnectionError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookRateLimitedError",
    "WebhookRejectedError",
    "WebhookRequestError",
    "WebhookResponse",
    "WebhookResponseError",
    "WebhookServerError",
    "WebhookTimeoutError",
    "default_retry_handlers",
    "error_code",
    "parse_retry_after",
    "redact_url",
    "response_error",
]
