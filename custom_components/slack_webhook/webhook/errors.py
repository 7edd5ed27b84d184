"""Exceptions raised by the webhook client, mapped from Slack's answers.

Slack answers a failed webhook call with a bare error code as the body. The
classes tell a caller what to do:

- WebhookRequestError: the arguments are wrong; nothing was sent.
- WebhookPayloadError: the webhook refused the payload; change it.
- WebhookRejectedError: the hook is gone, revoked or may not post; a person
  must act. WebhookAuthError, its subclass, means the URL itself is dead and
  a new one is needed.
- WebhookConnectionError, WebhookTimeoutError, WebhookRateLimitedError,
  WebhookServerError: transient; retrying later may succeed.
"""

import json

from .response import WebhookResponse
from .retry_after import parse_retry_after

AUTH_ERRORS = frozenset(
    {"invalid_token", "no_service", "no_team", "team_disabled", "no_active_hooks"}
)
"""Codes that mean the webhook URL itself no longer works."""


class WebhookError(Exception):
    """Base class of everything the webhook client raises."""

    transient: bool = False
    path_fault: bool = False
    error: str = "unknown_error"


class WebhookRequestError(WebhookError, ValueError):
    """The call's arguments are invalid; nothing was sent."""

    error = "invalid_request"


class WebhookConnectionError(WebhookError):
    """The webhook could not be reached, or the connection broke."""

    transient = True
    error = "connection_error"


class WebhookTimeoutError(WebhookConnectionError):
    """The webhook did not answer in time."""

    error = "timeout"


class WebhookResponseError(WebhookError):
    """The webhook answered with a status other than 2xx."""

    def __init__(self, response: WebhookResponse) -> None:
        """Keep the response; the message holds status and Slack's error code."""
        self.response = response
        self.status_code = response.status_code
        self.error = error_code(response)
        super().__init__(f"HTTP {self.status_code}: {self.error}")


class WebhookPayloadError(WebhookResponseError):
    """The webhook refused the payload (400 and other 4xx)."""


class WebhookRejectedError(WebhookResponseError):
    """The hook is gone, archived or may not post here (403, 404, 410).

    Also 401 and 407 (credentials of the hook or the proxy refused) and
    redirects (the hook moved): a person must update the configuration.
    """


class WebhookAuthError(WebhookRejectedError):
    """The webhook URL is revoked or unknown; a new URL is needed."""


class WebhookRateLimitedError(WebhookResponseError):
    """Too many requests (429); retry_after holds the wait Slack asked for."""

    transient = True

    def __init__(self, response: WebhookResponse, retry_after: float | None) -> None:
        """Keep the Retry-After wait in seconds, if the webhook sent one."""
        super().__init__(response)
        self.retry_after = retry_after


class WebhookServerError(WebhookResponseError):
    """The webhook failed on its side (5xx)."""

    transient = True


REJECTED_STATUSES = frozenset({401, 403, 404, 407, 410})
"""Statuses that mean the hook cannot be used as configured."""


def response_error(response: WebhookResponse) -> WebhookResponseError:
    """Return the exception for a webhook's answer other than 2xx."""
    status = response.status_code
    if status == 429:
        retry_after = parse_retry_after(response.header("Retry-After"))
        return WebhookRateLimitedError(response, retry_after)
    if status >= 500:
        return WebhookServerError(response)
    if status in REJECTED_STATUSES or status < 400:
        if error_code(response) in AUTH_ERRORS:
            return WebhookAuthError(response)
        return WebhookRejectedError(response)
    return WebhookPayloadError(response)


def error_code(response: WebhookResponse) -> str:
    """Return Slack's error code from a body, or a short stand-in.

    Slack answers with a bare code such as `no_text`, or with JSON holding an
    `error` code; HTML error pages and long bodies become `http_<status>`.
    """
    body = response.body.strip()
    for code in (body, _json_error(body)):
        if code and len(code) <= 64 and code.replace("_", "").isalnum():
            return code
    return f"http_{response.status_code}"


def _json_error(body: str) -> str | None:
    """Return the `error` string of a JSON object body, if there is one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) else None
