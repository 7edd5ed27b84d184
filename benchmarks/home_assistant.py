"""A Home Assistant instance with the integration, for the end-to-end figures."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver

from custom_components.slack_webhook.const import DOMAIN
from homeassistant import loader
from homeassistant.const import CONF_NAME, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)


@asynccontextmanager
async def home_assistant(config_dir: Path) -> AsyncIterator[HomeAssistant]:
    """Run a Home Assistant core that loads custom_components/ from this repo.

    Its HTTP session resolves names with aiohttp's resolver rather than
    through zeroconf, which would need the network integration (as in Home
    Assistant's tests); the hook is at an IP address, so nothing is resolved
    either way.
    """
    resolver = ThreadedResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=resolver,
    ):
        async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            # As the hass fixture: Home Assistant's reports of code usage need it
            # (2026.11 reports a boolean that async_setup_entry returns).
            frame.async_setup(hass)
            hass.loop.set_debug(False)
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


async def add_entry(
    hass: HomeAssistant, title: str, url: str, options: dict[str, Any]
) -> MockConfigEntry:
    """Add and set up an entry for url; its notify entity is notify.<title>."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        data={CONF_NAME: title, CONF_URL: url},
        options=options,
    )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"The entry {title} did not set up")
    await hass.async_block_till_done()
    return entry
