"""One HTTP attempt: POST a body and read the answer, failures mapped to our errors."""

from ssl import SSLContext

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from .errors import WebhookConnectionError, WebhookTimeoutError
from .response import WebhookResponse


async def post(
    session: aiohttp.ClientSession,
    url: str,
    *,
    redacted_url: str,
    data: bytes,
    headers: CIMultiDict[str],
    proxy: URL | None,
    ssl: SSLContext | bool,
) -> WebhookResponse:
    """POST once and return whatever the webhook answered, naming only redacted_url.

    Redirects are not followed: aiohttp would turn a redirected POST into a
    GET without the body, which could be answered 200 without posting.
    aiohttp's errors are not chained to ours because they can hold the URL.
    """
    if session.closed:
        raise WebhookConnectionError("The HTTP session is closed")
    failure: WebhookConnectionError
    try:
        async with session.post(
            url,
            data=data,
            headers=headers,
            proxy=proxy,
            ssl=ssl,
            allow_redirects=False,
        ) as answer:
            body = await answer.text(errors="replace")
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
    except aiohttp.ClientError as err:
        failure = WebhookConnectionError(f"Cannot reach the webhook: {_describe(err)}")
    else:
        return WebhookResponse(
            url=redacted_url,
            status_code=answer.status,
            body=body,
            headers=answer.headers,
        )
    # Raised outside the except clauses, so aiohttp's error (whose text and
    # request info hold the URL and the proxy's credentials) is not chained.
    raise failure


def _describe(err: aiohttp.ClientError) -> str:
    """Return an error's class and OS reason, which never hold the URL's path."""
    if isinstance(err, OSError) and err.strerror:
        return f"{type(err).__name__} ({err.strerror})"
    return type(err).__name__
