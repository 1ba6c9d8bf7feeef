"""`procmap publish`: keep a Confluence page tree in sync with a built library.

procmap owns a page when the page carries its content property (`procmap`):
the library page records `{"kind": "library", "digest", "pending"}`, each
workflow page `{"kind": "page", "workflow", "digest", "attachments"}`. The
digests are of what procmap sent, so "unchanged" never depends on the body
Confluence gives back, which it rewrites. A page procmap does not own is
never written, moved or deleted.

A page and its property cannot be created in one request on Cloud. So before
creating pages, procmap lists their titles in `pending` on the library page;
a run cut off between the two requests leaves a page that the next run
recognises (under the library, titled as listed, no property) and adopts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from procmap.docs.library import MANIFEST
from procmap.docs.storage import check
from procmap.printable import one_line
from procmap.publish.confluence.api import Api, Page, Property, Space
from procmap.publish.confluence.http import ConfluenceError

LABEL = "procmap"


class PublishError(Exception):
    """The site folder is unusable, or publishing would touch a page procmap
    does not own."""


@dataclass(frozen=True, slots=True)
class SitePage:
    workflow: str
    title: str
    body: str
    attachments: dict[str, bytes] = field(hash=False)

    @property
    def digest(self) -> str:
        return digest(self.title, self.body)


@dataclass(frozen=True, slots=True)
class Site:
    folder: Path
    index: str
    pages: tuple[SitePage, ...]


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
    return _sha(json.dumps([title, body], ensure_ascii=False).encode())


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_site(folder: Path) -> Site:
    """The library `procmap build` wrote into `folder`, checked before any
    request is made."""
    manifest = folder / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishError(f"{manifest}: not found: run `procmap build WORKFLOWS -o {folder}` "
                           "first; publish sends what build wrote") from None
    except (OSError, ValueError) as e:
        raise PublishError(f"{manifest}: unreadable ({e}): run procmap build again") from None
    if not isinstance(data, dict) or data.get("procmap") != 1:
        raise PublishError(f"{manifest}: not a manifest of procmap build version 1: "
                           "run procmap build again")
    index = _body(folder, str(data.get("index", "")))
    pages, titles = [], set()
    for n, entry in enumerate(data.get("pages", []), 1):
        if not (isinstance(entry, dict) and {"workflow", "title", "body"} <= entry.keys()):
            raise PublishError(f"{manifest}: page {n} needs workflow, title and body: run "
                               "procmap build again")
        title = str(entry["title"])
        if title in titles:
            raise PublishError(f"{manifest}: two workflows are titled {title!r}; Confluence "
                               "needs one title per page in a space: retitle one of them")
        titles.add(title)
        files = {name: _read(folder, name) for name in entry.get("attachments", [])}
        pages.append(SitePage(str(entry["workflow"]), title, _body(folder, str(entry["body"])),
                              files))
    return Site(folder, index, tuple(pages))


def _read(folder: Path, name: str) -> bytes:
    """A file the manifest names: a plain name in `folder`, never a path out of it."""
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise PublishError(f"{folder / MANIFEST}: {name!r} is not a plain file name: run "
                           "procmap build again")
    try:
        return (folder / name).read_bytes()
    except OSError as e:
        raise PublishError(f"{folder / name}: {e.strerror}: run procmap build again") from None


def _body(folder: Path, name: str) -> str:
    path = folder / name
    try:
        body = _read(folder, name).decode("utf-8")
    except UnicodeDecodeError:
        raise PublishError(f"{path}: not UTF-8: run procmap build again") from None
    problem = check(body)
    if problem:
        raise PublishError(f"{path}:{problem.removeprefix('line ').replace(', column ', ':', 1)}"
                           ": not well-formed storage format; fix the template and build again")
    return body


def _owned(prop: Property | None, kind: str) -> TypeGuard[Property]:
    return prop is not None and isinstance(prop.value, dict) and prop.value.get("kind") == kind


def _name(page: Page) -> str:
    return f"page {page.title!r} (id {page.id})"


@dataclass
class _Work:
    source: SitePage
    page: Page | None  # None: to create
    prop: Property | None  # None: new, or adopted after a cut-off run
    uploads: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.prop is None or self.prop.value.get("digest") != self.source.digest

    def steps(self) -> list[Action]:
        """What publishing this page takes, in order; a dry run lists them."""
        title = self.source.title
        out = [Action("create", title)] if self.page is None else []
        out += [Action("upload", title, name) for name in self.uploads]
        if self.page is not None and self.changed:
            out.append(Action("update", title))
        return out or [Action("unchanged", title)]


@dataclass
class Publisher:
    """One run against one space. `report` hears of each action as it happens."""

    api: Api
    space_key: str
    title: str = "Process library"
    parent: str | None = None  # title or id of the page the library sits under
    prune: bool = False
    dry_run: bool = False
    report: Callable[[Action], None] = lambda action: None
    actions: list[Action] = field(default_factory=list)

    def _do(self, action: Action) -> None:
        self.actions.append(action)
        self.report(action)

    def run(self, site: Site) -> list[Action]:
        api = self.api
        if any(p.title == self.title for p in site.pages):
            raise PublishError(f"a workflow is titled {self.title!r} like the library page: "
                               "choose another --title")
        space = api.space(self.space_key)
        root = self._root(space) if self.parent else None
        library = api.find(space, self.title)
        lib_prop = None
        if library is not None:
            lib_prop = api.get_property(library)
            if not _owned(lib_prop, "library"):
                raise PublishError(
                    f"{_name(library)} exists in space {self.space_key} and procmap does not "
                    "own it: publish under another --title, or rename that page")
            if root is not None and library.parent != root.id:
                raise PublishError(
                    f"{_name(library)} sits outside the parent page {root.title!r}: move it "
                    "back under it in Confluence, or name its parent with --parent")
        work, stale = self._plan(space, site, library, lib_prop)
        index_digest = digest(self.title, site.index)
        index_changed = lib_prop is None or lib_prop.value.get("digest") != index_digest
        if self.dry_run:
            self._dry(library, index_changed, work, stale)
            return self.actions
        creates = [w.source.title for w in work if w.page is None]
        # left by a run cut off after its creations: cleared once they are adopted
        leftover = bool(lib_prop and lib_prop.value.get("pending"))
        value = {"kind": "library", "digest": index_digest, "pending": creates}
        if library is None:
            library = api.create(space, root.id if root else None, self.title, site.index)
            api.label(library, LABEL)
            api.set_property(library, None, value)
            self._do(Action("create", self.title, "library page"))
        else:
            if index_changed:
                library = self._update(space, library, root.id if root else library.parent,
                                       self.title, site.index)
                self._do(Action("update", self.title, "library page"))
            if index_changed or creates:
                self._set_property(library, lib_prop, value)
        for w in work:
            self._sync(space, library, w)
        for page in stale:
            if self.prune:
                api.delete(page)
            self._do(self._stale(page))
        if creates or leftover:  # every pending page now carries its property
            self._set_property(library, api.get_property(library), value | {"pending": []})
        return self.actions

    def _root(self, space: Space) -> Page:
        assert self.parent is not None
        page = None
        if self.parent.isdigit():
            try:
                page = self.api.page(self.parent)
            except ConfluenceError as e:
                if e.status != 404:
                    raise
        page = page or self.api.find(space, self.parent)
        if page is None:
            raise PublishError(f"parent page {self.parent!r} not found in space "
                               f"{self.space_key}: give its exact title or its id")
        if page.space and page.space != space.id:
            raise PublishError(f"parent {_name(page)} is in another space than "
                               f"{self.space_key}: give a page of that space")
        return page

    def _plan(self, space: Space, site: Site, library: Page | None,
              lib_prop: Property | None) -> tuple[list[_Work], list[Page]]:
        """What to do to each page; raises before any write when a page in the way
        is not procmap's."""
        api = self.api
        owned: dict[str, tuple[Page, Property]] = {}
        unowned: dict[str, Page] = {}  # children of the library without our property
        if library is not None:
            for child in api.children(library.id):
                prop = api.get_property(child)
                if _owned(prop, "page"):
                    owned[str(prop.value.get("workflow"))] = (child, prop)
                else:
                    unowned[child.title] = child
        # The property is procmap's record, but anyone may have edited it:
        # what is not of its shape counts as not recorded.
        listed = lib_prop.value.get("pending") if lib_prop else None
        pending = {t for t in listed if isinstance(t, str)} if isinstance(listed, list) else set()
        work = []
        for source in site.pages:
            if source.workflow in owned:
                page, prop = owned.pop(source.workflow)
                if page.title != source.title:
                    clash = api.find(space, source.title)
                    if clash is not None and clash.id != page.id:
                        raise PublishError(
                            f"cannot retitle {_name(page)} to {source.title!r}: "
                            f"{_name(clash)} has that title and procmap does not own it")
                w = _Work(source, page, prop)
            else:
                found = api.find(space, source.title)
                if found is not None:
                    adopt = unowned.get(found.title)
                    if adopt is None or adopt.id != found.id or found.title not in pending:
                        prop = api.get_property(found)
                        where = ("sits outside the library page " + repr(self.title)
                                 if _owned(prop, "page") else "is not owned by procmap")
                        raise PublishError(
                            f"{_name(found)} in space {self.space_key} has the title of "
                            f"workflow {source.workflow!r} but {where}: procmap will not "
                            "overwrite, move or delete it. Rename or move that page, or "
                            "retitle the workflow")
                w = _Work(source, found, None)
            recorded = w.prop.value.get("attachments") if w.prop else None
            recorded = recorded if isinstance(recorded, dict) else {}
            w.uploads = tuple(n for n, data in source.attachments.items()
                              if recorded.get(n) != _sha(data))
            work.append(w)
        return work, [page for page, _ in owned.values()]

    def _dry(self, library: Page | None, index_changed: bool, work: list[_Work],
             stale: list[Page]) -> None:
        if library is None:
            self._do(Action("create", self.title, "library page"))
        elif index_changed:
            self._do(Action("update", self.title, "library page"))
        for w in work:
            for step in w.steps():
                self._do(step)
        for page in stale:
            self._do(self._stale(page))

    def _stale(self, page: Page) -> Action:
        if self.prune:
            return Action("prune", page.title, f"id {page.id}")
        return Action("stale", page.title, f"id {page.id}; its workflow is gone, --prune "
                                           "deletes it")

    def _sync(self, space: Space, library: Page, w: _Work) -> None:
        """Attachments, then the body, then the property that records both: a
        run cut off in between repeats the lot next time, never skips it."""
        api, source = self.api, w.source
        page = w.page
        for step in w.steps():
            if step.verb == "unchanged":
                self._do(step)
                return
            if step.verb == "create":
                page = api.create(space, library.id, source.title, source.body)
                api.label(page, LABEL)
            elif step.verb == "upload":
                assert page is not None
                old = api.attachment(page, step.detail) if w.page is not None else None
                api.upload(page, step.detail, source.attachments[step.detail], old)
            elif step.verb == "update":
                assert page is not None
                if page.version == 0:  # listed without its version
                    page = api.page(page.id)
                page = self._update(space, page, library.id, source.title, source.body)
            self._do(step)
        assert page is not None
        self._set_property(page, w.prop, {
            "kind": "page", "workflow": source.workflow, "digest": source.digest,
            "attachments": {n: _sha(d) for n, d in source.attachments.items()}})

    def _update(self, space: Space, page: Page, parent: str | None, title: str,
                body: str) -> Page:
        """Someone saved the page since it was read (409): read it again and
        retry once."""
        try:
            return self.api.update(space, page, parent, title, body)
        except ConfluenceError as e:
            if e.status != 409:
                raise
        return self.api.update(space, self.api.page(page.id), parent, title, body)

    def _set_property(self, page: Page, old: Property | None, value: dict[str, Any]) -> None:
        try:
            self.api.set_property(page, old, value)
        except ConfluenceError as e:
            if e.status != 409:
                raise
            self.api.set_property(page, self.api.get_property(page), value)
