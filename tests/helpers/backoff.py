"""Retries within milliseconds, for tests that go through many failures."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from unittest.mock import patch

from custom_components.slack_webhook.slack_client import default_retry_handlers


@contextmanager
def fast_backoff() -> Iterator[None]:
    """Shorten the client's backoff, the outbox's redelivery and its removal writes."""
    handlers = partial(default_retry_handlers, backoff_factor=0.001, jitter=0.001)
    with (
        patch(
            "custom_components.slack_webhook.runtime.default_retry_handlers", handlers
        ),
        patch.multiple(
            "custom_components.slack_webhook.delivery.queue",
            OUTBOX_RETRY_BASE=0.002,
            OUTBOX_RETRY_MAX=0.01,
        ),
        patch(
            "custom_components.slack_webhook.delivery.outbox.REMOVAL_SAVE_DELAY", 0.01
        ),
    ):
        yield
