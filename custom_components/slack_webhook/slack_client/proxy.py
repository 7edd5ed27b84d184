"""Reading a proxy setting: http://[user:password@]host:port, or host:port alone."""

from yarl import URL

from .errors import WebhookRequestError
from .urls import http_url

_AMBIGUOUS = frozenset("/?#\\")
"""Characters that end a URL's authority; raw in a userinfo, parsers disagree."""


def parse_proxy(proxy: str | None) -> URL | None:
    """Return the proxy as a URL (http:// assumed), or None when there is none.

    Credentials stay in the URL: aiohttp sends them only to the proxy, as
    Proxy-Authorization, for http and https targets alike (its proxy_auth
    argument is deprecated in aiohttp 3.14). The message of a refusal never
    holds the proxy URL.
    """
    if proxy is None or not proxy.strip():
        return None
    text = with_scheme(proxy.strip())
    if ambiguous_proxy(text):
        raise WebhookRequestError(
            "The proxy URL can be read two ways: percent-encode / ? # and \\ "
            "in its user and password"
        )
    parsed = http_url(text)
    if parsed is None:
        raise WebhookRequestError("The proxy must be an http(s) URL with a host")
    return parsed


def with_scheme(proxy: str) -> str:
    """Return a proxy URL with http:// put in front when it has no scheme."""
    return proxy if "://" in proxy else f"http://{proxy}"


def ambiguous_proxy(proxy: str) -> bool:
    """Return whether a proxy URL has a userinfo that people and parsers split apart.

    In `http://user:1234/x@proxy` a person sees the password `1234/x` for the
    host `proxy`; a URL parser sees the host `user`, port 1234 and a path.
    Any raw slash, backslash, ? or # before the last @ makes that split.
    """
    rest = proxy.partition("://")[2] or proxy
    userinfo, at, _ = rest.rpartition("@")
    return bool(at) and not _AMBIGUOUS.isdisjoint(userinfo)


def proxy_name(proxy: URL) -> str:
    """Return a proxy's host:port, never its credentials."""
    host = proxy.raw_host or ""
    return f"[{host}]:{proxy.port}" if ":" in host else f"{host}:{proxy.port}"
