"""Open workflow files without ever waiting on something that is not a file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

# Opening a FIFO to read waits for a writer, forever if none comes; with
# O_NONBLOCK the open returns at once and fstat says what was opened.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows: islink() tells there

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


class NotAFile(OSError):
    """The path names a FIFO, a device, a socket or a folder; `kind` says which."""

    def __init__(self, kind: str, filename: str | None = None) -> None:
        super().__init__(f"{kind}, not a file")
        # What callers print of any OSError.
        self.strerror = f"{kind}, not a file"
        self.filename = filename
        self.kind = kind

    def __str__(self) -> str:
        return f"{self.kind}, not a file"


def kind_of(mode: int) -> str | None:
    """What a stat mode describes, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | Path, follow: bool = True) -> BinaryIO:
    """`path` opened for reading in binary; NotAFile unless it is a regular file
    (a symlink counts as what it points to, or, unless `follow`, as a link)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | (0 if follow else _NOFOLLOW))
    except OSError as e:
        if not follow and (e.errno == errno.ELOOP or os.path.islink(path)):
            raise NotAFile("a link") from None
        # A socket cannot be opened at all: "No such device or address" would
        # say the path is wrong, when it names something that is not a file.
        kind = kind_of(os.stat(path).st_mode) if e.errno == errno.ENXIO else None
        if kind is not None:
            raise NotAFile(kind) from None
        raise
    try:
        kind = kind_of(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotAFile(kind)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class TooLarge(OSError):
    """The file is larger than the reader's limit."""

    def __init__(self, size: int, limit: int) -> None:
        message = f"the file is {size / 2**20:.1f} MB, more than the {limit // 2**20} MB limit"
        super().__init__(message)
        self.strerror = message

    def __str__(self) -> str:
        return str(self.strerror)


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, never more than `limit`: NotAFile for
    a FIFO or device (which would block or never end), TooLarge past the limit."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise TooLarge(size, limit)
        data = f.read(limit + 1)  # a file growing meanwhile is read no further
    if len(data) > limit:
        raise TooLarge(len(data), limit)
    return data
