"""The library `procmap build` wrote, as any publish target reads it:
target-neutral. A target checks what it needs beyond this (a page format,
its own title rules) before its first request.

The manifest names the index and, for each workflow, its title, its page
body in each form build wrote (`markdown`, Confluence's `storage` format),
its attachments (the diagrams) and its drawings: PNGs that build left to
be drawn when a target sends them, each from the laid-out DOT it names
(`<id>.laid.gv`; `build --png` writes the PNGs instead). Every name is a
plain file in the folder. A target reads the one form it publishes.
Version 3 added the drawings: a procmap that reads version 2 at most refuses
the manifest, where it would publish pages without their PNG. Version 2 had
the PNGs among the attachments, version 1 the storage form alone (`body`,
and `index` as a name): both still read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from procmap.docs.library import MANIFEST
from procmap.format.files import NotAFile, open_regular
from procmap.printable import one_line


class PublishError(Exception):
    """The site folder is unusable, or publishing would touch a page procmap
    does not own."""


@dataclass(frozen=True, slots=True)
class SitePage:
    workflow: str
    title: str
    body: str
    attachments: dict[str, bytes] = field(hash=False)
    source: str = ""  # the file of the body, as the manifest names it
    # PNGs to draw when sent, by name: the laid-out DOT of each (see the module's doc).
    drawings: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def digest(self) -> str:
        return digest(self.title, self.body)

    def files(self) -> dict[str, str]:
        """Every file the page shows, attachments and drawings, by name: its
        digest; a drawing's is the digest of the DOT it is drawn from, so
        that knowing whether it changed takes no drawing."""
        return {**{name: sha(data) for name, data in self.attachments.items()},
                **{name: "drawn from " + sha(dot.encode())
                   for name, dot in self.drawings.items()}}

    def file(self, name: str) -> bytes:
        """The bytes of one of `files()`: a drawing is drawn now, by Graphviz."""
        if name in self.attachments:
            return self.attachments[name]
        from procmap.render import graphviz

        what = f"cannot draw {name} of workflow {self.workflow!r}"
        elsewhere = "procmap build --png where Graphviz is, and publish what it wrote"
        try:
            return graphviz.draw_laid([self.drawings[name]], ("png",))[0]["png"]
        except graphviz.GraphvizMissing:
            raise PublishError(f"{what}: Graphviz's `dot` program is not on PATH: install "
                               "Graphviz (`sudo apt-get install graphviz`, `brew install "
                               f"graphviz`, `winget install graphviz`), or run {elsewhere}"
                               ) from None
        except graphviz.GraphvizError as e:
            raise PublishError(f"{what}: {e}; or run {elsewhere}") from None


@dataclass(frozen=True, slots=True)
class Site:
    folder: Path
    index: str
    pages: tuple[SitePage, ...]
    source: str = ""  # the file of the index's body


@dataclass(frozen=True, slots=True)
class Action:
    verb: str  # create, update, upload, prune, stale, unchanged
    title: str
    detail: str = ""

    def __str__(self) -> str:
        # A stale page's title comes from Confluence: printed escaped.
        return one_line(f"{self.verb:<9} {self.title}"
                        + (f" ({self.detail})" if self.detail else ""))


def digest(title: str, body: str) -> str:
    return sha(json.dumps([title, body], ensure_ascii=False).encode())


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


Check = Callable[[str], str | None]


FORMS = {"markdown": "markdown", "storage": "storage format"}  # form: as messages name it


def read_site(folder: Path, form: str, check: Check = lambda body: None) -> Site:
    """The library `procmap build` wrote into `folder`, its bodies in `form`
    (a key of FORMS), checked before any request is made. `check` finds what
    is wrong in a body, as "line L, column C: problem", or None."""
    manifest = folder / MANIFEST
    try:
        with open_regular(manifest) as f:  # a FIFO is refused, not waited on
            data = json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        raise PublishError(f"{manifest}: not found: run `procmap build WORKFLOWS -o {folder}` "
                           "first; publish sends what build wrote") from None
    except (OSError, ValueError) as e:
        raise PublishError(f"{manifest}: unreadable ({e}): run procmap build again") from None
    if not isinstance(data, dict) or data.get("procmap") not in (1, 2, 3):
        raise PublishError(f"{manifest}: not a manifest of procmap build version 1 to 3: "
                           "run procmap build again, with this version of procmap")
    old = data["procmap"] == 1
    index_file = _form(manifest, data.get("index"), form, old, "the index")
    index = _body(folder, index_file, check, form)
    pages, titles, workflows = [], set(), set()
    entries = data.get("pages", [])
    if not isinstance(entries, list):
        raise PublishError(f"{manifest}: pages is not a list: run procmap build again")
    for n, entry in enumerate(entries, 1):
        if not (isinstance(entry, dict)
                and {"workflow", "title", "body" if old else "bodies"} <= entry.keys()):
            raise PublishError(f"{manifest}: page {n} needs workflow, title and "
                               f"{'body' if old else 'bodies'}: run procmap build again")
        if not (isinstance(entry["workflow"], str) and isinstance(entry["title"], str)):
            raise PublishError(f"{manifest}: the workflow and title of page {n} are not "
                               "text: run procmap build again")
        attachments = entry.get("attachments", [])
        if not isinstance(attachments, list):
            raise PublishError(f"{manifest}: the attachments of page {n} are not a list: "
                               "run procmap build again")
        title = entry["title"]
        if title in titles:
            raise PublishError(f"{manifest}: two workflows are titled {title!r}; a page "
                               "needs a title of its own: retitle one of them")
        titles.add(title)
        if entry["workflow"] in workflows:
            raise PublishError(f"{manifest}: two pages are of workflow {entry['workflow']!r}: "
                               "run procmap build again")
        workflows.add(entry["workflow"])
        files = {name: _read(folder, name) for name in attachments}
        drawings = entry.get("drawings", {})
        if not (isinstance(drawings, dict) and all(_plain(name) for name in drawings)):
            raise PublishError(f"{manifest}: the drawings of page {n} are not a map of file "
                               "names: run procmap build again")
        for twice in sorted(drawings.keys() & files.keys()):
            # Its digest would be the drawing's, the bytes sent the file's.
            raise PublishError(f"{manifest}: page {n} has {twice!r} both as a file and as a "
                               "drawing: run procmap build again")
        drawn = {name: _text(folder, dot) for name, dot in drawings.items()}
        name = _form(manifest, entry.get("body" if old else "bodies"), form, old, f"page {n}")
        body = _body(folder, name, check, form)
        pages.append(SitePage(entry["workflow"], title, body, files, name, drawn))
    return Site(folder, index, tuple(pages), index_file)


def _form(manifest: Path, bodies: object, form: str, old: bool, what: str) -> str:
    """The file of `what`'s body in `form`: `bodies` maps forms to files (a
    version 1 manifest gave the storage file alone)."""
    if old:
        bodies = {"storage": bodies}
    name = bodies.get(form) if isinstance(bodies, dict) else None
    if not isinstance(name, str):
        raise PublishError(f"{manifest}: {what} has no {FORMS[form]} body: run procmap "
                           "build again")
    return name


def _plain(name: object) -> TypeGuard[str]:
    """Whether `name` is a plain file name: never a path out of the folder."""
    return (isinstance(name, str) and bool(name) and name not in (".", "..")
            and not any(c in name for c in "/\\\0") and _encodable(name))


def _read(folder: Path, name: object) -> bytes:
    """A file the manifest names: a plain name in `folder`, never a path out of
    it, and a regular file there, never a link. `procmap build` writes no
    link: one in a library folder that publish runs on (a checkout, CI) would
    send any file the link names (an SSH key, the CI's secrets) to a wiki
    page for every reader."""
    if not _plain(name):
        raise PublishError(f"{folder / MANIFEST}: {name!r} is not a plain file name: run "
                           "procmap build again")
    path = folder / name
    try:
        with open_regular(path, follow=False) as f:
            return f.read()
    except NotAFile as e:
        raise PublishError(f"{path}: {e.kind}, not a file procmap build wrote (publish sends "
                           "no other): run procmap build again") from None
    except OSError as e:
        raise PublishError(f"{path}: {e.strerror}: run procmap build again") from None


def _encodable(name: str) -> bool:
    """Whether `name` can be a file's name here (a JSON escape can give a lone surrogate)."""
    try:
        os.fsencode(name)
    except UnicodeEncodeError:
        return False
    return True


def _text(folder: Path, name: object) -> str:
    try:
        return _read(folder, name).decode("utf-8")
    except UnicodeDecodeError:
        raise PublishError(f"{folder / str(name)}: not UTF-8: run procmap build again") from None


def _body(folder: Path, name: str, check: Check, form: str) -> str:
    path = folder / name
    body = _text(folder, name)
    problem = check(body)
    if problem:
        raise PublishError(f"{path}:{problem.removeprefix('line ').replace(', column ', ':', 1)}"
                           f": not well-formed {FORMS[form]}; fix the template and build again")
    return body
