"""Request headers: the User-Agent, the fixed Content-Type and the merge rules."""

from collections.abc import Mapping
import json
from pathlib import Path
import platform
import string
import sys

import aiohttp
from multidict import CIMultiDict

from .errors import WebhookRequestError

CONTENT_TYPE = "application/json;charset=utf-8"
RESERVED_HEADERS = frozenset(
    {"content-type", "content-length", "transfer-encoding", "host"}
)
"""Headers the HTTP client sets itself; a message's own headers may not set them."""
_TOKEN = frozenset("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits)
"""The characters of an HTTP header name (RFC 9110 token)."""


def _integration_version() -> str:
    """Return the integration's version from its manifest."""
    manifest = Path(__file__).parent.parent / "manifest.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


USER_AGENT = " ".join(
    (
        f"Python/{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}",
        f"slackwebhookha/{_integration_version()}",
        f"aiohttp/{aiohttp.__version__}",
        f"{platform.system()}/{platform.release()}",
    )
)
"""Python, this integration, aiohttp and the OS, as slack_sdk's get_user_agent."""


def user_agent(prefix: str | None = None, suffix: str | None = None) -> str:
    """Return the User-Agent value with an optional prefix and suffix."""
    return " ".join(part for part in (prefix, USER_AGENT, suffix) if part)


def base_headers(
    default_headers: Mapping[str, str] | None, agent: str
) -> CIMultiDict[str]:
    """Return the headers of every request: defaults, User-Agent, Content-Type.

    As in slack_sdk, the User-Agent built from prefix and suffix replaces one
    in the defaults; a request's own headers may still replace it.
    """
    headers = CIMultiDict(_checked(default_headers or {}))
    headers.update(_checked({"User-Agent": agent}))
    headers["Content-Type"] = CONTENT_TYPE
    return headers


def request_headers(
    base: CIMultiDict[str], extra: Mapping[str, str] | None
) -> CIMultiDict[str]:
    """Return a copy of the base headers with a request's own merged over them."""
    headers = base.copy()
    headers.update(_checked(extra or {}))
    return headers


def _checked(headers: Mapping[str, str]) -> Mapping[str, str]:
    """Return the headers unchanged, or refuse an unsafe name or value."""
    if not isinstance(headers, Mapping):
        raise WebhookRequestError("Headers must be a mapping")
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str) or not name:
            raise WebhookRequestError("Header names and values must be strings")
        if not valid_header_name(name):
            raise WebhookRequestError(f"{name!r} is not an HTTP header name")
        if not valid_header_value(value):
            raise WebhookRequestError(
                f"Header {name!r} contains a line break or control character"
            )
        if name.lower() == "content-type" and not _is_json(value):
            raise WebhookRequestError(f"The Content-Type is always {CONTENT_TYPE}")
    return headers


def valid_header_name(name: str) -> bool:
    """Return whether a header name is a non-empty HTTP token."""
    return bool(name) and _TOKEN.issuperset(name)


def valid_header_value(value: str) -> bool:
    """Return whether a header value is free of control characters (tab allowed)."""
    return not any((char < " " and char != "\t") or char == "\x7f" for char in value)


def _is_json(content_type: str) -> bool:
    """Return whether a Content-Type value is the one this client sends."""
    return "".join(content_type.split()).lower() == CONTENT_TYPE
