"""Masking the secret parts of webhook and proxy URLs for logs, diagnostics and forms."""

import re
from urllib.parse import urlsplit

MASK = "***"
LONG_SEGMENT = 20
"""Path segments this long are masked too: tokens that sit before a suffix."""
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


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


def split_proxy(proxy: str) -> tuple[str, str | None, str]:
    """Return a proxy URL's `scheme://` (or ""), its raw userinfo (or None) and the rest.

    The userinfo is everything between the scheme and the last @, which holds
    the credentials whatever the form: no scheme, an empty user, a user alone,
    percent-encoded or ambiguous (a raw / before the @).
    """
    scheme = _SCHEME.match(proxy)
    head = scheme.group() if scheme else ""
    userinfo, at, rest = proxy[len(head) :].rpartition("@")
    return (head, userinfo, rest) if at else (head, None, proxy[len(head) :])


def redact_proxy(proxy: str, mask: str = MASK) -> str:
    """Return a proxy URL with its user and password each replaced by mask.

    Both are masked whenever there are credentials, so the text shows neither
    them nor which of the two was set.
    """
    head, userinfo, rest = split_proxy(proxy)
    return proxy if userinfo is None else f"{head}{mask}:{mask}@{rest}"
