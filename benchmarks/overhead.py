"""(b) The full Home Assistant path per message against the raw client."""

from pathlib import Path
import statistics

from custom_components.slack_webhook.const import CONF_BURST, CONF_RATE, DOMAIN
from custom_components.slack_webhook.delivery import Delivery
from custom_components.slack_webhook.services import SERVICE_SEND
from custom_components.slack_webhook.slack_client import AsyncWebhookClient
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .clients import Send, timed
from .home_assistant import add_entry, home_assistant
from .hook import HookProcess
from .report import Section, ms
from .tls import Authority

UNPACED = {CONF_RATE: 1e9, CONF_BURST: 1_000_000}
"""Pacing that never waits, so only the path's own cost shows."""
ENTITY_ID = "notify.overhead"
WARM_UP = 5
ACTION = "slack_webhook.send action"


async def overhead(
    hook: HookProcess, authority: Authority, config_dir: Path, messages: int
) -> Section:
    """Time each path per message, taking turns message by message."""
    await hook.reset()
    authority.trust_in_home_assistant()
    async with home_assistant(config_dir) as hass:
        entry = await add_entry(hass, "Overhead", hook.url, UNPACED)
        paths = _paths(hass, entry.runtime_data.delivery, hook.url)
        durations: dict[str, list[float]] = {name: [] for name in paths}
        for send in paths.values():
            await timed(send, [f"warm-up {i}" for i in range(WARM_UP)])
        for i in range(messages):
            for name, send in paths.items():
                durations[name] += await timed(send, [f"{name} {i}"])
    raw = durations["raw client"]
    section = Section(
        title=f"(b) Home Assistant path per message over HTTPS, {messages} messages per path",
        headers=["path", "mean ms", "median ms", "overhead: mean", "overhead: median"],
    )
    for name, samples in durations.items():
        section.rows.append(
            [
                name,
                ms(statistics.mean(samples)),
                ms(statistics.median(samples)),
                ms(statistics.mean(samples) - statistics.mean(raw)),
                ms(statistics.median(samples) - statistics.median(raw)),
            ]
        )
    action = durations[ACTION]
    section.notes.append(
        f"action call → delivered, more than the raw client: "
        f"{ms(statistics.median(action) - statistics.median(raw))} ms median, "
        f"{ms(statistics.mean(action) - statistics.mean(raw))} ms mean (target ≤ 0.5 ms)"
    )
    return section


def _paths(hass: HomeAssistant, delivery: Delivery, url: str) -> dict[str, Send]:
    """Return the raw client and each Home Assistant layer above it, by name."""
    raw = AsyncWebhookClient(url=url, session=async_get_clientsession(hass))

    async def action(text: str) -> None:
        response = await hass.services.async_call(
            DOMAIN,
            SERVICE_SEND,
            {"entity_id": ENTITY_ID, "text": text},
            blocking=True,
            return_response=True,
        )
        answer = (response or {}).get(ENTITY_ID, {})
        if not isinstance(answer, dict) or answer.get("delivered") is not True:
            raise RuntimeError(f"Not delivered: {response}")

    async def notify(text: str) -> None:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": ENTITY_ID, "message": text},
            blocking=True,
        )

    return {
        "raw client": lambda text: raw.send(text=text),
        "delivery queue": lambda text: delivery.async_send({"text": text}),
        ACTION: action,
        "notify.send_message": notify,
    }
