"""The slack_webhook.send and slack_webhook.respond entity actions.

The schemas refuse unknown fields and check the simple types. The rest is
checked once, with translated errors, by the rules of the entry's target:
action data -> payload.validated_message (with a slot for the picture,
image_message.py) -> the picture read and its URL filled in -> delivery.
Blocks, attachments, metadata and headers pass through as given (a list, a
mapping or a JSON string).

`send` also takes `variables`, the only content of a message to a Slack
Workflow Builder webhook trigger (payload.trigger_body checks them).

`respond` answers Slack's interactivity: a verified button click, shortcut or
slash command arrives as the entry's event entity and the bus event
`slack_webhook_interaction` (inbound.py), and the automation answers with

    action: slack_webhook.respond
    target: {entity_id: notify.alerts}
    data:
      response_url: "{{ trigger.event.data.response_url }}"
      replace_original: true
      text: "Garage door closed"

payload.check_response_url keeps the response_url on the webhook's origin
and, on Slack's hook host, to interaction and slash-command URLs.
"""

from typing import Any, Final

import probatio

from homeassistant.components.notify.const import DOMAIN as NOTIFY_DOMAIN
from homeassistant.core import HomeAssistant, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv, service

from .const import DOMAIN
from .image_message import PICTURE_FIELDS
from .payload import (
    ATTR_ATTACHMENTS,
    ATTR_BLOCKS,
    ATTR_CHANNEL,
    ATTR_DELETE_ORIGINAL,
    ATTR_HEADERS,
    ATTR_ICON_EMOJI,
    ATTR_ICON_URL,
    ATTR_METADATA,
    ATTR_REPLACE_ORIGINAL,
    ATTR_RESPONSE_TYPE,
    ATTR_TEXT,
    ATTR_THREAD_TS,
    ATTR_UNFURL_LINKS,
    ATTR_UNFURL_MEDIA,
    ATTR_USERNAME,
    ATTR_VARIABLES,
)

SERVICE_SEND: Final = "send"
SERVICE_RESPOND: Final = "respond"
ATTR_RESPONSE_URL: Final = "response_url"

MESSAGE_FIELDS: Final[dict[Any, Any]] = {
    probatio.Optional(ATTR_TEXT): cv.string,
    probatio.Optional(ATTR_BLOCKS): cv.match_all,
    probatio.Optional(ATTR_ATTACHMENTS): cv.match_all,
    probatio.Optional(ATTR_RESPONSE_TYPE): cv.string,
    probatio.Optional(ATTR_REPLACE_ORIGINAL): cv.boolean,
    probatio.Optional(ATTR_DELETE_ORIGINAL): cv.boolean,
    probatio.Optional(ATTR_UNFURL_LINKS): cv.boolean,
    probatio.Optional(ATTR_UNFURL_MEDIA): cv.boolean,
    probatio.Optional(ATTR_METADATA): cv.match_all,
    probatio.Optional(ATTR_HEADERS): cv.match_all,
    probatio.Optional(ATTR_USERNAME): cv.string,
    probatio.Optional(ATTR_ICON_EMOJI): cv.string,
    probatio.Optional(ATTR_ICON_URL): cv.string,
    probatio.Optional(ATTR_CHANNEL): cv.string,
    probatio.Optional(ATTR_THREAD_TS): cv.string,
}
SEND_SCHEMA: Final = cv.make_entity_service_schema(
    {
        probatio.Optional(ATTR_VARIABLES): cv.match_all,
        **MESSAGE_FIELDS,
        **PICTURE_FIELDS,
    }
)
RESPOND_SCHEMA: Final = cv.make_entity_service_schema(
    {probatio.Required(ATTR_RESPONSE_URL): cv.string, **MESSAGE_FIELDS}
)
DOCS: Final = {
    "block_kit_url": "https://docs.slack.dev/block-kit/",
    "metadata_url": "https://docs.slack.dev/messaging/message-metadata",
    "modifying_url": "https://docs.slack.dev/messaging/modifying-messages",
}
"""Links shown in the actions' field descriptions."""


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the send and respond actions for this integration's notify entities."""
    for name, schema in (
        (SERVICE_SEND, SEND_SCHEMA),
        (SERVICE_RESPOND, RESPOND_SCHEMA),
    ):
        service.async_register_platform_entity_service(
            hass,
            DOMAIN,
            name,
            entity_domain=NOTIFY_DOMAIN,
            schema=schema,
            func=name,
            supports_response=SupportsResponse.OPTIONAL,
            description_placeholders=DOCS,
        )
