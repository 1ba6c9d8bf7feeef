"""Find the workflow files under the paths given on the command line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

SKIP_DIRS = {"node_modules", "venv", "__pycache__", "site-packages"}
_TOP_LEVEL_KEY = re.compile(rb"^procmap\s*:", re.MULTILINE)


def is_workflow(path: Path) -> bool:
    """A YAML file with a top-level `procmap:` key."""
    try:
        with path.open("rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return False
    return bool(_TOP_LEVEL_KEY.search(head))


def discover(path: Path) -> Iterator[Path]:
    """A file as given; a folder searched recursively, in sorted order."""
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                candidate = Path(root) / name
                if is_workflow(candidate):
                    yield candidate
