"""`procmap publish`: keep a Confluence page tree in sync with a built library.

procmap owns a page when the page carries its content property (`procmap`):
the library page records `{"kind": "library", "digest", "pending"}`, each
workflow page `{"kind": "page", "workflow", "digest", "attachments"}`. The
digests are of what procmap sent, so "unchanged" never depends on the body
Confluence gives back, which it rewrites; a PNG that build left to draw
(SitePage.files) is known by the DOT it is drawn from, and drawn only when
it is sent. A page procmap does not own is never written, moved or deleted.

A page and its property cannot be created in one request on Cloud. So before
creating pages, procmap lists their titles in `pending` on the library page;
a run cut off between the two requests leaves a page that the next run
recognises (under the library, titled as listed, no property) and adopts.
The library page itself carries a marker in its body (an anchor, which shows
nothing): a library page without the property but with the marker is one a
first run left, and is adopted.

Confluence keeps one title per space ignoring case, trashed and archived
pages included: every title procmap will write is checked against them all
before the first write, and titles over 255 characters are refused before
any request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from procmap.docs.storage import check
from procmap.publish import site as built
from procmap.publish.confluence.api import Api, Attachment, Page, Property, Space, same_title
from procmap.publish.confluence.http import ConfluenceError
from procmap.publish.site import Action, PublishError, Site, SitePage, digest
from procmap.publish.target import Plan, publish

__all__ = ["Action", "PublishError", "Publisher", "Site", "SitePage", "read_site"]

LABEL = "procmap"
CONFLICT = (400, 409)  # what a write with a stale version may get back
MAX_TITLE = 255  # characters of a page title, in Confluence
# In the library page's body: says procmap wrote it, when its property is
# missing. Confluence rewrites the macro's tag (ids): the parameter is the mark.
MARK = '<ac:parameter ac:name="">procmap-library</ac:parameter>'
MARKER = f'<ac:structured-macro ac:name="anchor">{MARK}</ac:structured-macro>'


def read_site(folder: Path) -> Site:
    """The built library, its page bodies checked as Confluence storage format."""
    return built.read_site(folder, "storage", check)


def _owned(prop: Property | None, kind: str) -> TypeGuard[Property]:
    return prop is not None and isinstance(prop.value, dict) and prop.value.get("kind") == kind


def _name(page: Page) -> str:
    where = {"trashed": " in the trash", "archived": " in the archive"}.get(page.status, "")
    return f"page {page.title!r} (id {page.id}){where}"


def _too_long(title: str, what: str) -> None:
    if len(title) > MAX_TITLE:
        raise PublishError(f"{what} {title[:40]!r}... is {len(title)} characters long; "
                           f"Confluence takes at most {MAX_TITLE}: shorten it")


def _not_current(page: Page, space_key: str) -> None:
    """A trashed or archived page keeps its title: procmap will not touch it."""
    if page.status != "current":
        raise PublishError(
            f"{_name(page)} in space {space_key} keeps its title: restore it in "
            "Confluence for procmap to take it up again, or purge it, or choose another title")


@dataclass
class _Work:
    source: SitePage
    page: Page | None  # None: to create
    prop: Property | None  # None: new, or adopted after a cut-off run
    uploads: tuple[str, ...] = ()
    attached: dict[str, Attachment] = field(default_factory=dict)  # on the page now
    body_last: bool = False  # a new page gets its body after its attachments
    now: Page | None = None  # the page as the last write left it

    @property
    def changed(self) -> bool:
        return self.prop is None or self.prop.value.get("digest") != self.source.digest

    def steps(self) -> list[Action]:
        """What publishing this page takes, in order."""
        title = self.source.title
        out = [Action("create", title)] if self.page is None else []
        out += [Action("upload", title, name) for name in self.uploads]
        if (self.page is not None and self.changed) or (self.page is None and self.body_last):
            out.append(Action("update", title))
        return out or [Action("unchanged", title)]


@dataclass
class _Library:
    """The library page as planned, and what its first write must record."""

    page: Page | None
    prop: Property | None
    parent: str | None  # the id of the page it sits under
    body: str
    value: dict[str, Any]  # its property: digest, and the pages to create
    changed: bool  # its body
    leftover: bool  # a run cut off after its creations left them pending
    ready: bool = False  # written as planned: the workflow pages may follow


@dataclass
class Publisher:
    """One run against one space: a publish target (procmap.publish.target).
    `run` plans and applies in one go; `report` hears of each action."""

    api: Api
    space_key: str
    title: str = "Process library"
    parent: str | None = None  # title or id of the page the library sits under
    prune: bool = False
    dry_run: bool = False
    report: Callable[[Action], None] = lambda action: None
    _space: Space | None = field(default=None, init=False)
    _library: _Library | None = field(default=None, init=False)
    # Each planned action, with the page it is a step of (a stale Page, None for
    # the library page) and whether it is that page's last.
    _steps: dict[Action, tuple[_Work | Page | None, bool]] = field(default_factory=dict,
                                                                   init=False)

    def run(self, site: Site) -> list[Action]:
        return publish(self, site, self.dry_run, self.report)

    def plan(self, site: Site) -> Plan:
        """Every read, and every check that stops the run, before any write."""
        api = self.api
        _too_long(self.title, "the library's title (--title)")
        seen: dict[str, SitePage] = {}
        for p in site.pages:
            _too_long(p.title, f"the title of workflow {p.workflow!r}")
            other = seen.setdefault(p.title.lower(), p)
            if other is not p:
                raise PublishError(f"workflows {other.workflow!r} and {p.workflow!r} are titled "
                                   f"{other.title!r} and {p.title!r}; Confluence takes them "
                                   "for one title (it ignores case): retitle one of them")
        if any(same_title(p.title, self.title) for p in site.pages):
            raise PublishError(f"a workflow is titled {self.title!r} like the library page "
                               "(Confluence ignores case): choose another --title")
        space = self._space = api.space(self.space_key)
        root = self._root(space) if self.parent else None
        library = api.find(space, self.title)
        lib_prop = None
        if library is not None:
            _not_current(library, self.space_key)
            lib_prop = api.get_property(library)
            if not _owned(lib_prop, "library") and not (
                    lib_prop is None and MARK in api.body(library)):
                raise PublishError(
                    f"{_name(library)} exists in space {self.space_key} and procmap does not "
                    "own it: publish under another --title, or rename that page")
            if root is not None and library.parent != root.id:
                raise PublishError(
                    f"{_name(library)} sits outside the parent page {root.title!r}: move it "
                    "back under it in Confluence, or name its parent with --parent")
        work, stale = self._plan(space, site, library, lib_prop)
        index_digest = digest(self.title, site.index)
        creates = [w.source.title for w in work if w.page is None]
        lib = self._library = _Library(
            library, lib_prop, root.id if root else (library.parent if library else None),
            site.index + MARKER, {"kind": "library", "digest": index_digest, "pending": creates},
            changed=lib_prop is None or lib_prop.value.get("digest") != index_digest,
            leftover=bool(lib_prop and lib_prop.value.get("pending")))
        actions = []
        self._steps.clear()
        if library is None or lib.changed:
            action = Action("create" if library is None else "update", self.title,
                            "library page")
            self._steps[action] = (None, True)
            actions.append(action)
        for w in work:
            steps = w.steps()
            for n, step in enumerate(steps, 1):
                self._steps[step] = (w, n == len(steps))
            actions += steps
        for page in stale:
            action = self._stale(page)
            self._steps[action] = (page, True)
            actions.append(action)
        return Plan(tuple(actions))

    def apply(self, action: Action) -> None:
        """One action of the plan, the library page's writes first of all."""
        what, last = self._steps[action]
        library = self._ready()
        if what is None:
            return  # the library page: _ready wrote it
        if isinstance(what, Page):
            if self.prune:
                self.api.delete(what)
            return
        self._step(library, what, action, last)

    def finish(self) -> None:
        """Every pending page now carries its property: the list is cleared."""
        library, lib = self._ready(), self._library
        assert lib is not None
        if lib.value["pending"] or lib.leftover:
            self._set_property(library, self.api.get_property(library),
                               lib.value | {"pending": []})

    def close(self) -> None:
        self.api.http.close()

    def _ready(self) -> Page:
        """The library page written as planned, once: created, or its body and
        property brought up to date; the pages to create listed in it first."""
        lib, api, space = self._library, self.api, self._space
        assert lib is not None and space is not None, "plan before apply"
        if lib.ready:
            assert lib.page is not None
            return lib.page
        if lib.page is None:
            lib.page = api.create(space, lib.parent, self.title, lib.body)
            api.set_property(lib.page, None, lib.value)
            api.label(lib.page, LABEL)
        else:
            if lib.changed:
                if lib.page.version == 0:  # listed without its version
                    lib.page = api.page(lib.page.id)
                lib.page = self._update(space, lib.page, lib.parent, self.title, lib.body)
            if lib.changed or lib.value["pending"]:
                self._set_property(lib.page, lib.prop, lib.value)
            self._ensure_label(lib.page)
        lib.ready = True
        return lib.page

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
        if page is None or page.status != "current":
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
                    unowned[child.title.lower()] = child
        # The property is procmap's record, but anyone may have edited it:
        # what is not of its shape counts as not recorded.
        listed = lib_prop.value.get("pending") if lib_prop else None
        pending = ({t.lower() for t in listed if isinstance(t, str)} if isinstance(listed, list)
                   else set())
        work = []
        for source in site.pages:
            if source.workflow in owned:
                page, prop = owned.pop(source.workflow)
                if page.title != source.title:
                    clash = api.find(space, source.title)
                    if clash is not None and clash.id != page.id:
                        _not_current(clash, self.space_key)
                        raise PublishError(
                            f"cannot retitle {_name(page)} to {source.title!r}: "
                            f"{_name(clash)} has that title and procmap does not own it")
                w = _Work(source, page, prop)
            else:
                found = api.find(space, source.title)
                if found is not None:
                    _not_current(found, self.space_key)
                    adopt = unowned.get(found.title.lower())
                    if (adopt is None or adopt.id != found.id
                            or found.title.lower() not in pending):
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
            # A file someone deleted from the page is sent again.
            w.attached = api.attachments(w.page) if w.page is not None else {}
            w.uploads = tuple(n for n, digest in source.files().items()
                              if recorded.get(n) != digest or n not in w.attached)
            # Cloud may leave an image broken when the body that shows it is
            # stored before the file: a new page gets its body last.
            w.body_last = w.page is None and bool(w.uploads) and api.BODY_LAST
            work.append(w)
        return work, [page for page, _ in owned.values()]

    def _stale(self, page: Page) -> Action:
        if self.prune:
            return Action("prune", page.title, f"id {page.id}")
        return Action("stale", page.title, f"id {page.id}; its workflow is gone, --prune "
                                           "deletes it")

    def _step(self, library: Page, w: _Work, step: Action, last: bool) -> None:
        """Attachments, then the body, then (after the last step) the property
        that records both: a run cut off in between repeats the lot next
        time, never skips it."""
        api, source, space = self.api, w.source, self._space
        assert space is not None
        page = w.now or w.page
        if step.verb == "unchanged":
            self._ensure_label(page)
            return
        if step.verb == "create":
            page = api.create(space, library.id, source.title,
                              "" if w.body_last else source.body)
            api.label(page, LABEL)
        elif step.verb == "upload":
            assert page is not None
            # A PNG build left to draw is drawn here: only for a page that shows a new one.
            api.upload(page, step.detail, source.file(step.detail), w.attached.get(step.detail))
        elif step.verb == "update":
            assert page is not None
            if page.version == 0:  # listed without its version
                page = api.page(page.id)
            page = self._update(space, page, library.id, source.title, source.body)
        w.now = page
        if not last:
            return
        assert page is not None
        if w.page is not None:
            self._ensure_label(page)
        self._set_property(page, w.prop, {
            "kind": "page", "workflow": source.workflow, "digest": source.digest,
            "attachments": source.files()})

    def _ensure_label(self, page: Page | None) -> None:
        """A page procmap owns carries its label, though someone removed it or
        a run was cut off before it was added."""
        assert page is not None
        if LABEL not in self.api.labels(page):
            self.api.label(page, LABEL)

    def _update(self, space: Space, page: Page, parent: str | None, title: str,
                body: str) -> Page:
        """Someone saved the page since it was read (409 on v1; v2, whose spec
        has no 409, may say 400): read it again and retry once, if its
        version did move."""
        try:
            return self.api.update(space, page, parent, title, body)
        except ConfluenceError as e:
            if e.status not in CONFLICT:
                raise
            now = self.api.page(page.id)
            if e.status == 400 and now.version == page.version:  # not a conflict
                raise
        return self.api.update(space, now, parent, title, body)

    def _set_property(self, page: Page, old: Property | None, value: dict[str, Any]) -> None:
        try:
            self.api.set_property(page, old, value)
        except ConfluenceError as e:
            if e.status not in CONFLICT:
                raise
            now = self.api.get_property(page)
            if e.status == 400 and (now == old or (now and old and now.version == old.version)):
                raise  # not a conflict: the refusal stands
            self.api.set_property(page, now, value)
