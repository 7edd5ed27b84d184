"""Loading the automation blueprints in blueprints/ and running an automation from one."""

from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import Blueprint
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict

from .paths import REPO

BLUEPRINTS = REPO / "blueprints" / "automation" / "slack_webhook"


def valid_blueprint(name: str) -> Blueprint:
    """Load a blueprint by file name and check it against Home Assistant's schema."""
    path = BLUEPRINTS / name
    blueprint = Blueprint(
        load_yaml_dict(path),
        path=str(path),
        expected_domain=AUTOMATION_DOMAIN,
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None
    return blueprint


async def set_up_automation(
    hass: HomeAssistant,
    config_dir: Path,
    name: str,
    inputs: dict[str, Any],
    **config: Any,
) -> None:
    """Install a blueprint in config_dir and set up one automation from it."""
    hass.config.config_dir = str(config_dir)
    target = config_dir / "blueprints" / "automation" / "slack_webhook"
    target.mkdir(parents=True)
    shutil.copy(BLUEPRINTS / name, target)
    use = {"path": f"slack_webhook/{name}", "input": inputs}
    assert await async_setup_component(
        hass, AUTOMATION_DOMAIN, {AUTOMATION_DOMAIN: {**config, "use_blueprint": use}}
    )
    await hass.async_block_till_done()
