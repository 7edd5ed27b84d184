"""The slack_webhook.send and slack_webhook.respond actions: names, fields, schemas.

This module holds what the actions take: the action names, every ATTR_*
field name (the picture's too) and the schemas, as Home Assistant core's
ntfy does. The schemas only refuse unknown fields and check simple types;
everything else is checked once, with translated errors, by the rules of
the entry's target, further down a message's one path:

1. notify.py: the entity's `send`/`respond` (or a notify message, mapped
   by notification.py) hands the action data on;
2. payload.py: `validated_message` turns it into a checked body and
   headers for the target kind (Slack, Zulip or a Workflow Builder
   trigger); blocks, attachments, metadata and headers may come as JSON;
3. pictures/: for `send` with a picture, the message is checked
   with a slot for it, then the picture is read, stored and put in;
4. delivery/: the message goes out, in order, or is queued.

`send` also takes `variables`, the only content of a message to a Workflow
Builder trigger. `respond` answers Slack's interactivity (inbound.py) at
the interaction's `response_url`:

    action: slack_webhook.respond
    target: {entity_id: notify.alerts}
    data:
      response_url: "{{ trigger.event.data.response_url }}"
      replace_original: true
      text: "Garage door closed"

payload.check_response_url keeps the response_url on the webhook's origin
and, on Slack's hook host, to interaction and slash-command URLs. This
module imports nothing of the integration but const.py, so every step above
can import the names from here.
"""

from typing import Any, Final

import probatio

from homeassistant.components.notify.const import DOMAIN as NOTIFY_DOMAIN
from homeassistant.core import HomeAssistant, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv, service

from .const import DOMAIN

SERVICE_SEND: Final = "send"
SERVICE_RESPOND: Final = "respond"

ATTR_TEXT: Final = "text"
ATTR_BLOCKS: Final = "blocks"
ATTR_ATTACHMENTS: Final = "attachments"
ATTR_RESPONSE_TYPE: Final = "response_type"
ATTR_REPLACE_ORIGINAL: Final = "replace_original"
ATTR_DELETE_ORIGINAL: Final = "delete_original"
ATTR_UNFURL_LINKS: Final = "unfurl_links"
ATTR_UNFURL_MEDIA: Final = "unfurl_media"
ATTR_METADATA: Final = "metadata"
ATTR_HEADERS: Final = "headers"
ATTR_USERNAME: Final = "username"
ATTR_ICON_EMOJI: Final = "icon_emoji"
ATTR_ICON_URL: Final = "icon_url"
ATTR_CHANNEL: Final = "channel"
ATTR_THREAD_TS: Final = "thread_ts"
ATTR_VARIABLES: Final = "variables"
ATTR_RESPONSE_URL: Final = "response_url"
ATTR_EVENT_TYPE: Final = "event_type"
ATTR_EVENT_PAYLOAD: Final = "event_payload"
"""The two keys of `metadata`."""

ATTR_CAMERA: Final = "camera"
ATTR_IMAGE_ENTITY: Final = "image_entity"
ATTR_IMAGE_FILE: Final = "image_file"
ATTR_ALT_TEXT: Final = "alt_text"
ATTR_IMAGE_TITLE: Final = "image_title"
PICTURE_SOURCES: Final = (ATTR_CAMERA, ATTR_IMAGE_ENTITY, ATTR_IMAGE_FILE)
"""The fields a picture can come from; a message takes at most one."""
PICTURE_KEYS: Final = (*PICTURE_SOURCES, ATTR_ALT_TEXT, ATTR_IMAGE_TITLE)

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
"""The message fields both actions take."""
PICTURE_FIELDS: Final[dict[Any, Any]] = {
    probatio.Optional(ATTR_CAMERA): cv.entity_domain("camera"),
    probatio.Optional(ATTR_IMAGE_ENTITY): cv.entity_domain("image"),
    probatio.Optional(ATTR_IMAGE_FILE): cv.string,
    probatio.Optional(ATTR_ALT_TEXT): cv.string,
    probatio.Optional(ATTR_IMAGE_TITLE): cv.string,
}
"""The fields of the send action's picture section."""
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
