"""The notify entity of a webhook: notify messages and the send and respond actions.

Each of the three takes one straight path: its fields are checked for the
entry's target (payload.validated_message; notification.py maps a notify
message first, pictures/ adds a picture to `send`), then the entry's
delivery queue sends it (delivery/). The actions return what became of the
message (`response_data`: delivered or queued); a failure raises a
translated error in all three.
"""

from typing import Any, override

from homeassistant.components.notify import NotifyEntity, NotifyEntityDescription
from homeassistant.components.notify.const import NotifyEntityFeature
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import SlackWebhookConfigEntry
from .delivery import DeliveryResult
from .entity import SlackWebhookEntity
from .exceptions import invalid
from .notification import notification_fields, trigger_fields
from .payload import Message, check_response_url, validated_message
from .pictures import async_validated_message
from .slack_client import TargetKind

PARALLEL_UPDATES = 0

NOTIFY_DESCRIPTION = NotifyEntityDescription(
    key="webhook", translation_key="webhook", name=None
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SlackWebhookConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the notify entity of a webhook."""
    async_add_entities([SlackWebhookNotifyEntity(entry, NOTIFY_DESCRIPTION)])


class SlackWebhookNotifyEntity(SlackWebhookEntity, NotifyEntity):
    """Posts notify messages and the integration's actions to one webhook."""

    _attr_supported_features = NotifyEntityFeature.TITLE

    @override
    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Post a notify message; the mapping is described in notification.py."""
        data = self.entry.runtime_data
        if data.kind is TargetKind.WORKFLOW:
            fields = trigger_fields(message, title, data.options)
        else:
            fields = notification_fields(message, title)
        checked = validated_message(fields, data.defaults, data.kind)
        await data.delivery.async_send(checked.body)

    async def send(self, **fields: Any) -> ServiceResponse:
        """Post a message built from the slack_webhook.send action's fields."""
        async with async_validated_message(self.hass, self.entry, fields) as message:
            return await self._async_post(message, None)

    async def respond(self, *, response_url: str, **fields: Any) -> ServiceResponse:
        """Post a message to a Slack response_url (slack_webhook.respond)."""
        data = self.entry.runtime_data
        if data.kind is TargetKind.WORKFLOW:
            raise invalid("trigger_fields", fields="response_url")
        check_response_url(response_url, self.entry.data[CONF_URL])
        message = validated_message(fields, data.defaults, data.kind)
        return await self._async_post(message, response_url)

    async def _async_post(
        self, message: Message, response_url: str | None
    ) -> ServiceResponse:
        """Post a checked message, record the notification and report the result."""
        result = await self.entry.runtime_data.delivery.async_send(
            message.body, message.headers, response_url=response_url
        )
        self._async_record_notification()
        return response_data(result)


def response_data(result: DeliveryResult) -> ServiceResponse:
    """Return an action's response data for one delivery."""
    return {
        "delivered": result.delivered,
        "status_code": result.status_code,
        "body": result.body,
        "message_id": result.message_id,
    }
