"""Adding, reconfiguring and reauthenticating a webhook, and its options form.

The URL (and proxy) are checked, then probed with a request to the webhook;
the client's exceptions become form errors (probe_errors). The options form
puts retries, delivery and interactivity (with Assist) in sections, stored
flat; options.py reads them back with their defaults.
"""

from collections.abc import Mapping
from functools import cached_property
import hashlib
from typing import Any, override

import probatio
from yarl import URL

from homeassistant.components import conversation, webhook
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
    ConversationAgentSelector,
    LanguageSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .assist_access import (
    DEFAULT_COMMAND,
    acting_user_error,
    agent_loaded,
    slack_id_errors,
    user_choices,
)
from .const import (
    CONF_ASSIST,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_COMMAND,
    CONF_ASSIST_IN_CHANNEL,
    CONF_ASSIST_LANGUAGE,
    CONF_ASSIST_SLACK_USERS,
    CONF_ASSIST_TEAM,
    CONF_ASSIST_USER,
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
    CONF_SIGNING_SECRET,
    CONF_TARGET,
    CONF_TEXT_VARIABLE,
    CONF_TIMEOUT,
    CONF_TITLE_VARIABLE,
    CONF_UNFURL_LINKS,
    CONF_UNFURL_MEDIA,
    CONF_WEBHOOK_ID,
    DOMAIN,
    LOGGER,
)
from .data import entry_kind
from .entity import MODELS
from .inbound import request_url
from .options import EntryOptions
from .payload import VARIABLE_NAME
from .slack_client import (
    AsyncWebhookClient,
    TargetKind,
    WebhookConnectionError,
    WebhookError,
    WebhookInterceptedError,
    WebhookProxyAuthError,
    WebhookProxyError,
    WebhookRejectedError,
    WebhookResponseError,
    WebhookTLSError,
    ambiguous_proxy,
    cleartext_to_remote,
    http_url,
    kind_from_url,
    redact_proxy,
    redact_url,
    split_proxy,
    unsuitable_url,
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
MAX_RATE = 1000
"""Messages per second a self-hosted target may allow; Slack's own is about one."""
PROXY_MASK = "********"
"""Shown instead of the proxy's user and password in the options form."""
SIGNING_SECRET_MASK = PROXY_MASK
"""Shown instead of a stored signing secret in the options form."""
SECTION_RETRIES = "retries"
SECTION_DELIVERY = "delivery"
SECTION_INTERACTIVITY = "interactivity"
UNFURL_DEFAULT = "default"
UNFURL_CHOICES = {"on": True, "off": False}
"""Unfurl choices and the option value each stores; the default stores none."""
EXAMPLES = {
    "url_example": "https://hooks.slack.com/services/…",
    "proxy_example": "http://proxy.lan:3128",
    "proxy_auth_example": "http://user:password@proxy.lan:3128",
}
"""Example URLs the forms show; hassfest allows no URL in translation strings."""
DEFAULTS = EntryOptions()

URL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)
SECRET_SELECTOR = URL_SELECTOR
"""A webhook URL and a signing secret are both passwords to the form."""
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
TRIGGER_OPTIONS: dict[Any, Any] = {
    probatio.Required(
        CONF_TEXT_VARIABLE, default=EntryOptions().text_variable
    ): TextSelector(),
    probatio.Required(
        CONF_TITLE_VARIABLE, default=EntryOptions().title_variable
    ): TextSelector(),
}
"""The variables notify.send_message fills, for Workflow Builder trigger entries only."""


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
        probatio.Required(CONF_TIMEOUT, default=DEFAULTS.timeout_seconds): _number(
            1, 300, "s"
        ),
        probatio.Required(CONF_UNFURL_LINKS, default=UNFURL_DEFAULT): UNFURL_SELECTOR,
        probatio.Required(CONF_UNFURL_MEDIA, default=UNFURL_DEFAULT): UNFURL_SELECTOR,
        probatio.Required(SECTION_RETRIES): section(
            probatio.Schema(
                {
                    probatio.Required(
                        CONF_RETRIES_CONNECTION, default=DEFAULTS.retries_connection
                    ): _count(0, 10),
                    probatio.Required(
                        CONF_RETRIES_RATE_LIMIT, default=DEFAULTS.retries_rate_limit
                    ): _count(0, 10),
                    probatio.Required(
                        CONF_RETRIES_SERVER, default=DEFAULTS.retries_server
                    ): _count(0, 10),
                    probatio.Required(
                        CONF_MAX_RETRY_AFTER, default=DEFAULTS.max_retry_after_seconds
                    ): _number(0, 3600, "s"),
                }
            ),
            {"collapsed": True},
        ),
        probatio.Required(SECTION_DELIVERY): section(
            probatio.Schema(
                {
                    probatio.Required(
                        CONF_RATE, default=DEFAULTS.rate_per_second
                    ): _number(0.01, MAX_RATE, "msg/s", step=0.01),
                    probatio.Required(CONF_BURST, default=DEFAULTS.burst): _count(
                        1, 100
                    ),
                    probatio.Required(
                        CONF_MAX_AGE, default=DEFAULTS.max_age_hours
                    ): _number(0.1, 720, "h", step=0.1),
                    probatio.Required(
                        CONF_OUTBOX_SIZE, default=DEFAULTS.outbox_size
                    ): _count(1, 100_000),
                    probatio.Required(
                        CONF_RAISE_ON_QUEUED, default=DEFAULTS.raise_on_queued
                    ): BooleanSelector(),
                    probatio.Required(
                        CONF_IMAGE_RETENTION, default=DEFAULTS.image_retention_hours
                    ): _number(0.1, 720, "h", step=0.1),
                }
            ),
            {"collapsed": True},
        ),
    }
)


def interactivity_section(users: list[SelectOptionDict]) -> dict[Any, Any]:
    """Return the interactivity section: the signing secret and Assist, offering these users."""
    return {
        probatio.Optional(SECTION_INTERACTIVITY): section(
            probatio.Schema(
                {
                    probatio.Optional(CONF_SIGNING_SECRET): SECRET_SELECTOR,
                    probatio.Required(CONF_ASSIST, default=False): BooleanSelector(),
                    probatio.Required(
                        CONF_ASSIST_COMMAND, default=DEFAULT_COMMAND
                    ): TextSelector(),
                    probatio.Optional(CONF_ASSIST_SLACK_USERS): TextSelector(
                        TextSelectorConfig(multiple=True, autocomplete="off")
                    ),
                    probatio.Optional(CONF_ASSIST_TEAM): TextSelector(),
                    probatio.Optional(CONF_ASSIST_USER): SelectSelector(
                        SelectSelectorConfig(
                            options=users, mode=SelectSelectorMode.DROPDOWN
                        )
                    ),
                    probatio.Required(
                        CONF_ASSIST_AGENT, default=conversation.HOME_ASSISTANT_AGENT
                    ): ConversationAgentSelector(),
                    probatio.Optional(CONF_ASSIST_LANGUAGE): LanguageSelector(),
                    probatio.Required(
                        CONF_ASSIST_IN_CHANNEL, default=False
                    ): BooleanSelector(),
                },
            ),
            {"collapsed": True},
        ),
    }


def webhook_unique_id(url: str) -> str:
    """Return an id for a webhook URL that does not reveal the URL."""
    parsed = URL(url)
    if parsed.is_default_port():
        parsed = parsed.with_port(None)
    normalised = parsed.with_path(parsed.path.rstrip("/"), keep_query=True)
    return hashlib.sha256(str(normalised).encode()).hexdigest()


def url_error(value: str | None) -> str | None:
    """Return the error key for a malformed webhook URL, or None."""
    if value is None:
        return None
    if (url := http_url(value)) is None:
        return "invalid_url"
    if cleartext_to_remote(url):
        return "https_required"
    return unsuitable_url(value)


def proxy_error(value: str | None) -> str | None:
    """Return the error key for a malformed or ambiguous proxy URL, or None."""
    if value is None:
        return None
    if ambiguous_proxy(value):
        return "ambiguous_proxy"
    if http_url(value) is None:
        return "invalid_proxy"
    return None


def variable_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Return the errors of trigger variable names that are not letters, digits and _."""
    return {
        key: "invalid_variable_name"
        for key in (CONF_TEXT_VARIABLE, CONF_TITLE_VARIABLE)
        if key in values and not VARIABLE_NAME.fullmatch(str(values[key]))
    }


def signing_secret_error(value: str | None) -> dict[str, str]:
    """Return the error of a signing secret with spaces or control characters in it."""
    if value is None or (value.isprintable() and " " not in value):
        return {}
    return {"base": "invalid_signing_secret"}


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
    return {
        **values,
        SECTION_RETRIES: values,
        SECTION_DELIVERY: values,
        SECTION_INTERACTIVITY: values,
    }


ASSIST_OPTIONS = (
    CONF_ASSIST,
    CONF_ASSIST_COMMAND,
    CONF_ASSIST_SLACK_USERS,
    CONF_ASSIST_TEAM,
    CONF_ASSIST_USER,
    CONF_ASSIST_AGENT,
    CONF_ASSIST_LANGUAGE,
    CONF_ASSIST_IN_CHANNEL,
)


def _assist_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Assist options to store: texts stripped, those left at their defaults out."""
    users = [
        user
        for value in values.get(CONF_ASSIST_SLACK_USERS) or []
        if (user := str(value).strip())
    ]
    options: dict[str, Any] = {
        CONF_ASSIST: bool(values.get(CONF_ASSIST)),
        CONF_ASSIST_IN_CHANNEL: bool(values.get(CONF_ASSIST_IN_CHANNEL)),
        CONF_ASSIST_SLACK_USERS: users,
        CONF_ASSIST_LANGUAGE: values.get(CONF_ASSIST_LANGUAGE),
        CONF_ASSIST_AGENT: values.get(CONF_ASSIST_AGENT),
    }
    for key in (CONF_ASSIST_COMMAND, CONF_ASSIST_TEAM, CONF_ASSIST_USER):
        options[key] = _text(values, key)
    defaults = {
        CONF_ASSIST_AGENT: conversation.HOME_ASSISTANT_AGENT,
        CONF_ASSIST_COMMAND: DEFAULT_COMMAND,
    }
    return {
        key: value
        for key, value in options.items()
        if value and value != defaults.get(key)
    }


def _form_values(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return stored options as the options form shows them."""
    values = dict(options)
    if proxy := options.get(CONF_PROXY):
        values[CONF_PROXY] = redact_proxy(proxy, PROXY_MASK)
    if options.get(CONF_SIGNING_SECRET):
        values[CONF_SIGNING_SECRET] = SIGNING_SECRET_MASK
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
                errors, kind = await self._async_probe(url, options)
                if not errors:
                    return self.async_create_entry(
                        title=user_input[CONF_NAME],
                        data={
                            CONF_NAME: user_input[CONF_NAME],
                            CONF_URL: url,
                            CONF_TARGET: kind.value,
                        },
                        options=options,
                        description="target",
                        description_placeholders={"target": _model(kind)},
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
                errors, kind = await self._async_probe(url, entry.options)
                if not errors:
                    return self.async_update_reload_and_abort(
                        entry,
                        unique_id=unique_id,
                        data_updates={CONF_URL: url, CONF_TARGET: kind.value},
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
    ) -> tuple[dict[str, str], TargetKind]:
        """Probe the hook without posting; return errors and the target's kind.

        The URL's shape gives the kind, and where it is ambiguous the probe's
        answer; a trigger is probed with a GET, which starts no workflow.
        """
        if key := proxy_error(options.get(CONF_PROXY)):
            return {"base": key}, TargetKind.OTHER
        settings = EntryOptions.from_options(options)
        kind = kind_from_url(url)
        try:
            client = AsyncWebhookClient(
                url=url,
                session=async_get_clientsession(self.hass),
                timeout=settings.timeout_seconds,
                proxy=settings.proxy,
                retry_handlers=[],
                kind=kind,
            )
            await client.probe()
        except WebhookError as err:
            return probe_errors(err), kind
        except Exception as err:  # noqa: BLE001
            LOGGER.error("Unexpected %s while probing a webhook", type(err).__name__)
            return {"base": "unknown"}, kind
        return {}, client.kind or kind


def _model(kind: TargetKind) -> str:
    """Return how the flow's result names a target kind."""
    manufacturer, model = MODELS[kind]
    return f"{manufacturer} {model.lower()}" if manufacturer else model.lower()


class SlackWebhookOptionsFlow(OptionsFlowWithReload):
    """Change the proxy, timeout, retry policy, delivery and interactivity of a webhook."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options; the entry reloads to apply them."""
        errors: dict[str, str] = {}
        values = _form_values(self.config_entry.options)
        if user_input is not None:
            values = _flatten(user_input)
            options = self._options(values)
            errors = form_errors(None, options.get(CONF_PROXY))
            errors |= signing_secret_error(_text(values, CONF_SIGNING_SECRET))
            errors |= variable_errors(options)
            errors |= await self._async_assist_errors(options)
            if not errors:
                return self.async_create_entry(data=options)
        users = user_choices(await self.hass.auth.async_get_users())
        schema = OPTIONS_SCHEMA.extend(interactivity_section(users))
        if entry_kind(self.config_entry) is TargetKind.WORKFLOW:
            schema = schema.extend(TRIGGER_OPTIONS)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, _sectioned(values)),
            errors=errors,
            description_placeholders={
                **EXAMPLES,
                "request_url": request_url(self.hass, self._webhook_id),
            },
        )

    @cached_property
    def _webhook_id(self) -> str:
        """Return the entry's webhook id for Slack, or a new one for this flow."""
        stored: str | None = self.config_entry.options.get(CONF_WEBHOOK_ID)
        return stored or webhook.async_generate_id()

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
        secret = _text(values, CONF_SIGNING_SECRET)
        for key in (CONF_SIGNING_SECRET, *ASSIST_OPTIONS):
            options.pop(key, None)
        return options | self._interactivity(secret) | _assist_options(values)

    async def _async_assist_errors(self, options: Mapping[str, Any]) -> dict[str, str]:
        """Return the errors of the Assist options, when Assist is turned on."""
        if not options.get(CONF_ASSIST):
            return {}
        errors = slack_id_errors(
            options.get(CONF_ASSIST_SLACK_USERS, []),
            options.get(CONF_ASSIST_TEAM),
            options.get(CONF_ASSIST_COMMAND),
        )
        agent = options.get(CONF_ASSIST_AGENT, conversation.HOME_ASSISTANT_AGENT)
        if not agent_loaded(self.hass, agent):
            errors[CONF_ASSIST_AGENT] = "assist_agent_unknown"
        users = await self.hass.auth.async_get_users()
        if key := acting_user_error(options.get(CONF_ASSIST_USER), users):
            errors[CONF_ASSIST_USER] = key
        if CONF_SIGNING_SECRET not in options:
            errors["base"] = "assist_needs_secret"
        return errors

    def _interactivity(self, secret: str | None) -> dict[str, str]:
        """Return the signing secret to store and the webhook id that goes with it.

        The mask keeps the stored secret and no secret turns interactivity
        off; the webhook id, once stored, stays, so the Request URL does too.
        """
        stored = self.config_entry.options
        if secret == SIGNING_SECRET_MASK:
            secret = stored.get(CONF_SIGNING_SECRET)
        options = {CONF_SIGNING_SECRET: secret} if secret else {}
        if secret or CONF_WEBHOOK_ID in stored:
            options[CONF_WEBHOOK_ID] = self._webhook_id
        return options
