"""Tests for the notify entity and the notify message mapping."""

import pytest

from custom_components.slack_webhook.const import DOMAIN
from custom_components.slack_webhook.notification import (
    MAX_HEADER,
    MAX_SECTION,
    notification_fields,
    split_text,
)
from homeassistant.components.notify import (
    ATTR_MESSAGE,
    ATTR_TITLE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.components.notify.const import NotifyEntityFeature
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_server import SlackServer

ENTITY_ID = "notify.alerts"


def section(text: str) -> dict[str, object]:
    """Return a mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def header(text: str) -> dict[str, object]:
    """Return a header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


async def send_message(hass: HomeAssistant, message: str, title: str | None) -> None:
    """Call notify.send_message on the entry's entity."""
    data = {ATTR_ENTITY_ID: ENTITY_ID, ATTR_MESSAGE: message}
    if title is not None:
        data[ATTR_TITLE] = title
    await hass.services.async_call(
        NOTIFY_DOMAIN, SERVICE_SEND_MESSAGE, data, blocking=True
    )


@pytest.mark.usefixtures("init_integration")
async def test_entity_and_device(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The entry has one notify entity named after it, on a service device."""
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_SUPPORTED_FEATURES] == NotifyEntityFeature.TITLE
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, config_entry.entry_id), config_entry.entry_id
    )
    assert device is not None
    assert device.name == "Alerts"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.identifiers == {(DOMAIN, config_entry.entry_id)}
    assert device.configuration_url is None


@pytest.mark.usefixtures("init_integration")
async def test_message_only(hass: HomeAssistant, slack: SlackServer) -> None:
    """A message without a title is posted as text alone, and the state records it."""
    await send_message(hass, "Door *open*", None)
    assert slack.bodies == [{"text": "Door *open*"}]
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state != STATE_UNKNOWN


@pytest.mark.usefixtures("init_integration")
async def test_message_and_title(hass: HomeAssistant, slack: SlackServer) -> None:
    """A title becomes a header block above the message; text carries both."""
    await send_message(hass, "Door *open*", "Front door")
    assert slack.bodies == [
        {
            "text": "*Front door*\nDoor *open*",
            "blocks": [header("Front door"), section("Door *open*")],
        }
    ]


@pytest.mark.usefixtures("init_integration")
async def test_message_too_long(hass: HomeAssistant, slack: SlackServer) -> None:
    """A message longer than Slack's text limit is refused before sending."""
    with pytest.raises(ServiceValidationError) as err:
        await send_message(hass, "x" * 40_001, None)
    assert err.value.translation_key == "text_too_long"
    assert slack.received == []


@pytest.mark.usefixtures("init_integration")
async def test_empty_message(hass: HomeAssistant, slack: SlackServer) -> None:
    """An empty message without a title is refused before sending."""
    with pytest.raises(ServiceValidationError) as err:
        await send_message(hass, "", None)
    assert err.value.translation_key == "no_content"
    assert slack.received == []


async def test_message_with_defaults(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """The entry's body defaults are sent with notify messages too."""
    await setup_entry(unfurl_links=False)
    await send_message(hass, "hi", None)
    assert slack.bodies == [{"unfurl_links": False, "text": "hi"}]


def test_empty_title_is_no_title() -> None:
    """An empty title adds nothing."""
    assert notification_fields("hi", "") == {"text": "hi"}


def test_title_without_message() -> None:
    """A title with an empty or blank message is a header alone."""
    assert notification_fields("", "T") == {"text": "*T*", "blocks": [header("T")]}
    assert notification_fields(" \n", "T")["blocks"] == [header("T")]


def test_long_title_is_cut_in_the_header() -> None:
    """The header holds at most 150 characters; the text keeps the whole title."""
    title = "t" * (MAX_HEADER + 1)
    fields = notification_fields("m", title)
    assert fields["blocks"][0] == header("t" * (MAX_HEADER - 1) + "…")
    assert fields["text"] == f"*{title}*\nm"
    assert notification_fields("m", "t" * MAX_HEADER)["blocks"][0] == header(
        "t" * MAX_HEADER
    )


def test_long_message_is_split_into_sections() -> None:
    """A message longer than a section holds is split at a line break."""
    first, second = "a" * 2_000, "b" * 2_000
    fields = notification_fields(f"{first}\n{second}", "T")
    assert fields["blocks"] == [header("T"), section(first), section(second)]


@pytest.mark.parametrize(
    ("text", "chunks"),
    [
        ("", [""]),
        ("abcdefghij", ["abcdefghij"]),
        ("abcdefghijk", ["abcdefghij", "k"]),
        ("abc de\nfgh ijk", ["abc de", "fgh ijk"]),
        ("abcdef ghijk", ["abcdef", "ghijk"]),
        ("abcdefghij klm", ["abcdefghij", "klm"]),
        ("a\nbcdefghijklm", ["a\nbcdefghi", "jklm"]),
        ("abcde\nfg hijkl", ["abcde", "fg hijkl"]),
        ("abc defgh ijklmno", ["abc defgh", "ijklmno"]),
        ("abc defghijklmno", ["abc defghi", "jklmno"]),
        ("abcde fghijk", ["abcde", "fghijk"]),
        ("abcd efghijk", ["abcd efghi", "jk"]),
    ],
)
def test_split_text(text: str, chunks: list[str]) -> None:
    """Text is cut at the last line break, else space, in a chunk's back half."""
    assert split_text(text, 10) == chunks


def test_split_sections_fit() -> None:
    """Every section of a maximal message fits Slack's section limit."""
    chunks = split_text(("word " * 8_000)[:40_000], MAX_SECTION)
    assert all(len(chunk) <= MAX_SECTION for chunk in chunks)
    assert len(chunks) == 14
