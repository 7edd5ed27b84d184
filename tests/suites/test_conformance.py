"""The rules of hassfest and the HACS action that can be checked offline."""

from collections.abc import Iterator
import importlib.util
import json
from pathlib import Path
import re
import struct
from typing import Any

import pytest
import yaml

from homeassistant.util.yaml import load_yaml_dict
from tests.helpers.paths import INTEGRATION, REPO as ROOT

REPOSITORY = "https://github.com/slack-webhook-ha/slack_webhook"


def _json(path: Path) -> Any:
    """Return a JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))


STRINGS = _json(INTEGRATION / "strings.json")
MANIFEST = _json(INTEGRATION / "manifest.json")
SERVICES = load_yaml_dict(str(INTEGRATION / "services.yaml"))
ICONS = _json(INTEGRATION / "icons.json")

# The rule names of hassfest's quality scale (ALL_RULES in Home Assistant core's
# script/hassfest/quality_scale.py), by tier.
QUALITY_SCALE_RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}
TIERS = list(QUALITY_SCALE_RULES)

# What hassfest's translations check takes for a URL: a scheme or www. before a host.
URL = re.compile(
    r"((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5)://|www\.)"
    r"[a-z0-9]+([\-.][a-z0-9]+)*\.[a-z]{2,5}",
    re.IGNORECASE,
)


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield every string of a translation file with its dotted path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else key)
    else:
        yield path, value


def _translation_files() -> list[Path]:
    """Return strings.json and every translation file."""
    return [INTEGRATION / "strings.json", *sorted(INTEGRATION.glob("translations/*"))]


@pytest.mark.parametrize("path", _translation_files(), ids=lambda path: path.name)
def test_translations_contain_no_url(path: Path) -> None:
    """Example URLs come from description placeholders, as hassfest requires."""
    found = {key: text for key, text in _strings(_json(path)) if URL.search(text)}
    assert not found


def test_url_pattern_finds_urls() -> None:
    """The pattern above finds the URLs hassfest rejects, and not a placeholder."""
    assert URL.search("such as http://proxy.lan:3128.")
    assert URL.search("see WWW.EXAMPLE.COM")
    assert not URL.search("such as {proxy_example}, or a response_url")


def _fields(fields: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield an action's fields, those inside sections included."""
    for name, field in fields.items():
        if "fields" in field:
            yield from _fields(field["fields"])
        else:
            yield name, field


def _sections(fields: dict[str, Any]) -> list[str]:
    """Return the names of an action's sections."""
    return [name for name, field in fields.items() if "fields" in field]


def test_every_action_field_and_section_translated() -> None:
    """Each action in services.yaml has a name and description, as do its parts."""
    translated = STRINGS["services"]
    assert set(translated) == set(SERVICES)
    for action, schema in SERVICES.items():
        strings = translated[action]
        assert strings["name"] and strings["description"], action
        fields = dict(_fields(schema["fields"]))
        assert set(strings["fields"]) == set(fields), action
        for field in strings["fields"].values():
            assert field["name"] and field["description"], action
        sections = _sections(schema["fields"])
        assert set(strings.get("sections", {})) == set(sections), action
        for section in strings.get("sections", {}).values():
            assert section["name"], action


def test_every_selector_translation_key_translated() -> None:
    """A selector with a translation_key has its options and object fields translated."""
    for schema in SERVICES.values():
        for name, field in _fields(schema["fields"]):
            ((kind, config),) = field["selector"].items()
            if not config or "translation_key" not in config:
                continue
            strings = STRINGS["selector"][config["translation_key"]]
            if kind == "select":
                assert set(strings["options"]) == set(config["options"]), name
            else:
                assert set(strings["fields"]) == set(config["fields"]), name


def test_every_action_and_section_has_an_icon() -> None:
    """icons.json gives every action and each of its sections an icon."""
    assert set(ICONS["services"]) == set(SERVICES)
    for action, schema in SERVICES.items():
        icons = ICONS["services"][action]
        assert icons["service"].startswith("mdi:"), action
        assert set(icons.get("sections", {})) == set(_sections(schema["fields"]))


def _rule_error(name: str, value: Any) -> str | None:
    """Return why hassfest's schema rejects a rule's value, or None."""
    if value in ("done", "todo"):
        return None
    if not isinstance(value, dict) or set(value) != {"status", "comment"}:
        return "needs to be done, todo, or a status with a comment"
    if value["status"] not in ("done", "todo", "exempt"):
        return f"unknown status {value['status']}"
    if not isinstance(value["comment"], str) or not value["comment"]:
        return "the comment must be a string"
    return None


def test_no_state_icon_repeats_its_default() -> None:
    """No state icon equals the default beside it, which hassfest refuses."""
    for platform in ICONS.get("entity", {}).values():
        for entity in platform.values():
            icons = [entity, *entity.get("state_attributes", {}).values()]
            for icon in icons:
                for state, name in icon.get("state", {}).items():
                    assert name != icon.get("default"), state


def test_quality_scale_matches_hassfest_schema() -> None:
    """quality_scale.yaml holds only known rules, each valid for hassfest's schema."""
    data = load_yaml_dict(str(INTEGRATION / "quality_scale.yaml"))
    assert set(data) == {"rules"}
    known = {rule for rules in QUALITY_SCALE_RULES.values() for rule in rules}
    assert not set(data["rules"]) - known
    errors = {name: _rule_error(name, value) for name, value in data["rules"].items()}
    assert not {name: error for name, error in errors.items() if error}


def test_quality_scale_meets_the_manifest_tier() -> None:
    """Every rule up to the manifest's tier is done or exempt, as hassfest requires."""
    rules = load_yaml_dict(str(INTEGRATION / "quality_scale.yaml"))["rules"]
    required = TIERS[: TIERS.index(MANIFEST["quality_scale"]) + 1]
    for tier in required:
        for rule in QUALITY_SCALE_RULES[tier]:
            value = rules.get(rule)
            status = value["status"] if isinstance(value, dict) else value
            assert status in ("done", "exempt"), f"{tier}: {rule} is {status}"


def test_quality_scale_rule_check_rejects_what_hassfest_rejects() -> None:
    """The check above rejects a done rule without comment and an exempt one alone."""
    assert _rule_error("brands", {"status": "done"})
    assert _rule_error("brands", "exempt")
    assert _rule_error("brands", {"status": "exempt", "comment": None})
    assert _rule_error("brands", {"status": "exempt", "comment": "No brand."}) is None


def test_manifest_has_what_hacs_and_hassfest_require() -> None:
    """HACS requires these keys; hassfest wants domain, name, then sorted keys."""
    required = {"domain", "name", "codeowners", "documentation", "issue_tracker"}
    assert required | {"version"} <= set(MANIFEST)
    assert MANIFEST["domain"] == INTEGRATION.name
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert re.fullmatch(r"\d+\.\d+\.\d+", MANIFEST["version"])


def test_hacs_json_has_only_known_keys() -> None:
    """hacs.json names the integration and its minimum Home Assistant, nothing else."""
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"] == MANIFEST["name"]
    assert set(hacs) <= {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "persistent_directory",
        "hacs",
    }


def test_repository_url_is_the_same_everywhere() -> None:
    """The manifest, documentation and blueprints point to the same repository."""
    assert MANIFEST["documentation"] == REPOSITORY
    assert MANIFEST["issue_tracker"] == f"{REPOSITORY}/issues"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{REPOSITORY}`" in readme
    github = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+")
    documentation = [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *ROOT.glob("docs/*.md"),
    ]
    for path in [*documentation, *ROOT.glob("blueprints/**/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert set(github.findall(text)) <= {REPOSITORY}, path.name


def _png_size(path: Path) -> tuple[int, int]:
    """Return a PNG's width and height from its IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path.name
    assert header[12:16] == b"IHDR", path.name
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize(
    ("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)], ids=str
)
def test_brand_icon_size(name: str, size: int) -> None:
    """The brand icons are square PNGs of 256 and 512 pixels."""
    assert _png_size(INTEGRATION / "brand" / name) == (size, size)


def _workflow(name: str) -> dict[Any, Any]:
    """Return a workflow of .github/workflows; YAML 1.1 reads its `on` as True."""
    data: dict[Any, Any] = yaml.safe_load(
        (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
    )
    data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    """Return the steps of all jobs of a workflow."""
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("name", ["validate.yml", "tests.yml", "release.yml"])
def test_workflow_actions_are_pinned(name: str) -> None:
    """Every action is pinned to a release or a commit, never to a branch."""
    pinned = re.compile(r"[\w./-]+@(v?\d+\.\d+\.\d+|[0-9a-f]{40})")
    for step in _steps(_workflow(name)):
        if "uses" in step:
            assert pinned.fullmatch(step["uses"]), step["uses"]


def test_validate_workflow_runs_hassfest_and_hacs() -> None:
    """Hassfest and the HACS action run on push, pull request and every day."""
    workflow = _workflow("validate.yml")
    assert {"push", "pull_request", "schedule"} <= set(workflow["on"])
    uses = {step["uses"].split("@")[0]: step for step in _steps(workflow)}
    assert "home-assistant/actions/hassfest" in uses
    assert uses["hacs/action"]["with"]["category"] == "integration"


def test_tests_workflow_runs_scripts_test_on_python_3_14() -> None:
    """The README's test command runs on the host route, a Python >= 3.14.2."""
    steps = _steps(_workflow("tests.yml"))
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup"))
    assert python["with"]["python-version"] == "3.14"
    assert any(step.get("run") == "scripts/test" for step in steps)


def test_release_workflow_checks_the_tag() -> None:
    """A version tag is checked by scripts/release_notes.py before publishing."""
    workflow = _workflow("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    runs = [step.get("run", "") for step in _steps(workflow)]
    assert any("scripts/release_notes.py" in run for run in runs)


def _release_notes_module() -> Any:
    """Import scripts/release_notes.py, which is not in a package."""
    path = ROOT / "scripts" / "release_notes.py"
    spec = importlib.util.spec_from_file_location("release_notes", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _release_notes(tmp_path: Path, tag: str, changelog: str) -> str:
    """Return the notes scripts/release_notes.py gives for a tag and this CHANGELOG."""
    (tmp_path / "custom_components" / "slack_webhook").mkdir(parents=True)
    manifest = Path("custom_components/slack_webhook/manifest.json")
    (tmp_path / manifest).write_bytes((ROOT / manifest).read_bytes())
    (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    notes: str = _release_notes_module().release_notes(tag, tmp_path)
    return notes


def test_release_notes_of_a_dated_entry(tmp_path: Path) -> None:
    """The tag of the manifest's version with a dated entry gives that entry."""
    version = MANIFEST["version"]
    changelog = (
        f"# Changelog\n\n## [{version}] - 2026-11-02\n\n### Added\n\n- All.\n\n"
        "## [0.0.1] - 2026-01-01\n\n- Old.\n"
    )
    notes = _release_notes(tmp_path, f"v{version}", changelog)
    assert notes == "### Added\n\n- All.\n"


@pytest.mark.parametrize(
    ("tag", "heading", "error"),
    [
        ("v9.9.9", "## [{version}] - 2026-11-02", "is not v"),
        ("{version}", "## [{version}] - 2026-11-02", "is not v"),
        ("v{version}", "## [{version}] - unreleased", "has no date"),
        ("v{version}", "## [0.0.1] - 2026-11-02", "no entry for"),
    ],
)
def test_release_notes_refuse(
    tmp_path: Path, tag: str, heading: str, error: str
) -> None:
    """A tag that is not the manifest's version, or has no dated entry, fails."""
    version = MANIFEST["version"]
    changelog = f"# Changelog\n\n{heading.format(version=version)}\n\n- All.\n"
    with pytest.raises(ValueError, match=error):
        _release_notes(tmp_path, tag.format(version=version), changelog)
