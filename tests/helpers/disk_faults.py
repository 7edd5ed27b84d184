"""Disk faults injected into the blocking file I/O of a store, for the files under one path prefix.

`DiskFaults(prefix)` patches the `os` functions such code calls (open, read,
pread, write, fsync, fdatasync, ftruncate, replace, unlink) while `active()`;
files whose path does not start with the prefix are left alone. Faults are
scheduled per operation: each call of an operation on a file under the
prefix takes the next fault scheduled for it, if any, and runs normally
otherwise. A write fault can keep some bytes (they reach the file, then the
error is raised: a short write followed by a failing one); a crash fault
freezes the disk: that call and every later one on the files fail, so what
is on disk is what a crash at that moment leaves, until `restart()`.
"""

from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
import errno
import os
from pathlib import Path
import threading
from typing import Any
from unittest.mock import patch

OPERATIONS = ("open", "read", "write", "sync", "truncate", "replace", "unlink")
"""What a fault can hit; "sync" is fsync and fdatasync, "read" is read and pread."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One failing call of an operation."""

    operation: str
    error: int = errno.EIO
    keep: int = 0
    """For a write: bytes that reach the file before the error."""
    crash: bool = False
    """The process dies here: nothing more reaches the disk until restart()."""


def enospc_after(keep: int) -> Fault:
    """Return a write that stores `keep` bytes, then finds the disk full."""
    return Fault("write", errno.ENOSPC, keep=keep)


class DiskFaults:
    """Scheduled faults for the files whose path starts with a prefix."""

    def __init__(self, prefix: Path | str) -> None:
        """Fault the files under `prefix` (a path or the start of a file name)."""
        self.prefix = str(prefix)
        self.calls: Counter[str] = Counter()
        """Calls of each operation on the files, faulted or not."""
        self.injected: list[Fault] = []
        self.crashed = False
        self._scheduled: dict[str, deque[Fault]] = {op: deque() for op in OPERATIONS}
        self._fds: set[int] = set()
        self._lock = threading.Lock()

    def schedule(self, *faults: Fault) -> None:
        """Make the next calls of each fault's operation fail, in this order."""
        with self._lock:
            for fault in faults:
                self._scheduled[fault.operation].append(fault)

    def fail(self, operation: str, count: int = 1, error: int = errno.EIO) -> None:
        """Make the next `count` calls of an operation fail with `error`."""
        self.schedule(*[Fault(operation, error)] * count)

    @property
    def pending(self) -> int:
        """Return how many scheduled faults have not struck yet."""
        with self._lock:
            return sum(len(faults) for faults in self._scheduled.values())

    def clear(self) -> None:
        """Forget the faults that have not struck."""
        with self._lock:
            for faults in self._scheduled.values():
                faults.clear()

    def restart(self) -> None:
        """End a crash: the files work again (as after a reboot)."""
        self.crashed = False

    @contextmanager
    def active(self) -> Iterator[None]:
        """Patch the os functions while in the block."""
        real = {name: getattr(os, name) for name in _PATCHED}
        with ExitStack() as stack:
            for name in _PATCHED:
                wrapper = getattr(self, f"_{name}")(real[name])
                stack.enter_context(patch.object(os, name, wrapper))
            yield

    def _matches(self, path: Any) -> bool:
        """Return whether a path is under the prefix."""
        return isinstance(path, str | os.PathLike) and os.fspath(path).startswith(
            self.prefix
        )

    def _strike(self, operation: str) -> Fault | None:
        """Count a call; return the fault it takes (or raise when crashed)."""
        with self._lock:
            self.calls[operation] += 1
            if self.crashed:
                raise OSError(errno.EIO, "crashed (simulated)")
            if not self._scheduled[operation]:
                return None
            fault = self._scheduled[operation].popleft()
            self.injected.append(fault)
            self.crashed = fault.crash
        return fault

    def _error(self, fault: Fault) -> OSError:
        """Return the fault's error."""
        return OSError(fault.error, os.strerror(fault.error))

    def _open(self, real: Callable[..., int]) -> Callable[..., int]:
        def opened(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if not self._matches(path):
                return real(path, flags, *args, **kwargs)
            if fault := self._strike("open"):
                raise self._error(fault)
            fd = real(path, flags, *args, **kwargs)
            with self._lock:
                self._fds.add(fd)
            return fd

        return opened

    def _close(self, real: Callable[[int], None]) -> Callable[[int], None]:
        def closed(fd: int) -> None:
            with self._lock:
                self._fds.discard(fd)
            real(fd)

        return closed

    def _on_fd(self, operation: str, real: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a function whose first argument is a file descriptor."""

        def call(fd: int, *args: Any) -> Any:
            if fd in self._fds and (fault := self._strike(operation)):
                raise self._error(fault)
            return real(fd, *args)

        return call

    def _read(self, real: Callable[..., bytes]) -> Callable[..., bytes]:
        return self._on_fd("read", real)

    def _pread(self, real: Callable[..., bytes]) -> Callable[..., bytes]:
        return self._on_fd("read", real)

    def _fsync(self, real: Callable[[int], None]) -> Callable[[int], None]:
        return self._on_fd("sync", real)

    def _fdatasync(self, real: Callable[[int], None]) -> Callable[[int], None]:
        return self._on_fd("sync", real)

    def _ftruncate(self, real: Callable[[int, int], None]) -> Callable[..., None]:
        return self._on_fd("truncate", real)

    def _write(self, real: Callable[[int, Any], int]) -> Callable[[int, Any], int]:
        def written(fd: int, data: Any) -> int:
            if fd not in self._fds or not (fault := self._strike("write")):
                return real(fd, data)
            if fault.keep:
                real(fd, bytes(data[: fault.keep]))
            raise self._error(fault)

        return written

    def _replace(self, real: Callable[..., None]) -> Callable[..., None]:
        def replaced(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if (self._matches(src) or self._matches(dst)) and (
                fault := self._strike("replace")
            ):
                raise self._error(fault)
            real(src, dst, *args, **kwargs)

        return replaced

    def _unlink(self, real: Callable[..., None]) -> Callable[..., None]:
        def unlinked(path: Any, *args: Any, **kwargs: Any) -> None:
            if self._matches(path) and (fault := self._strike("unlink")):
                raise self._error(fault)
            real(path, *args, **kwargs)

        return unlinked


_PATCHED = (
    "open",
    "close",
    "read",
    "pread",
    "write",
    "fsync",
    "fdatasync",
    "ftruncate",
    "replace",
    "unlink",
)
