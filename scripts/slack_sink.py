"""A Slack-like incoming webhook on loopback that prints what it receives.

Any POST path is a hook: it answers 200 `ok` to a JSON body with text, blocks or
attachments, and 400 `no_text` otherwise, as Slack does. With `--record FILE` it
also appends every JSON body it receives to FILE, one `{"path", "body"}` line each.
"""

import argparse
import json
from pathlib import Path

from aiohttp import web

RECORD: web.AppKey[Path | None] = web.AppKey("record", Path | None)


async def _receive(request: web.Request) -> web.Response:
    """Print one message and answer like Slack."""
    try:
        body = await request.json()
    except ValueError:
        return web.Response(status=400, text="invalid_payload")
    print(f"[slack-sink] POST {request.path}\n{json.dumps(body, indent=2)}", flush=True)
    if (record := request.app[RECORD]) is not None:
        with record.open("a", encoding="utf-8") as file:
            file.write(json.dumps({"path": request.path, "body": body}) + "\n")
    if not isinstance(body, dict) or not (
        body.get("text")
        or body.get("blocks")
        or body.get("attachments")
        or body.get("delete_original")
    ):
        return web.Response(status=400, text="no_text")
    return web.Response(text="ok")


def main() -> None:
    """Serve the sink until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--record", type=Path, help="append each received JSON body to this file"
    )
    args = parser.parse_args()
    app = web.Application()
    app[RECORD] = args.record
    app.router.add_post("/{path:.*}", _receive)
    print(
        f"[slack-sink] webhook URL: http://127.0.0.1:{args.port}/services/T000/B000/dev",
        flush=True,
    )
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
