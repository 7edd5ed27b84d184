"""Fixtures for the Slack Webhook tests."""

from collections.abc import AsyncIterator

import pytest

from .slack_server import SlackServer


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


@pytest.fixture
async def slack() -> AsyncIterator[SlackServer]:
    """Run a Slack-like webhook server on 127.0.0.1."""
    server = SlackServer()
    await server.start()
    yield server
    await server.stop()
