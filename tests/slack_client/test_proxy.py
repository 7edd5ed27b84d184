"""Tests for sending through a forward proxy, with and without credentials."""

from urllib.parse import quote

import pytest

from custom_components.slack_webhook.slack_client import (
    WebhookProxyAuthError,
    WebhookRequestError,
    ambiguous_proxy,
)
from tests.helpers.client import MakeClient
from tests.helpers.proxy_server import PROXY_PASSWORD, ProxyServer
from tests.helpers.serving import serving
from tests.helpers.slack_server import SlackServer


async def test_send_goes_through_the_proxy(
    make_client: MakeClient, slack: SlackServer, proxy: ProxyServer
) -> None:
    """The proxy forwards the request; no credentials are offered to it."""
    await make_client(proxy=proxy.url).send(text="hi")
    assert [(p.method, p.target, p.proxy_authorization) for p in proxy.forwarded] == [
        ("POST", slack.url, None)
    ]
    assert slack.bodies == [{"text": "hi"}]


async def test_proxy_without_scheme(
    make_client: MakeClient, slack: SlackServer, proxy: ProxyServer
) -> None:
    """`host:port` means an http proxy, as slack_sdk documents."""
    await make_client(proxy=f" 127.0.0.1:{proxy.port} ").send(text="hi")
    assert len(proxy.forwarded) == 1


async def test_credentials_in_the_proxy_url_reach_the_proxy_only(
    make_client: MakeClient, slack: SlackServer, auth_proxy: ProxyServer
) -> None:
    """user:password from the URL become Proxy-Authorization; the hook never sees them."""
    await make_client(proxy=auth_proxy.url).send(text="hi")
    (request,) = auth_proxy.seen
    assert request.forwarded
    assert request.proxy_authorization == auth_proxy.expected_authorization
    assert slack.bodies == [{"text": "hi"}]
    assert "Authorization" not in slack.received[0].headers


async def test_missing_proxy_credentials_are_rejected(
    make_client: MakeClient, slack: SlackServer, auth_proxy: ProxyServer
) -> None:
    """407 from the proxy: a person must fix the proxy settings."""
    with pytest.raises(WebhookProxyAuthError) as caught:
        await make_client(proxy=f"http://127.0.0.1:{auth_proxy.port}").send(text="hi")
    assert caught.value.status_code == 407
    assert slack.received == []


async def test_wrong_proxy_credentials_are_rejected(
    make_client: MakeClient, slack: SlackServer, auth_proxy: ProxyServer
) -> None:
    """A wrong password is refused by the proxy, not retried."""
    url = f"http://hauser:{quote('wrong')}@127.0.0.1:{auth_proxy.port}"
    with pytest.raises(WebhookProxyAuthError):
        await make_client(proxy=url).send(text="hi")
    assert len(auth_proxy.seen) == 1
    assert slack.received == []


async def test_probe_goes_through_the_proxy(
    make_client: MakeClient, slack: SlackServer, auth_proxy: ProxyServer
) -> None:
    """probe() uses the same proxy and credentials."""
    response = await make_client(proxy=auth_proxy.url).probe()
    assert response.status_code == 200
    assert auth_proxy.forwarded


@pytest.mark.parametrize(
    "proxy",
    [
        "ftp://proxy:21",
        "http://",
        "socks5://proxy:1080",
        "http://[::1:3128",
        "proxy:99999",
    ],
)
def test_invalid_proxy_is_refused(make_client: MakeClient, proxy: str) -> None:
    """At construction, without the proxy URL in the message."""
    with pytest.raises(WebhookRequestError) as caught:
        make_client(proxy=proxy)
    assert proxy not in str(caught.value)


@pytest.mark.parametrize("proxy", [None, "", "   "])
async def test_no_proxy(
    make_client: MakeClient, slack: SlackServer, proxy: str | None
) -> None:
    """None or blank: a direct connection."""
    await make_client(proxy=proxy).send(text="hi")
    assert len(slack.received) == 1


def test_proxy_password_is_not_in_the_repr(
    make_client: MakeClient, auth_proxy: ProxyServer
) -> None:
    """Neither the password nor its percent-encoded form."""
    text = repr(make_client(proxy=auth_proxy.url))
    assert PROXY_PASSWORD not in text
    assert quote(PROXY_PASSWORD, safe="") not in text


@pytest.mark.parametrize(
    "proxy",
    [
        "http://user:1234/x@proxy.lan:3128",
        "user:1234/x@proxy.lan:3128",
        "http://user:pa?ss@proxy.lan",
        "http://user:pa#ss@proxy.lan",
        "http://user:pa\\ss@proxy.lan",
        "http://us/er@proxy.lan",
    ],
)
def test_ambiguous_proxy_is_refused(make_client: MakeClient, proxy: str) -> None:
    """A raw slash, backslash, ? or # in the credentials: people and parsers disagree."""
    assert ambiguous_proxy(proxy)
    with pytest.raises(WebhookRequestError, match="percent-encode") as caught:
        make_client(proxy=proxy)
    message = str(caught.value)
    assert "1234" not in message
    assert "ss@" not in message
    assert "proxy.lan" not in message


@pytest.mark.parametrize(
    "proxy",
    [
        "http://user:1234%2Fx@proxy.lan:3128",
        "http://user:p@ss@proxy.lan",
        "http://:t0ken@proxy.lan",
        "http://proxy.lan:3128/path?x#y",
        "proxy.lan:3128",
    ],
)
def test_unambiguous_proxy_is_accepted(make_client: MakeClient, proxy: str) -> None:
    """Percent-encoded credentials, a raw @ (the last one ends them), or none at all."""
    assert not ambiguous_proxy(proxy)
    make_client(proxy=proxy)


async def test_percent_encoded_slash_reaches_the_proxy_decoded(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """What a person meant by `1234/x` is sent as the password, once encoded."""
    async with serving(ProxyServer(credentials=("user", "1234/x"))) as server:
        proxy = f"http://user:{quote('1234/x', safe='')}@127.0.0.1:{server.port}"
        await make_client(proxy=proxy).send(text="hi")
    assert [p.forwarded for p in server.seen] == [True]
