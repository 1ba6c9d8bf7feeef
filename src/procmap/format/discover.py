"""Find the workflow files under the paths given on the command line.

A folder search skips what git ignores (every `.gitignore` from the
repository root down, and `.git/info/exclude`) and what the config's
`exclude` names, so `procmap analyze .` reads the committed workflows, not
generated copies under out/. A file named on the command line is always read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from procmap.format.files import NotAFile, open_regular

SKIP_DIRS = {"node_modules", "venv", "__pycache__", "site-packages"}
_TOP_LEVEL_KEY = re.compile(rb"^procmap\s*:", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file with a workflow's name that is not a file: a FIFO, a device..."""

    path: Path
    why: str


@dataclass(frozen=True, slots=True)
class Patterns:
    """gitignore-style patterns, relative to the folder `base`."""

    base: Path
    spec: pathspec.GitIgnoreSpec

    @classmethod
    def of(cls, base: Path, lines: Iterable[str]) -> Patterns:
        """The patterns of `lines`; one git cannot read matches nothing, as in git."""
        return cls(base.resolve(), pathspec.GitIgnoreSpec.from_lines(
            [line for line in lines if pattern_error(line) is None]))

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True: ignored, False: explicitly kept (`!pattern`), None: no pattern says."""
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        return self.spec.check_file(rel + "/" if is_dir else rel).include


def pattern_error(line: str) -> str | None:
    """Why a gitignore-style pattern cannot be read (a lone `!`, a trailing
    backslash, a range such as [z-a]), or None."""
    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except (ValueError, re.error) as e:
        return re.sub(r" at position \d+$", "", str(e))  # of pathspec's regex, not the line
    return None


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


def _read_patterns(file: Path, base: Path) -> list[Patterns]:
    try:
        with open_regular(file) as f:
            text = f.read(1 << 20).decode("utf-8", "replace")
    except OSError:  # none there, a FIFO, unreadable: git would not use it either
        return []
    return [Patterns.of(base, text.splitlines())]


def _git_ignores(folder: Path) -> list[Patterns]:
    """The ignore files that apply to `folder`, outermost first: those of the
    enclosing repository's folders down to `folder` itself."""
    folder = folder.resolve()
    chain = [folder, *folder.parents]
    top = next((i for i, f in enumerate(chain) if (f / ".git").exists()), None)
    if top is None:
        return _read_patterns(folder / ".gitignore", folder)
    root = chain[top]
    found = _read_patterns(root / ".git" / "info" / "exclude", root)
    for f in reversed(chain[:top + 1]):
        found += _read_patterns(f / ".gitignore", f)
    return found


def _ignored(path: Path, is_dir: bool, ignores: list[Patterns]) -> bool:
    # As git: the deepest ignore file with a matching pattern decides.
    for patterns in reversed(ignores):
        verdict = patterns.verdict(path, is_dir)
        if verdict is not None:
            return verdict
    return False


def discover(path: Path, exclude: Patterns | None = None) -> Iterator[Path | Skipped]:
    """A file as given; a folder searched recursively, in sorted order, past
    what git ignores and what `exclude` names. What only looks like a
    workflow file there is Skipped, never opened to wait."""
    if not path.is_dir():
        yield path
        return
    ignores: dict[Path, list[Patterns]] = {path: _git_ignores(path)}

    def skip(p: Path, is_dir: bool, inherited: list[Patterns]) -> bool:
        absolute = p.resolve() if is_dir else p.parent.resolve() / p.name
        if exclude is not None and exclude.verdict(absolute, is_dir):
            return True
        return _ignored(absolute, is_dir, inherited)

    for root, dirs, files in os.walk(path):
        here = Path(root)
        inherited = ignores.pop(here)
        for d in sorted(dirs):
            sub = here / d
            if d.startswith(".") or d in SKIP_DIRS or skip(sub, True, inherited):
                continue
            ignores[sub] = inherited + _read_patterns(sub / ".gitignore", sub.resolve())
        dirs[:] = sorted(d for d in dirs if here / d in ignores)
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")) or name.startswith("."):
                continue
            candidate = here / name
            if skip(candidate, False, inherited):
                continue
            try:
                if is_workflow(candidate):
                    yield candidate
            except NotAFile as e:
                yield Skipped(candidate, str(e))
