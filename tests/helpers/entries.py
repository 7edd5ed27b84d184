"""The entry options and the types of the entry fixtures in tests/conftest.py."""

from collections.abc import Awaitable, Callable

from custom_components.slack_webhook.const import (
    CONF_RETRIES_CONNECTION,
    CONF_RETRIES_RATE_LIMIT,
    CONF_RETRIES_SERVER,
    CONF_TIMEOUT,
)
from pytest_homeassistant_custom_component.common import MockConfigEntry

NO_RETRIES = {
    CONF_RETRIES_CONNECTION: 0,
    CONF_RETRIES_SERVER: 0,
    CONF_RETRIES_RATE_LIMIT: 0,
    CONF_TIMEOUT: 2,
}
"""Entry options under which a failed attempt queues the message at once."""

ENTRY_ID = "01JSLACKWEBHOOKALERTSENTRY"
"""The id of config_entry, fixed so snapshots of its entities are stable."""

type MakeEntry = Callable[..., MockConfigEntry]
"""make_entry(url=None, entry_id=None, **options): an entry "Alerts", not yet added."""
type LoadEntry = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]
"""load_entry(entry): add and set up an entry; return it."""
type SetupEntry = Callable[..., Awaitable[MockConfigEntry]]
"""setup_entry(url=None, **options): make_entry, then load_entry."""
