"""Config flow for the Slack Webhook integration."""

from collections.abc import Mapping
import hashlib
from http import HTTPStatus
from ipaddress import ip_address
from typing import Any, override

import probatio
from yarl import URL

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_NAME, CONF_URL
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow, section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
    CONF_BURST,
    CONF_IMAGE_RETENTION,
    CONF_MAX_AGE,
    CONF_MAX_RETRY_AFTER,
    CONF_OUTBOX_SIZE,
    CONF_PROXY,
    CONF_RAISE_ON_QUEUED,
    CONF_RATE,
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TIMEOUT,
    CONF_UNFURL_LINKS,
    CONF_UNFURL_MEDIA,
    DEFAULT_BURST,
    DEFAULT_IMAGE_RETENTION,
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_OUTBOX_SIZE,
    DEFAULT_RAISE_ON_QUEUED,
    DEFAULT_RATE,
    DEFAULT_RETRIES_CONNECTION,
    DEFAULT_RETRIES_RATE_LIMIT,
    DEFAULT_RETRIES_SERVER,
    DEFAULT_TIMEOUT,
    DOMAIN,
    LOGGER,
)
from .webhook import (
    AsyncWebhookClient,
    WebhookConnectionError,
    WebhookError,
    WebhookInterceptedError,
    WebhookProxyAuthError,
    WebhookProxyError,
    WebhookRejectedError,
    WebhookResponseError,
    WebhookTLSError,
    ambiguous_proxy,
    redact_proxy,
    redact_url,
    response_error,
    split_proxy,
)

PROBE_ERRORS: tuple[tuple[type[WebhookError], str, str], ...] = (
    (WebhookProxyError, "base", "cannot_connect_proxy"),
    (WebhookProxyAuthError, "base", "proxy_rejected"),
    (WebhookInterceptedError, "base", "not_from_webhook"),
    (WebhookTLSError, "base", "tls_failed"),
    (WebhookConnectionError, "base", "cannot_connect"),
    (WebhookRejectedError, CONF_URL, "webhook_rejected"),
)
"""The form error of each failed probe, by field; the first class that matches wins."""
PROXY_MASK = "********"
"""Shown instead of the proxy's user and password in the options form."""
SECTION_RETRIES = "retries"
SECTION_DELIVERY = "delivery"
UNFURL_DEFAULT = "default"
UNFURL_CHOICES = {"on": True, "off": False}
"""Unfurl choices and the option value each stores; the default stores none."""
EXAMPLES = {
    "url_example": "https://hooks.slack.com/services/…",
    "proxy_example": "http://proxy.lan:3128",
    "proxy_auth_example": "http://user:password@proxy.lan:3128",
}
"""Example URLs the forms show; hassfest allows no URL in translation strings."""

URL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)
PROXY_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.URL, autocomplete="off")
)
UNFURL_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[UNFURL_DEFAULT, *UNFURL_CHOICES],
        mode=SelectSelectorMode.DROPDOWN,
        translation_key="unfurl",
    )
)

USER_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_NAME): TextSelector(),
        probatio.Required(CONF_URL): URL_SELECTOR,
        probatio.Optional(CONF_PROXY): PROXY_SELECTOR,
    }
)
NEW_URL_SCHEMA = probatio.Schema({probatio.Required(CONF_URL): URL_SELECTOR})


def _number(
    minimum: float, maximum: float, unit: str | None = None, *, step: float = 1
) -> NumberSelector:
    """Return a box for a number between minimum and maximum."""
    config = NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def _count(minimum: int, maximum: int) -> probatio.All[int]:
    """Return a box for a whole number between minimum and maximum."""
    return probatio.All(_number(minimum, maximum), probatio.Coerce(int))


OPTIONS_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_PROXY): PROXY_SELECTOR,
        probatio.Required(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): _number(1, 300, "s"),
        probatio.Required(CONF_UNFURL_LINKS, default=UNFURL_DEFAULT): UNFURL_SELECTOR,
        probatio.Required(CONF_UNFURL_MEDIA, default=UNFURL_DEFAULT): UNFURL_SELECTOR,
        probatio.Required(SECTION_RETRIES): section(
            probatio.Schema(
                {
                    probatio.Required(
                        CONF_RETRIES_CONNECTION, default=DEFAULT_RETRIES_CONNECTION
                    ): _count(0, 10),
                    probatio.Required(
                        CONF_RETRIES_RATE_LIMIT, default=DEFAULT_RETRIES_RATE_LIMIT
                    ): _count(0, 10),
                    probatio.Required(
                        CONF_RETRIES_SERVER, default=DEFAULT_RETRIES_SERVER
                    ): _count(0, 10),
                    probatio.Required(
                        CONF_MAX_RETRY_AFTER, default=DEFAULT_MAX_RETRY_AFTER
                    ): _number(0, 3600, "s"),
                }
            ),
            {"collapsed": True},
        ),
        probatio.Required(SECTION_DELIVERY): section(
            probatio.Schema(
                {
                    probatio.Required(CONF_RATE, default=DEFAULT_RATE): _number(
                        0.01, 10, "msg/s", step=0.01
                    ),
                    probatio.Required(CONF_BURST, default=DEFAULT_BURST): _count(
                        1, 100
                    ),
                    probatio.Required(CONF_MAX_AGE, default=DEFAULT_MAX_AGE): _number(
                        0.1, 720, "h", step=0.1
                    ),
                    probatio.Required(
                        CONF_OUTBOX_SIZE, default=DEFAULT_OUTBOX_SIZE
                    ): _count(1, 100_000),
                    probatio.Required(
                        CONF_RAISE_ON_QUEUED, default=DEFAULT_RAISE_ON_QUEUED
                    ): BooleanSelector(),
                    probatio.Required(
                        CONF_IMAGE_RETENTION, default=DEFAULT_IMAGE_RETENTION
                    ): _number(0.1, 720, "h", step=0.1),
                }
            ),
            {"collapsed": True},
        ),
    }
)


def webhook_unique_id(url: str) -> str:
    """Return an id for a webhook URL that does not reveal the URL."""
    parsed = URL(url)
    if parsed.is_default_port():
        parsed = parsed.with_port(None)
    normalised = parsed.with_path(parsed.path.rstrip("/"), keep_query=True)
    return hashlib.sha256(str(normalised).encode()).hexdigest()


def _is_loopback(host: str) -> bool:
    """Return whether a host is this machine."""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _http_url(value: str) -> URL | None:
    """Return a value parsed as an http or https URL with a host, or None."""
    try:
        url = URL(value)
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.host:
        return None
    return url


def url_error(value: str | None) -> str | None:
    """Return the error key for a malformed webhook URL, or None."""
    if value is None:
        return None
    if (url := _http_url(value)) is None:
        return "invalid_url"
    if url.scheme == "http" and not _is_loopback(url.host or ""):
        return "https_required"
    return None


def proxy_error(value: str | None) -> str | None:
    """Return the error key for a malformed or ambiguous proxy URL, or None."""
    if value is None:
        return None
    if ambiguous_proxy(value):
        return "ambiguous_proxy"
    if _http_url(value) is None:
        return "invalid_proxy"
    return None


def form_errors(url: str | None, proxy: str | None) -> dict[str, str]:
    """Return the errors of malformed webhook and proxy URLs, by field."""
    errors = {CONF_URL: url_error(url), CONF_PROXY: proxy_error(proxy)}
    return {field: error for field, error in errors.items() if error}


def unmask_proxy(proxy: str, stored: str | None) -> str:
    """Return a submitted proxy URL with a masked user or password restored from stored."""
    head, userinfo, rest = split_proxy(proxy)
    if stored is None or userinfo is None:
        return proxy
    user, _, password = userinfo.partition(":")
    if PROXY_MASK not in (user, password):
        return proxy
    stored_user, _, stored_password = (split_proxy(stored)[1] or "").partition(":")
    user = stored_user if user == PROXY_MASK else user
    password = stored_password if password == PROXY_MASK else password
    return f"{head}{user}:{password}@{rest}" if password else f"{head}{user}@{rest}"


def probe_errors(err: WebhookError) -> dict[str, str]:
    """Return the form errors for a failed probe; log what no form error explains."""
    for kind, field, key in PROBE_ERRORS:
        if isinstance(err, kind):
            return {field: key}
    if isinstance(err, WebhookResponseError):
        LOGGER.error(
            "Unexpected answer to a webhook probe: HTTP %s %s",
            err.status_code,
            err.error,
        )
    else:
        LOGGER.error("Unexpected %s while probing a webhook", type(err).__name__)
    return {"base": "unknown"}


def _text(values: Mapping[str, Any], key: str) -> str | None:
    """Return a stripped text field, or None when it is empty or absent."""
    return str(values.get(key) or "").strip() or None


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return a submitted form with its sections merged into the top level."""
    values: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, Mapping):
            values.update(value)
        else:
            values[key] = value
    return values


def _sectioned(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return form values for the top level and for each section."""
    return {**values, SECTION_RETRIES: values, SECTION_DELIVERY: values}


def _form_values(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return stored options as the options form shows them."""
    values = dict(options)
    if proxy := options.get(CONF_PROXY):
        values[CONF_PROXY] = redact_proxy(proxy, PROXY_MASK)
    for key in (CONF_UNFURL_LINKS, CONF_UNFURL_MEDIA):
        values[key] = _unfurl_choice(options.get(key))
    return values


def _unfurl_choice(value: bool | None) -> str:
    """Return the form choice for a stored unfurl option."""
    if value is None:
        return UNFURL_DEFAULT
    return "on" if value else "off"


class SlackWebhookConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one config entry per webhook."""

    VERSION = 1

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> SlackWebhookOptionsFlow:
        """Return the options flow."""
        return SlackWebhookOptionsFlow()

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the webhook's name, URL and an optional proxy."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_URL].strip()
            proxy = _text(user_input, CONF_PROXY)
            options = {CONF_PROXY: proxy} if proxy else {}
            if not (errors := form_errors(url, proxy)):
                await self.async_set_unique_id(
                    webhook_unique_id(url), raise_on_progress=False
                )
                self._abort_if_unique_id_configured()
                if not (errors := await self._async_probe(url, options)):
                    return self.async_create_entry(
                        title=user_input[CONF_NAME],
                        data={CONF_NAME: user_input[CONF_NAME], CONF_URL: url},
                        options=options,
                    )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
            errors=errors,
            description_placeholders=EXAMPLES,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new URL for the webhook."""
        return await self._async_step_new_url(
            "reconfigure", self._get_reconfigure_entry(), user_input
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start asking for a new URL after the webhook refused ours."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new URL for the refused webhook."""
        return await self._async_step_new_url(
            "reauth_confirm", self._get_reauth_entry(), user_input
        )

    async def _async_step_new_url(
        self, step_id: str, entry: ConfigEntry, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Check a new URL for an entry, then update and reload the entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_URL].strip()
            if not (errors := form_errors(url, None)):
                unique_id = webhook_unique_id(url)
                await self._async_abort_if_other_entry(unique_id, entry)
                if not (errors := await self._async_probe(url, entry.options)):
                    return self.async_update_reload_and_abort(
                        entry, unique_id=unique_id, data_updates={CONF_URL: url}
                    )
        return self.async_show_form(
            step_id=step_id,
            data_schema=NEW_URL_SCHEMA,
            errors=errors,
            description_placeholders={
                **EXAMPLES,
                CONF_URL: redact_url(entry.data[CONF_URL]),
            },
        )

    async def _async_abort_if_other_entry(
        self, unique_id: str, entry: ConfigEntry
    ) -> None:
        """Abort when another entry already uses the webhook."""
        other = await self.async_set_unique_id(unique_id, raise_on_progress=False)
        if other is not None and other.entry_id != entry.entry_id:
            raise AbortFlow("already_configured")

    async def _async_probe(
        self, url: str, options: Mapping[str, Any]
    ) -> dict[str, str]:
        """Post an empty message; return errors unless the hook answers as alive."""
        if key := proxy_error(options.get(CONF_PROXY)):
            return {"base": key}
        try:
            client = AsyncWebhookClient(
                url=url,
                session=async_get_clientsession(self.hass),
                timeout=options.get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
                proxy=options.get(CONF_PROXY),
                retry_handlers=[],
            )
            response = await client.probe()
        except WebhookError as err:
            return probe_errors(err)
        except Exception as err:  # noqa: BLE001
            LOGGER.error("Unexpected %s while probing a webhook", type(err).__name__)
            return {"base": "unknown"}
        if response.ok or response.status_code == HTTPStatus.BAD_REQUEST:
            return {}
        return probe_errors(response_error(response))


class SlackWebhookOptionsFlow(OptionsFlowWithReload):
    """Change the proxy, timeout, retry policy and delivery of a webhook."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options; the entry reloads to apply them."""
        errors: dict[str, str] = {}
        values = _form_values(self.config_entry.options)
        if user_input is not None:
            values = _flatten(user_input)
            options = self._options(values)
            if not (errors := form_errors(None, options.get(CONF_PROXY))):
                return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, _sectioned(values)
            ),
            errors=errors,
            description_placeholders=EXAMPLES,
        )

    def _options(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Return the options to store from the submitted form's values."""
        options = dict(values)
        if proxy := _text(options, CONF_PROXY):
            options[CONF_PROXY] = unmask_proxy(
                proxy, self.config_entry.options.get(CONF_PROXY)
            )
        else:
            options.pop(CONF_PROXY, None)
        for key in (CONF_UNFURL_LINKS, CONF_UNFURL_MEDIA):
            if (choice := options.pop(key)) in UNFURL_CHOICES:
                options[key] = UNFURL_CHOICES[choice]
        return options
