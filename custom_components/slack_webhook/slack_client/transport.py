"""One HTTP attempt: POST a body and read the answer, failures mapped to our errors."""

from ssl import SSLContext

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from .errors import (
    WebhookConnectionError,
    WebhookConnectTimeoutError,
    WebhookDNSError,
    WebhookProxyError,
    WebhookSessionClosedError,
    WebhookTimeoutError,
    WebhookTLSError,
)
from .proxy import proxy_name
from .response import WebhookResponse

MAX_BODY_BYTES = 64 * 1024
"""The most of an answer's body that is read; the rest is left unread."""


async def post(
    session: aiohttp.ClientSession,
    url: str,
    *,
    redacted_url: str,
    data: bytes | None,
    headers: CIMultiDict[str],
    proxy: URL | None,
    ssl: SSLContext | bool,
    connect_timeout: float,
    method: str = "POST",
) -> WebhookResponse:
    """POST once (or GET, without data) and return whatever the webhook answered, naming only redacted_url.

    Redirects are not followed: aiohttp would turn a redirected POST into a
    GET without the body, which could be answered 200 without posting.
    Connecting (to the hook or through the proxy's tunnel) may take
    connect_timeout seconds; a timeout then is told apart, as nothing was sent.
    aiohttp's errors are not chained to ours because they can hold the URL.
    """
    if session.closed:
        raise WebhookSessionClosedError("The HTTP session is closed")
    failure: WebhookConnectionError
    try:
        request = session.post if method == "POST" else session.get
        async with request(
            url,
            data=data,
            headers=headers,
            proxy=proxy,
            ssl=ssl,
            allow_redirects=False,
            timeout=_timeouts(session.timeout, connect_timeout),
        ) as answer:
            body, truncated = await _read_capped(answer.content)
            return WebhookResponse(
                url=redacted_url,
                status_code=answer.status,
                body=_decode(body, answer.charset),
                headers=answer.headers,
                truncated=truncated,
            )
    except aiohttp.ConnectionTimeoutError:
        via = "" if proxy is None else f" through the proxy {proxy_name(proxy)}"
        failure = WebhookConnectTimeoutError(
            f"No connection within {connect_timeout:g} s{via}"
        )
    except TimeoutError:
        failure = WebhookTimeoutError("The session's own timeout expired")
    except aiohttp.ClientHttpProxyError as err:
        # The proxy refused a CONNECT tunnel (an https hook): its answer is the answer.
        return WebhookResponse(
            url=redacted_url,
            status_code=err.status,
            body="",
            headers=err.headers or CIMultiDict(),
        )
    except aiohttp.ClientSSLError as err:
        failure = WebhookTLSError(f"TLS failed: {_describe(err)}")
    except (aiohttp.ClientProxyConnectionError, aiohttp.ClientConnectorDNSError) as err:
        # With a proxy, aiohttp connects to and resolves only the proxy.
        if proxy is not None:
            failure = WebhookProxyError(proxy_name(proxy), _describe(err))
        else:
            failure = WebhookDNSError(
                f"Cannot resolve the webhook's host: {_describe(err)}"
            )
    except aiohttp.ClientError as err:
        failure = WebhookConnectionError(f"Cannot reach the webhook: {_describe(err)}")
    # Raised outside the except clauses, so aiohttp's error (whose text and
    # request info hold the URL and the proxy's credentials) is not chained.
    raise failure


def _timeouts(shared: aiohttp.ClientTimeout, connect: float) -> aiohttp.ClientTimeout:
    """Return the session's timeouts with ours for connecting, never rounded up."""
    return aiohttp.ClientTimeout(
        total=shared.total,
        sock_read=shared.sock_read,
        connect=connect,
        sock_connect=connect,
        ceil_threshold=float("inf"),
    )


async def _read_capped(content: aiohttp.StreamReader) -> tuple[bytes, bool]:
    """Read at most MAX_BODY_BYTES; return them and whether more was there."""
    data = bytearray()
    while len(data) <= MAX_BODY_BYTES and (
        chunk := await content.read(MAX_BODY_BYTES + 1 - len(data))
    ):
        data += chunk
    return bytes(data[:MAX_BODY_BYTES]), len(data) > MAX_BODY_BYTES


def _decode(body: bytes, charset: str | None) -> str:
    """Decode a body by its declared charset, else UTF-8; bad bytes are replaced."""
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _describe(err: aiohttp.ClientError) -> str:
    """Return an error's class and OS reason, which never hold the URL's path."""
    if isinstance(err, OSError) and err.strerror:
        return f"{type(err).__name__} ({err.strerror})"
    return type(err).__name__
