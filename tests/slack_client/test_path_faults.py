"""Faults of the path to the hook, not of the message (issue 11, findings 9 and 15).

A proxy answering 407, a portal or filter answering for the hook, an
unreachable or unknown proxy, TLS and DNS failures: each raises an error with
`path_fault` set, names no secret, and answers are not retried in the send.
Slack's own refusals, which carry a bare error code, stay the hook's answers.
"""

from collections.abc import AsyncIterator
import logging
import ssl
from urllib.parse import quote

import aiohttp
import pytest

from custom_components.slack_webhook.slack_client import (
    AsyncWebhookClient,
    WebhookAuthError,
    WebhookDNSError,
    WebhookError,
    WebhookInterceptedError,
    WebhookProxyAuthError,
    WebhookProxyError,
    WebhookRejectedError,
    WebhookResponseError,
    WebhookTLSError,
)
from custom_components.slack_webhook.slack_client.client import _LOGGER
from tests.helpers.client import MakeClient, NoDNS
from tests.helpers.ports import free_port
from tests.helpers.proxy_server import (
    PORTAL_302,
    PROXY_PASSWORD,
    PROXY_USER,
    REFUSED_407,
    ProxyServer,
    html_answer,
)
from tests.helpers.serving import serving
from tests.helpers.slack_server import SECRET, Answer, SlackServer

INTERCEPTS = [
    pytest.param(REFUSED_407, WebhookProxyAuthError, 407, id="407"),
    pytest.param(PORTAL_302, WebhookInterceptedError, 302, id="portal-302"),
    *(
        pytest.param(
            html_answer(status, reason),
            WebhookInterceptedError,
            status,
            id=f"html-{status}",
        )
        for status, reason in (
            (401, "Unauthorized"),
            (403, "Forbidden"),
            (404, "Not Found"),
            (410, "Gone"),
        )
    ),
]


def proxy_with_credentials(host: str, port: int) -> str:
    """Return a proxy URL with the suite's credentials, percent-encoded."""
    return f"http://{PROXY_USER}:{quote(PROXY_PASSWORD, safe='')}@{host}:{port}"


def assert_no_secret(err: BaseException) -> None:
    """Fail if the error shows the hook's secret or the proxy's credentials."""
    text = f"{err} {err!r} {err.args!r}"
    for secret in (SECRET, PROXY_USER, PROXY_PASSWORD, quote(PROXY_PASSWORD, safe="")):
        assert secret not in text
    assert err.__cause__ is None
    assert err.__context__ is None


@pytest.fixture
async def intercepting(request: pytest.FixtureRequest) -> AsyncIterator[ProxyServer]:
    """Run a proxy that answers everything with the raw answer in request.param."""
    async with serving(ProxyServer(intercept=request.param)) as server:
        yield server


@pytest.mark.parametrize("tls", [False, True], ids=["http", "connect"])
@pytest.mark.parametrize(
    ("intercepting", "kind", "status"), INTERCEPTS, indirect=["intercepting"]
)
async def test_an_answer_from_the_path_is_a_path_fault(
    make_client: MakeClient,
    slack: SlackServer,
    slack_tls: SlackServer,
    trusting: ssl.SSLContext,
    intercepting: ProxyServer,
    kind: type[WebhookResponseError],
    status: int,
    tls: bool,
) -> None:
    """407, a portal's redirect, an HTML refusal: path faults, sent once, not retried."""
    hook = slack_tls if tls else slack
    client = make_client(url=hook.url, proxy=intercepting.url, ssl=trusting)
    with pytest.raises(kind) as caught:
        await client.send(text="hi")
    error = caught.value
    assert (error.status_code, error.path_fault, error.transient) == (
        status,
        True,
        False,
    )
    assert isinstance(error, WebhookRejectedError)
    assert not isinstance(error, WebhookAuthError)
    assert len(intercepting.seen) == 1
    assert hook.received == []


@pytest.mark.parametrize(
    "answer",
    [
        Answer(302, "", {"Location": "/elsewhere"}),
        Answer(301, "moved"),
        Answer(
            403, "<html><body>Forbidden</body></html>", {"Content-Type": "text/html"}
        ),
        Answer(404, ""),
        Answer(404, "Not Found"),
        Answer(410, "Gone: see the portal"),
        Answer(401, ""),
    ],
    ids=["302", "301", "html-403", "empty-404", "word-404", "text-410", "empty-401"],
)
async def test_an_answer_not_in_slacks_words_is_a_path_fault(
    make_client: MakeClient, slack: SlackServer, answer: Answer
) -> None:
    """Whatever stands at the hook's address: no Slack error code, not the hook's answer."""
    slack.default = answer
    with pytest.raises(WebhookInterceptedError) as caught:
        await make_client().send(text="hi")
    assert caught.value.path_fault
    assert len(slack.received) == 1


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (403, "action_prohibited", WebhookRejectedError),
        (403, "invalid_token", WebhookAuthError),
        (404, "no_service", WebhookAuthError),
        (404, "channel_not_found", WebhookRejectedError),
        (410, "channel_is_archived", WebhookRejectedError),
        (404, '{"ok":false,"error":"expired_url"}', WebhookRejectedError),
    ],
)
async def test_slacks_own_refusals_are_not_path_faults(
    make_client: MakeClient,
    slack: SlackServer,
    status: int,
    body: str,
    kind: type[WebhookRejectedError],
) -> None:
    """A bare code (or a JSON error) is the hook speaking: the message's or the URL's fault."""
    slack.default = Answer(status, body)
    with pytest.raises(kind) as caught:
        await make_client().send(text="hi")
    assert type(caught.value) is kind
    assert not caught.value.path_fault


@pytest.mark.parametrize("tls", [False, True], ids=["http", "connect"])
async def test_an_unreachable_proxy_is_named(
    make_client: MakeClient,
    slack: SlackServer,
    slack_tls: SlackServer,
    caplog: pytest.LogCaptureFixture,
    tls: bool,
) -> None:
    """Nothing listens at the proxy: the error names the proxy, not the webhook, nor its password."""
    port = free_port()
    hook = slack_tls if tls else slack
    caplog.set_level(logging.DEBUG, logger=_LOGGER.name)
    client = make_client(url=hook.url, proxy=proxy_with_credentials("127.0.0.1", port))
    with pytest.raises(WebhookProxyError) as caught:
        await client.send(text="hi")
    error = caught.value
    assert f"Cannot reach the proxy 127.0.0.1:{port}" in str(error)
    assert "webhook" not in str(error)
    assert (error.path_fault, error.transient, error.proxy) == (
        True,
        True,
        f"127.0.0.1:{port}",
    )
    assert_no_secret(error)
    assert PROXY_PASSWORD not in caplog.text
    assert "retried in" in caplog.text, "connection-level: retried as before"


async def test_an_unknown_proxy_host_is_named(
    no_dns_session: aiohttp.ClientSession, slack: SlackServer, no_dns: NoDNS
) -> None:
    """The proxy's name does not resolve: a proxy error, not a webhook DNS error."""
    client = AsyncWebhookClient(
        url=slack.url,
        session=no_dns_session,
        proxy=proxy_with_credentials("proxy.invalid", 3128),
        retry_handlers=[],
    )
    with pytest.raises(WebhookProxyError) as caught:
        await client.send(text="hi")
    assert "Cannot reach the proxy proxy.invalid:3128" in str(caught.value)
    assert not isinstance(caught.value, WebhookDNSError)
    assert caught.value.path_fault
    assert_no_secret(caught.value)
    assert no_dns.lookups == ["proxy.invalid"]


async def test_an_unknown_hook_host_is_a_path_fault(
    no_dns_session: aiohttp.ClientSession, no_dns: NoDNS
) -> None:
    """DNS fails for the hook's host: a path fault, retried like a connection error."""
    client = AsyncWebhookClient(
        url=f"https://hooks.invalid/services/T/B/{SECRET}",
        session=no_dns_session,
        timeout=1,
        retry_handlers=[],
    )
    with pytest.raises(WebhookDNSError) as caught:
        await client.send(text="hi")
    assert (caught.value.path_fault, caught.value.transient) == (True, True)
    assert "Name or service not known" in str(caught.value)
    assert_no_secret(caught.value)
    assert no_dns.lookups == ["hooks.invalid"]


@pytest.mark.parametrize("through_proxy", [False, True], ids=["direct", "tunnel"])
async def test_tls_failures_are_path_faults_and_not_retried(
    make_client: MakeClient,
    slack_tls: SlackServer,
    auth_proxy: ProxyServer,
    caplog: pytest.LogCaptureFixture,
    through_proxy: bool,
) -> None:
    """An untrusted certificate (a portal intercepting https looks the same): one attempt."""
    caplog.set_level(logging.DEBUG, logger=_LOGGER.name)
    proxy = auth_proxy.url if through_proxy else None
    with pytest.raises(WebhookTLSError) as caught:
        await make_client(url=slack_tls.url, proxy=proxy).send(text="hi")
    assert caught.value.path_fault
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert_no_secret(caught.value)
    assert "not retried after attempt 1" in caplog.text
    assert len(auth_proxy.seen) == (1 if through_proxy else 0)


def test_every_new_error_is_a_webhook_error() -> None:
    """Callers still catch one base class; path_fault defaults to False."""
    for kind in (
        WebhookDNSError,
        WebhookInterceptedError,
        WebhookProxyAuthError,
        WebhookProxyError,
        WebhookTLSError,
    ):
        assert issubclass(kind, WebhookError)
        assert kind.path_fault
    assert not WebhookError.path_fault
    assert not WebhookRejectedError.path_fault
