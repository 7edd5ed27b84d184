"""A Slack incoming-webhook client for asyncio and aiohttp, with no Home Assistant imports."""
