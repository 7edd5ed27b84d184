"""Config flow for the Slack Webhook integration."""

from typing import Any

import probatio

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_NAME, CONF_URL

from .const import DOMAIN


class SlackWebhookConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one config entry per webhook."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the webhook's name and URL."""
        if user_input is not None:
            return self.async_create_entry(title=user_input[CONF_NAME], data=user_input)
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_NAME): str, probatio.Required(CONF_URL): str}
            ),
        )
