"""What a person or an automation hears about an entry's delivery.

Repair issues, the `slack_webhook_delivery_failed` event, reauthentication
and the log lines when a webhook becomes unavailable and answers again.
"""

import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN, LOGGER

EVENT_DELIVERY_FAILED = f"{DOMAIN}_delivery_failed"
OUTBOX_FULL = "outbox_full"
PATH_FAULT = "path_fault"
OUTBOX_INVALID = "outbox_invalid"
OUTBOX_UNREADABLE = "outbox_unreadable"
OUTBOX_NOT_READ = "outbox_not_read"


class DeliveryReporter:
    """Reports the delivery of one entry; remembers whether it said "unavailable"."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Report for this entry."""
        self._hass = hass
        self._entry = entry
        self._unavailable = False
        # Issues outlive a restart, so at first any of them may be raised.
        self._maybe_raised = {
            OUTBOX_FULL,
            PATH_FAULT,
            OUTBOX_INVALID,
            OUTBOX_UNREADABLE,
            OUTBOX_NOT_READ,
        }

    @callback
    def outbox_full(self, size: int) -> None:
        """Raise the issue that the outbox holds `size` messages and takes no more."""
        self._raise(OUTBOX_FULL, size=str(size))

    @callback
    def outbox_has_room(self) -> None:
        """Clear the outbox-full issue."""
        self._clear(OUTBOX_FULL)

    @callback
    def outbox_unreadable(self, kept_aside: str) -> None:
        """Raise the issue that the outbox file could not be read and was kept aside."""
        self._raise(OUTBOX_UNREADABLE, file=kept_aside)

    @callback
    def outbox_not_read(self, file: str, error: str | None) -> None:
        """Raise the issue that the outbox file cannot be read (error), or clear it (None)."""
        if error is None:
            self._clear(OUTBOX_NOT_READ)
        else:
            self._raise(OUTBOX_NOT_READ, file=file, error=error)

    @callback
    def outbox_invalid(self, count: int) -> None:
        """Warn that `count` stored messages were skipped; clear the warning for none."""
        if not count:
            self._clear(OUTBOX_INVALID)
            return
        LOGGER.warning(
            "Skipped %d unreadable message(s) in the outbox of %s",
            count,
            self._entry.title,
        )
        self._raise(OUTBOX_INVALID, ir.IssueSeverity.WARNING, count=str(count))

    @callback
    def unavailable(self, error: str, queued: int, *, path_fault: bool) -> None:
        """Log once that the webhook is unavailable; raise the issue of a path fault."""
        if path_fault:
            self._raise(PATH_FAULT, error=error)
        if not self._unavailable:
            self._unavailable = True
            LOGGER.warning(
                "Slack webhook %s is unavailable (%s); queued %d message(s) for redelivery",
                self._entry.title,
                error,
                queued,
            )

    @callback
    def available(self) -> None:
        """Clear the path's issue; log that the webhook answers again, if it did not."""
        self._clear(PATH_FAULT)
        if self._unavailable:
            self._unavailable = False
            LOGGER.info("Slack webhook %s answers again", self._entry.title)

    @callback
    def gave_up(self, message_id: str, accepted: float, reason: str | None) -> None:
        """Log and fire the event for a message nobody waits for any more."""
        LOGGER.warning(
            "Gave up a message to %s accepted at %s: %s",
            self._entry.title,
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(accepted)),
            reason,
        )
        self._hass.bus.async_fire(
            EVENT_DELIVERY_FAILED,
            {
                "entry_id": self._entry.entry_id,
                "name": self._entry.title,
                "reason": reason,
                "message_id": message_id,
            },
        )

    @callback
    def refused(self) -> None:
        """Start reauthentication: the webhook refused its URL."""
        self._entry.async_start_reauth(self._hass)

    @callback
    def halted(self, error: str) -> None:
        """Log that the outbox waits for reauthentication, and start it."""
        LOGGER.warning(
            "Slack webhook %s no longer accepts messages (%s); the outbox is kept until it is reauthenticated",
            self._entry.title,
            error,
        )
        self.refused()

    def _raise(
        self,
        kind: str,
        severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
        **placeholders: str,
    ) -> None:
        """Raise (or update) the entry's issue of this kind; the entry's name is a placeholder."""
        self._maybe_raised.add(kind)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(kind, self._entry),
            is_fixable=False,
            severity=severity,
            translation_key=kind,
            translation_placeholders={"name": self._entry.title, **placeholders},
        )

    def _clear(self, kind: str) -> None:
        """Remove the entry's issue of this kind, if it may be raised.

        Called for every delivered message: once removed, an issue is not
        looked up again until this reporter raises it.
        """
        if kind in self._maybe_raised:
            self._maybe_raised.discard(kind)
            ir.async_delete_issue(self._hass, DOMAIN, issue_id(kind, self._entry))


def issue_id(kind: str, entry: ConfigEntry[Any]) -> str:
    """Return the id of the entry's issue of this kind."""
    return f"{kind}_{entry.entry_id}"
