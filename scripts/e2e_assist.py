"""The end-to-end check of slash commands answered by Assist, against a running Home Assistant.

Run by scripts/e2e-assist. `seed` writes the config dir's .storage/auth with
one non-administrator user, "Slack", for Assist to act as; `check` posts
/home commands to the Request URL as Slack would (one from an allowed user,
one from a user not listed) and reads what the sink received: the answers at
each command's response_url, and the automation's report of the switch's
state (which names the user that changed it). Standard library only, so it
runs on the host's Python.

    python scripts/e2e_assist.py seed CONFIG USER_ID
    python scripts/e2e_assist.py check HA_URL WEBHOOK_ID SECRET SINK_ORIGIN SINK_RECORD USER_ID
"""

import argparse
import json
from pathlib import Path
import time
import urllib.parse

from e2e_interactivity import check, click, post, signed, wait_until_registered

ALLOWED_PATH = "/commands/T000/1/allowed"
REFUSED_PATH = "/commands/T000/2/refused"
HOOK_PATH = "/services/T000/B000/e2e"
REFUSAL = (
    "You are not allowed to use Home Assistant from Slack. "
    "Ask its administrator to add your Slack member id."
)
SYSTEM_GROUPS = [
    {"id": "system-admin", "name": "Administrators"},
    {"id": "system-users", "name": "Users"},
    {"id": "system-read-only", "name": "Read Only"},
]


def seed(config: Path, user_id: str) -> None:
    """Write .storage/auth holding one active user who is not an administrator."""
    user = {
        "id": user_id,
        "group_ids": ["system-users"],
        "is_owner": False,
        "is_active": True,
        "name": "Slack",
        "system_generated": False,
        "local_only": False,
    }
    data = {
        "users": [user],
        "groups": SYSTEM_GROUPS,
        "credentials": [],
        "refresh_tokens": [],
    }
    content = {"version": 1, "minor_version": 1, "key": "auth", "data": data}
    storage = config / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / "auth").write_text(json.dumps(content, indent=2))


def command(text: str, user_id: str, response_url: str) -> bytes:
    """Return the form body of `/home text` typed by user_id in #ops."""
    return urllib.parse.urlencode(
        {
            "team_id": "T000",
            "team_domain": "e2e",
            "channel_id": "C000",
            "channel_name": "ops",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/home",
            "text": text,
            "response_url": response_url,
            "trigger_id": "1.2.e2e",
        }
    ).encode()


def received(record: Path, path: str) -> list[str]:
    """Return the texts the sink received at a path."""
    if not record.exists():
        return []
    lines = [json.loads(line) for line in record.read_text().splitlines() if line]
    return [line["body"].get("text", "") for line in lines if line["path"] == path]


def wait_for(record: Path, path: str, count: int) -> list[str]:
    """Wait up to 30 s for count texts at a path; return those received."""
    deadline = time.monotonic() + 30
    while len(received(record, path)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return received(record, path)


def run_checks(args: argparse.Namespace) -> None:
    """Drive a refused and an allowed command; check the switch and the answers."""
    url = f"{args.ha_url}/api/webhook/{args.webhook_id}"
    record = Path(args.sink_record)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    wait_until_registered(url, click(args.sink_origin + "/actions/T000/0/x"), form)

    refused = command(
        "turn on the kitchen", "U0MALLORY", args.sink_origin + REFUSED_PATH
    )
    check(
        post(url, refused, signed(refused, args.secret)) == (200, b""), "refused: 200"
    )
    check(
        wait_for(record, REFUSED_PATH, 1) == [REFUSAL],
        "a user not listed gets the refusal at the response_url",
    )
    time.sleep(3)
    check(received(record, HOOK_PATH) == [], "the refused command changed nothing")

    allowed = command("turn on the kitchen", "U0ALICE", args.sink_origin + ALLOWED_PATH)
    headers = signed(allowed, args.secret)
    started = time.monotonic()
    check(post(url, allowed, headers) == (200, b""), "allowed: 200")
    print(f"acknowledged in {(time.monotonic() - started) * 1000:.0f} ms", flush=True)
    check(
        wait_for(record, ALLOWED_PATH, 1) == ["Turned on the switch"],
        "Assist's answer reached the response_url",
    )
    check(
        wait_for(record, HOOK_PATH, 1) == [f"kitchen on by {args.user_id}"],
        "the switch is on, turned on by the user Assist acts as",
    )
    check(post(url, allowed, headers) == (401, b""), "the same command again gets 401")
    time.sleep(3)
    check(len(received(record, ALLOWED_PATH)) == 1, "the replay reached no agent")


def main() -> None:
    """Seed a config dir or run the checks."""
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="step", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("config", type=Path)
    seeding.add_argument("user_id")
    checking = commands.add_parser("check")
    for name in (
        "ha_url",
        "webhook_id",
        "secret",
        "sink_origin",
        "sink_record",
        "user_id",
    ):
        checking.add_argument(name)
    args = parser.parse_args()
    if args.step == "seed":
        seed(args.config, args.user_id)
    else:
        run_checks(args)


if __name__ == "__main__":
    main()
