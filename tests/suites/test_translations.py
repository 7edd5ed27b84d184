"""Tests for the translation files: every language says all of strings.json, the same way."""

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

import pytest

from tests.helpers.paths import INTEGRATION

TRANSLATIONS = INTEGRATION / "translations"
LANGUAGES = sorted(
    path.stem for path in TRANSLATIONS.glob("*.json") if path.stem != "en"
)
"""Every shipped language is checked, a new one included."""

PLACEHOLDER = re.compile(r"\{(\w+)\}")
CODE = re.compile(r"`[^`]+`")
# hassfest: "the string should not contain URLs, please use description placeholders".
URL = re.compile(r"\b(?:https?://|www\.)", re.IGNORECASE)


def _load(path: Path) -> dict[str, Any]:
    """Return a JSON file's object."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _leaves(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Yield each string of a translation tree with its dotted key."""
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _leaves(value, path)
        else:
            assert isinstance(value, str), f"{path} is not a string"
            yield path, value


STRINGS = dict(_leaves(_load(INTEGRATION / "strings.json")))


def test_english_translation_matches_strings() -> None:
    """translations/en.json is strings.json (run scripts/sync_translations)."""
    strings = _load(INTEGRATION / "strings.json")
    english = _load(TRANSLATIONS / "en.json")
    assert english == strings


def test_the_readme_lists_the_languages_that_ship() -> None:
    """The README's Languages section names exactly the languages shipped, besides English."""
    readme = (INTEGRATION.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Languages\n", 1)[1].split("\n## ", 1)[0]
    listed = section.strip().split("\n\n", 1)[0]  # the paragraph that names them
    assert sorted(re.findall(r"\(`([A-Za-z-]+)`\)", listed)) == LANGUAGES
    assert len(LANGUAGES) >= 8


@pytest.fixture(params=LANGUAGES)
def translation(request: pytest.FixtureRequest) -> dict[str, str]:
    """Return one language's strings by dotted key."""
    return dict(_leaves(_load(TRANSLATIONS / f"{request.param}.json")))


def test_keys_match_strings(translation: dict[str, str]) -> None:
    """A language has every key of strings.json and no other."""
    assert sorted(set(STRINGS) - set(translation)) == [], "missing"
    assert sorted(set(translation) - set(STRINGS)) == [], "extra"


def test_placeholders_match_strings(translation: dict[str, str]) -> None:
    """Each string keeps the English one's placeholders and `code`, renaming none."""
    changed = {
        key: text
        for key, text in translation.items()
        if key in STRINGS
        and (
            sorted(PLACEHOLDER.findall(text))
            != sorted(PLACEHOLDER.findall(STRINGS[key]))
            or sorted(CODE.findall(text)) != sorted(CODE.findall(STRINGS[key]))
        )
    }
    assert changed == {}


def test_strings_are_translated(translation: dict[str, str]) -> None:
    """Sentences differ from the English ones: a copied file is not a translation."""
    copied = [
        key
        for key, text in translation.items()
        if text == STRINGS.get(key) and len(text.split()) > 3
    ]
    assert copied == []


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_no_urls_or_html(language: str) -> None:
    """No string carries a URL or HTML, which hassfest rejects; placeholders stand in."""
    offenders = {
        key: text
        for key, text in _leaves(_load(TRANSLATIONS / f"{language}.json"))
        if URL.search(text) or re.search(r"<[a-z/][^>]*>", text, re.IGNORECASE)
    }
    assert offenders == {}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_hassfest_string_rules(language: str) -> None:
    """No leading or trailing spaces, no quoted placeholders, no key references."""
    offenders = {
        key: text
        for key, text in _leaves(_load(TRANSLATIONS / f"{language}.json"))
        if text != text.strip()
        or re.search(r"'\{\w+\}'", text)
        or "[%key:" in text
        or not text
    }
    assert offenders == {}
