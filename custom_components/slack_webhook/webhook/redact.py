"""Masking the secret parts of a webhook URL for logs, diagnostics and answers."""

from urllib.parse import urlsplit

MASK = "***"
LONG_SEGMENT = 20
"""Path segments this long are masked too: tokens that sit before a suffix."""


def redact_url(url: str) -> str:
    """Return scheme://host[:port]/path without userinfo, query or fragment, secrets masked.

    The last non-empty path segment is the secret of Slack, Mattermost and
    Rocket.Chat hooks and of Slack response_urls. Segments of LONG_SEGMENT or
    more characters are masked as well, so a token followed by a fixed suffix
    (Discord's `/api/webhooks/<id>/<token>/slack`) does not leak either.
    Anything that is not an absolute URL is masked entirely.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if not parts.scheme or not parts.netloc:
        return MASK
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{_redact_path(parts.path)}"


def _redact_path(path: str) -> str:
    """Mask the last non-empty segment of a path and every long one."""
    segments = path.split("/")
    last = max((i for i, segment in enumerate(segments) if segment), default=-1)
    return "/".join(
        MASK if i == last or len(segment) >= LONG_SEGMENT else segment
        for i, segment in enumerate(segments)
    )
