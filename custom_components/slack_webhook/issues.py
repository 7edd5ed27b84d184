"""Repair issues of an entry: what a person should know about its delivery."""

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

OUTBOX_FULL = "outbox_full"
PATH_FAULT = "path_fault"
OUTBOX_INVALID = "outbox_invalid"
OUTBOX_UNREADABLE = "outbox_unreadable"


@callback
def async_raise(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    kind: str,
    severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
    **placeholders: str,
) -> None:
    """Raise (or update) the entry's issue of this kind; the entry's name is a placeholder."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry),
        is_fixable=False,
        severity=severity,
        translation_key=kind,
        translation_placeholders={"name": entry.title, **placeholders},
    )


@callback
def async_clear(hass: HomeAssistant, entry: ConfigEntry[Any], kind: str) -> None:
    """Remove the entry's issue of this kind, if it is raised."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))


def issue_id(kind: str, entry: ConfigEntry[Any]) -> str:
    """Return the id of the entry's issue of this kind."""
    return f"{kind}_{entry.entry_id}"
