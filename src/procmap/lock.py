"""One `procmap build` at a time in an output folder, so two never mix their files."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path

if sys.platform != "win32":
    import fcntl


class FolderInUse(OSError):
    """Another process holds the folder; prints as any OSError: folder and reason."""


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold `folder` (made if missing) for the block, or raise FolderInUse at once.
    The lock is on the folder itself, so it leaves no file behind, and the
    system drops it when its holder ends, even killed."""
    folder.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":  # pragma: no cover - no advisory locks on folders
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderInUse(errno.EBUSY, "in use by another `procmap build`: wait for it "
                              "to finish, or build into another folder", str(folder)) from None
        yield
    finally:
        os.close(fd)  # and with it the lock
