"""`procmap publish --target wiki`: the library written into a checkout of a
GitHub wiki (git clone https://github.com/OWNER/REPO.wiki.git); committing and
pushing it stay with whoever runs procmap.

A GitHub wiki is a flat folder of markdown pages: `Home.md` is its front
page, the file `Refund-a-dispute.md` the page "Refund a dispute", and a link
to it is written `[text](Refund-a-dispute)`, no `.md` (the `[[...|...]]`
form breaks inside a table: the index is one). Images are files beside the
pages, shown by their plain name.

procmap owns a file there when it wrote it: the first line of each of its
pages is a marker (an HTML comment, which the wiki does not show) naming the
workflow and the images it wrote. A page without the marker, or an image no
marker names, is never written or deleted: one in the way stops the run
before anything is written. Pages procmap wrote whose workflow is gone are
listed as stale, and deleted with their images under --prune.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from procmap.atomic import write_bytes
from procmap.publish import site as built
from procmap.publish.site import Action, PublishError, Site, SitePage
from procmap.publish.target import Plan, Ui

HELP = ("the pages of a GitHub wiki, in a checkout of it (--wiki DIR); commit and push "
        "it after")

OPTIONS = (
    # A str, not a Path: Path("") is ".", and --wiki "$UNSET" must not write here.
    click.Option(["--wiki"], type=click.Path(file_okay=False),
                 help="wiki: the checkout of the wiki to write into, from git clone "
                      "https://github.com/OWNER/REPO.wiki.git."),
)

HOME = "Home"
# \r: a checkout git gave Windows line ends (core.autocrlf) is still procmap's.
MARKER = re.compile(r"<!-- procmap (\{.*\}) -->\r?\n")
MAX_NAME = 200  # bytes of a page's file name, well inside what file systems take
MAX_MARKER = 64 * 1024  # bytes of a marker line read back: a page is never read whole
# A link to a page of the library, as build writes it: [text](<id>.md#anchor)
LINK = re.compile(r"\]\(([^()\s#]+\.md)(#[^()\s]*)?\)")


def read_site(folder: Path) -> Site:
    """The built library, its bodies in markdown."""
    return built.read_site(folder, "markdown")


def open(options: Mapping[str, Any], prune: bool, ui: Ui) -> Wiki:
    folder = options.get("wiki")
    if folder is None:
        ctx = click.get_current_context(silent=True)
        raise click.MissingParameter(ctx=ctx, param=OPTIONS[0])
    if not folder:
        raise click.BadParameter("is empty: give the folder of the wiki's checkout",
                                 param_hint="'--wiki'")
    if not Path(folder).is_dir():
        raise click.BadParameter(f"{str(folder)!r} is not a folder: clone the wiki first, git "
                                 "clone https://github.com/OWNER/REPO.wiki.git",
                                 param_hint="'--wiki'")
    return Wiki(Path(folder), prune, ui)


def page_name(title: str) -> str:
    """The name of a title's page: what the wiki takes in a file name and a
    link, words joined by hyphens (the wiki shows them as spaces)."""
    return re.sub(r"[^\w]+", "-", title).strip("-_")


@dataclass(frozen=True, slots=True)
class _Owned:
    """A page procmap wrote, as its marker records it."""

    file: Path
    workflow: str | None  # None: the home page
    title: str
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Write:
    path: Path
    data: bytes


@dataclass(frozen=True, slots=True)
class _Delete:
    paths: tuple[Path, ...]


@dataclass
class Wiki:
    """One run writing a built library into a wiki checkout."""

    folder: Path
    prune: bool = False
    ui: Ui | None = None
    _ops: dict[Action, _Write | _Delete | None] | None = None

    def plan(self, site: Site) -> Plan:
        owned, taken = self._scan()
        names = self._names(site)
        links = {p.source: names[p.workflow] for p in site.pages if p.source}
        if site.source:
            links[site.source] = HOME
        ours = {f for o in owned.values() for f in o.files}
        ops: dict[Action, _Write | _Delete | None] = {}
        written: set[str] = set()  # the pages of this run, by lower-case name
        for source in site.pages:
            name = names[source.workflow]
            # The page first: its marker names the images, so a run cut off
            # before they are written owns them next time. Nothing shows
            # until the checkout is pushed.
            ops.update(self._page(name, source.workflow, source.title,
                                  tuple(source.attachments), source.body, links, taken, owned))
            for file, data in source.attachments.items():
                if not _image_name(file):
                    # It would be a page, or hidden, and its marker would no longer read back.
                    raise PublishError(f"{site.folder}: the attachment {file!r} of workflow "
                                       f"{source.workflow!r} is no image build writes: run "
                                       "procmap build again")
                path = self._free(self.folder / file, taken, ours)
                if _content(path) != data:
                    ops[Action("upload", source.title, file)] = _Write(path, data)
            written.add(name.lower())
        ops.update(self._page(HOME, None, HOME, (), site.index, links, taken, owned))
        keep = {f for p in site.pages for f in p.attachments}
        for old in owned.values():
            if old.file.stem.lower() in written or old.workflow is None:
                continue  # written again by this run
            if old.workflow in names:
                action = Action("prune", old.title, f"{old.file.name}: the workflow's page is "
                                                    f"now {names[old.workflow]}.md")
            elif self.prune:
                action = Action("prune", old.title, old.file.name)
            else:
                ops[Action("stale", old.title, f"{old.file.name}; its workflow is gone, "
                                               "--prune deletes it")] = None
                continue
            ops[action] = _Delete((old.file, *(self.folder / f for f in old.files
                                               if f not in keep)))
        self._ops = ops
        return Plan(tuple(ops))

    def apply(self, action: Action) -> None:
        assert self._ops is not None, "plan before apply"
        op = self._ops[action]
        try:
            if isinstance(op, _Write):
                write_bytes(op.path, op.data)
                self._log(f"wrote {op.path}")
            elif isinstance(op, _Delete):
                for path in op.paths:
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
                        self._log(f"deleted {path}")
        except OSError as e:
            raise PublishError(f"{e.filename or self.folder}: {e.strerror}: check the "
                               "wiki checkout and run again") from None

    def finish(self) -> None:
        pass  # every action wrote or deleted one page whole

    def close(self) -> None:
        pass

    def _log(self, line: str) -> None:
        if self.ui is not None and self.ui.log is not None:
            self.ui.log(line)

    def _scan(self) -> tuple[dict[str, _Owned], dict[str, Path]]:
        """The pages procmap wrote in the wiki, by lower-case name, and every
        file there by lower-case name (the wiki finds pages ignoring case)."""
        owned: dict[str, _Owned] = {}
        taken: dict[str, Path] = {}
        try:
            entries = sorted(self.folder.iterdir())
        except OSError as e:
            raise PublishError(f"{self.folder}: {e.strerror}: give the wiki checkout as "
                               "--wiki") from None
        for path in entries:
            taken[path.name.lower()] = path
            if path.suffix == ".md" and path.is_file() and not path.is_symlink():
                mark = _marker(path)
                if mark is not None:
                    owned[path.stem.lower()] = mark
        return owned, taken

    def _names(self, site: Site) -> dict[str, str]:
        """Each workflow's page name, checked: the wiki needs it non-empty, its
        own ignoring case and not the home page's."""
        names: dict[str, str] = {}
        seen: dict[str, SitePage] = {}
        for p in site.pages:
            name = page_name(p.title)
            if not name or len(f"{name}.md".encode()) > MAX_NAME:
                raise PublishError(f"the title of workflow {p.workflow!r}, {p.title!r}, gives "
                                   f"no usable wiki page name ({name[:40]!r}): retitle it")
            if name.lower() == HOME.lower():
                raise PublishError(f"workflow {p.workflow!r} is titled {p.title!r}: its page "
                                   "would be the wiki's Home, the library's index: retitle it")
            other = seen.setdefault(name.lower(), p)
            if other is not p:
                raise PublishError(f"workflows {other.workflow!r} and {p.workflow!r} are "
                                   f"titled {other.title!r} and {p.title!r}: both give the wiki "
                                   f"page {name!r} (it ignores case and punctuation): retitle "
                                   "one of them")
            names[p.workflow] = name
        return names

    def _free(self, path: Path, taken: dict[str, Path], ours: set[str]) -> Path:
        """`path`, which procmap may write: absent, or a plain file a marker names."""
        there = taken.get(path.name.lower())
        if there is not None and (there.name not in ours or there.is_symlink()
                                  or not there.is_file()):
            _in_the_way(there)
        return path

    def _page(self, name: str, workflow: str | None, title: str, files: tuple[str, ...],
              body: str, links: dict[str, str], taken: dict[str, Path],
              owned: dict[str, _Owned]) -> dict[Action, _Write | _Delete | None]:
        there = taken.get(f"{name}.md".lower())
        if there is not None and name.lower() not in owned:
            if workflow is not None:
                _in_the_way(there)
            # A new wiki's first page is its Home, made on github.com.
            raise PublishError(f"{there} is in the wiki and procmap did not write it: procmap "
                               "will not overwrite it with the library's index. Move its "
                               "text to another page and remove it, then run again")
        path = there or self.folder / f"{name}.md"
        mark = _mark(workflow, title, files)
        if len(mark) > MAX_MARKER:
            # Written, it would not read back: the next run would refuse the page as not ours.
            raise PublishError(f"the title of workflow {workflow!r} is {len(title)} characters "
                               "long, too long for the mark procmap keeps on its page: "
                               "shorten it")
        data = (mark + _wiki_links(body, links)).encode()
        old = _content(path)
        detail = "the library's index" if workflow is None else path.name
        if old is None:
            return {Action("create", title, detail): _Write(path, data)}
        if old != data:
            return {Action("update", title, detail): _Write(path, data)}
        return {} if workflow is None else {Action("unchanged", title, detail): None}


def _in_the_way(path: Path) -> NoReturn:
    raise PublishError(f"{path} is in the wiki and procmap did not write it: procmap will not "
                       "overwrite or delete it. Rename or remove it, or retitle the workflow")


def _mark(workflow: str | None, title: str, files: tuple[str, ...]) -> str:
    # ASCII: a title from the manifest may hold what UTF-8 cannot carry (a
    # lone surrogate). "-->" in a title must not end the comment: ">" is
    # written escaped too.
    record = json.dumps({"workflow": workflow, "title": title, "files": list(files)})
    return "<!-- procmap " + record.replace(">", "\\u003e") + " -->\n"


def _marker(path: Path) -> _Owned | None:
    """What the marker of the page at `path` records; None when it has none
    (or one someone broke: then procmap no longer owns the page)."""
    try:
        with path.open("rb") as f:
            line = f.readline(MAX_MARKER).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = MARKER.fullmatch(line)
    try:
        record = json.loads(match.group(1)) if match else None
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    workflow, title, files = record.get("workflow"), record.get("title"), record.get("files")
    if (not (workflow is None or isinstance(workflow, str)) or not isinstance(title, str)
            or not isinstance(files, list)
            or not all(_image_name(f) for f in files)):
        return None
    return _Owned(path, workflow, title, tuple(files))


def _image_name(name: object) -> bool:
    """Whether a marker may name `name` as one of its images: a plain file name, and
    neither a page (a marker naming Home.md would have --prune delete it) nor hidden
    (.git): build's images are `<id>.png` and `<id>.svg`, ids start with a letter or digit."""
    return (isinstance(name, str) and name == Path(name).name and "\\" not in name
            and not name.startswith(".") and not name.lower().endswith(".md"))


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise PublishError(f"{path}: {e.strerror}: check the wiki checkout") from None


def _wiki_links(body: str, links: dict[str, str]) -> str:
    """Links to the library's pages (`](refund.md)`) in the wiki's form (`](Refund)`)."""
    def link(m: re.Match[str]) -> str:
        page = links.get(m.group(1))
        return m.group(0) if page is None else f"]({page}{m.group(2) or ''})"

    return LINK.sub(link, body)
