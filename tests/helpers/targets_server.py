"""How each Slack-style target answers, from its documentation and source, for the local server.

The SlackServer answers any path; a Target gives the path of a hook of that
kind and the answers the real server gives:

- Slack: `ok`; refusals are a bare code (`invalid_blocks`).
- Workflow Builder triggers: `{"ok": true}` or `{"ok": false, "error": …}`
  (slackapi/node-slack-sdk WebhookTrigger).
- Discord's /slack endpoint: `ok`; errors `{"message": …, "code": …}`
  (50006 for an empty message, 10015 for an unknown webhook).
- Mattermost: `ok` as text/plain; errors carry an `id` such as
  `web.incoming_webhook.text.app_error` (no text) or
  `web.incoming_webhook.invalid.app_error` (unknown hook), both 400.
- Rocket.Chat: `{"success": true}` (also for `{}`, which posts nothing);
  failures `{"success": false, "error": …}`, normally 400, 200 from a script.
- Zulip slack_incoming: `{"result": "success", "msg": ""}` (also for `{}`);
  errors `{"result": "error", "msg": …, "code": …}`, 401 for a bad API key.
"""

from dataclasses import dataclass

from .slack_server import Answer

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Target:
    """A target kind's hook path and answers."""

    kind: str
    path: str
    success: Answer
    to_empty: Answer
    """What it answers the probe's `{}`."""
    failure_200: Answer | None
    """A 2xx whose body says the message failed, where the target does that."""
    dead: Answer
    """What it answers when the hook is unknown or revoked."""


def json_answer(status: int, body: str) -> Answer:
    """Return a JSON answer."""
    return Answer(status=status, body=body, headers=JSON)


TARGETS = [
    Target(
        "slack",
        "/services/T0001/B0001/s3cr3tT0k3nValue",
        Answer(body="ok"),
        Answer(status=400, body="no_text"),
        json_answer(200, '{"ok": false, "error": "invalid_blocks"}'),
        Answer(status=404, body="no_service"),
    ),
    Target(
        "slack_workflow",
        "/triggers/T0001/5555555555/s3cr3tTr1ggerValue",
        json_answer(200, '{"ok": true}'),
        Answer(status=405, body=""),
        json_answer(200, '{"ok": false, "error": "invalid_trigger_inputs"}'),
        json_answer(404, '{"ok": false, "error": "trigger_not_found"}'),
    ),
    Target(
        "discord",
        "/api/webhooks/1234567890/s3cr3tD1scordToken/slack",
        Answer(body="ok"),
        json_answer(400, '{"message": "Cannot send an empty message", "code": 50006}'),
        None,
        json_answer(404, '{"message": "Unknown Webhook", "code": 10015}'),
    ),
    Target(
        "mattermost",
        "/hooks/s3cr3tmattermosthookid1234",
        Answer(body="ok", headers={"Content-Type": "text/plain"}),
        json_answer(
            400,
            '{"id": "web.incoming_webhook.text.app_error", "message": "No text'
            ' specified.", "detailed_error": "", "status_code": 400}',
        ),
        None,
        json_answer(
            400,
            '{"id": "web.incoming_webhook.invalid.app_error", "message": "Invalid'
            ' webhook.", "detailed_error": "", "status_code": 400}',
        ),
    ),
    Target(
        "rocket_chat",
        "/hooks/AbCdEfGhIjKlMnOpQ/s3cr3tR0cketT0kenValue",
        json_answer(200, '{"success": true}'),
        json_answer(200, '{"success": true}'),
        json_answer(200, '{"success": false, "error": "error-running-script"}'),
        json_answer(
            401, '{"success": false, "error": "Invalid integration id or token"}'
        ),
    ),
    Target(
        "zulip",
        "/api/v1/external/slack_incoming?api_key=s3cr3tZul1pKeyValue&stream=alerts",
        json_answer(200, '{"result": "success", "msg": ""}'),
        json_answer(200, '{"result": "success", "msg": ""}'),
        json_answer(200, '{"result": "error", "msg": "Stream does not exist"}'),
        json_answer(
            401,
            '{"result": "error", "msg": "Invalid API key", "code": "INVALID_API_KEY"}',
        ),
    ),
]
"""Every kind the URL tells apart, with its answers."""
