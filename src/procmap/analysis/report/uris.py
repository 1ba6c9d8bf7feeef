"""Where a reported file is, as CI tools want it: relative to the repository root.

GitHub code scanning and GitLab match a report's paths against the
repository's files, so a path relative to the current folder (`procmap
analyze .` run from a subfolder) would point nowhere.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from urllib.parse import quote

SRCROOT = "%SRCROOT%"


def repository_root(start: Path | None = None) -> Path:
    """The git repository holding `start` (default: the current folder), else `start`."""
    here = (start or Path.cwd()).resolve()
    return next((f for f in (here, *here.parents) if (f / ".git").exists()), here)


def _relative(file: str, root: Path) -> PurePath | None:
    if file == "-":
        return None
    try:
        return Path(file).resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return None


def relative_path(file: str, root: Path | None = None) -> str:
    """`file` relative to the repository root, with /; as given when outside it."""
    rel = _relative(file, root or repository_root())
    return rel.as_posix() if rel is not None else PurePath(file).as_posix()


def artifact_location(file: str, root: Path) -> dict[str, str]:
    """A SARIF artifactLocation: a percent-encoded URI relative to %SRCROOT%, or
    an absolute file: URI for a file outside the repository."""
    rel = _relative(file, root)
    if rel is not None:
        return {"uri": quote(rel.as_posix()), "uriBaseId": SRCROOT}
    if file == "-":
        return {"uri": "stdin"}
    return {"uri": Path(file).resolve().as_uri()}


def root_uri(root: Path) -> str:
    """The SARIF originalUriBaseIds value of the root: a file: URI ending in /."""
    return root.as_uri().rstrip("/") + "/"
