"""The few Confluence operations publishing needs, for both deployments.

Cloud keeps pages, content properties and the listings of attachments and
labels on the v2 API (`/api/v2`), since its v1 content endpoints are being
removed (410); uploads and adding labels, which v2 cannot do, stay on v1
(`/rest/api`). Data Center and Server have v1 only. Both classes answer in
the same small types.

Confluence compares titles ignoring case, and a page in the trash or the
archive keeps its title: `find` looks in all three and compares as it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from procmap.publish.confluence.http import ConfluenceError, Http
from procmap.publish.confluence.shape import Node, read

KEY = "procmap"  # the content property that says procmap owns a page
MESSAGE = "Published by procmap"
# The pages whose titles are taken. v1 takes one status, and `any` is current
# and trashed: archived pages of Data Center are not seen (v1 has no way).
STATUSES = "current,archived,trashed"


@dataclass(frozen=True, slots=True)
class Space:
    id: str
    key: str


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    title: str
    version: int  # 0 when the listing did not say (v2 children)
    parent: str | None
    space: str | None = None  # the space id, when the answer gave it
    status: str = "current"  # or archived, trashed


@dataclass(frozen=True, slots=True)
class Property:
    id: str
    version: int
    value: Any


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    name: str


class Api(Protocol):
    http: Http
    BODY_LAST: bool  # a new page gets its body after its attachments are uploaded

    def space(self, key: str) -> Space: ...
    def page(self, page_id: str) -> Page: ...
    def find(self, space: Space, title: str) -> Page | None: ...
    def body(self, page: Page) -> str: ...
    def children(self, page_id: str) -> Iterator[Page]: ...
    def create(self, space: Space, parent: str | None, title: str, body: str) -> Page: ...
    def update(self, space: Space, page: Page, parent: str | None, title: str,
               body: str) -> Page: ...
    def delete(self, page: Page) -> None: ...
    def get_property(self, page: Page) -> Property | None: ...
    def set_property(self, page: Page, old: Property | None, value: Any) -> None: ...
    def attachments(self, page: Page) -> dict[str, Attachment]: ...
    def upload(self, page: Page, name: str, data: bytes, old: Attachment | None) -> None: ...
    def labels(self, page: Page) -> set[str]: ...
    def label(self, page: Page, name: str) -> None: ...


def _what(page: Page) -> str:
    return f"page {page.title!r} (id {page.id})"


def same_title(a: str, b: str) -> bool:
    """Whether Confluence takes two titles for one: it keeps them lower-cased."""
    return a.lower() == b.lower()


class _Common:
    """What both deployments do alike: page writes differ only in paths and
    body shapes; attachments and labels are v1 on both."""

    http: Http
    PAGES: str  # where pages live
    PROPERTY: str  # the content properties of a page, under PAGES/{id}/
    LINKS_FROM_HOST: bool  # v2 links are paths from the host, v1 from the base URL

    def __init__(self, http: Http) -> None:
        self.http = http

    def _list(self, path: str, what: str, params: dict[str, str | int] | None
              ) -> Iterator[Node]:
        url: str | None = path
        read_before: set[str] = set()
        while url:
            read_before.add(url)
            data = read(self.http.request("GET", url, what, params=params), what)
            yield from data.field("results").each()
            # The link carries every parameter. v1 answers also name a
            # `_links.base`, which a server may point at another host: the
            # configured site is the only one procmap talks to.
            links = data.optional("_links")
            nxt = links.optional("next") if links else None
            url = (self.http.link(nxt.text(), what, from_host=self.LINKS_FROM_HOST)
                   if nxt and nxt.text() else None)
            params = None
            if url in read_before:  # it would never end
                raise ConfluenceError(self.http.say(
                    f"{what}: Confluence's answer links back to {url!r}, read already: the "
                    "listing would never end. Run again later."))

    def _page(self, data: Node) -> Page:
        raise NotImplementedError

    def _titled(self, items: Iterable[Node], title: str) -> Iterator[Node]:
        """The items of a listing whose title is `title`, as Confluence compares."""
        return (item for item in items if same_title(_text(item.optional("title")) or "", title))

    def _body(self, space: Space, parent: str | None, title: str, body: str) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, space: Space, parent: str | None, title: str, body: str) -> Page:
        what = f"new page {title!r}"
        r = self.http.request("POST", self.PAGES, what,
                              json=self._body(space, parent, title, body))
        return self._page(read(r, what))

    def update(self, space: Space, page: Page, parent: str | None, title: str,
               body: str) -> Page:
        data = self._body(space, parent, title, body) | {
            "id": page.id, "version": {"number": page.version + 1, "message": MESSAGE}}
        r = self.http.request("PUT", f"{self.PAGES}/{page.id}", _what(page), json=data)
        return self._page(read(r, _what(page)))

    def delete(self, page: Page) -> None:
        self.http.request("DELETE", f"{self.PAGES}/{page.id}", _what(page))

    def set_property(self, page: Page, old: Property | None, value: Any) -> None:
        what = f"procmap property of {_what(page)}"
        path = f"{self.PAGES}/{page.id}/{self.PROPERTY}"
        if old is None:
            self.http.request("POST", path, what, json={"key": KEY, "value": value})
        else:
            # v2 names a property by its id, v1 by its key
            name = old.id if self.PROPERTY == "properties" else KEY
            self.http.request("PUT", f"{path}/{name}", what, json={
                "key": KEY, "value": value, "version": {"number": old.version + 1}})

    ATTACHMENTS: str  # the attachments of a page, under PAGES/{id}/
    LABELS: str  # the labels of a page, under PAGES/{id}/

    def attachments(self, page: Page) -> dict[str, Attachment]:
        """The files attached to `page`, by name."""
        what = f"attachments of {_what(page)}"
        found = {}
        for a in self._list(f"{self.PAGES}/{page.id}/{self.ATTACHMENTS}", what, None):
            name = a.field("title").text()
            found[name] = Attachment(a.field("id").ident(), name)
        return found

    def upload(self, page: Page, name: str, data: bytes, old: Attachment | None) -> None:
        # POST only creates; a new version of an existing file goes to /data.
        path = f"/rest/api/content/{page.id}/child/attachment"
        if old is not None:
            path += f"/{old.id}/data"
        mime = "image/svg+xml" if name.endswith(".svg") else "image/png"
        # A minor edit notifies no watcher: a diagram redrawn is not news.
        self.http.request("POST", path, f"attachment {name!r} of {_what(page)}",
                          files={"file": (name, data, mime)}, data={"minorEdit": "true"},
                          headers={"X-Atlassian-Token": "no-check"})

    def labels(self, page: Page) -> set[str]:
        what = f"labels of {_what(page)}"
        return {item.field("name").text()
                for item in self._list(f"{self.PAGES}/{page.id}/{self.LABELS}", what, None)}

    def label(self, page: Page, name: str) -> None:
        self.http.request("POST", f"/rest/api/content/{page.id}/label",
                          f"labels of {_what(page)}", json=[{"prefix": "global", "name": name}])


class CloudApi(_Common):
    PAGES, PROPERTY = "/api/v2/pages", "properties"
    ATTACHMENTS, LABELS = "attachments", "labels"
    BODY_LAST = True
    LINKS_FROM_HOST = True

    def _page(self, p: Node) -> Page:
        parent, space = p.optional("parentId"), p.optional("spaceId")
        return Page(p.field("id").ident(), p.field("title").text(), _version(p),
                    parent.ident() if parent else None, space.ident() if space else None,
                    _text(p.optional("status")) or "current")

    def space(self, key: str) -> Space:
        what = f"space {key!r}"
        r = self.http.request("GET", "/api/v2/spaces", what, params={"keys": key})
        for s in read(r, what).field("results").each():
            if _text(s.optional("key")) == key:
                return Space(s.field("id").ident(), key)
        raise ConfluenceError(f"space {key!r} not found, or the user cannot see it: check "
                              "--space (the key, as in the space's URL) and its permissions", 404)

    def page(self, page_id: str) -> Page:
        what = f"page id {page_id}"
        return self._page(read(self.http.request("GET", f"/api/v2/pages/{page_id}", what), what))

    def find(self, space: Space, title: str) -> Page | None:
        for p in self._titled(self._list("/api/v2/pages", f"page {title!r}", {
                "space-id": space.id, "title": title, "status": STATUSES}), title):
            return self._page(p)
        return None

    def body(self, page: Page) -> str:
        what = _what(page)
        r = self.http.request("GET", f"/api/v2/pages/{page.id}", what,
                              params={"body-format": "storage"})
        return read(r, what).field("body").field("storage").field("value").text()

    def children(self, page_id: str) -> Iterator[Page]:
        for p in self._list(f"/api/v2/pages/{page_id}/children", f"pages under id {page_id}",
                            {"limit": 250}):
            yield Page(p.field("id").ident(), p.field("title").text(), 0, page_id)

    def _body(self, space: Space, parent: str | None, title: str, body: str) -> dict[str, Any]:
        out: dict[str, Any] = {"spaceId": space.id, "status": "current", "title": title,
                               "body": {"representation": "storage", "value": body}}
        if parent:
            out["parentId"] = parent
        return out


    def get_property(self, page: Page) -> Property | None:
        what = f"properties of {_what(page)}"
        r = self.http.request("GET", f"/api/v2/pages/{page.id}/properties", what,
                              params={"key": KEY})
        for p in read(r, what).field("results").each():
            if _text(p.optional("key")) == KEY:
                return _property(p, p.field("id").ident())
        return None



class DataCenterApi(_Common):
    PAGES, PROPERTY = "/rest/api/content", "property"
    ATTACHMENTS, LABELS = "child/attachment", "label"
    BODY_LAST = False
    LINKS_FROM_HOST = False

    def _page(self, p: Node) -> Page:
        ancestors = p.optional("ancestors")
        chain = ancestors.each() if ancestors else []
        space = p.optional("space")
        space_id = space.optional("id") if space else None
        return Page(p.field("id").ident(), p.field("title").text(), _version(p),
                    chain[-1].field("id").ident() if chain else None,
                    space_id.ident() if space_id else None,
                    _text(p.optional("status")) or "current")

    def space(self, key: str) -> Space:
        what = f"space {key!r}"
        try:
            r = self.http.request("GET", f"/rest/api/space/{quote(key, safe='')}", what)
        except ConfluenceError as e:
            if e.status == 404:
                raise ConfluenceError(f"space {key!r} not found, or the user cannot see it: "
                                      "check --space and its permissions", 404) from None
            raise
        return Space(read(r, what).field("id").ident(), key)

    def page(self, page_id: str) -> Page:
        what = f"page id {page_id}"
        r = self.http.request("GET", f"/rest/api/content/{page_id}", what,
                              params={"expand": "version,ancestors,space"})
        return self._page(read(r, what))

    def find(self, space: Space, title: str) -> Page | None:
        for p in self._titled(self._list("/rest/api/content", f"page {title!r}", {
                "spaceKey": space.key, "title": title, "type": "page", "status": "any",
                "expand": "version,ancestors,space"}), title):
            return self._page(p)
        return None

    def body(self, page: Page) -> str:
        what = _what(page)
        r = self.http.request("GET", f"/rest/api/content/{page.id}", what,
                              params={"expand": "body.storage"})
        return read(r, what).field("body").field("storage").field("value").text()

    def children(self, page_id: str) -> Iterator[Page]:
        for p in self._list(f"/rest/api/content/{page_id}/child/page",
                            f"pages under id {page_id}", {"expand": "version", "limit": 100}):
            yield Page(p.field("id").ident(), p.field("title").text(), _version(p), page_id)

    def _body(self, space: Space, parent: str | None, title: str, body: str) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "page", "title": title, "space": {"key": space.key},
                               "body": {"storage": {"value": body,
                                                    "representation": "storage"}}}
        if parent:
            out["ancestors"] = [{"id": parent}]
        return out


    def get_property(self, page: Page) -> Property | None:
        what = f"properties of {_what(page)}"
        r = self.http.request("GET", f"/rest/api/content/{page.id}/property/{KEY}", what,
                              ok=(200, 404))
        if r.status == 404:
            return None
        data = read(r, what)
        found = data.optional("id")
        return _property(data, found.ident() if found else KEY)


def _text(node: Node | None) -> str | None:
    return node.text() if node else None


def _version(page: Node) -> int:
    """The version number of a page; 0 when the answer leaves it out."""
    version = page.optional("version")
    number = version.optional("number") if version else None
    return number.number() if number else 0


def _property(p: Node, prop_id: str) -> Property:
    value = p.optional("value")
    return Property(prop_id, p.field("version").field("number").number(),
                    value.value if value else None)

