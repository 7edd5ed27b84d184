"""The HTTP view that serves stored pictures to Slack, without authentication.

Slack cannot authenticate, so the random 128-bit id in the path is the only
secret; the view answers 404 alike for ids that never existed, have expired
or are malformed, and never logs them.
"""

from typing import Final

from aiohttp import web

from homeassistant.helpers.http import HomeAssistantView

from ..const import DOMAIN
from .store import IMAGE_PATH, ImageStore

HEADERS: Final = {
    "Cache-Control": "private",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}
NOT_FOUND_HEADERS: Final = {**HEADERS, "Cache-Control": "no-store"}


class ImageView(HomeAssistantView):
    """Serves a picture by its id."""

    url = IMAGE_PATH + "{image_id}"
    name = f"api:{DOMAIN}:image"
    requires_auth = False

    def __init__(self, store: ImageStore) -> None:
        """Serve the pictures of `store`."""
        self._store = store

    async def get(self, request: web.Request, image_id: str) -> web.Response:
        """Return the picture's bytes with its content type, or 404."""
        if (found := await self._store.async_read(image_id)) is None:
            return web.Response(status=404, headers=NOT_FOUND_HEADERS)
        content_type, content = found
        return web.Response(
            body=content, headers={**HEADERS, "Content-Type": content_type}
        )

    head = get
