"""Set up and use Slack Webhook the way a user does: in Home Assistant's frontend.

The tests run in order on one tab of a fresh instance: onboarding, adding the
integration against the Slack-like sink, finding its notify entity, sending
messages from Developer tools, and the config flow and options once more in
German. The screenshots they save are the README's.
"""

import json
import re

from playwright.sync_api import Page, expect

from .conftest import Instance

NAME = "Ops alerts"
ENTITY_ID = "notify.ops_alerts"
EVENT_ENTITY_ID = "event.ops_alerts_slack_interaction"
# The warning Home Assistant logs for every custom integration.
CUSTOM_INTEGRATION_NOTICE = (
    "We found a custom integration slack_webhook which has not been tested"
)


def test_onboarding(page: Page, instance: Instance) -> None:
    """Create the owner account and finish onboarding with the defaults."""
    page.goto(instance.url("/"))
    page.get_by_role("button", name="Create my smart home").click()
    page.locator("input[name=name]").fill("Test Admin")
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill("correct-horse-battery-staple")
    page.locator("input[name=password_confirm]").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Create account").click()
    # Home location, country, analytics: keep the defaults.
    for step in ("Home location", "country", "Help us help you"):
        expect(page.get_by_text(step).first).to_be_visible()
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url(lambda url: "onboarding" not in url and "auth" not in url)
    expect(page.get_by_role("link", name="Settings")).to_be_visible()


def test_add_integration(page: Page, instance: Instance) -> None:
    """Settings → Devices & services → Add integration → Slack Webhook."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name=re.compile("Devices & services")).click()
    expect(page).to_have_url(re.compile("/config/integrations"))
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("Slack Webhook")
    expect(page.get_by_text("Slack Webhook", exact=True)).to_be_visible()
    instance.screenshot(page, "add-integration")
    page.get_by_text("Slack Webhook", exact=True).click()

    # Fields by name, not position: the form may grow optional fields.
    expect(page.get_by_text("Add a Slack webhook")).to_be_visible()
    page.locator("input[name=name]").fill(NAME)
    page.locator("input[name=url]").fill(instance.sink_url)
    instance.screenshot(page, "config-flow")
    page.get_by_role("button", name="Submit").click()

    # The probe: an empty body, which Slack (and the sink) refuse with no_text.
    assert instance.wait_for_body("{}") == {}
    page.get_by_role("button", name=re.compile("^(Skip and finish|Finish)$")).click()
    expect(page.get_by_text(NAME).first).to_be_visible()

    page.goto(instance.url("/config/integrations/integration/slack_webhook"))
    expect(page.get_by_text("Slack-compatible webhook").first).to_be_visible()
    instance.screenshot(page, "integration-entry")


def test_options(page: Page, instance: Instance) -> None:
    """The entry's options open from its cogwheel; closing changes nothing."""
    page.get_by_role("button", name=re.compile("^(Configure|Options)$")).first.click()
    expect(page.get_by_text("Slack webhook options")).to_be_visible()
    expect(page.get_by_text("Timeout").first).to_be_visible()
    instance.screenshot(page, "options")
    # The collapsed sections, by their descriptions (from strings.json).
    page.get_by_text("Retries", exact=True).click()
    retries = page.get_by_text("How often a message is tried again")
    page.wait_for_timeout(500)
    retries.evaluate("element => element.scrollIntoView({block: 'start'})")
    instance.screenshot(page, "options-retries")
    page.get_by_text("Retries", exact=True).click()
    page.get_by_text("Delivery", exact=True).click()
    delivery = page.get_by_text("Pacing and the outbox")
    expect(delivery).to_be_visible()
    page.wait_for_timeout(500)  # the section's opening animation
    delivery.evaluate("element => element.scrollIntoView({block: 'start'})")
    instance.screenshot(page, "options-delivery")
    page.keyboard.press("Escape")
    expect(page.get_by_text("Slack webhook options")).to_be_hidden()


def test_notify_entity(page: Page, instance: Instance) -> None:
    """The entry's device shows the notify entity; its id follows the name."""
    page.get_by_text("Slack-compatible webhook").first.click()
    expect(page).to_have_url(re.compile("/config/devices/device/"))
    expect(page.get_by_text("Notifiers")).to_be_visible()
    expect(page.get_by_text(NAME, exact=True).last).to_be_visible()
    instance.screenshot(page, "device")

    page.goto(instance.url("/developer-tools/state"))
    expect(page.get_by_role("link", name=ENTITY_ID)).to_be_visible()


def _perform_action(page: Page, instance: Instance, yaml: str) -> None:
    """Developer tools → Actions: enter the action as YAML, show it as UI."""
    page.goto(instance.url("/developer-tools/action"))
    page.get_by_role("button", name="YAML mode").click()
    editor = page.locator(".cm-content").first
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    # insert_text, not typing: the editor would indent every new line again.
    page.keyboard.insert_text(yaml)
    page.get_by_role("button", name="UI mode").click()


def test_send_notification(page: Page, instance: Instance) -> None:
    """notify.send_message to the entity reaches the webhook as text."""
    message = "Washing machine is done :tada:"
    _perform_action(
        page,
        instance,
        "action: notify.send_message\n"
        f"target:\n  entity_id: {ENTITY_ID}\n"
        f"data:\n  message: {json.dumps(message)}\n",
    )
    expect(page.get_by_text("Send a notification message").first).to_be_visible()
    expect(page.get_by_text(NAME).first).to_be_visible()
    instance.screenshot(page, "send-message")
    page.get_by_role("button", name="Perform action").click()

    body = instance.wait_for_body(message)
    assert body["text"] == message


def test_send_blocks(page: Page, instance: Instance) -> None:
    """slack_webhook.send posts Block Kit and answers with the delivery result."""
    text = "Front door opened"
    _perform_action(
        page,
        instance,
        "action: slack_webhook.send\n"
        f"target:\n  entity_id: {ENTITY_ID}\n"
        "data:\n"
        f"  text: {json.dumps(text)}\n"
        "  blocks:\n"
        "    - type: section\n"
        "      text:\n"
        "        type: mrkdwn\n"
        "        text: '*Front door* opened at {{ now().strftime(\"%H:%M\") }}'\n",
    )
    page.get_by_role("button", name="Perform action").click()

    body = instance.wait_for_body(text)
    assert body["text"] == text
    # Templates in blocks are rendered.
    assert re.fullmatch(
        r"\*Front door\* opened at \d\d:\d\d", body["blocks"][0]["text"]["text"]
    )
    # The action's response data, shown under the form.
    response = page.get_by_text(re.compile(r"delivered: true"))
    expect(response).to_be_visible()
    response.scroll_into_view_if_needed()
    instance.screenshot(page, "send-blocks")


def test_blueprint(page: Page, instance: Instance) -> None:
    """The blueprint's webhook picker offers only this integration's notify entities."""
    page.goto(instance.url("/config/blueprint/dashboard"))
    page.get_by_text("Slack message when a sensor changes").first.click()
    expect(page).to_have_url(re.compile("/config/automation/edit/new"))
    expect(page.get_by_text("Slack webhook", exact=True)).to_be_visible()
    pickers = page.get_by_text("Select an entity")
    expect(pickers.first).to_be_visible()
    # The webhook's picker is the upper one.
    webhook_picker = min(
        (picker for picker in pickers.all() if picker.is_visible()),
        key=lambda picker: (picker.bounding_box() or {"y": 0})["y"],
    )
    webhook_picker.click()
    choices = page.get_by_role("dialog", name="Select option")
    expect(choices.get_by_text(NAME, exact=True)).to_be_visible()
    # Not the integration's sensor.
    expect(choices.get_by_text("Pending messages")).to_have_count(0)
    instance.screenshot(page, "blueprint")
    choices.get_by_text(NAME, exact=True).click()
    expect(choices).to_be_hidden()


def test_interactivity_options(page: Page, instance: Instance) -> None:
    """A signing secret turns interactivity on; the options then show the Request URL."""
    page.goto(instance.url("/config/integrations/integration/slack_webhook"))
    page.get_by_role("button", name=re.compile("^(Configure|Options)$")).first.click()
    expect(page.get_by_text("Slack webhook options")).to_be_visible()
    page.get_by_text("Slack interactivity", exact=True).click()
    secret = page.locator("input[name=signing_secret]")
    expect(secret).to_be_visible()
    # A new entry's form already shows where Slack must post: the path alone,
    # as this instance has no external URL.
    expect(page.get_by_text(re.compile(r"/api/webhook/[0-9a-f]{64}"))).to_be_visible()
    secret.fill("8f742231b10e8888abcd99yyyzzz85a5")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Options successfully saved")).to_be_visible()
    page.get_by_role("button", name="Finish").click()
    # The entry reloaded with its new event entity.
    expect(page.get_by_role("link", name="3 entities")).to_be_visible()

    page.get_by_role("button", name=re.compile("^(Configure|Options)$")).first.click()
    page.get_by_text("Slack interactivity", exact=True).click()
    request_url = page.get_by_text(re.compile(r"/api/webhook/[0-9a-f]{64}"))
    expect(request_url).to_be_visible()
    expect(page.locator("input[name=signing_secret]")).to_have_value("********")
    # Assist's fields render, off by default, with the people and agent pickers.
    assist = page.get_by_text("Answer slash commands with Assist", exact=True).first
    assist.scroll_into_view_if_needed()
    expect(assist).to_be_visible()
    expect(page.get_by_text("Add Slack users allowed")).to_be_visible()
    instance.screenshot(page, "options-assist")
    for label in (
        "Home Assistant user Assist acts as",
        re.compile("^Conversation agent"),
    ):
        field = page.get_by_text(label).first
        field.scroll_into_view_if_needed()
        expect(field).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_text("Slack webhook options")).to_be_hidden()


def test_event_entity_in_automation_editor(page: Page, instance: Instance) -> None:
    """The event entity exists; the answer blueprint's picker offers it, and only it."""
    page.goto(instance.url("/developer-tools/state"))
    expect(page.get_by_role("link", name=EVENT_ENTITY_ID)).to_be_visible()

    page.goto(instance.url("/config/blueprint/dashboard"))
    page.get_by_text("Ask on Slack and act on the answer").first.click()
    expect(page).to_have_url(re.compile("/config/automation/edit/new"))
    expect(page.get_by_text("Slack interaction", exact=True).first).to_be_visible()
    # Wait for both pickers: all() takes what has rendered so far.
    visible = page.get_by_text("Select an entity").filter(visible=True)
    expect(visible).to_have_count(2)
    pickers = visible.all()
    # Slack webhook, then Slack interaction.
    pickers.sort(key=lambda picker: (picker.bounding_box() or {"y": 0})["y"])
    pickers[1].click()
    choices = page.get_by_role("dialog", name="Select option")
    expect(choices.get_by_text("Slack interaction").first).to_be_visible()
    expect(choices.get_by_text("Pending messages")).to_have_count(0)
    choices.get_by_text("Slack interaction").first.click()
    expect(choices).to_be_hidden()


def _select_language(page: Page, language: str, settings: str) -> None:
    """Switch the frontend and the user's profile to language, as the profile page does.

    settings is the sidebar's Settings link in that language: seen, the
    frontend has loaded its translations and saved the choice.
    """
    page.wait_for_function("document.querySelector('home-assistant')?.hass")
    page.evaluate(
        "language => document.querySelector('home-assistant').dispatchEvent("
        "new CustomEvent('hass-language-select', {detail: language}))",
        language,
    )
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("link", name=settings)).to_be_visible()


def test_german(page: Page, instance: Instance) -> None:
    """With the frontend in German, the config flow and the options speak German.

    A translations/de.json that does not load or lacks a key shows here: the
    frontend would fall back to the English text or show the bare key.
    """
    page.goto(instance.url("/config/integrations/integration/slack_webhook"))
    _select_language(page, "de", "Einstellungen")
    try:
        page.goto(
            instance.url("/config/integrations/dashboard/add?domain=slack_webhook")
        )
        # The link asks first: "Möchtest du Slack Webhook einrichten?"
        expect(page.get_by_text("Slack Webhook einrichten")).to_be_visible()
        page.get_by_role("button", name="OK").click()
        expect(page.get_by_text("Slack-Webhook hinzufügen")).to_be_visible()
        expect(page.get_by_text("Wird als Titel des Eintrags")).to_be_visible()
        expect(page.get_by_text("Leer lassen, um direkt zu verbinden.")).to_be_visible()
        expect(page.get_by_text("Add a Slack webhook")).to_have_count(0)
        instance.screenshot(page, "config-flow-de")
        page.keyboard.press("Escape")
        expect(page.get_by_text("Slack-Webhook hinzufügen")).to_be_hidden()

        page.goto(instance.url("/config/integrations/integration/slack_webhook"))
        page.get_by_role(
            "button", name=re.compile("^(Konfigurieren|Optionen)$")
        ).first.click()
        expect(page.get_by_text("Optionen des Slack-Webhooks")).to_be_visible()
        expect(page.get_by_text("Zeitlimit").first).to_be_visible()
        for section in ("Wiederholungen", "Zustellung", "Slack-Interaktivität"):
            expect(page.get_by_text(section, exact=True)).to_be_visible()
        expect(page.get_by_text("Slack webhook options")).to_have_count(0)
        instance.screenshot(page, "options-de")
        page.keyboard.press("Escape")
        expect(page.get_by_text("Optionen des Slack-Webhooks")).to_be_hidden()
    finally:
        _select_language(page, "en", "Settings")


def test_no_errors_logged(instance: Instance) -> None:
    """Home Assistant logged no error or warning about the integration meanwhile.

    Its own, and Home Assistant's reports about it (a deprecated call), less
    the notice every custom integration gets (as scripts/_env.sh's
    integration_problems).
    """
    lines = instance.ha_log.read_text(encoding="utf-8").splitlines()
    logged = [
        line
        for line in lines
        if re.match(r"^\S+ \S+ (WARNING|ERROR|CRITICAL) .*slack_webhook", line)
        and CUSTOM_INTEGRATION_NOTICE not in line
    ]
    assert logged == []
