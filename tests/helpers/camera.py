"""A camera double whose snapshot the test sets, and Home Assistant's external URL for pictures."""

import asyncio

from homeassistant.components.camera import Camera

EXTERNAL_URL = "https://ha.example.com"
CAMERA = "camera.front_door"
JPEG = b"\xff\xd8\xff\xe0" + b"front door " * 100


class SnapshotCamera(Camera):
    """A camera that returns `snapshot` and counts its reads; it can also hang."""

    def __init__(
        self,
        name: str = "Front door",
        unique_id: str = "front_door",
        snapshot: bytes | None = JPEG,
        content_type: str = "image/jpg",
    ) -> None:
        """Start with the given snapshot and no read."""
        super().__init__()
        self._attr_name = name
        self._attr_unique_id = unique_id
        self.content_type = content_type
        self.snapshot = snapshot
        self.hang = False
        self.reads = 0

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """Count the read; return the snapshot, or wait for ever when hanging."""
        self.reads += 1
        if self.hang:
            await asyncio.Event().wait()
        return self.snapshot
