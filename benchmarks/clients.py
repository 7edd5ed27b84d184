"""The clients compared, and timing sequential sends."""

from collections.abc import Awaitable, Callable
import ssl
import time
from typing import Any

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (  # noqa: TID251
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.webhook.async_client import (  # noqa: TID251
    AsyncWebhookClient as SdkClient,
)

from custom_components.slack_webhook.slack_client import AsyncWebhookClient

type Send = Callable[[str], Awaitable[Any]]

OURS = "ours, shared session"
SDK_DEFAULT = "slack_sdk, as it defaults (session per send)"
SDK_SESSION = "slack_sdk, session given"


def compared(
    url: str, session: aiohttp.ClientSession, context: ssl.SSLContext
) -> dict[str, Send]:
    """Return the send of each client compared, by name; session trusts the hook."""
    ours = AsyncWebhookClient(url=url, session=session)
    sdk_default = SdkClient(url=url, ssl=context)
    sdk_session = SdkClient(url=url, session=session, ssl=context)
    return {
        OURS: lambda text: ours.send(text=text),
        SDK_DEFAULT: lambda text: _sdk_send(sdk_default, text),
        SDK_SESSION: lambda text: _sdk_send(sdk_session, text),
    }


def sdk_rate_limited(url: str, context: ssl.SSLContext, retries: int) -> SdkClient:
    """Return slack_sdk's client with its rate-limit handler allowing `retries`."""
    handlers = [
        *async_default_handlers(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=retries),
    ]
    return SdkClient(url=url, ssl=context, retry_handlers=handlers)


async def _sdk_send(client: SdkClient, text: str) -> None:
    """Send with slack_sdk; it returns errors, so raise them here."""
    response = await client.send(text=text)
    if response.status_code != 200:
        raise RuntimeError(f"slack_sdk got HTTP {response.status_code}")


async def timed(send: Send, texts: list[str]) -> list[float]:
    """Send texts one after another; return the seconds each took."""
    durations = []
    for text in texts:
        start = time.perf_counter()
        await send(text)
        durations.append(time.perf_counter() - start)
    return durations
