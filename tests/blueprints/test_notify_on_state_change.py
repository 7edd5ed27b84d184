"""Tests for the automation blueprint in blueprints/automation/slack_webhook/."""

from pathlib import Path

import pytest

from custom_components.slack_webhook.pictures.store import IMAGES
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    setup_test_component_platform,
)
from tests.helpers.blueprints import set_up_automation, valid_blueprint
from tests.helpers.camera import CAMERA, EXTERNAL_URL, JPEG, SnapshotCamera
from tests.helpers.slack_server import SlackServer

BLUEPRINT = "notify_on_state_change.yaml"
SENSOR = "sensor.washer_power"


def test_blueprint_is_valid() -> None:
    """The blueprint passes Home Assistant's schema and declares what it uses."""
    blueprint = valid_blueprint(BLUEPRINT)
    assert set(blueprint.inputs) == {
        "webhook",
        "sensor",
        "message",
        "skip_unavailable",
        "camera",
    }
    # Only notify entities of this integration can be picked.
    assert blueprint.inputs["webhook"]["selector"]["entity"]["filter"] == [
        {"integration": "slack_webhook", "domain": ["notify"]}
    ]
    assert "template" in blueprint.inputs["message"]["selector"]
    assert blueprint.inputs["camera"]["default"] == ""
    assert blueprint.inputs["camera"]["selector"]["entity"]["filter"] == [
        {"domain": ["camera"]}
    ]


async def _set_up_automation(
    hass: HomeAssistant, tmp_path: Path, **inputs: object
) -> None:
    """Install the blueprint in a config dir and set up one automation from it."""
    hass.states.async_set(
        SENSOR, "5", {"friendly_name": "Washer power", "unit_of_measurement": "W"}
    )
    await set_up_automation(
        hass,
        tmp_path,
        BLUEPRINT,
        {"webhook": "notify.alerts", "sensor": SENSOR, **inputs},
    )


@pytest.mark.usefixtures("init_integration")
async def test_default_message(
    hass: HomeAssistant, slack: SlackServer, tmp_path: Path
) -> None:
    """A state change posts the default message; attribute-only changes do not."""
    await _set_up_automation(hass, tmp_path)

    hass.states.async_set(
        SENSOR, "5", {"friendly_name": "Washer power", "unit_of_measurement": "kW"}
    )
    await hass.async_block_till_done()
    assert slack.bodies == []

    hass.states.async_set(
        SENSOR, "1200", {"friendly_name": "Washer power", "unit_of_measurement": "W"}
    )
    await hass.async_block_till_done()
    assert slack.bodies == [{"text": "Washer power changed from 5 to 1200 W"}]


@pytest.mark.usefixtures("init_integration")
async def test_templated_message(
    hass: HomeAssistant, slack: SlackServer, tmp_path: Path
) -> None:
    """The message template sees the variables and Home Assistant's functions."""
    await _set_up_automation(
        hass,
        tmp_path,
        message="*{{ name }}* ({{ entity_id }}): {{ to_state | int * 2 }}"
        " {{ unit }}, was {{ from_state }}; {{ states('sensor.washer_power') }}",
    )
    hass.states.async_set(
        SENSOR, "600", {"friendly_name": "Washer power", "unit_of_measurement": "W"}
    )
    await hass.async_block_till_done()
    assert slack.bodies == [
        {"text": "*Washer power* (sensor.washer_power): 1200 W, was 5; 600"}
    ]


@pytest.mark.parametrize(
    ("skip_unavailable", "expected"),
    [
        (True, ["Washer power changed from 7 to 8 W"]),
        (
            False,
            [
                "Washer power changed from 5 to unavailable",
                "Washer power changed from unavailable to 7 W",
                "Washer power changed from 7 to 8 W",
            ],
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_unavailable(
    hass: HomeAssistant,
    slack: SlackServer,
    tmp_path: Path,
    skip_unavailable: bool,
    expected: list[str],
) -> None:
    """Changes to and from unavailable are skipped unless asked for."""
    await _set_up_automation(hass, tmp_path, skip_unavailable=skip_unavailable)
    hass.states.async_set(SENSOR, "unavailable", {"friendly_name": "Washer power"})
    await hass.async_block_till_done()
    for value in ("7", "8"):
        hass.states.async_set(
            SENSOR, value, {"friendly_name": "Washer power", "unit_of_measurement": "W"}
        )
        await hass.async_block_till_done()
    assert [body["text"] for body in slack.bodies] == expected


async def test_camera_snapshot(
    hass: HomeAssistant,
    slack: SlackServer,
    tmp_path: Path,
    config_entry: MockConfigEntry,
) -> None:
    """With a camera, the message shows its snapshot after the text."""
    hass.config.config_dir = str(tmp_path)
    setup_test_component_platform(hass, "camera", [SnapshotCamera()])
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    await hass.config.async_update(external_url=EXTERNAL_URL)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await _set_up_automation(hass, tmp_path, camera=CAMERA)

    hass.states.async_set(
        SENSOR, "1200", {"friendly_name": "Washer power", "unit_of_measurement": "W"}
    )
    await hass.async_block_till_done()
    [body] = slack.bodies
    assert body["text"] == "Washer power changed from 5 to 1200 W"
    assert [block["type"] for block in body["blocks"]] == ["section", "image"]
    stored = await hass.data[IMAGES].async_read(
        body["blocks"][1]["image_url"].rpartition("/")[2]
    )
    assert stored == ("image/jpeg", JPEG)
