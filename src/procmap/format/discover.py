"""Find the workflow files under the paths given on the command line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from procmap.format.files import NotAFile, open_regular

SKIP_DIRS = {"node_modules", "venv", "__pycache__", "site-packages"}
_TOP_LEVEL_KEY = re.compile(rb"^procmap\s*:", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file with a workflow's name that is not a file: a FIFO, a device..."""

    path: Path
    why: str


def is_workflow(path: Path) -> bool:
    """A YAML file with a top-level `procmap:` key; NotAFile for a FIFO, a device..."""
    try:
        with open_regular(path) as f:
            head = f.read(1 << 16)
    except NotAFile:
        raise
    except OSError:
        return False
    return bool(_TOP_LEVEL_KEY.search(head))


def discover(path: Path) -> Iterator[Path | Skipped]:
    """A file as given; a folder searched recursively, in sorted order. What
    only looks like a workflow file there is Skipped, never opened to wait."""
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                candidate = Path(root) / name
                try:
                    if is_workflow(candidate):
                        yield candidate
                except NotAFile as e:
                    yield Skipped(candidate, str(e))
