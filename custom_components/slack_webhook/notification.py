"""Map a notify message and title onto Slack message fields.

`notify.send_message` with a message only posts `{"text": message}`.

With a title it posts:

- `text`: `*title*` and the message on the next line. Slack shows it in
  notifications and where blocks cannot be shown.
- `blocks`: a `header` block with the title as plain text (cut to Slack's 150
  characters), then the message as mrkdwn in `section` blocks of at most 3,000
  characters each, split at line breaks or spaces where possible. An empty
  message adds no section.

The message is Slack mrkdwn (`*bold*`, `<https://example.com|links>`); the
title is plain text in the header.

A Workflow Builder trigger gets `{"variables": {text: message, title: title}}`
instead, under the variable names the entry's options set (the title only
when there is one).
"""

from typing import Any, Final

from .options import EntryOptions

MAX_HEADER: Final = 150
MAX_SECTION: Final = 3_000
ELLIPSIS: Final = "…"


def notification_fields(message: str, title: str | None) -> dict[str, Any]:
    """Return the message fields for a notify message and optional title."""
    if not title:
        return {"text": message}
    return {
        "text": f"*{title}*\n{message}" if message else f"*{title}*",
        "blocks": [header_block(title), *section_blocks(message)],
    }


def trigger_fields(
    message: str, title: str | None, options: EntryOptions
) -> dict[str, Any]:
    """Return the variables of a trigger for a notify message and optional title."""
    variables = {options.text_variable: message}
    if title:
        variables[options.title_variable] = title
    return {"variables": variables}


def header_block(title: str) -> dict[str, Any]:
    """Return a header block showing the title, cut to Slack's limit."""
    if len(title) > MAX_HEADER:
        title = title[: MAX_HEADER - len(ELLIPSIS)] + ELLIPSIS
    return {"type": "header", "text": {"type": "plain_text", "text": title}}


def section_blocks(message: str) -> list[dict[str, Any]]:
    """Return mrkdwn section blocks holding the message; blank parts are left out."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in split_text(message, MAX_SECTION)
        if chunk.strip()
    ]


def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most limit characters."""
    chunks: list[str] = []
    while len(text) > limit:
        end, rest = cut_points(text, limit)
        chunks.append(text[:end])
        text = text[rest:]
    chunks.append(text)
    return chunks


def cut_points(text: str, limit: int) -> tuple[int, int]:
    """Return where a chunk ends and the rest begins, preferring a line break, then a space."""
    for separator in ("\n", " "):
        cut = text.rfind(separator, limit // 2, limit + 1)
        if cut != -1:
            return cut, cut + 1
    return limit, limit
