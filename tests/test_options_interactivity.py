"""The options' Slack interactivity section: the signing secret and the Request URL."""

from typing import Any

import pytest

from custom_components.slack_webhook.const import (
    CONF_SIGNING_SECRET,
    CONF_WEBHOOK_ID,
)
from custom_components.slack_webhook.options import EntryOptions
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    get_schema_suggested_value,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_requests import (
    SIGNING_SECRET,
    WEBHOOK_ID,
    block_actions,
    button,
    form,
    signed_headers,
)

EVENT_ENTITY = "event.alerts_slack_interaction"
NEW_SECRET = "0123456789abcdef0123456789abcdef"  # noqa: S105


def submission(secret: str | None) -> dict[str, Any]:
    """Return the options form as submitted, with the interactivity section."""
    sections: dict[str, Any] = {"retries": {}, "delivery": {}}
    if secret is not None:
        sections["interactivity"] = {CONF_SIGNING_SECRET: secret}
    return sections


async def open_options(hass: HomeAssistant, entry: MockConfigEntry) -> FlowResult:
    """Open the options form of an entry."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    return result


def shown_secret(result: FlowResult) -> Any:
    """Return what the form shows in the signing secret field."""
    section = result["data_schema"].schema["interactivity"]
    return get_schema_suggested_value(section.schema.schema, CONF_SIGNING_SECRET)


async def submit(
    hass: HomeAssistant, result: FlowResult, secret: str | None
) -> FlowResult:
    """Submit the options form and wait for the entry's reload."""
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], submission(secret)
    )
    await hass.async_block_till_done()
    return result


def registered(hass: HomeAssistant) -> set[str]:
    """Return the webhook ids registered with Home Assistant."""
    return set(hass.data.get(webhook._HANDLERS, {}))


async def test_enable(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Entering a secret stores it with a new webhook id; the Request URL works."""
    entry = await setup_entry()
    assert hass.states.get(EVENT_ENTITY) is None
    result = await open_options(hass, entry)
    assert shown_secret(result) is None
    request_url = result["description_placeholders"]["request_url"]
    assert request_url.startswith("/api/webhook/")

    result = await submit(hass, result, f" {SIGNING_SECRET} ")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    webhook_id = entry.options[CONF_WEBHOOK_ID]
    assert request_url == f"/api/webhook/{webhook_id}"
    assert len(webhook_id) == 64
    assert entry.options[CONF_SIGNING_SECRET] == SIGNING_SECRET
    assert entry.options["timeout"] == EntryOptions().timeout_seconds
    assert webhook_id in registered(hass)
    assert hass.states.get(EVENT_ENTITY) is not None

    client = await hass_client_no_auth()
    body = form(block_actions(button()))
    response = await client.post(request_url, data=body, headers=signed_headers(body))
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(EVENT_ENTITY).attributes["event_type"] == "button"


@pytest.mark.parametrize(
    ("external_url", "shown"),
    [
        (None, f"/api/webhook/{WEBHOOK_ID}"),
        (
            "https://home.example.org",
            f"https://home.example.org/api/webhook/{WEBHOOK_ID}",
        ),
        (
            "https://home.example.org:8443",
            f"https://home.example.org:8443/api/webhook/{WEBHOOK_ID}",
        ),
    ],
)
async def test_request_url_shown(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    external_url: str | None,
    shown: str,
) -> None:
    """The form shows the Request URL on the external URL, or its path without one."""
    config = {"internal_url": "http://192.168.1.2:8123"}
    if external_url is not None:
        config["external_url"] = external_url
    await async_process_ha_core_config(hass, config)
    entry = await setup_entry(
        **{CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID}
    )
    result = await open_options(hass, entry)
    assert result["description_placeholders"]["request_url"] == shown


@pytest.mark.parametrize(
    ("submitted", "stored"),
    [("********", SIGNING_SECRET), (NEW_SECRET, NEW_SECRET)],
    ids=["kept", "changed"],
)
async def test_change_secret(
    hass: HomeAssistant, setup_entry: SetupEntry, submitted: str, stored: str
) -> None:
    """The form masks the secret; the mask keeps it, a new one replaces it; the id stays."""
    entry = await setup_entry(
        **{CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID}
    )
    result = await open_options(hass, entry)
    assert shown_secret(result) == "********"
    assert SIGNING_SECRET not in repr(result)

    await submit(hass, result, submitted)

    assert entry.options[CONF_SIGNING_SECRET] == stored
    assert entry.options[CONF_WEBHOOK_ID] == WEBHOOK_ID
    assert WEBHOOK_ID in registered(hass)


@pytest.mark.parametrize("submitted", ["", None], ids=["emptied", "section_absent"])
async def test_remove_secret(
    hass: HomeAssistant, setup_entry: SetupEntry, submitted: str | None
) -> None:
    """No secret turns interactivity off: no webhook, no event entity; the id is kept."""
    entry = await setup_entry(
        **{CONF_SIGNING_SECRET: SIGNING_SECRET, CONF_WEBHOOK_ID: WEBHOOK_ID}
    )
    assert hass.states.get(EVENT_ENTITY) is not None

    await submit(hass, await open_options(hass, entry), submitted)

    assert CONF_SIGNING_SECRET not in entry.options
    assert entry.options[CONF_WEBHOOK_ID] == WEBHOOK_ID
    assert WEBHOOK_ID not in registered(hass)
    assert hass.states.get(EVENT_ENTITY) is None
    assert er.async_get(hass).async_get(EVENT_ENTITY) is None

    # Turned on again, Slack's Request URL is the same.
    await submit(hass, await open_options(hass, entry), NEW_SECRET)
    assert entry.options[CONF_WEBHOOK_ID] == WEBHOOK_ID
    assert hass.states.get(EVENT_ENTITY) is not None


async def test_options_without_interactivity_store_none(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    """Saving the options without a secret stores neither secret nor webhook id."""
    entry = await setup_entry()
    await submit(hass, await open_options(hass, entry), "")
    assert CONF_SIGNING_SECRET not in entry.options
    assert CONF_WEBHOOK_ID not in entry.options


@pytest.mark.parametrize("secret", ["8f74 2231", "8f74\t2231", "8f74\u200b2231"])
async def test_invalid_secret(
    hass: HomeAssistant, setup_entry: SetupEntry, secret: str
) -> None:
    """A secret with spaces or invisible characters in it is refused."""
    entry = await setup_entry()
    result = await submit(hass, await open_options(hass, entry), secret)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_signing_secret"}
    assert CONF_SIGNING_SECRET not in entry.options
