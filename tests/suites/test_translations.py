"""Tests for the translation files."""

import json

from tests.helpers.paths import INTEGRATION


def test_english_translation_matches_strings() -> None:
    """translations/en.json is strings.json (run scripts/sync_translations)."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    assert english == strings
