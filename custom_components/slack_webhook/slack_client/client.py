"""AsyncWebhookClient: slack_sdk's webhook client on a shared aiohttp session, with working retries.

Deliberate differences from slack_sdk's AsyncWebhookClient:

- the session is always injected and never closed; `timeout` holds per
  attempt anyway, and `total_timeout` bounds a whole send including retries;
- retry handlers are consulted on every failed attempt, not only on 429;
- answers other than 2xx raise mapped exceptions instead of being returned;
- proxy credentials may sit in the proxy URL and are sent only to the proxy;
  no proxy is read from the environment;
- logs show a redacted URL, never the body, headers or proxy credentials;
- a timeout once the request may have been sent is not retried by default
  (slack_sdk retries it, so a slow hook that does deliver posts the message
  again); a connect timeout, told apart by aiohttp's per-request connect
  timeout of CONNECT_SHARE of the attempt's time, is;
- a Retry-After is believed up to max_retry_after; longer, absurd or
  unparsable values count as max_retry_after (slack_sdk sleeps whatever it
  is told);
- the answer's body is read up to MAX_BODY_BYTES (slack_sdk reads it all);
- a closed session fails at once (WebhookSessionClosedError), unretried;
- a proxy URL whose credentials parse ambiguously is refused;
- success is judged by the target's own answer (targets.py): a 2xx whose
  body says failure, such as Rocket.Chat's `{"success": false}`, raises
  WebhookAnswerFailedError, and a refusal in a target's own JSON words is
  that target's, not a captive portal's.
"""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
import logging
import math
from ssl import SSLContext
from typing import Any

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from .body import SupportsToDict, encode_body, request_body
from .errors import (
    DEFAULT_MAX_RETRY_AFTER,
    WebhookAnswerFailedError,
    WebhookAuthError,
    WebhookConnectionError,
    WebhookError,
    WebhookPacerTimeoutError,
    WebhookProxyAuthError,
    WebhookRateLimitedError,
    WebhookRequestError,
    WebhookResponseError,
    WebhookServerError,
    WebhookTimeoutError,
    response_error,
)
from .headers import base_headers, request_headers, user_agent
from .pacer import Pacer
from .proxy import parse_proxy
from .redact import redact_url
from .response import WebhookResponse
from .retry import RetryHandler, RetryState, default_retry_handlers
from .targets import (
    TARGET_NAMES,
    TargetKind,
    answer_failure,
    clean_message,
    kind_from_url,
    resolve_kind,
    target_message,
)
from .transport import post
from .urls import http_url

_LOGGER = logging.getLogger(__name__)
_PROBE_BODY = b"{}"
CONNECT_SHARE = 0.5
"""The share of an attempt's time that connecting may take.

Less than all of it, so aiohttp's connect timeout fires before the attempt's
own: a connect timeout is safe to retry, a timeout after sending is not.
"""

type _Retries = list[tuple[RetryHandler, RetryState]]


@dataclass(kw_only=True, repr=False)
class AsyncWebhookClient:
    """Posts messages to one Slack incoming webhook or response_url."""

    url: str
    session: aiohttp.ClientSession
    """Injected (Home Assistant's shared session); never closed here."""
    timeout: float = 30.0
    """Seconds one attempt may take."""
    total_timeout: float | None = None
    """Seconds one send may take, retries and waits included; None for no limit."""
    proxy: str | None = None
    """http://[user:password@]host:port; the credentials go only to the proxy.

    Raw / ? # or \\ in the credentials are refused (percent-encode them).
    """
    ssl: SSLContext | bool | None = None
    default_headers: Mapping[str, str] | None = None
    """Sent with every request; copied, never mutated."""
    user_agent_prefix: str | None = None
    user_agent_suffix: str | None = None
    retry_handlers: Sequence[RetryHandler] | None = None
    """None means default_retry_handlers()."""
    pacer: Pacer | None = None
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    """The longest Retry-After believed, in seconds; longer or absurd ones count as this."""
    logger: logging.Logger = _LOGGER
    kind: TargetKind | None = None
    """What the URL points at, which decides how answers are judged; None: from the URL.

    probe() settles it from the answer where the URL's shape is ambiguous.
    """

    _redacted: str = field(init=False)
    _headers: CIMultiDict[str] = field(init=False)
    _proxy: URL | None = field(init=False)
    _handlers: tuple[RetryHandler, ...] = field(init=False)

    def __post_init__(self) -> None:
        """Check the URL, proxy and headers once, so sends fail only on their own input."""
        _check_url(self.url)
        if not (math.isfinite(self.max_retry_after) and self.max_retry_after >= 0):
            raise WebhookRequestError("max_retry_after must be finite and not negative")
        self._redacted = redact_url(self.url)
        if self.kind is None:
            self.kind = kind_from_url(self.url)
        self._proxy = parse_proxy(self.proxy)
        self._headers = base_headers(
            self.default_headers,
            user_agent(self.user_agent_prefix, self.user_agent_suffix),
        )
        handlers = self.retry_handlers
        self._handlers = tuple(
            default_retry_handlers() if handlers is None else handlers
        )

    def __repr__(self) -> str:
        """Return the class with the redacted URL only."""
        return f"{type(self).__name__}(url={self._redacted!r})"

    def with_url(self, url: str) -> AsyncWebhookClient:
        """Return a client with the same settings for another URL (a response_url)."""
        return replace(self, url=url)

    async def send(
        self,
        *,
        text: str | None = None,
        attachments: Sequence[Mapping[str, Any] | SupportsToDict] | None = None,
        blocks: Sequence[Mapping[str, Any] | SupportsToDict] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        metadata: Mapping[str, Any] | SupportsToDict | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> WebhookResponse:
        """Post a message built from the arguments; None arguments are left out."""
        return await self.send_dict(
            {
                "text": text,
                "attachments": attachments,
                "blocks": blocks,
                "response_type": response_type,
                "replace_original": replace_original,
                "delete_original": delete_original,
                "unfurl_links": unfurl_links,
                "unfurl_media": unfurl_media,
                "metadata": metadata,
            },
            headers=headers,
        )

    async def send_dict(
        self, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> WebhookResponse:
        """Post a body, retrying as the handlers allow; return a 2xx answer or raise."""
        data = encode_body(request_body(body))
        return await self._send_with_retries(
            data, request_headers(self._headers, headers)
        )

    async def probe(self) -> WebhookResponse:
        """Post `{}` once, without pacer or retries; return a live hook's answer or raise.

        A live hook takes it (2xx) or refuses the empty message (400, or a
        2xx saying it failed), unless the refusal says the hook is unknown;
        any other answer raises the error it maps to. Where the URL's shape
        is ambiguous, the answer settles `kind`.

        A Workflow Builder trigger gets a GET without a body instead, as a
        POST would start its workflow. Over https the answer is Slack's, so
        whatever Slack says to a GET proves the path, except a proxy's 407
        or a server error.
        """
        if self.kind is TargetKind.WORKFLOW:
            response = await self._attempt(None, self._headers, self.timeout, 1, "GET")
            error = self.answer_error(response)
            if isinstance(error, WebhookProxyAuthError | WebhookServerError):
                raise error
            return response
        response = await self._attempt(_PROBE_BODY, self._headers, self.timeout, 1)
        self.kind = resolve_kind(self.kind or TargetKind.OTHER, response)
        if (error := self.answer_error(response)) is None:
            return response
        refused_empty = error.status_code == HTTPStatus.BAD_REQUEST or isinstance(
            error, WebhookAnswerFailedError
        )
        if refused_empty and not isinstance(error, WebhookAuthError):
            return response
        raise error

    def answer_error(self, response: WebhookResponse) -> WebhookResponseError | None:
        """Return the error an answer means for this target, or None for success."""
        kind = self.kind or TargetKind.OTHER
        if response.ok:
            if (failure := answer_failure(kind, response)) is None:
                return None
            return WebhookAnswerFailedError(
                response, clean_message(failure, self.url), TARGET_NAMES[kind]
            )
        message = target_message(kind, response)
        return response_error(
            response,
            max_retry_after=self.max_retry_after,
            kind=kind,
            message=None if message is None else clean_message(message, self.url),
        )

    async def _send_with_retries(
        self, data: bytes, headers: CIMultiDict[str]
    ) -> WebhookResponse:
        """Attempt until a 2xx answer, or raise the last error when no retry is left."""
        retries: _Retries = []
        deadline = _deadline(self.total_timeout)
        try:
            await self._acquire(deadline)
        except TimeoutError:
            raise WebhookPacerTimeoutError("No send slot before the deadline") from None
        attempt = 1
        while True:
            try:
                return self._accepted(
                    await self._attempt(data, headers, self._limit(deadline), attempt)
                )
            except (WebhookConnectionError, WebhookResponseError) as err:
                if not retries:  # The handlers' states, made at the first failure.
                    retries = [(handler, RetryState()) for handler in self._handlers]
                await self._prepare_retry(err, retries, deadline, attempt)
            attempt += 1

    async def _attempt(
        self,
        data: bytes | None,
        headers: CIMultiDict[str],
        limit: float,
        attempt: int,
        method: str = "POST",
    ) -> WebhookResponse:
        """Send once (a POST, or a probe's GET) within limit seconds and log the outcome."""
        self.logger.debug("%s %s (attempt %d)", method, self._redacted, attempt)
        try:
            async with asyncio.timeout(limit):
                response = await post(
                    self.session,
                    self.url,
                    redacted_url=self._redacted,
                    data=data,
                    headers=headers,
                    proxy=self._proxy,
                    ssl=True if self.ssl is None else self.ssl,
                    connect_timeout=limit * CONNECT_SHARE,
                    method=method,
                )
        except TimeoutError:
            error = WebhookTimeoutError(f"No answer within {limit:g} s")
            self._log_failure(attempt, error)
            raise error from None
        except WebhookConnectionError as err:
            self._log_failure(attempt, err)
            raise
        self.logger.debug(
            "%s %s answered %d (attempt %d)",
            method,
            self._redacted,
            response.status_code,
            attempt,
        )
        return response

    def _accepted(self, response: WebhookResponse) -> WebhookResponse:
        """Return an answer that means success, or raise the error it maps to."""
        if (error := self.answer_error(response)) is not None:
            raise error
        return response

    def _log_failure(self, attempt: int, error: WebhookConnectionError) -> None:
        """Log an attempt that got no answer."""
        self.logger.debug(
            "POST %s failed (attempt %d): %s", self._redacted, attempt, error
        )

    async def _prepare_retry(
        self,
        error: WebhookConnectionError | WebhookResponseError,
        retries: _Retries,
        deadline: float | None,
        attempt: int,
    ) -> None:
        """Wait for the next attempt, or raise the error when it is not retried."""
        self._pause_pacer(error)
        wait = _next_wait(retries, error)
        loop = asyncio.get_running_loop()
        if wait is None or (deadline is not None and loop.time() + wait >= deadline):
            self.logger.debug(
                "POST %s not retried after attempt %d: %s",
                self._redacted,
                attempt,
                error.error,
            )
            raise error
        self.logger.debug(
            "POST %s retried in %.3f s after attempt %d: %s",
            self._redacted,
            wait,
            attempt,
            error.error,
        )
        await asyncio.sleep(wait)
        try:
            await self._acquire(deadline)
        except TimeoutError:
            raise error from None

    def _pause_pacer(self, error: WebhookError) -> None:
        """Pass a 429's Retry-After on to the pacer, if there is one."""
        if isinstance(error, WebhookRateLimitedError):
            retry_after = error.retry_after
            if self.pacer is not None and retry_after is not None:
                self.pacer.pause(retry_after)

    async def _acquire(self, deadline: float | None) -> None:
        """Wait for the pacer's next slot, if there is a pacer, until the deadline."""
        if self.pacer is not None and not self.pacer.try_acquire():
            async with asyncio.timeout_at(deadline):
                await self.pacer.acquire()

    def _limit(self, deadline: float | None) -> float:
        """Return the time the next attempt may take: the timeout, within the deadline."""
        if deadline is None:
            return self.timeout
        remaining = deadline - asyncio.get_running_loop().time()
        return max(0.0, min(self.timeout, remaining))


def _next_wait(retries: _Retries, error: WebhookError) -> float | None:
    """Return the wait the first willing handler grants, or None if none does."""
    for handler, state in retries:
        if handler.can_retry(state=state, error=error):
            return handler.prepare_for_next_attempt(state=state, error=error)
    return None


def _deadline(seconds: float | None) -> float | None:
    """Return the loop time at which a send must be over, if it is bounded."""
    if seconds is None:
        return None
    return asyncio.get_running_loop().time() + seconds


def _check_url(url: str) -> None:
    """Refuse a URL that is not absolute http(s); the message never holds the URL."""
    if http_url(url) is None:
        raise WebhookRequestError("The webhook URL must be an absolute http(s) URL")
