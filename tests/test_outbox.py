"""Tests for the durable outbox's writes."""

from typing import Any
from unittest.mock import patch

from custom_components.slack_webhook.outbox import (
    REMOVAL_SAVE_DELAY,
    Message,
    OutboxStore,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store


def _message(text: str, *, stored: bool = True) -> Message:
    """Return a message accepted now."""
    return Message({"text": text}, {}, None, accepted=0, deadline=1, stored=stored)


async def test_removals_share_one_delayed_write(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Many removals while a write is pending ask for no further write."""
    outbox = OutboxStore(hass, "entry")
    queue = [_message("a"), _message("b", stored=False)]
    with patch.object(Store, "async_delay_save", autospec=True) as delay_save:
        for _ in range(5):
            outbox.async_schedule_save(lambda: queue)
        assert delay_save.call_count == 1
        assert delay_save.call_args.args[2] == REMOVAL_SAVE_DELAY
        write = delay_save.call_args.args[1]
        queue.pop(0)
        assert write() == {"messages": []}

        queue.insert(0, _message("c"))
        outbox.async_schedule_save(lambda: queue)
        assert delay_save.call_count == 2
        assert [
            m["body"]["text"] for m in delay_save.call_args.args[1]()["messages"]
        ] == ["c"]


async def test_an_immediate_write_ends_the_pending_one(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """After an immediate write, the next removal schedules a write again."""
    outbox = OutboxStore(hass, "entry")
    queue = [_message("a")]
    with patch.object(Store, "async_delay_save", autospec=True) as delay_save:
        outbox.async_schedule_save(lambda: queue)
        await outbox.async_save(queue)
        outbox.async_schedule_save(lambda: queue)
    assert delay_save.call_count == 2
    assert hass_storage["slack_webhook.entry.outbox"]["data"]["messages"][0][
        "body"
    ] == {"text": "a"}
    loaded = await outbox.async_load()
    assert [record["body"] for record in loaded.records] == [{"text": "a"}]
    assert loaded.records[0]["id"] == queue[0].id
    assert loaded.invalid == 0
