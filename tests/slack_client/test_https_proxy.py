"""Tests for posting over https, directly and through a proxy's CONNECT tunnel.

Slack's hooks are https, so a proxy in front of them only ever sees CONNECT;
the certificate comes from a throwaway CA (trustme) made at run time.
"""

import logging
import ssl
from urllib.parse import quote

import pytest

from custom_components.slack_webhook.slack_client import (
    WebhookConnectionError,
    WebhookRejectedError,
)
from tests.helpers.client import MakeClient
from tests.helpers.proxy_server import PROXY_PASSWORD, Proxied, ProxyServer
from tests.helpers.slack_server import SECRET, SlackServer


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG, aiohttp's and asyncio's included."""
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_no_secret(text: str) -> None:
    """Fail if text holds the hook's secret or the proxy password, plain or encoded."""
    assert SECRET not in text
    assert PROXY_PASSWORD not in text
    assert quote(PROXY_PASSWORD, safe="") not in text


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Return everything captured, formatted and as bare messages."""
    return caplog.text + "\n".join(record.getMessage() for record in caplog.records)


async def test_send_over_https(
    make_client: MakeClient,
    slack_tls: SlackServer,
    trusting: ssl.SSLContext,
    debug_log: pytest.LogCaptureFixture,
) -> None:
    """The client verifies the server against the CA it is given and posts."""
    assert slack_tls.url.startswith("https://127.0.0.1:")
    response = await make_client(url=slack_tls.url, ssl=trusting).send(text="hi")
    assert response.status_code == 200
    assert slack_tls.bodies == [{"text": "hi"}]
    assert_no_secret(logged(debug_log))


async def test_send_over_https_through_the_proxy_tunnel(
    make_client: MakeClient,
    slack_tls: SlackServer,
    auth_proxy: ProxyServer,
    trusting: ssl.SSLContext,
    debug_log: pytest.LogCaptureFixture,
) -> None:
    """CONNECT carries the credentials to the proxy; the body reaches the hook only."""
    client = make_client(url=slack_tls.url, proxy=auth_proxy.url, ssl=trusting)
    await client.send(text="hi")
    await client.probe()
    tunnel = Proxied(
        method="CONNECT",
        target=f"127.0.0.1:{slack_tls.port}",
        proxy_authorization=auth_proxy.expected_authorization,
        forwarded=True,
    )
    # aiohttp may keep the tunnel open for the probe: one CONNECT or two.
    assert set(auth_proxy.seen) == {tunnel}
    assert slack_tls.bodies == [{"text": "hi"}, {}]
    for request in slack_tls.received:
        assert request.path.endswith(SECRET)
        assert not {"Proxy-Authorization", "Authorization"} & set(request.headers)
    assert_no_secret(logged(debug_log))


async def test_wrong_proxy_credentials_on_connect(
    make_client: MakeClient,
    slack_tls: SlackServer,
    auth_proxy: ProxyServer,
    trusting: ssl.SSLContext,
    debug_log: pytest.LogCaptureFixture,
) -> None:
    """A 407 to CONNECT is the proxy's answer: rejected, not retried, as over plain http."""
    url = f"http://hauser:{quote('wrong')}@127.0.0.1:{auth_proxy.port}"
    with pytest.raises(WebhookRejectedError) as caught:
        await make_client(url=slack_tls.url, proxy=url, ssl=trusting).send(text="hi")
    assert caught.value.status_code == 407
    assert [(p.method, p.forwarded) for p in auth_proxy.seen] == [("CONNECT", False)]
    assert slack_tls.received == []
    assert caught.value.__context__ is None
    assert_no_secret(repr(caught.value) + logged(debug_log))


@pytest.mark.parametrize("through_proxy", [False, True], ids=["direct", "tunnel"])
async def test_untrusted_certificate(
    make_client: MakeClient,
    slack_tls: SlackServer,
    auth_proxy: ProxyServer,
    debug_log: pytest.LogCaptureFixture,
    through_proxy: bool,
) -> None:
    """Without the CA the certificate is refused: a connection error naming no secret.

    One attempt only: each refused handshake also makes the server side log
    an error through the loop's exception handler (harmless noise).
    """
    proxy = auth_proxy.url if through_proxy else None
    client = make_client(url=slack_tls.url, proxy=proxy, retry_handlers=[])
    with pytest.raises(WebhookConnectionError) as caught:
        await client.send(text="hi")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert caught.value.__context__ is None, "aiohttp's error holds the URL"
    assert slack_tls.received == []
    assert_no_secret(repr(caught.value) + logged(debug_log))
