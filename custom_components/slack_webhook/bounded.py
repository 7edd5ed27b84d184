"""Event data and state attributes cut to what Home Assistant's recorder keeps.

The recorder keeps no event data longer than MAX_EVENT_DATA_BYTES and no
state attributes longer than MAX_STATE_ATTRS_BYTES, as Home Assistant's JSON
encoder writes them. `bounded` cuts an interaction's data until it fits: each
string longer than a limit keeps that many characters and ends with
`… [cut: N characters]`; each list longer than a limit / ITEM_CHARS keeps its
first items and one more, `… [cut: N items]` (an object in Slack's raw
`payload` likewise keeps its first entries and one more, under the key "…").
The limit halves from LONGEST to SHORTEST until the data fits; a raw payload
that even then does not fit is replaced by its JSON cut to nothing,
`… [cut: N characters]`. `response_url` is never cut.

Cut at SHORTEST, the normalised fields of an interaction take a few KiB (and
response_url at most about 4 KiB, see interaction.py), so the data of the
event and the attributes of the entity fit their limits.
"""

from collections.abc import Mapping
from itertools import islice
from typing import Any, Final

from homeassistant.helpers.json import json_bytes

MAX_EVENT_DATA_BYTES: Final = 32768
"""The recorder's limit on an event's data (recorder.db_schema)."""
MAX_STATE_ATTRS_BYTES: Final = 16384
"""The recorder's limit on an entity's recorded attributes (recorder.db_schema)."""
CUT: Final = "… [cut: "
"""How the mark of a cut string or list begins."""
CUT_KEY: Final = "…"
"""The key of the mark of a cut object in a raw payload."""
LONGEST: Final = 16384
"""Characters a string keeps at the first cut."""
SHORTEST: Final = 16
"""Characters a string keeps at the last cut."""
ITEM_CHARS: Final = 16
"""A list keeps the limit / ITEM_CHARS items (at least one)."""
UNCUT: Final = frozenset({"response_url"})
"""Fields needed whole: an answer goes to that URL."""
RAW: Final = frozenset({"payload"})
"""Fields holding Slack's JSON as it came, whose objects are cut too."""


def bounded(data: Mapping[str, Any], size: int) -> dict[str, Any]:
    """Return data whose encoding takes at most size bytes, cut as little as needed."""
    fitted, chars = dict(data), LONGEST
    while len(json_bytes(fitted)) > size:
        if chars < SHORTEST:
            return fitted | {key: _left_out(data[key]) for key in RAW & data.keys()}
        fitted = {key: _field(key, value, chars) for key, value in data.items()}
        chars //= 2
    return fitted


def _field(key: str, value: Any, chars: int) -> Any:
    """Return one field of the data cut at chars characters."""
    if key in UNCUT:
        return value
    return _cut(value, chars, max(1, chars // ITEM_CHARS), raw=key in RAW)


def _cut(value: Any, chars: int, items: int, *, raw: bool) -> Any:
    """Return value with its strings, lists (and raw objects) cut."""
    if isinstance(value, str):
        return _cut_text(value, chars)
    if isinstance(value, list):
        kept = [_cut(item, chars, items, raw=raw) for item in value[:items]]
        if len(value) > items:
            kept.append(_mark(len(value) - items))
        return kept
    if isinstance(value, dict):
        entries = islice(value.items(), items) if raw else value.items()
        cut = {
            _cut_text(key, chars): _cut(item, chars, items, raw=raw)
            for key, item in entries
        }
        if raw and len(value) > items:
            cut[CUT_KEY] = _mark(len(value) - items)
        return cut
    return value


def _cut_text(text: str, chars: int) -> str:
    """Return text cut at chars characters, with the mark, if it is longer."""
    if len(text) <= chars:
        return text
    return f"{text[:chars]}{CUT}{len(text) - chars} characters]"


def _left_out(value: Any) -> str:
    """Return the mark of a raw payload cut whole: its JSON cut to nothing."""
    return _cut_text(json_bytes(value).decode(), 0)


def _mark(left_out: int) -> str:
    """Return the last item of a list of which left_out items were cut."""
    return f"{CUT}{left_out} items]"
