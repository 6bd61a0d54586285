"""Opening a returned file without trusting what the folder holds: a FIFO, socket or device
must never be opened for reading (a FIFO blocks `open()` forever), and a file over the size
limit is hashed in blocks, never read whole into memory."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from consolidate.reading import guard

BLOCK = 1 << 20
_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "directory"),
)


class NotRegular(OSError):
    """The path is not a regular file (see special_kind)."""


def special_kind(mode: int) -> str | None:
    """'FIFO', 'socket', ... for anything but a regular file; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "special file"


def open_regular(path: Path | str) -> tuple[int, os.stat_result]:
    """A read-only descriptor on a regular file, and its stat. O_NONBLOCK: opening a FIFO
    then returns at once instead of waiting for a writer, and fstat tells what was opened."""
    kind = special_kind(os.stat(path).st_mode)  # a socket or device is not even opened
    if kind is not None:
        raise NotRegular(kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        kind = special_kind(info.st_mode)
        if kind is not None:
            raise NotRegular(kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def sha256_of(path: Path | str) -> tuple[str, int]:
    """(sha256, size) read in blocks: flat memory whatever the size. Raises OSError
    (NotRegular for a FIFO, socket, device) instead of blocking."""
    fd, _info = open_regular(path)
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def read_limited(path: Path | str, limit: int = guard.MAX_FILE_BYTES) -> bytes | None:
    """The whole file if it is a regular file of at most `limit` bytes, else None (over the
    limit: never read). Raises OSError when it cannot be opened."""
    fd, info = open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            return None
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None
