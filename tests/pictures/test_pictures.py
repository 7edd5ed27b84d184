"""Tests for pictures in messages: camera snapshots and other pictures Slack fetches."""

import asyncio
from collections.abc import Callable
import contextlib
from datetime import timedelta
import errno
import os
from pathlib import Path
import threading
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
import probatio
import pytest
from yarl import URL

from custom_components.slack_webhook.const import (
    CONF_IMAGE_RETENTION,
    DOMAIN,
)
from custom_components.slack_webhook.pictures import (
    source as image_source,
    store as images_module,
)
from custom_components.slack_webhook.pictures.store import (
    FOLDER,
    IMAGE_PATH,
    IMAGES,
    MAX_IMAGE_BYTES,
)
from custom_components.slack_webhook.services import SERVICE_SEND
from homeassistant.components.image import ImageEntity
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    setup_test_component_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from tests.helpers.camera import CAMERA, EXTERNAL_URL, JPEG, SnapshotCamera
from tests.helpers.disk_faults import DiskFaults, Fault, enospc_after
from tests.helpers.entries import NO_RETRIES, SetupEntry
from tests.helpers.restart import restarted
from tests.helpers.slack_server import UNAVAILABLE, Answer, SlackServer
from tests.helpers.waiting import until

pytestmark = pytest.mark.usefixtures("fast_outbox")

IMAGE = "image.garden"
PNG = b"\x89PNG" + b"garden " * 50


class Clock:
    """The wall clock of the picture store, moved by the test."""

    def __init__(self) -> None:
        """Start at a fixed time."""
        self.now = 1_800_000_000.0

    def time(self) -> float:
        """Return the current time."""
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.now += delta.total_seconds()


class GardenImage(ImageEntity):
    """An image entity with a PNG picture."""

    _attr_name = "Garden"
    _attr_unique_id = "garden"
    _attr_content_type = "image/png"

    async def async_image(self) -> bytes | None:
        """Return the picture."""
        return PNG


@pytest.fixture
def clock() -> Any:
    """Give the picture store a clock the test moves."""
    fake = Clock()
    with patch.object(images_module, "time", fake):
        yield fake


async def sweep_later(hass: HomeAssistant) -> None:
    """Let the store's periodic sweep run, as it does every few minutes."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()


@pytest.fixture
async def camera(hass: HomeAssistant) -> SnapshotCamera:
    """Set up the test camera and an image entity; give HA an external URL."""
    door = SnapshotCamera()
    setup_test_component_platform(hass, "camera", [door])
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    setup_test_component_platform(hass, "image", [GardenImage(hass)])
    assert await async_setup_component(hass, "image", {"image": {"platform": "test"}})
    await hass.config.async_update(external_url=EXTERNAL_URL)
    await hass.async_block_till_done()
    return door


@pytest.fixture
async def client(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """Return an HTTP client without credentials, as Slack fetches.

    Routes stay open for integrations set up later, as Home Assistant's
    server keeps them once started.
    """
    hass.http.app._router.freeze = lambda: None  # type: ignore[method-assign]
    return await hass_client_no_auth()


async def send(hass: HomeAssistant, **data: Any) -> None:
    """Call slack_webhook.send on notify.alerts."""
    await hass.services.async_call(
        DOMAIN,
        SERVICE_SEND,
        {ATTR_ENTITY_ID: "notify.alerts", **data},
        blocking=True,
    )


def picture_url(body: dict[str, Any]) -> str:
    """Return the URL of the one picture in a message body."""
    urls = [
        item["image_url"]
        for item in [*body.get("blocks", []), *body.get("attachments", [])]
        if "image_url" in item
    ]
    assert len(urls) == 1
    return str(urls[0])


def image_id(url: str) -> str:
    """Return the picture id of a picture URL."""
    return url.rpartition("/")[2]


def folder(hass: HomeAssistant) -> Path:
    """Return the folder of the picture files."""
    return Path(hass.config.path(STORAGE_DIR, FOLDER))


async def fetch(client: TestClient, url: str, method: str = "GET") -> Any:
    """Fetch a picture URL from Home Assistant's HTTP server."""
    return await client.request(method, URL(url).path)


@pytest.mark.usefixtures("camera")
async def test_snapshot_is_served_as_sent(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, client: TestClient
) -> None:
    """The message shows text and the snapshot; its URL serves exactly those bytes."""
    await setup_entry()
    await send(hass, text="*Ding dong*", camera=CAMERA, image_title="Front door")

    [body] = slack.bodies
    url = picture_url(body)
    assert url.startswith(f"{EXTERNAL_URL}{IMAGE_PATH}")
    assert len(image_id(url)) == 32
    assert body == {
        "text": "*Ding dong*",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Ding dong*"}},
            {
                "type": "image",
                "image_url": url,
                "alt_text": "Front door",
                "title": {"type": "plain_text", "text": "Front door"},
            },
        ],
    }
    response = await fetch(client, url)
    assert response.status == 200
    assert await response.read() == JPEG
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Cache-Control"] == "private"
    assert response.headers["X-Robots-Tag"] == "noindex"
    head = await fetch(client, url, "HEAD")
    assert head.status == 200
    assert await head.read() == b""


@pytest.mark.usefixtures("camera")
async def test_picture_is_frozen_when_the_action_runs(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    client: TestClient,
    camera: SnapshotCamera,
) -> None:
    """What the camera sees later does not change a sent picture."""
    await setup_entry()
    await send(hass, camera=CAMERA, alt_text="Parcel")
    camera.snapshot = b"\xff\xd8\xff\xe0 later"
    [body] = slack.bodies
    assert body["blocks"][0]["alt_text"] == "Parcel"
    assert "text" not in body
    assert await (await fetch(client, picture_url(body))).read() == JPEG


@pytest.mark.usefixtures("camera")
async def test_image_entity_goes_into_an_attachment(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, client: TestClient
) -> None:
    """A message with attachments and no blocks gets the picture as one more attachment."""
    await setup_entry()
    await send(
        hass,
        text="Garden",
        attachments=[{"color": "good", "text": "All quiet"}],
        image_entity=IMAGE,
        image_title="Now",
    )
    [body] = slack.bodies
    url = picture_url(body)
    assert body["attachments"] == [
        {"color": "good", "text": "All quiet"},
        {"image_url": url, "fallback": "Garden", "title": "Now"},
    ]
    response = await fetch(client, url)
    assert await response.read() == PNG
    assert response.headers["Content-Type"] == "image/png"


@pytest.mark.usefixtures("camera")
async def test_file_inside_the_allowlist(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    client: TestClient,
    tmp_path: Path,
) -> None:
    """A file in an allowed folder, also through symlinks that stay inside, is sent."""
    allowed = tmp_path / "snapshots"
    allowed.mkdir()
    (allowed / "door.jpg").write_bytes(JPEG)
    (allowed / "latest.jpg").symlink_to(allowed / "door.jpg")
    (allowed / "today").symlink_to(allowed)
    hass.config.allowlist_external_dirs = {str(allowed)}
    await setup_entry()
    await send(
        hass,
        blocks=[{"type": "divider"}],
        image_file=str(allowed / "today" / "latest.jpg"),
    )
    [body] = slack.bodies
    assert body["blocks"][0] == {"type": "divider"}
    assert body["blocks"][1]["alt_text"] == "door.jpg"
    assert await (await fetch(client, picture_url(body))).read() == JPEG


@pytest.mark.usefixtures("camera")
async def test_unknown_and_malformed_ids_are_not_found(
    hass: HomeAssistant, setup_entry: SetupEntry, client: TestClient
) -> None:
    """Ids that were never given, or are not ids, get 404 without a body."""
    await setup_entry()
    for image in ("0" * 32, "not-an-id", "A" * 32, "0" * 31):
        response = await client.get(f"{IMAGE_PATH}{image}")
        assert response.status == 404
        assert await response.read() == b""
        assert response.headers["X-Robots-Tag"] == "noindex"


@pytest.mark.usefixtures("camera")
async def test_picture_expires_after_its_retention(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    client: TestClient,
    clock: Clock,
) -> None:
    """A delivered message's picture is served for the retention, then removed."""
    await setup_entry(**{CONF_IMAGE_RETENTION: 1})
    await send(hass, camera=CAMERA)
    url = picture_url(slack.bodies[0])
    clock.advance(timedelta(minutes=59))
    assert (await fetch(client, url)).status == 200

    clock.advance(timedelta(minutes=2))
    assert (await fetch(client, url)).status == 404
    await sweep_later(hass)
    assert not (folder(hass) / image_id(url)).exists()
    assert hass.data[IMAGES].statistics(slack_entry_id(hass)) == {
        "count": 0,
        "held": 0,
        "bytes": 0,
    }


def slack_entry_id(hass: HomeAssistant) -> str:
    """Return the id of the one entry."""
    [entry] = hass.config_entries.async_entries(DOMAIN)
    return entry.entry_id


@pytest.mark.usefixtures("camera")
async def test_queued_message_keeps_its_picture(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    client: TestClient,
    clock: Clock,
) -> None:
    """A queued message's picture outlives the retention until it is delivered."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES, **{CONF_IMAGE_RETENTION: 1})
    await send(hass, text="Motion", camera=CAMERA)
    url = picture_url(slack.bodies[0])
    assert hass.data[IMAGES].statistics(entry.entry_id)["held"] == 1

    clock.advance(timedelta(hours=3))
    await sweep_later(hass)
    assert (await fetch(client, url)).status == 200

    slack.default = Answer()
    await until(lambda: entry.runtime_data.delivery.pending == 0)
    assert picture_url(slack.accepted[0]) == url
    await until(lambda: hass.data[IMAGES].statistics(entry.entry_id)["held"] == 0)
    assert hass.data[IMAGES].statistics(entry.entry_id) == {
        "count": 1,
        "held": 0,
        "bytes": len(JPEG),
    }
    clock.advance(timedelta(minutes=59))
    assert (await fetch(client, url)).status == 200
    clock.advance(timedelta(minutes=2))
    assert (await fetch(client, url)).status == 404


@pytest.mark.usefixtures("camera")
async def test_unloaded_entry_keeps_its_held_pictures(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    client: TestClient,
    clock: Clock,
) -> None:
    """While its entry is unloaded, a queued message's picture is neither released nor expired."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES, **{CONF_IMAGE_RETENTION: 1})
    await send(hass, camera=CAMERA)
    url = picture_url(slack.bodies[0])
    assert await hass.config_entries.async_unload(entry.entry_id)
    clock.advance(timedelta(hours=3))
    hass.data[IMAGES].async_sweep()
    await hass.async_block_till_done()
    assert hass.data[IMAGES].statistics(entry.entry_id)["held"] == 1
    assert (await fetch(client, url)).status == 200


@pytest.mark.usefixtures("camera")
async def test_a_later_message_showing_a_picture_holds_it_again(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, client: TestClient
) -> None:
    """A queued message that shows an earlier picture's URL keeps that picture."""
    entry = await setup_entry(**NO_RETRIES)
    await send(hass, camera=CAMERA)
    url = picture_url(slack.bodies[0])
    assert hass.data[IMAGES].statistics(entry.entry_id)["held"] == 0
    slack.default = UNAVAILABLE
    await send(hass, blocks=[{"type": "image", "image_url": url, "alt_text": "Again"}])
    await until(lambda: hass.data[IMAGES].statistics(entry.entry_id)["held"] == 1)


@pytest.mark.usefixtures("camera")
async def test_a_lost_file_is_not_found(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, client: TestClient
) -> None:
    """A picture whose file was deleted by hand answers 404."""
    await setup_entry()
    await send(hass, camera=CAMERA)
    url = picture_url(slack.bodies[0])
    (folder(hass) / image_id(url)).unlink()
    assert (await fetch(client, url)).status == 404


async def test_picture_survives_a_restart_while_queued(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
    hass_storage: dict[str, Any],
) -> None:
    """A message queued before a restart is delivered after it, and its picture is served."""
    slack.default = UNAVAILABLE
    entry = await setup_entry(**NO_RETRIES)
    await send(hass, text="Before restart", camera=CAMERA)
    url = picture_url(slack.bodies[0])
    config_dir = hass.config.config_dir
    await hass.async_stop()
    slack.default = Answer()

    async with restarted(config_dir, entry) as (hass2, entry2):
        assert picture_url(slack.accepted[0]) == url
        served = await hass2.data[IMAGES].async_read(image_id(url))
        assert served == ("image/jpeg", JPEG)
        store = hass2.data[IMAGES]
        await until(lambda: store.statistics(entry2.entry_id)["held"] == 0)


@pytest.mark.usefixtures("camera")
async def test_total_bound_evicts_the_oldest_released(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, client: TestClient
) -> None:
    """Over the total bound the oldest released picture goes; held ones never do."""
    entry = await setup_entry(**NO_RETRIES)
    with patch.object(images_module, "MAX_TOTAL_BYTES", len(JPEG) * 3):
        for _ in range(3):
            await send(hass, camera=CAMERA)
        urls = [picture_url(body) for body in slack.bodies]
        await send(hass, camera=CAMERA)
        urls.append(picture_url(slack.bodies[3]))
        statuses = [(await fetch(client, url)).status for url in urls]
        assert statuses == [404, 200, 200, 200]
        assert not (folder(hass) / image_id(urls[0])).exists()

        slack.default = UNAVAILABLE
        await send(hass, camera=CAMERA)
        await send(hass, camera=CAMERA)
        await send(hass, camera=CAMERA)
        assert hass.data[IMAGES].statistics(entry.entry_id)["held"] == 3
        with pytest.raises(ServiceValidationError) as err:
            await send(hass, camera=CAMERA)
    assert err.value.translation_key == "image_storage_full"
    assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 3


@pytest.mark.usefixtures("camera")
@pytest.mark.parametrize(
    ("make_path", "key"),
    [
        (lambda tmp: str(tmp / "outside.jpg"), "image_file_not_allowed"),
        (lambda tmp: "allowed/door.jpg", "image_file_not_allowed"),
        (
            lambda tmp: str(tmp / "allowed" / ".." / "outside.jpg"),
            "image_file_not_allowed",
        ),
        (
            lambda tmp: str(tmp / "allowed" / "sub" / ".." / "door.jpg"),
            "image_file_not_allowed",
        ),
        (lambda tmp: str(tmp / "allowed" / "escape.jpg"), "image_file_not_allowed"),
        (
            lambda tmp: str(tmp / "allowed" / "linked" / "outside.jpg"),
            "image_file_not_allowed",
        ),
        (lambda tmp: "/etc/passwd", "image_file_not_allowed"),
        (lambda tmp: str(tmp / "allowed" / "door.jpg\0"), "image_file_not_allowed"),
        (lambda tmp: str(tmp / "allowed" / "missing.jpg"), "image_file_unreadable"),
        (lambda tmp: str(tmp / "allowed" / "sub"), "image_file_not_regular"),
        (lambda tmp: str(tmp / "allowed" / "notes.txt"), "image_not_a_picture"),
        (lambda tmp: str(tmp / "allowed" / "huge.jpg"), "image_too_large"),
    ],
)
async def test_file_refusals(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    tmp_path: Path,
    make_path: Callable[[Path], str],
    key: str,
) -> None:
    """Files outside the allowlist, by path, `..` or symlink, and bad files are refused."""
    allowed = tmp_path / "allowed"
    (allowed / "sub").mkdir(parents=True)
    (allowed / "door.jpg").write_bytes(JPEG)
    (allowed / "notes.txt").write_text("not a picture")
    with (allowed / "huge.jpg").open("wb") as huge:
        huge.truncate(MAX_IMAGE_BYTES + 1)
    (tmp_path / "outside.jpg").write_bytes(JPEG)
    (allowed / "escape.jpg").symlink_to(tmp_path / "outside.jpg")
    (allowed / "linked").symlink_to(tmp_path)
    hass.config.allowlist_external_dirs = {str(allowed)}
    await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, text="x", image_file=make_path(tmp_path))
    assert err.value.translation_key == key
    assert "{" not in str(err.value)
    assert slack.received == []
    assert not folder(hass).exists() or not any(folder(hass).iterdir())


async def test_no_external_url_refuses(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
) -> None:
    """Without an external URL Slack could fetch, nothing is sent; the error says how to fix it."""
    await hass.config.async_update(
        external_url=None, internal_url="http://192.168.1.2:8123"
    )
    await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, text="x", camera=CAMERA)
    assert err.value.translation_key == "image_no_external_url"
    assert "Settings > System > Network" in str(err.value)
    assert "https://www.home-assistant.io/" in str(err.value)
    assert slack.received == []


@pytest.mark.usefixtures("camera")
@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"blocks": [{"type": "divider"}] * 50}, "too_many_blocks_with_image"),
        ({"attachments": [{"text": "a"}] * 100}, "too_many_attachments"),
        ({"text": "x" * 3001}, "image_text_too_long"),
        ({"text": "x", "alt_text": "x" * 2001}, "image_field_too_long"),
        ({"text": "x", "image_title": "x" * 2001}, "image_field_too_long"),
        ({"blocks": "[1]"}, "invalid_block"),
        ({"blocks": "{"}, "invalid_json"),
        ({"blocks": {"type": "divider"}}, "not_a_list"),
    ],
)
async def test_message_with_picture_checked_first(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """The picture counts toward the limits; a refused message stores no picture."""
    entry = await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, camera=CAMERA, **data)
    assert err.value.translation_key == key
    assert slack.received == []
    assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 0


@pytest.mark.usefixtures("camera")
async def test_fifty_blocks_with_the_picture(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """49 blocks and the picture make 50, which Slack accepts."""
    await setup_entry()
    await send(hass, blocks=[{"type": "divider"}] * 49, camera=CAMERA)
    assert len(slack.bodies[0]["blocks"]) == 50
    assert slack.bodies[0]["blocks"][49]["type"] == "image"


@pytest.mark.usefixtures("camera")
async def test_message_too_large_leaves_no_picture(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A message too large to send leaves no picture behind: none is even written."""
    entry = await setup_entry()
    metadata = {"event_type": "big", "event_payload": {"x": "y" * 600_000}}
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, camera=CAMERA, metadata=metadata)
    assert err.value.translation_key == "message_too_large"
    assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 0
    assert not folder(hass).exists()


@pytest.mark.usefixtures("camera")
@pytest.mark.parametrize(
    "data",
    [
        {"alt_text": "x"},
        {"image_title": "x"},
        {"camera": CAMERA, "image_entity": IMAGE},
        {"camera": CAMERA, "image_file": "/media/x.jpg"},
    ],
)
async def test_one_source_needed(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, data: Any
) -> None:
    """Picture fields need exactly one source."""
    await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, text="x", **data)
    assert err.value.translation_key == "image_source"
    assert slack.received == []


@pytest.mark.usefixtures("camera")
async def test_sources_are_entities_of_their_domain(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A camera field takes cameras only, an image field image entities only."""
    await setup_entry()
    for data in ({"camera": IMAGE}, {"image_entity": CAMERA}):
        with pytest.raises(probatio.Invalid):
            await send(hass, text="x", **data)
    assert slack.received == []


async def test_camera_failures_refuse(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    camera: SnapshotCamera,
) -> None:
    """A camera that is unavailable, off, gives nothing or hangs fails the action."""
    await setup_entry()

    async def refused() -> str:
        with pytest.raises(ServiceValidationError) as err:
            await send(hass, text="x", camera=CAMERA)
        assert err.value.translation_key == "image_unavailable"
        assert CAMERA in str(err.value)
        return str(err.value)

    camera.snapshot = None
    assert "Unable to get image" in await refused()
    camera.snapshot = JPEG
    camera.hang = True
    with patch("custom_components.slack_webhook.pictures.source.CAMERA_TIMEOUT", 0.01):
        await refused()
    camera.hang = False
    camera._attr_is_on = False
    await refused()
    camera._attr_available = False
    camera.async_write_ha_state()
    await refused()
    with pytest.raises(ServiceValidationError):
        await send(hass, text="x", camera="camera.nowhere")
    assert slack.received == []


async def test_camera_not_set_up(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A camera entity whose integration is not set up is refused, not crashed on."""
    await hass.config.async_update(external_url=EXTERNAL_URL)
    hass.states.async_set(CAMERA, "idle")
    await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, text="x", camera=CAMERA)
    assert err.value.translation_key == "image_unavailable"


@pytest.mark.usefixtures("camera")
async def test_removing_the_entry_removes_its_pictures(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A removed webhook leaves no pictures; another's stay."""
    entry = await setup_entry()
    other = MockConfigEntry(
        domain=DOMAIN, title="Other", data={"name": "Other", "url": slack.url + "x"}
    )
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    await send(hass, camera=CAMERA)
    await hass.services.async_call(
        DOMAIN,
        SERVICE_SEND,
        {ATTR_ENTITY_ID: "notify.other", "camera": CAMERA},
        blocking=True,
    )
    kept = image_id(picture_url(slack.bodies[1]))

    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert [path.name for path in folder(hass).iterdir()] == [kept]
    assert hass.data[IMAGES].statistics(other.entry_id)["count"] == 1


async def test_index_is_reconciled_on_load(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
) -> None:
    """Files without a record, records without a file or entry, and bad records are dropped."""
    config_entry.add_to_hass(hass)
    pictures = folder(hass)
    pictures.mkdir(parents=True)
    good, stray, missing, orphan = "a" * 32, "b" * 32, "c" * 32, "d" * 32
    (pictures / good).write_bytes(JPEG)
    (pictures / stray).write_bytes(JPEG)
    (pictures / orphan).write_bytes(JPEG)
    record = {
        "entry_id": config_entry.entry_id,
        "content_type": "image/jpeg",
        "size": len(JPEG),
        "created": 1.0,
        "keep": 3600.0,
        "released": None,
    }
    hass_storage[f"{DOMAIN}.images"] = {
        "version": 1,
        "key": f"{DOMAIN}.images",
        "data": {
            "images": {
                good: record,
                missing: record,
                orphan: {**record, "entry_id": "gone"},
                "e" * 32: {**record, "size": "big"},
                "f" * 32: {"entry_id": config_entry.entry_id},
                "f" * 31: record,
                "9" * 32: "junk",
            }
        },
    }
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert sorted(path.name for path in pictures.iterdir()) == [good]
    # No pending message shows it, so loading released it.
    assert hass.data[IMAGES].statistics(config_entry.entry_id) == {
        "count": 1,
        "held": 0,
        "bytes": len(JPEG),
    }


async def test_unreadable_index_starts_empty(
    hass: HomeAssistant,
    slack: SlackServer,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An index that is not in its form loads as empty, and setup goes on."""
    hass_storage[f"{DOMAIN}.images"] = {
        "version": 1,
        "key": f"{DOMAIN}.images",
        "data": ["not", "an", "index"],
    }
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert hass.data[IMAGES].statistics(config_entry.entry_id)["count"] == 0


@pytest.mark.usefixtures("camera")
async def test_diagnostics_show_counts_not_ids(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Diagnostics count pictures and bytes; the id is in neither them nor the log."""
    entry = await setup_entry()
    await send(hass, camera=CAMERA)
    picture = image_id(picture_url(slack.bodies[0]))
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["images"] == {"count": 1, "held": 0, "bytes": len(JPEG)}
    assert picture not in str(diagnostics)
    assert not [
        record
        for record in caplog.records
        if record.name.startswith("custom_components")
        and picture in record.getMessage()
    ]


@pytest.mark.usefixtures("camera")
async def test_a_picture_that_cannot_be_written_is_refused(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A failed write (here: a file where the folder should be) is refused, translated."""
    entry = await setup_entry(**NO_RETRIES)
    folder(hass).parent.mkdir(parents=True, exist_ok=True)
    folder(hass).write_text("not a folder")
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, camera=CAMERA)
    assert err.value.translation_key == "image_storage_failed"
    assert slack.received == []
    assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 0


HANG_GUARD = 30
"""Seconds after which a file read stuck in the executor fails the test instead of hanging it."""


class HookedOs:
    """A module's `os`, with some of its functions replaced by the test."""

    def __init__(self, **replaced: Callable[..., Any]) -> None:
        """Use `replaced` instead of the os functions of those names."""
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        """Return the replaced function, or os's own."""
        return self._replaced.get(name) or getattr(os, name)


def swap_before_open(swap: Callable[[], None], name: str = "") -> HookedOs:
    """Return an `os` that runs `swap` once, just before opening a path ending in `name`."""
    pending = [swap]

    def hooked_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if pending and str(path).endswith(name):
            pending.pop()()
        return os.open(path, *args, **kwargs)

    return HookedOs(open=hooked_open)


def release(pipe: Path) -> None:
    """Unblock a thread stuck opening the pipe for reading; no reader is fine."""
    with contextlib.suppress(OSError):  # ENXIO: nobody reads it
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))


async def refusal(
    hass: HomeAssistant, path: Path, pipe: Path
) -> ServiceValidationError:
    """Return the error of sending the file; a read stuck on the pipe fails the test."""
    try:
        async with asyncio.timeout(HANG_GUARD):
            with pytest.raises(ServiceValidationError) as err:
                await send(hass, text="x", image_file=str(path))
    finally:
        release(pipe)
    return err.value


@pytest.fixture
def allowed(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Return an allowlisted folder with a picture in a subfolder, and one outside."""
    folder = tmp_path / "allowed"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "door.jpg").write_bytes(JPEG)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "door.jpg").write_bytes(PNG)
    hass.config.allowlist_external_dirs = {str(folder)}
    return folder


@pytest.mark.usefixtures("camera")
async def test_a_pipe_is_refused_at_once(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, allowed: Path
) -> None:
    """A FIFO without a writer is refused as not a regular file; no thread waits on it."""
    pipe = allowed / "sub" / "pipe.jpg"
    os.mkfifo(pipe)
    await setup_entry()
    err = await refusal(hass, pipe, pipe)
    assert err.translation_key == "image_file_not_regular"
    assert str(pipe) in str(err)
    assert slack.received == []


@pytest.mark.usefixtures("camera")
async def test_a_file_swapped_for_a_pipe_before_the_open_is_refused(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry, allowed: Path
) -> None:
    """What was opened decides: a pipe put in a checked file's place is refused."""
    door = allowed / "sub" / "door.jpg"

    def swap() -> None:
        door.unlink()
        os.mkfifo(door)

    await setup_entry()
    with patch.object(image_source, "os", swap_before_open(swap, door.name)):
        err = await refusal(hass, door, door)
    assert err.translation_key == "image_file_not_regular"
    assert slack.received == []


@pytest.mark.usefixtures("camera")
async def test_a_folder_swapped_for_a_link_after_the_check_is_refused(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    allowed: Path,
    tmp_path: Path,
) -> None:
    """A folder replaced by a link to outside once the path was checked is not followed."""
    sub = allowed / "sub"

    def swap() -> None:
        sub.rename(tmp_path / "moved")
        sub.symlink_to(tmp_path / "outside")

    await setup_entry()
    with (
        patch.object(image_source, "os", swap_before_open(swap)),
        pytest.raises(ServiceValidationError) as err,
    ):
        await send(hass, text="x", image_file=str(sub / "door.jpg"))
    assert err.value.translation_key == "image_file_unreadable"
    assert slack.received == []


def stored_bytes(path: Path) -> int:
    """Return the bytes of the files in a folder; files removed meanwhile count nothing."""
    total = 0
    for file in path.iterdir():
        with contextlib.suppress(FileNotFoundError):
            total += file.stat().st_size
    return total


async def test_total_bound_holds_under_concurrent_adds(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """Many adds at once never store more than the bound, in the index or on disk."""
    entry = await setup_entry()
    store = hass.data[IMAGES]
    bound = 100
    with patch.object(images_module, "MAX_TOTAL_BYTES", bound):
        for _ in range(2):  # released pictures the adds may remove to make room
            image = await store.async_add(entry.entry_id, "image/png", PNG[:30], 60)
            store.async_finish_action(image)
        adding = asyncio.gather(
            *(
                store.async_add(entry.entry_id, "image/png", PNG[:40], 60)
                for _ in range(12)
            ),
            return_exceptions=True,
        )
        peak = 0
        while not adding.done():
            indexed = store.statistics(entry.entry_id)["bytes"]
            peak = max(peak, indexed, stored_bytes(folder(hass)))
            await asyncio.sleep(0)
        results = await adding
    added = [result for result in results if isinstance(result, str)]
    refused = [result for result in results if not isinstance(result, str)]
    assert added
    assert all(
        isinstance(err, ServiceValidationError)
        and err.translation_key == "image_storage_full"
        for err in refused
    )
    assert max(peak, store.statistics(entry.entry_id)["bytes"]) <= bound
    assert stored_bytes(folder(hass)) == store.statistics(entry.entry_id)["bytes"]
    for image in added:
        store.async_finish_action(image)


@pytest.mark.usefixtures("camera")
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault("write", errno.ENOSPC), "No space left"),
        (enospc_after(len(JPEG) // 2), "No space left"),
        (Fault("sync"), "Input/output error"),
    ],
)
async def test_a_failed_write_leaves_nothing_behind(
    hass: HomeAssistant,
    slack: SlackServer,
    setup_entry: SetupEntry,
    fault: Fault,
    error: str,
) -> None:
    """A write that fails halfway removes its file and frees its room at once."""
    entry = await setup_entry()
    faults = DiskFaults(folder(hass))
    faults.schedule(fault)
    with patch.object(images_module, "MAX_TOTAL_BYTES", len(JPEG)):
        with faults.active(), pytest.raises(ServiceValidationError) as err:
            await send(hass, camera=CAMERA)
        assert faults.injected == [fault]
        assert err.value.translation_key == "image_storage_failed"
        assert error in str(err.value)
        assert not any(folder(hass).iterdir())
        assert hass.data[IMAGES].statistics(entry.entry_id)["count"] == 0
        assert slack.received == []
        await send(hass, camera=CAMERA)
    assert [path.stat().st_size for path in folder(hass).iterdir()] == [len(JPEG)]


@pytest.mark.usefixtures("camera")
async def test_an_action_cancelled_while_writing_leaves_nothing_behind(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """An action cancelled while its picture is written deletes the file and frees its room."""
    await setup_entry()
    opened, proceed = threading.Event(), threading.Event()

    def open_and_wait(*args: Any, **kwargs: Any) -> int:
        fd = os.open(*args, **kwargs)
        opened.set()
        proceed.wait(HANG_GUARD)
        return fd

    with patch.object(images_module, "MAX_TOTAL_BYTES", len(JPEG)):
        with patch.object(images_module, "os", HookedOs(open=open_and_wait)):
            action = hass.async_create_task(send(hass, camera=CAMERA))
            await until(opened.is_set)
            action.cancel()
            with pytest.raises(asyncio.CancelledError):
                await action
            proceed.set()
            await until(lambda: not any(folder(hass).iterdir()))
        await send(hass, camera=CAMERA)
    assert len(slack.received) == 1


@pytest.mark.usefixtures("camera")
async def test_queue_changes_sweep_at_most_once_per_throttle(
    hass: HomeAssistant, slack: SlackServer, setup_entry: SetupEntry
) -> None:
    """A burst of queue changes (a draining backlog) reads the pending messages once per SWEEP_THROTTLE."""
    entry = await setup_entry()
    await send(hass, camera=CAMERA)  # with a picture stored, a sweep reads the queue
    store = hass.data[IMAGES]
    source = store._sources[entry.entry_id]
    reads: list[float] = []

    def counted() -> Any:
        reads.append(hass.loop.time())
        return source()

    store._sources[entry.entry_id] = counted
    with patch.object(images_module, "SWEEP_THROTTLE", 0.2):
        await until(lambda: store._sweep_timer is None)  # the send's sweeps are done
        await asyncio.sleep(0.2)  # and past the throttle
        reads.clear()
        for _ in range(50):
            store.async_sweep_soon()
        assert len(reads) == 1  # the first change sweeps at once
        await until(lambda: len(reads) == 2)  # the rest share one sweep, later
        await asyncio.sleep(0.3)
    assert len(reads) == 2
    assert reads[1] - reads[0] >= 0.2
