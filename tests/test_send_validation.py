"""Tests for slack_webhook.send checking a message once, for its target, before its picture is read."""

from typing import Any

import pytest

from custom_components.slack_webhook.const import DOMAIN
from custom_components.slack_webhook.payload import MAX_MESSAGE_BYTES
from custom_components.slack_webhook.pictures.message import _file_name
from custom_components.slack_webhook.pictures.store import IMAGE_PATH, IMAGES
from custom_components.slack_webhook.services import SERVICE_SEND
from custom_components.slack_webhook.slack_client.body import encode_body
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import setup_test_component_platform
from tests.helpers.camera import EXTERNAL_URL, SnapshotCamera
from tests.helpers.entries import SetupEntry
from tests.helpers.slack_server import SlackServer
from tests.helpers.targets_server import TARGETS

CAMERA = "camera.porch"
JPEG = b"\xff\xd8\xff\xe0" + b"porch " * 100
PATHS = {target.kind: target.path for target in TARGETS}
SUCCESS = {target.kind: target.success for target in TARGETS}


@pytest.fixture
async def camera(hass: HomeAssistant) -> SnapshotCamera:
    """Set up the counting camera; give HA an external URL."""
    porch = SnapshotCamera("Porch", "porch", JPEG, "image/jpeg")
    setup_test_component_platform(hass, "camera", [porch])
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    await hass.config.async_update(external_url=EXTERNAL_URL)
    await hass.async_block_till_done()
    return porch


async def target_entry(setup_entry: SetupEntry, slack: SlackServer, kind: str) -> None:
    """Set up notify.alerts for a target of this kind on the local server."""
    await setup_entry(url=slack.origin + PATHS[kind])
    slack.default = SUCCESS[kind]


async def send(hass: HomeAssistant, **data: Any) -> None:
    """Call slack_webhook.send on notify.alerts."""
    await hass.services.async_call(
        DOMAIN, SERVICE_SEND, {ATTR_ENTITY_ID: "notify.alerts", **data}, blocking=True
    )


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"variables": {"door": "Front"}, "camera": CAMERA}, "camera"),
        ({"camera": CAMERA}, "camera"),
        (
            {"variables": {"door": "Front"}, "camera": CAMERA, "alt_text": "Porch"},
            "alt_text, camera",
        ),
    ],
)
async def test_trigger_refuses_a_picture_unread(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
    data: dict[str, Any],
    fields: str,
) -> None:
    """A trigger's only content is its variables: picture fields are named as such, unread."""
    entry = await setup_entry(url=slack.origin + PATHS["slack_workflow"])
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, **data)
    assert err.value.translation_key == "trigger_fields"
    assert err.value.translation_placeholders == {"fields": fields}
    assert camera.reads == 0
    assert slack.received == []
    assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 0


async def test_trigger_variables_still_delivered(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
) -> None:
    """The same trigger takes the variables alone, as its body."""
    await target_entry(setup_entry, slack, "slack_workflow")
    await send(hass, variables={"door": "Front"})
    assert slack.bodies == [{"door": "Front"}]
    assert camera.reads == 0


@pytest.mark.parametrize("field", ["blocks", "attachments"])
async def test_zulip_refuses_an_unshown_block_before_the_camera(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
    field: str,
) -> None:
    """A block Zulip does not show is refused before the picture is read or stored."""
    entry = await setup_entry(url=slack.origin + PATHS["zulip"])
    actions = [{"type": "actions", "elements": []}]
    content = actions if field == "blocks" else [{"blocks": actions}]
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, text="x", camera=CAMERA, **{field: content})
    assert err.value.translation_key == "block_not_shown"
    assert camera.reads == 0
    assert slack.received == []
    assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 0


async def test_zulip_takes_the_picture(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
) -> None:
    """Zulip shows image blocks, so a picture reaches it, read once."""
    await target_entry(setup_entry, slack, "zulip")
    await send(hass, text="Porch", blocks=[{"type": "divider"}], camera=CAMERA)
    [body] = slack.bodies
    url = body["blocks"][1]["image_url"]
    assert url.startswith(f"{EXTERNAL_URL}{IMAGE_PATH}")
    assert body["blocks"][1]["alt_text"] == "Porch"
    assert camera.reads == 1


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (
            {"metadata": {"event_type": "big", "event_payload": {"x": "y" * 600_000}}},
            "message_too_large",
        ),
        ({"text": "\ud83d"}, "invalid_unicode"),
        ({"text": "x", "headers": {"Host": "example.com"}}, "reserved_header"),
        ({"text": "x", "headers": "{"}, "invalid_json"),
    ],
)
async def test_everything_checked_before_the_camera(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
    data: dict[str, Any],
    key: str,
) -> None:
    """Size, storability and headers are checked with the message, before the picture."""
    entry = await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, camera=CAMERA, **data)
    assert err.value.translation_key == key
    assert camera.reads == 0
    assert slack.received == []
    assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 0


async def test_size_is_checked_with_the_picture_url_as_sent(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
) -> None:
    """The slot is as long as the picture URL: exactly the limit goes, a byte more does not."""
    await setup_entry()

    async def send_padded(pad: int) -> None:
        payload = {"x": "y" * pad}
        await send(
            hass, camera=CAMERA, metadata={"event_type": "e", "event_payload": payload}
        )

    await send_padded(1000)
    room = MAX_MESSAGE_BYTES - len(encode_body(slack.bodies[-1]))
    await send_padded(1000 + room)
    assert len(encode_body(slack.bodies[-1])) == MAX_MESSAGE_BYTES
    with pytest.raises(ServiceValidationError) as err:
        await send_padded(1001 + room)
    assert err.value.translation_key == "message_too_large"
    assert camera.reads == 2
    assert len(slack.received) == 2


def test_default_alt_text_of_an_unresolvable_path() -> None:
    """A path that cannot be resolved (a NUL character) is named as given."""
    assert _file_name("/media/door\0.jpg") == "door\0.jpg"
