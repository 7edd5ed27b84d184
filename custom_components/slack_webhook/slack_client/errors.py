"""Exceptions raised by the webhook client, mapped from Slack's answers.

Slack answers a failed webhook call with a bare error code as the body. The
classes tell a caller what to do:

- WebhookRequestError: the arguments are wrong; nothing was sent.
- WebhookPayloadError: the webhook refused the payload; change it.
  WebhookAnswerFailedError, its subclass, is a 2xx answer whose body says
  the message failed (Rocket.Chat's `{"success": false}` and the like).
- WebhookRejectedError: the hook is gone, revoked or may not post; a person
  must act. WebhookAuthError, its subclass, means the URL itself is dead and
  a new one is needed.
- WebhookConnectionError, WebhookTimeoutError, WebhookRateLimitedError,
  WebhookServerError, WebhookPacerTimeoutError: transient; retrying later
  may succeed.
- WebhookSessionClosedError: the HTTP session is closed; nothing can be sent
  with it, now or later.

`path_fault` is set when the route to the hook failed rather than the
message: the proxy is unreachable (WebhookProxyError) or refuses the
credentials (WebhookProxyAuthError), something other than the hook answered
(WebhookInterceptedError: a redirect, a captive portal, a filter's page),
TLS (WebhookTLSError) or DNS (WebhookDNSError) failed. Such a fault is no
fault of the message, whatever `transient` says: check it first.
"""

import json
import re

from .response import WebhookResponse
from .retry_after import parse_retry_after
from .targets import TargetKind, is_dead_hook

AUTH_ERRORS = frozenset(
    {"invalid_token", "no_service", "no_team", "team_disabled", "no_active_hooks"}
)
"""Codes that mean the webhook URL itself no longer works."""
DEFAULT_MAX_RETRY_AFTER = 60.0
"""Seconds: the longest Retry-After taken at its word."""
_SLACK_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""Slack's error codes: lower-case snake case, such as `channel_not_found`."""


class WebhookError(Exception):
    """Base class of everything the webhook client raises."""

    transient: bool = False
    path_fault: bool = False
    """The route to the hook failed (proxy, portal, TLS, DNS), not the message."""
    error: str = "unknown_error"


class WebhookRequestError(WebhookError, ValueError):
    """The call's arguments are invalid; nothing was sent."""

    error = "invalid_request"


class WebhookSessionClosedError(WebhookError):
    """The HTTP session is closed (Home Assistant is stopping); nothing was sent."""

    error = "session_closed"


class WebhookPacerTimeoutError(WebhookError):
    """No send slot came before the send's deadline; nothing was sent."""

    transient = True
    error = "pacer_timeout"


class WebhookConnectionError(WebhookError):
    """The webhook could not be reached, or the connection broke."""

    transient = True
    error = "connection_error"


class WebhookTimeoutError(WebhookConnectionError):
    """The webhook did not answer in time; the request may have been delivered."""

    error = "timeout"


class WebhookConnectTimeoutError(WebhookConnectionError):
    """No connection was made in time; nothing was sent."""

    error = "connect_timeout"


class WebhookProxyError(WebhookConnectionError):
    """The proxy could not be reached: refused, unknown host or broken."""

    path_fault = True
    error = "proxy_error"

    def __init__(self, proxy: str, reason: str) -> None:
        """Name the proxy as host:port, never its credentials, and the reason."""
        self.proxy = proxy
        super().__init__(f"Cannot reach the proxy {proxy}: {reason}")


class WebhookDNSError(WebhookConnectionError):
    """The hook's host name could not be resolved."""

    path_fault = True
    error = "dns_error"


class WebhookTLSError(WebhookConnectionError):
    """The TLS handshake failed: an untrusted certificate, or https intercepted."""

    path_fault = True
    error = "tls_error"


class WebhookResponseError(WebhookError):
    """The webhook answered with a status other than 2xx."""

    def __init__(self, response: WebhookResponse, error: str | None = None) -> None:
        """Keep the response; the message holds status and the error (Slack's code by default)."""
        self.response = response
        self.status_code = response.status_code
        self.error = error or error_code(response)
        super().__init__(f"HTTP {self.status_code}: {self.error}")


class WebhookPayloadError(WebhookResponseError):
    """The webhook refused the payload (400 and other 4xx)."""


class WebhookAnswerFailedError(WebhookPayloadError):
    """A 2xx answer whose body says the message failed; `error` is the target's message."""

    def __init__(self, response: WebhookResponse, error: str, target: str) -> None:
        """Keep the target's name (such as Rocket.Chat) and its own message."""
        super().__init__(response, error)
        self.target = target


class WebhookRejectedError(WebhookResponseError):
    """The hook is gone, archived or may not post here (401, 403, 404, 410 with Slack's code)."""


class WebhookAuthError(WebhookRejectedError):
    """The webhook URL is revoked or unknown; a new URL is needed."""


class WebhookProxyAuthError(WebhookRejectedError):
    """The proxy refused the credentials (407), over plain http or to a CONNECT."""

    path_fault = True


class WebhookInterceptedError(WebhookRejectedError):
    """The answer did not come from the hook: a redirect, a captive portal or a filter.

    Any 3xx, and 401, 403, 404 or 410 without a Slack error code in the body.
    """

    path_fault = True


class WebhookRateLimitedError(WebhookResponseError):
    """Too many requests (429); retry_after holds the wait, within [0, max_retry_after].

    `capped` is set when the hook asked for more than max_retry_after, or for
    something that is not a wait (unparsable, negative, not finite): the wait
    then counts as max_retry_after, and the send does not wait it out itself.
    """

    transient = True

    def __init__(
        self,
        response: WebhookResponse,
        retry_after: float | None,
        *,
        capped: bool = False,
    ) -> None:
        """Keep the Retry-After wait in seconds, if the webhook sent one."""
        super().__init__(response)
        self.retry_after = retry_after
        self.capped = capped


class WebhookServerError(WebhookResponseError):
    """The webhook failed on its side (5xx)."""

    transient = True


REJECTED_STATUSES = frozenset({401, 403, 404, 410})
"""Statuses that mean the hook cannot be used as configured, when Slack says so."""
PROXY_AUTH_REQUIRED = 407


def response_error(
    response: WebhookResponse,
    *,
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    kind: TargetKind = TargetKind.SLACK,
    message: str | None = None,
) -> WebhookResponseError:
    """Return the exception for a webhook's answer other than 2xx.

    `message` is the target's own error message from a JSON answer (see
    targets.target_message), already cleaned; with it, the answer is the
    target's and not a portal's.
    """
    status = response.status_code
    if status == 429:
        return _rate_limited(response, max_retry_after)
    if status >= 500:
        return WebhookServerError(response, message)
    if status == PROXY_AUTH_REQUIRED:
        return WebhookProxyAuthError(response)
    if message is not None and status >= 400:
        return _target_error(response, kind, message)
    if status < 400 or (status in REJECTED_STATUSES and slack_code(response) is None):
        return WebhookInterceptedError(response)
    if status in REJECTED_STATUSES:
        if error_code(response) in AUTH_ERRORS:
            return WebhookAuthError(response)
        return WebhookRejectedError(response)
    return WebhookPayloadError(response)


def _target_error(
    response: WebhookResponse, kind: TargetKind, message: str
) -> WebhookResponseError:
    """Return the exception for a refusal in a target's own words."""
    if is_dead_hook(kind, response):
        return WebhookAuthError(response, message)
    if response.status_code in REJECTED_STATUSES:
        return WebhookRejectedError(response, message)
    return WebhookPayloadError(response, message)


def _rate_limited(
    response: WebhookResponse, max_retry_after: float
) -> WebhookRateLimitedError:
    """Return a 429's error with a finite wait of at most max_retry_after."""
    value = response.header("Retry-After")
    if value is None:
        return WebhookRateLimitedError(response, None)
    wait = parse_retry_after(value)
    if wait is None or wait > max_retry_after:
        return WebhookRateLimitedError(response, max_retry_after, capped=True)
    return WebhookRateLimitedError(response, wait)


def error_code(response: WebhookResponse) -> str:
    """Return Slack's error code from a body, or a short stand-in.

    Slack answers with a bare code such as `no_text`, or with JSON holding an
    `error` code; HTML error pages and long bodies become `http_<status>`.
    """
    return slack_code(response) or f"http_{response.status_code}"


def slack_code(response: WebhookResponse) -> str | None:
    """Return the Slack-style error code of a body (bare or JSON `error`), or None."""
    body = response.body.strip()
    for code in (body, _json_error(body)):
        if code and _SLACK_CODE.fullmatch(code):
            return code
    return None


def _json_error(body: str) -> str | None:
    """Return the `error` string of a JSON object body, if there is one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) else None
