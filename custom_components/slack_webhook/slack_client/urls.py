"""What a webhook or proxy URL must be: absolute http(s), and https unless local."""

from ipaddress import ip_address

from yarl import URL


def http_url(text: str) -> URL | None:
    """Return text as an absolute http(s) URL, or None if it is not one."""
    try:
        parsed = URL(text)
    except TypeError, ValueError:
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed


def cleartext_to_remote(url: URL) -> bool:
    """Return whether a URL would send in the clear (http) to another machine."""
    return url.scheme == "http" and not is_loopback(url.host or "")


def is_loopback(host: str) -> bool:
    """Return whether a host is this machine."""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
