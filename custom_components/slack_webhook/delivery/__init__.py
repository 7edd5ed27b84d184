"""Getting an entry's checked messages to its webhook, in order, paced and durably.

This package is one unit; the rest of the integration uses only the names
below. A caller hands a checked message body (and headers) to
`Delivery.async_send` and gets a `DeliveryResult`: delivered, with Slack's
answer, or queued. Queued messages are kept on disk and sent later, also
after a restart; one that fails for good later is announced by the
`slack_webhook_delivery_failed` event. Checking the message is the caller's
job (payload.py), and sending one request is the client's (slack_client).

- queue.py: `Delivery`, the one queue of an entry and its task: order,
  deadlines, the switch to the outbox and its retries with backoff.
- outbox.py: the messages waiting for a retry, and their copy on disk.
- journal.py: the outbox's file, written so that a crash loses nothing.
- token_bucket.py: the pacing of sends to one webhook (Slack's rate limit).
- reporting.py: what a person or an automation hears: repair issues, the
  failure event, reauthentication and log lines.
"""

from .outbox import OutboxStore
from .queue import QUEUED, Delivery, DeliveryResult, forget_deadlines
from .reporting import EVENT_DELIVERY_FAILED
from .token_bucket import TokenBucket

__all__ = [
    "EVENT_DELIVERY_FAILED",
    "QUEUED",
    "Delivery",
    "DeliveryResult",
    "OutboxStore",
    "TokenBucket",
    "forget_deadlines",
]
