"""Write files so that a crash never leaves one half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from procmap.format.files import NotAFile, kind_of


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside the file `path` names, then rename it into
    place. A symlink is written through: its target is replaced and the link
    stays. Anything but a regular file (a device, a FIFO, a folder) is refused
    with NotAFile: replacing /dev/null, or a FIFO someone reads, with a file
    would break it."""
    try:
        mode: int | None = os.stat(path).st_mode  # follows links
    except FileNotFoundError:
        mode = None  # a new file, or a link to one not written yet
    if mode is not None:
        kind = kind_of(mode)
        if kind is not None:
            raise NotAFile(kind, str(path))
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        # The temporary name is procmap's: a name long enough to fit alone
        # but not with ".<name>.xxxxxxxx.tmp" must be told by its own name.
        e.filename = str(path)
        raise
    try:
        # mkstemp makes the file private (0600); give it the mode of the file
        # it replaces, else what the umask allows, like any other new file.
        os.chmod(tmp, mode & 0o7777 if mode is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            # A full disk names no file, a failed rename the temporary one:
            # either way the reader knows the file by its own name.
            e.filename, e.filename2 = str(path), None
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
