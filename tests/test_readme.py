"""The README documents what the integration shows: options, fields, errors, screenshots."""

from importlib import metadata
import json
from pathlib import Path
import re

import pytest

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
STRINGS = json.loads(
    (ROOT / "custom_components" / "slack_webhook" / "strings.json").read_text(
        encoding="utf-8"
    )
)
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _messages() -> list[str]:
    """Return every error, abort, exception and repair text a user can see."""
    config = STRINGS["config"]
    return [
        *config["error"].values(),
        *config["abort"].values(),
        *STRINGS["options"]["error"].values(),
        *(entry["message"] for entry in STRINGS["exceptions"].values()),
        *(issue["title"] for issue in STRINGS["issues"].values()),
        config["step"]["reauth_confirm"]["title"],
    ]


@pytest.mark.parametrize("message", _messages())
def test_troubleshooting_lists_message(message: str) -> None:
    """Each message's fixed parts (around its placeholders) are in the README."""
    for raw in re.split(r"\{\w+\}", message):
        if len(part := raw.strip(" .()")) > 3:
            assert part in README, f"README lacks {part!r} (of {message!r})"


def _option_labels() -> list[str]:
    """Return the labels of the setup form and of every option."""
    init = STRINGS["options"]["step"]["init"]
    labels = [*STRINGS["config"]["step"]["user"]["data"].values()]
    labels += init["data"].values()
    for section in init["sections"].values():
        labels += section["data"].values()
    return labels


@pytest.mark.parametrize("label", _option_labels())
def test_option_documented(label: str) -> None:
    """Every field of the setup form and of the options is explained by its label."""
    assert f"**{label}**" in README


@pytest.mark.parametrize("field", STRINGS["services"]["send"]["fields"])
def test_action_field_documented(field: str) -> None:
    """Every field of slack_webhook.send is in the README's table."""
    assert f"| `{field}` |" in README


def test_screenshots_exist_and_are_used() -> None:
    """The README shows every screenshot the browser test saves, and only those."""
    used = set(re.findall(r"docs/screenshots/([\w-]+\.png)", README))
    present = {path.name for path in SCREENSHOTS.glob("*.png")}
    assert used == present


def _section(heading: str) -> str:
    """Return the README's text under heading, up to the next heading."""
    return README.split(f"{heading}\n", 1)[1].split("\n#", 1)[0]


def test_tested_home_assistant_versions_stated() -> None:
    """hacs.json's minimum is the Home Assistant the suite runs on; the README names it and the newest checked."""
    [harness] = [
        requirement.removeprefix("homeassistant==")
        for requirement in metadata.requires("pytest-homeassistant-custom-component")
        or []
        if requirement.startswith("homeassistant==")
    ]
    env = (ROOT / "scripts" / "_env.sh").read_text(encoding="utf-8")
    newest = re.search(r'^NEWEST_HA_VERSION="([^"]+)"$', env, re.MULTILINE)
    assert newest is not None
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert hacs["homeassistant"] == harness
    assert f"{harness} or newer" in _section("## Installation")
    for heading in ("## Installation", "### Tested Home Assistant versions"):
        assert harness in _section(heading)
        assert newest[1] in _section(heading)
