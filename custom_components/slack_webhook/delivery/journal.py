"""The outbox's file: an append-only journal of JSON lines, compacted by rewriting.

Blocking file I/O only; the outbox runs these functions in the executor. Each
line is one JSON object. A write ends with fdatasync, so what was appended
survives a crash of the process or the machine once the function returns;
a write that fails leaves nothing of its data in the file.
"""

from contextlib import suppress
import os
from pathlib import Path
import re

_READ_SIZE = 1 << 20
_LINE = re.compile(rb"[^\n]+\n")
"""A complete line that is not empty."""


class TornError(OSError):
    """An append failed and the file could not be cut back: it may end in part of the data."""


def read(path: Path) -> tuple[list[bytes], bool] | None:
    """Return the file's complete lines, each with its newline, and whether a torn last line was left out.

    None when there is no file. A crash in the middle of an append leaves a
    last line without its newline: that write was never acknowledged. The
    lines are cut from the file's bytes once, so a caller can keep them as
    they are.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        data = _read_all(fd)
    finally:
        os.close(fd)
    lines = [match[0] for match in _LINE.finditer(data)]
    return lines, not data.endswith(b"\n") and bool(data)


def append(path: Path, data: bytes) -> None:
    """Append data durably, starting on a line of its own; a new file's name is synced too.

    If anything fails, the file is cut back to its size before, so no part
    of data stays to be glued to the next line (TornError when that fails too).
    """
    fd = _open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # after a torn line no cutting back removed
        try:
            _write_all(fd, data)
            _sync(fd)
            if not size:
                _sync_directory(path.parent)
        except OSError as err:
            _cut_back(fd, size, err)
            raise
    finally:
        os.close(fd)


def rewrite(path: Path, data: bytes) -> None:
    """Replace the file with data atomically: a crash leaves the old or the new one."""
    temporary = _temporary(path)
    try:
        fd = _open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            _write_all(fd, data)
            _sync(fd)
        finally:
            os.close(fd)
        temporary.replace(path)
    except OSError:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def keep_aside(path: Path, suffix: str) -> Path:
    """Move the file to `<name>.<suffix>`, so no write replaces it; return the new path.

    A file kept aside before under that name stays: the new one is numbered.
    """
    aside = path.with_name(f"{path.name}.{suffix}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.{suffix}-{number}")
    path.replace(aside)
    return aside


def remove(path: Path) -> None:
    """Delete the file and a rewrite's leftover temporary file, if they exist."""
    path.unlink(missing_ok=True)
    _temporary(path).unlink(missing_ok=True)


def _temporary(path: Path) -> Path:
    """Return the name a rewrite writes to before it replaces the file."""
    return path.with_name(f"{path.name}.tmp")


def _open(path: Path, flags: int) -> int:
    """Open a file for writing, making its directory if there is none yet."""
    try:
        return os.open(path, flags, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, flags, 0o600)


def _read_all(fd: int) -> bytes:
    """Read a file to its end."""
    chunks = []
    while chunk := os.read(fd, _READ_SIZE):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of data, however many calls it takes."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _cut_back(fd: int, size: int, err: OSError) -> None:
    """Cut the file back to `size` after err, durably; raise TornError if that fails."""
    try:
        os.ftruncate(fd, size)
        _sync(fd)
    except OSError as cut:
        raise TornError(*err.args) from cut


def _sync(fd: int) -> None:
    """Make a file's data durable (fdatasync where the system has it)."""
    getattr(os, "fdatasync", os.fsync)(fd)


def _sync_directory(directory: Path) -> None:
    """Make a new or renamed file's name durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
