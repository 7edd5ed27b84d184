"""Outbox records as stored, and reading an entry's outbox journal as the next start would."""

from pathlib import Path
import time
from typing import Any

from custom_components.slack_webhook.const import DOMAIN
from custom_components.slack_webhook.delivery import journal
from custom_components.slack_webhook.delivery.outbox import replay
from homeassistant.core import HomeAssistant


def record(text: str, **changes: Any) -> dict[str, Any]:
    """Return a stored outbox record of text, accepted just now, with changes."""
    now = time.time()
    return {
        "id": f"id-{text}",
        "body": {"text": text},
        "headers": {},
        "response_url": None,
        "accepted": now,
        "expires": now + 3600,
        "attempts": 0,
    } | changes


def journal_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Return the path of an entry's outbox journal."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.outbox.jsonl"))


async def stored(hass: HomeAssistant, entry_id: str) -> list[dict[str, Any]]:
    """Return the records the entry's outbox file holds, in order."""
    read = await hass.async_add_executor_job(journal.read, journal_path(hass, entry_id))
    lines = [] if read is None else read[0]
    live, *_ = replay(lines, lambda record, _line: record)
    return [dict(record) for record in live.values()]


async def stored_texts(hass: HomeAssistant, entry_id: str) -> list[str]:
    """Return the texts of the messages in the entry's outbox file, in order."""
    return [record["body"]["text"] for record in await stored(hass, entry_id)]
