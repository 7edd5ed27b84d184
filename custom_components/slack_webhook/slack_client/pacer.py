"""The pacer interface: what the client asks of whoever spaces out its sends."""

from typing import Protocol


class Pacer(Protocol):
    """Spaces out sends to one webhook; implemented by the delivery side."""

    def try_acquire(self) -> bool:
        """Take the next send slot if it is free now; return whether it was."""

    async def acquire(self) -> None:
        """Wait for the next send slot."""

    def pause(self, seconds: float) -> None:
        """Hold off all sends for this many seconds: the webhook asked to."""
