"""A second Home Assistant on the storage of a stopped one, as after a restart."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from custom_components.slack_webhook.const import DOMAIN
from homeassistant import loader
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from .waiting import until


@asynccontextmanager
async def restarted(
    config_dir: str, entry: MockConfigEntry
) -> AsyncIterator[tuple[HomeAssistant, MockConfigEntry]]:
    """Start Home Assistant on config_dir with a copy of entry; yield once its outbox is delivered."""
    async with async_test_home_assistant(config_dir=config_dir) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        again = MockConfigEntry(
            domain=DOMAIN,
            entry_id=entry.entry_id,
            title="Alerts",
            data=dict(entry.data),
            options=dict(entry.options),
        )
        again.add_to_hass(hass)
        assert await hass.config_entries.async_setup(again.entry_id)
        await until(lambda: again.runtime_data.delivery.pending == 0)
        yield hass, again
        await hass.async_stop(force=True)
