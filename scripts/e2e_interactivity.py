"""The end-to-end check of Slack interactivity against a running Home Assistant.

Run by scripts/e2e-interactivity, which starts Home Assistant (scripts/develop)
with an interactive entry and an automation: a click on a button, triggered by
the entry's event entity, answers through slack_webhook.respond. This posts to
the Request URL as Slack would and reads what the sink received. Standard
library only, so it runs on the host's Python.

    python scripts/e2e_interactivity.py HA_URL WEBHOOK_ID SECRET SINK_ORIGIN SINK_RECORD
"""

import argparse
import hashlib
import hmac
import json
from pathlib import Path
import time
import urllib.error
import urllib.parse
import urllib.request

RESPONSE_PATH = "/actions/T000/1/e2e"
EXPECTED_TEXT = "Garage closed by alice (close_garage)"


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """Post a body to an http URL; return the status and the answer's body."""
    if not url.startswith("http://"):
        raise ValueError(url)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def signed(body: bytes, secret: str) -> dict[str, str]:
    """Return Slack's headers for a body signed now with secret."""
    timestamp = str(int(time.time()))
    digest = hmac.new(
        secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def click(response_url: str) -> bytes:
    """Return the form body of a click on the close_garage button."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ALICE", "username": "alice", "name": "alice"},
        "team": {"id": "T000", "domain": "e2e"},
        "channel": {"id": "C000", "name": "ops"},
        "message": {"ts": "1712345678.123456", "text": "The garage is open"},
        "response_url": response_url,
        "trigger_id": "1.2.e2e",
        "actions": [{"type": "button", "action_id": "close_garage", "value": "close"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def answers(record: Path) -> list[dict[str, object]]:
    """Return the bodies the sink received at the response_url."""
    if not record.exists():
        return []
    lines = [json.loads(line) for line in record.read_text().splitlines() if line]
    return [line["body"] for line in lines if line["path"] == RESPONSE_PATH]


def check(condition: bool, what: str) -> None:
    """Print a passed check, or fail with it."""
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}", flush=True)


def wait_until_registered(url: str, body: bytes, headers: dict[str, str]) -> None:
    """Wait for Home Assistant to refuse an unsigned click: ours is registered then.

    Home Assistant answers 200 to webhooks nobody registered.
    """
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if post(url, body, headers)[0] == 401:
                return
        except OSError:
            pass  # Home Assistant is still starting.
        time.sleep(1)
    raise SystemExit("FAILED: the Request URL was not registered in time")


def main() -> None:
    """Run the checks in order."""
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("ha_url", "webhook_id", "secret", "sink_origin", "sink_record"):
        parser.add_argument(name)
    args = parser.parse_args()
    url = f"{args.ha_url}/api/webhook/{args.webhook_id}"
    record = Path(args.sink_record)
    body = click(args.sink_origin + RESPONSE_PATH)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    wait_until_registered(url, body, form)

    check(post(url, body, form) == (401, b""), "an unsigned click gets 401, empty")
    check(
        post(url, body, signed(body, "not-the-secret")) == (401, b""),
        "a click signed with another secret gets 401, empty",
    )
    time.sleep(3)
    check(answers(record) == [], "refused clicks changed nothing at the sink")

    headers = signed(body, args.secret)
    check(post(url, body, headers) == (200, b""), "a signed click gets 200, empty")
    deadline = time.monotonic() + 30
    while not answers(record) and time.monotonic() < deadline:
        time.sleep(0.5)
    check(
        answers(record) == [{"text": EXPECTED_TEXT, "replace_original": True}],
        "the automation replaced the message through the response_url",
    )

    check(post(url, body, headers) == (401, b""), "the same click again is refused")
    time.sleep(3)
    check(len(answers(record)) == 1, "the replayed click changed nothing")


if __name__ == "__main__":
    main()
