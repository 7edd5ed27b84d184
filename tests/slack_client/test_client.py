"""Tests for AsyncWebhookClient against the Slack-like server on 127.0.0.1."""

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import socket
from typing import Any
from unittest.mock import patch

import aiohttp
import pytest

from custom_components.slack_webhook.slack_client import (
    AsyncWebhookClient,
    WebhookAuthError,
    WebhookConnectionError,
    WebhookError,
    WebhookInterceptedError,
    WebhookPayloadError,
    WebhookRateLimitedError,
    WebhookRejectedError,
    WebhookRequestError,
    WebhookResponseError,
    WebhookTimeoutError,
    default_retry_handlers,
    redact_url,
)
from custom_components.slack_webhook.slack_client.errors import WebhookServerError
from custom_components.slack_webhook.slack_client.retry import (
    BackoffRetryIntervalCalculator,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from tests.helpers.client import MakeClient, RecordingPacer
from tests.helpers.slack_server import HOOK_PATH, SECRET, Answer, SlackServer

HTML_ERROR = "<html><head><title>500 Internal Server Error</title></head></html>"


def fast_handlers(**counts: Any) -> list[Any]:
    """Return the default handlers with no real backoff."""
    return default_retry_handlers(backoff_factor=0.001, jitter=0, **counts)


def elapsed_since(start: float) -> float:
    """Return loop seconds since start."""
    return asyncio.get_running_loop().time() - start


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, "ok"),
        (200, '{"success":true}'),
        (200, '{"result":"success","msg":""}'),
        (201, ""),
        (204, ""),
    ],
    ids=["slack-mattermost", "rocketchat", "zulip", "201", "204"],
)
async def test_any_2xx_is_success(
    make_client: MakeClient, slack: SlackServer, status: int, body: str
) -> None:
    """The body need not be `ok`; the answer keeps status, body, headers, redacted URL."""
    slack.answer(Answer(status=status, body=body, headers={"X-Slack-Req": "r1"}))
    response = await make_client().send(text="hi")
    assert (response.status_code, response.body, response.ok) == (status, body, True)
    assert response.headers["x-slack-req"] == "r1"
    assert response.url == redact_url(slack.url)
    assert SECRET not in response.url
    assert slack.bodies == [{"text": "hi"}]


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (400, "invalid_payload", WebhookPayloadError, "invalid_payload"),
        (400, "user_not_found", WebhookPayloadError, "user_not_found"),
        (400, "no_text", WebhookPayloadError, "no_text"),
        (400, "invalid_blocks", WebhookPayloadError, "invalid_blocks"),
        (400, "too_many_attachments", WebhookPayloadError, "too_many_attachments"),
        (413, "", WebhookPayloadError, "http_413"),
        (403, "action_prohibited", WebhookRejectedError, "action_prohibited"),
        (403, "invalid_token", WebhookAuthError, "invalid_token"),
        (403, "team_disabled", WebhookAuthError, "team_disabled"),
        (
            403,
            "posting_to_general_channel_denied",
            WebhookRejectedError,
            "posting_to_general_channel_denied",
        ),
        (404, "channel_not_found", WebhookRejectedError, "channel_not_found"),
        (404, "no_service", WebhookAuthError, "no_service"),
        (404, "no_team", WebhookAuthError, "no_team"),
        (404, "no_active_hooks", WebhookAuthError, "no_active_hooks"),
        (410, "channel_is_archived", WebhookRejectedError, "channel_is_archived"),
        (429, "rate_limited", WebhookRateLimitedError, "rate_limited"),
        (500, "rollup_error", WebhookServerError, "rollup_error"),
        (500, HTML_ERROR, WebhookServerError, "http_500"),
        (502, "", WebhookServerError, "http_502"),
        (503, "", WebhookServerError, "http_503"),
    ],
)
async def test_slack_errors_map_to_exceptions(
    make_client: MakeClient,
    slack: SlackServer,
    status: int,
    body: str,
    kind: type[WebhookResponseError],
    code: str,
) -> None:
    """Each answer Slack gives becomes the exception a caller can act on."""
    slack.default = Answer(status=status, body=body)
    with pytest.raises(WebhookResponseError) as caught:
        await make_client(retry_handlers=[]).send(text="hi")
    error = caught.value
    assert type(error) is kind
    assert (error.status_code, error.error, error.response.body) == (status, code, body)
    assert error.transient is (status == 429 or status >= 500)
    assert not error.path_fault
    assert HOOK_PATH not in str(error)
    assert "127.0.0.1" not in str(error)
    assert len(slack.received) == 1


async def test_redirects_are_not_followed(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """A redirect is a path fault; the POST is not turned into a GET elsewhere."""
    slack.answer(Answer(status=302, body="", headers={"Location": "/elsewhere"}))
    with pytest.raises(WebhookInterceptedError) as caught:
        await make_client().send(text="hi")
    assert caught.value.status_code == 302
    assert caught.value.path_fault
    assert [received.path for received in slack.received] == [HOOK_PATH]


async def test_retry_after_seconds_is_waited_out(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """429 with Retry-After in seconds: wait that long, then succeed."""
    slack.answer(Answer(429, "rate_limited", {"Retry-After": "0.2"}))
    start = asyncio.get_running_loop().time()
    await make_client().send(text="hi")
    assert len(slack.received) == 2
    assert 0.2 <= slack.received[1].at - slack.received[0].at < 1
    assert elapsed_since(start) >= 0.2


async def test_retry_after_http_date_is_used(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """An HTTP date in the past means retry now; one beyond max_wait is not waited."""
    past = format_datetime(datetime.now(UTC) - timedelta(minutes=1), usegmt=True)
    future = format_datetime(datetime.now(UTC) + timedelta(minutes=5), usegmt=True)
    slack.answer(
        Answer(429, "rate_limited", {"Retry-After": past}),
        Answer(429, "rate_limited", {"Retry-After": future}),
    )
    with pytest.raises(WebhookRateLimitedError) as caught:
        await make_client(max_retry_after=3600).send(text="hi")
    assert caught.value.retry_after is not None
    assert 290 < caught.value.retry_after <= 300
    assert not caught.value.capped
    assert len(slack.received) == 2


async def test_missing_retry_after_falls_back_to_backoff(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """429 without Retry-After is retried after the handler's backoff."""
    slack.answer(Answer(429, "rate_limited"))
    calculator = BackoffRetryIntervalCalculator(backoff_factor=0.15, jitter=0)
    handler = RateLimitErrorRetryHandler(interval_calculator=calculator)
    response = await make_client(retry_handlers=[handler]).send(text="hi")
    assert response.status_code == 200
    assert 0.15 <= slack.received[1].at - slack.received[0].at < 1


async def test_retry_after_above_the_cap_is_raised_at_once(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """A wait above max_retry_after goes to the caller, who can queue, capped."""
    slack.default = Answer(429, "rate_limited", {"Retry-After": "120"})
    client = make_client(retry_handlers=fast_handlers(max_retry_after=60))
    start = asyncio.get_running_loop().time()
    with pytest.raises(WebhookRateLimitedError) as caught:
        await client.send(text="hi")
    assert (caught.value.retry_after, caught.value.capped) == (60, True)
    assert len(slack.received) == 1
    assert elapsed_since(start) < 0.5


async def test_rate_limit_retries_are_counted(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """rate_limit=2: three attempts, then the 429 is raised."""
    slack.default = Answer(429, "rate_limited", {"Retry-After": "0"})
    with pytest.raises(WebhookRateLimitedError):
        await make_client(retry_handlers=fast_handlers(rate_limit=2)).send(text="hi")
    assert len(slack.received) == 3


async def test_server_errors_are_retried(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """The server-error handler really fires (slack_sdk's async client never calls it)."""
    slack.answer(Answer(500, "rollup_error"), Answer(503, HTML_ERROR))
    response = await make_client(retry_handlers=fast_handlers(server=2)).send(text="hi")
    assert response.status_code == 200
    assert slack.bodies == [{"text": "hi"}] * 3


async def test_server_errors_give_up_after_the_count(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """server=2: three attempts, then WebhookServerError."""
    slack.default = Answer(502, "")
    with pytest.raises(WebhookServerError):
        await make_client(retry_handlers=fast_handlers(server=2)).send(text="hi")
    assert len(slack.received) == 3


@pytest.mark.parametrize(
    ("status", "body"), [(501, ""), (400, "no_text"), (404, "no_service")]
)
async def test_other_failures_are_not_retried(
    make_client: MakeClient, slack: SlackServer, status: int, body: str
) -> None:
    """Only listed statuses, 429 and connection failures are retried."""
    slack.default = Answer(status, body)
    with pytest.raises(WebhookResponseError):
        await make_client().send(text="hi")
    assert len(slack.received) == 1


async def test_connection_resets_are_retried(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """The connection is closed without an answer, twice; the third attempt works."""
    slack.answer(Answer(reset=True), Answer(reset=True))
    response = await make_client(retry_handlers=fast_handlers(connection=2)).send(
        text="hi"
    )
    assert response.status_code == 200
    assert len(slack.received) == 3


async def test_connection_resets_give_up_after_the_count(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """connection=1: two resets raise WebhookConnectionError without the URL."""
    slack.default = Answer(reset=True)
    with pytest.raises(WebhookConnectionError) as caught:
        await make_client(retry_handlers=fast_handlers(connection=1)).send(text="hi")
    assert not isinstance(caught.value, WebhookTimeoutError)
    assert caught.value.transient
    assert SECRET not in str(caught.value)
    assert len(slack.received) == 2


async def test_each_kind_of_failure_has_its_own_count(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """One retry each: a reset, a 500 and a 429 in a row still end in success."""
    slack.answer(
        Answer(reset=True),
        Answer(500, "rollup_error"),
        Answer(429, "rate_limited", {"Retry-After": "0"}),
    )
    client = make_client(
        retry_handlers=fast_handlers(connection=1, server=1, rate_limit=1)
    )
    assert (await client.send(text="hi")).status_code == 200
    assert len(slack.received) == 4


async def test_unreachable_webhook(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Connection refused: WebhookConnectionError naming the reason, not the URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AsyncWebhookClient(
        url=f"http://127.0.0.1:{port}/services/T/B/{SECRET}",
        session=session,
        retry_handlers=[],
    )
    with pytest.raises(WebhookConnectionError, match="ClientConnectorError") as caught:
        await client.send(text="hi")
    assert SECRET not in str(caught.value)
    assert caught.value.__cause__ is None


async def test_slow_answer_times_out_on_a_shared_session(
    make_client: MakeClient, slack: SlackServer, session: aiohttp.ClientSession
) -> None:
    """Timeout holds per attempt although the session's own timeout is minutes."""
    assert session.timeout.total is not None
    assert session.timeout.total > 60
    slack.default = Answer(delay=0.3)
    start = asyncio.get_running_loop().time()
    with pytest.raises(WebhookTimeoutError, match=r"0\.05 s"):
        await make_client(timeout=0.05, retry_handlers=[]).send(text="hi")
    assert elapsed_since(start) < 0.25


async def test_the_sessions_own_timeout_is_a_timeout(slack: SlackServer) -> None:
    """When the shared session's timeout is the shorter one, it is still WebhookTimeoutError."""
    slack.default = Answer(delay=0.3)
    timeout = aiohttp.ClientTimeout(total=0.05)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        client = AsyncWebhookClient(url=slack.url, session=session, retry_handlers=[])
        with pytest.raises(WebhookTimeoutError):
            await client.send(text="hi")


async def test_deadline_bounds_a_send_with_its_retries(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """Retries stop when the next wait would pass the deadline; the last error is raised."""
    slack.default = Answer(500, "rollup_error")
    handlers = [
        ServerErrorRetryHandler(
            max_retry_count=100,
            interval_calculator=BackoffRetryIntervalCalculator(
                backoff_factor=0.1, jitter=0
            ),
        )
    ]
    start = asyncio.get_running_loop().time()
    with pytest.raises(WebhookServerError):
        await make_client(retry_handlers=handlers, total_timeout=0.5).send(text="hi")
    # Waits 0.1, 0.2 fit; 0.4 would end past 0.5 s.
    assert len(slack.received) == 3
    assert elapsed_since(start) < 0.5


async def test_deadline_caps_an_attempt(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """An attempt gets no more than what is left of the deadline."""
    slack.default = Answer(delay=0.4)
    start = asyncio.get_running_loop().time()
    with pytest.raises(WebhookTimeoutError):
        await make_client(timeout=5, total_timeout=0.1).send(text="hi")
    assert elapsed_since(start) < 0.3


async def test_a_wait_past_the_deadline_is_not_started(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """Retry-After 5 s with 1 s left: the 429 is raised at once."""
    slack.default = Answer(429, "rate_limited", {"Retry-After": "5"})
    start = asyncio.get_running_loop().time()
    with pytest.raises(WebhookRateLimitedError):
        await make_client(total_timeout=1).send(text="hi")
    assert elapsed_since(start) < 0.5


async def test_pacer_is_asked_before_every_attempt(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """acquire() before each attempt; pause() with every Retry-After, before the retry."""
    slack.answer(
        Answer(500, "rollup_error"),
        Answer(429, "rate_limited", {"Retry-After": "0.05"}),
        Answer(429, "rate_limited"),
    )
    pacer = RecordingPacer()
    await make_client(pacer=pacer).send(text="hi")
    assert [name for name, _ in pacer.calls] == [
        "acquire",
        "acquire",
        "pause",
        "acquire",
        "acquire",
    ]
    assert ("pause", 0.05) in pacer.calls


async def test_pacer_hears_a_retry_after_that_is_not_waited(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """A Retry-After above the cap still pauses the pacer, for the cap, so the queue holds off."""
    slack.default = Answer(429, "rate_limited", {"Retry-After": "600"})
    pacer = RecordingPacer()
    with pytest.raises(WebhookRateLimitedError):
        await make_client(pacer=pacer).send(text="hi")
    assert pacer.calls == [("acquire", 0.0), ("pause", 60.0)]


async def test_a_later_slot_is_awaited_only_until_the_deadline(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """If the pacer holds a retry past the deadline, the last error is raised."""
    slack.default = Answer(500, "rollup_error")
    pacer = RecordingPacer(delays=[0.0, 5.0])
    start = asyncio.get_running_loop().time()
    with pytest.raises(WebhookServerError):
        await make_client(pacer=pacer, total_timeout=0.3).send(text="hi")
    assert elapsed_since(start) < 1
    assert len(slack.received) == 1


async def test_probe_reports_any_answer_once(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """probe() posts `{}` once, without retries or pacer; a dead hook's answer raises."""
    pacer = RecordingPacer()
    slack.default = Answer(500, "rollup_error")
    with pytest.raises(WebhookServerError) as caught:
        await make_client(pacer=pacer).probe()
    response = caught.value.response
    assert (response.status_code, response.body) == (500, "rollup_error")
    slack.default = Answer(400, "no_text")
    assert (await make_client(pacer=pacer).probe()).body == "no_text"
    assert slack.bodies == [{}, {}]
    assert pacer.calls == []


async def test_probe_raises_when_there_is_no_answer(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """Resets and timeouts are the only things probe() raises."""
    slack.answer(Answer(reset=True), Answer(delay=0.3))
    with pytest.raises(WebhookConnectionError):
        await make_client().probe()
    with pytest.raises(WebhookTimeoutError):
        await make_client(timeout=0.05).probe()


async def test_with_url_keeps_the_settings(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """A response_url client shares headers, timeout and handlers; the original is unchanged."""
    pacer = RecordingPacer()
    client = make_client(default_headers={"X-Team": "ops"}, timeout=0.2, pacer=pacer)
    other = client.with_url(slack.origin + "/actions/T0/1/r3sp0ns3")
    await other.send(text="hi")
    assert slack.received[0].path == "/actions/T0/1/r3sp0ns3"
    assert slack.received[0].headers["X-Team"] == "ops"
    assert (other.timeout, other.pacer, other.retry_handlers) == (
        client.timeout,
        client.pacer,
        client.retry_handlers,
    )
    assert client.url == slack.url
    assert "r3sp0ns3" not in repr(other)


def test_repr_hides_the_secret(make_client: MakeClient, slack: SlackServer) -> None:
    """A client in a log line shows the redacted URL only."""
    assert repr(make_client()) == f"AsyncWebhookClient(url={redact_url(slack.url)!r})"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "hooks.slack.com/services/T/B/" + SECRET,
        "ftp://h/" + SECRET,
        "http:///" + SECRET,
        "http://[::1/" + SECRET,
        "https://hooks.slack.com:99999/" + SECRET,
    ],
)
def test_invalid_url_is_refused(session: aiohttp.ClientSession, url: str) -> None:
    """At construction, without the URL in the message."""
    with pytest.raises(WebhookRequestError) as caught:
        AsyncWebhookClient(url=url, session=session)
    assert SECRET not in str(caught.value)


async def test_empty_body_is_refused_before_sending(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """send() without arguments and send_dict({}) send nothing."""
    client = make_client()
    for call in (client.send(), client.send_dict({}), client.send_dict({"x": {1, 2}})):
        with pytest.raises(WebhookRequestError):
            await call
    assert slack.received == []


async def test_send_dict_posts_the_body_as_given(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """Top-level None dropped, the rest as given."""
    await make_client().send_dict({"text": "t", "thread_ts": None, "mrkdwn": False})
    assert slack.bodies == [{"text": "t", "mrkdwn": False}]
    assert slack.received[0].raw == b'{"text":"t","mrkdwn":false}'


async def test_the_shared_session_is_left_open(
    make_client: MakeClient, session: aiohttp.ClientSession, slack: SlackServer
) -> None:
    """Sends, failures and probes never close Home Assistant's session."""
    slack.default = Answer(500, "")
    with pytest.raises(WebhookServerError):
        await make_client(retry_handlers=[]).probe()
    with pytest.raises(WebhookServerError):
        await make_client(retry_handlers=[]).send(text="hi")
    assert not session.closed


@pytest.mark.parametrize(("given", "sent"), [(None, True), (False, False)])
async def test_ssl_is_passed_on(
    make_client: MakeClient, given: bool | None, sent: bool
) -> None:
    """ssl=None means aiohttp's default verification (True); other values go as they are."""
    original = aiohttp.ClientSession.post
    with patch.object(
        aiohttp.ClientSession, "post", autospec=True, side_effect=original
    ) as post:
        await make_client(ssl=given).send(text="hi")
    assert post.call_args.kwargs["ssl"] is sent


async def test_every_error_is_a_webhook_error(
    make_client: MakeClient, slack: SlackServer
) -> None:
    """Callers can catch one base class."""
    slack.default = Answer(reset=True)
    with pytest.raises(WebhookError):
        await make_client(retry_handlers=[]).send(text="hi")
