"""The Home Assistant webhook that receives Slack's interactions and slash commands.

An entry whose options hold a signing secret registers a webhook (POST only,
reachable from the internet) under the webhook id in its options. Each request
is verified on its raw bytes (signature.py) before anything else; a verified
one is answered 200 with an empty body at once, and only then fired as the
`slack_webhook_interaction` bus event and sent to the entry's event entity.
"""

from functools import partial
from http import HTTPStatus
import time
from typing import Any, Final

from aiohttp import StreamReader, hdrs, web

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util.aiohttp import MockRequest, MockStreamReader
from homeassistant.util.hass_dict import HassKey

from .assist import SlashAssist
from .bounded import MAX_EVENT_DATA_BYTES, bounded
from .const import (
    CONF_SIGNING_SECRET,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_INTERACTION,
    LOGGER,
)
from .data import SlackWebhookConfigEntry
from .interaction import EVENT_OTHER, MalformedRequestError, interaction, parse
from .signature import (
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    SignatureVerifier,
    VerificationError,
)

MAX_BODY: Final = 1024 * 1024
"""Bytes a request body may have; Slack's payloads are far smaller."""
ACCEPTED_SIGNATURES: HassKey[dict[str, int]] = HassKey(f"{DOMAIN}_signatures")
"""The signatures every entry accepted while fresh: a reload does not forget them."""
FAILURES_FOR_ISSUE: Final = 3
"""Failed verifications in a row, of requests that look like Slack's, that raise a repair issue."""
ISSUE_VERIFICATION_FAILS: Final = "verification_fails"


def signal_interaction(entry_id: str) -> str:
    """Return the dispatcher signal an entry's interactions are sent on."""
    return f"{DOMAIN}_interaction_{entry_id}"


def is_interactive(entry: SlackWebhookConfigEntry) -> bool:
    """Return whether an entry receives Slack's interactions."""
    options = entry.options
    return bool(options.get(CONF_SIGNING_SECRET) and options.get(CONF_WEBHOOK_ID))


def request_path(webhook_id: str) -> str:
    """Return the path of the Request URL for a webhook id."""
    return webhook.async_generate_path(webhook_id)


def request_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Return the Request URL on Home Assistant's external URL, or its path alone."""
    try:
        base = get_url(hass, allow_internal=False, allow_ip=True, prefer_external=True)
    except NoURLAvailableError:
        return request_path(webhook_id)
    return base + request_path(webhook_id)


@callback
def async_setup_interactivity(
    hass: HomeAssistant, entry: SlackWebhookConfigEntry
) -> None:
    """Register the entry's webhook for Slack if it has a signing secret."""
    if not is_interactive(entry):
        return
    receiver = InteractionReceiver(hass, entry)
    webhook_id: str = entry.options[CONF_WEBHOOK_ID]
    webhook.async_register(
        hass,
        DOMAIN,
        f"Slack interactivity: {entry.title}",
        webhook_id,
        receiver.async_handle,
        local_only=False,
        allowed_methods=[hdrs.METH_POST],
    )
    entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))
    entry.async_on_unload(receiver.async_clear_issue)


class InteractionReceiver:
    """Verifies, acknowledges and fires the requests to one entry's webhook."""

    def __init__(self, hass: HomeAssistant, entry: SlackWebhookConfigEntry) -> None:
        """Verify with the entry's signing secret."""
        self._hass = hass
        self._entry = entry
        self._verifier = SignatureVerifier(
            entry.options[CONF_SIGNING_SECRET],
            hass.data.setdefault(ACCEPTED_SIGNATURES, {}),
        )
        self._failures = 0
        self._assist = SlashAssist(hass, entry)

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer a request at once; a verified one is fired right after."""
        body = await _read_body(request)
        if body is None:
            self._refuse("body larger than the limit", misconfigured=False)
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            self._verifier.verify(
                request.headers.get(HEADER_TIMESTAMP),
                request.headers.get(HEADER_SIGNATURE),
                body,
                time.time(),
            )
        except VerificationError as err:
            self._refuse(err.reason, misconfigured=err.misconfigured)
            return web.Response(status=HTTPStatus.UNAUTHORIZED)
        self._accept()
        hass.loop.call_soon(self._fire, self._interpret(body))
        return web.Response(status=HTTPStatus.OK)

    def _interpret(self, body: bytes) -> dict[str, Any]:
        """Return the normalised data of a verified body; `other` if malformed."""
        try:
            return parse(body)
        except MalformedRequestError as err:
            LOGGER.warning(
                "A verified request from Slack to %s is not understood: %s",
                self._entry.title,
                err,
            )
            return interaction(EVENT_OTHER, None)

    @callback
    def _fire(self, data: dict[str, Any]) -> None:
        """Fire the bus event and send the interaction to the event entity."""
        data = self._assist.async_take(data)
        self._hass.bus.async_fire(
            EVENT_INTERACTION,
            bounded({"entry_id": self._entry.entry_id, **data}, MAX_EVENT_DATA_BYTES),
        )
        async_dispatcher_send(
            self._hass, signal_interaction(self._entry.entry_id), data
        )

    def _refuse(self, reason: str, *, misconfigured: bool) -> None:
        """Log a refused request; raise the repair issue when Slack's keep failing."""
        LOGGER.debug(
            "Refused a request to the Slack interactivity of %s: %s",
            self._entry.title,
            reason,
        )
        if not misconfigured:
            return
        self._failures += 1
        if self._failures == FAILURES_FOR_ISSUE:
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                self._issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_VERIFICATION_FAILS,
                translation_placeholders={"name": self._entry.title},
            )

    def _accept(self) -> None:
        """Forget earlier failures and clear their repair issue."""
        if self._failures:
            self._failures = 0
            self.async_clear_issue()

    @callback
    def async_clear_issue(self) -> None:
        """Delete the repair issue, if there is one."""
        ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)

    @property
    def _issue_id(self) -> str:
        return f"{ISSUE_VERIFICATION_FAILS}_{self._entry.entry_id}"


async def _read_body(request: web.Request | MockRequest) -> bytes | None:
    """Return the raw body, or None when it is larger than MAX_BODY."""
    declared = request.headers.get(hdrs.CONTENT_LENGTH, "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    stream: StreamReader | MockStreamReader = request.content
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(MAX_BODY + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            return None
    return b"".join(chunks)
