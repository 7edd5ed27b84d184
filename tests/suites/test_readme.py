"""The documentation shows what the integration shows: options, fields, errors, screenshots."""

from importlib import metadata
import json
from pathlib import Path
import re
import textwrap
from typing import Any

import pytest
import yaml

from tests.helpers.paths import REPO as ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted(ROOT.glob("docs/*.md"))]
STRINGS = json.loads(
    (ROOT / "custom_components" / "slack_webhook" / "strings.json").read_text(
        encoding="utf-8"
    )
)
SCREENSHOTS = ROOT / "docs" / "screenshots"
FENCE = re.compile(r"^ *```(\w*)\n(.*?)^ *```$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")
MOVED_ANCHORS = [
    "contributing",
    "performance",
    "buttons-shortcuts-and-slash-commands",
    "talk-to-home-assistant-from-slack-assist",
    "the-blueprint-ask-on-slack-and-act-on-the-answer",
    "slack-compatible-targets-and-workflow-builder-triggers",
]
"""README anchors whose content moved to another page; links to them keep working."""


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


def _prose(text: str) -> str:
    """Return a Markdown text without its code blocks and code spans."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))


def _slug(heading: str) -> str:
    """Return GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    """Return the anchors of a Markdown file's headings, numbered when repeated."""
    anchors: set[str] = set()
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE):
        slug = base = _slug(heading)
        count = 0
        while slug in anchors:
            count += 1
            slug = f"{base}-{count}"
        anchors.add(slug)
    return anchors


def _links(path: Path) -> list[str]:
    """Return the relative links and image paths of a Markdown file."""
    links = LINK.findall(_prose(path.read_text(encoding="utf-8")))
    return [link for link in links if not re.match(r"[a-z]+:", link)]


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_links_resolve(path: Path) -> None:
    """Every relative link names a file that exists, and a heading that exists in it."""
    for link in _links(path):
        name, _, anchor = link.partition("#")
        target = (path.parent / name).resolve() if name else path
        assert target.exists(), f"{path.name}: {link} names no file"
        assert target.is_relative_to(ROOT), f"{path.name}: {link} leaves the repository"
        if anchor:
            assert target.suffix == ".md", f"{path.name}: {link}"
            assert anchor in _anchors(target), f"{path.name}: {link} names no heading"


def test_slug_follows_github() -> None:
    """Anchors are made as GitHub makes them."""
    assert _slug("`slack_webhook.send`") == "slack_webhooksend"
    assert _slug("2. Add the integration") == "2-add-the-integration"
    assert _slug("Assist's acknowledgement") == "assists-acknowledgement"
    assert _slug("Talk to Home Assistant from Slack: Assist") == (
        "talk-to-home-assistant-from-slack-assist"
    )


def test_every_page_is_linked_from_the_readme() -> None:
    """A reader of the README finds CONTRIBUTING.md and every page under docs/."""
    linked = {
        (ROOT / link.partition("#")[0]).resolve() for link in _links(ROOT / "README.md")
    }
    assert set(DOCS[1:]) <= linked


@pytest.mark.parametrize("anchor", MOVED_ANCHORS)
def test_moved_anchor_kept(anchor: str) -> None:
    """The README keeps the headings of moved content, so links from elsewhere work."""
    assert anchor in _anchors(ROOT / "README.md")


def test_screenshots_exist_and_are_used() -> None:
    """The documentation shows every screenshot the browser test saves, and only those."""
    used = {
        name
        for path in DOCS
        for name in re.findall(
            r"(?:docs/)?screenshots/([\w-]+\.png)", path.read_text(encoding="utf-8")
        )
    }
    present = {path.name for path in SCREENSHOTS.glob("*.png")}
    assert used == present


def _examples() -> list[Any]:
    """Return every YAML example of the documentation, named by its file and line."""
    examples = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match[1] == "yaml":
                line = text.count("\n", 0, match.start()) + 1
                name = f"{path.name}:{line}"
                examples.append(pytest.param(name, textwrap.dedent(match[2]), id=name))
    return examples


def _actions(node: Any) -> list[dict[str, Any]]:
    """Return every mapping with an `action` key in a parsed example."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "action" in node:
            found.append(node)
        for value in node.values():
            found += _actions(value)
    elif isinstance(node, list):
        for item in node:
            found += _actions(item)
    return found


@pytest.mark.parametrize(("name", "example"), _examples())
def test_example_parses(name: str, example: str) -> None:
    """Every YAML example parses, and its Slack Webhook actions use real fields."""
    fields = {
        "slack_webhook.send": set(STRINGS["services"]["send"]["fields"]),
        "slack_webhook.respond": set(STRINGS["services"]["respond"]["fields"]),
        "notify.send_message": {"message", "title"},
    }
    for action in _actions(yaml.safe_load(example)):
        if action["action"] in fields:
            assert set(action.get("data", {})) <= fields[action["action"]], name


def _section(text: str, heading: str) -> str:
    """Return a document's text under heading, up to the next heading."""
    return text.split(f"{heading}\n", 1)[1].split("\n#", 1)[0]


def test_tested_home_assistant_versions_stated() -> None:
    """hacs.json's minimum is the Home Assistant the suite runs on; the docs name it and the newest checked."""
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
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    installation = _section(README, "## Installation")
    tested = _section(contributing, "## Tested Home Assistant versions")
    assert f"{harness} or newer" in installation
    for section in (installation, tested):
        assert harness in section
        assert newest[1] in section
