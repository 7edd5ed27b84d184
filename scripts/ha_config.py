"""Seed a Home Assistant config dir's .storage: HTTP on 127.0.0.1, and slack_webhook entries.

Home Assistant keeps its HTTP settings in .storage/http (YAML is only
migrated once, as an unconfirmed trial that reverts after five minutes), so a
fresh config dir gets them there, confirmed. Login attempts are never
counted, so scripts that call the API cannot ban themselves.

    python3 scripts/ha_config.py CONFIG --port PORT [--entry ID TITLE URL [OPTIONS_JSON]]

writes CONFIG/.storage/http and, for each --entry, a slack_webhook config
entry into CONFIG/.storage/core.config_entries. Standard library only, so
the host's Python (3.11 on the project's machines) runs it too.
"""

import argparse
from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any


def write_http(config: Path, port: int) -> None:
    """Write .storage/http: Home Assistant's own defaults, on 127.0.0.1:port, confirmed."""
    settings = {
        "server_port": port,
        "server_host": ["127.0.0.1"],
        "cors_allowed_origins": ["https://cast.home-assistant.io"],
        "login_attempts_threshold": -1,
        "ip_ban_enabled": True,
        "ssl_profile": "modern",
        "use_x_frame_options": True,
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    data = {"stable": settings, "pending": None, "yaml_migration_done": True}
    _store(config, "http", 2, 2, data)


def slack_webhook_entry(
    entry_id: str, title: str, url: str, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a stored slack_webhook config entry named title for url."""
    return {
        "entry_id": entry_id,
        "domain": "slack_webhook",
        "title": title,
        "data": {"name": title, "url": url},
        "options": options or {},
        "source": "user",
        "version": 1,
        "minor_version": 1,
        "unique_id": None,
        "disabled_by": None,
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
    }


def write_entries(config: Path, entries: list[dict[str, Any]]) -> None:
    """Write .storage/core.config_entries holding exactly entries."""
    _store(config, "core.config_entries", 1, 1, {"entries": entries})


def _store(config: Path, key: str, version: int, minor: int, data: Any) -> None:
    """Write one .storage file in Home Assistant's Store format."""
    storage = config / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    content = {"version": version, "minor_version": minor, "key": key, "data": data}
    (storage / key).write_text(json.dumps(content, indent=2))


def main() -> None:
    """Seed the config dir the arguments name."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--port", type=int, required=True, help="Home Assistant's")
    parser.add_argument(
        "--entry",
        nargs="+",
        action="append",
        default=[],
        metavar="ID TITLE URL [OPTIONS_JSON]",
        help="a slack_webhook entry; may be given more than once",
    )
    args = parser.parse_args()
    write_http(args.config, args.port)
    if args.entry:
        write_entries(args.config, [_entry(values, parser) for values in args.entry])


def _entry(values: list[str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    """Return the entry one --entry's values describe."""
    if len(values) not in (3, 4):
        parser.error("--entry takes ID TITLE URL and optionally OPTIONS_JSON")
    options = json.loads(values[3]) if len(values) == 4 else None
    return slack_webhook_entry(values[0], values[1], values[2], options)


if __name__ == "__main__":
    main()
