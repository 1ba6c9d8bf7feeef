"""A Confluence test server on 127.0.0.1, faithful to the request and response
shapes that procmap uses, in both flavours:

- cloud: `/wiki/api/v2` for spaces, pages and content properties (string ids,
  cursor pagination, `{"errors": [...]}`), `/wiki/rest/api` for attachments
  and labels; every other v1 content endpoint answers 410, as Cloud is
  removing them. Basic auth with email and API token.
- dc: `/confluence/rest/api` (a context path), numeric space ids, start/limit
  pagination, `{"statusCode", "message"}`; bearer personal access token.

Both keep the service's rules, as strict as its specs (the v2 and v1
OpenAPI documents) and its known behaviour:

- titles are unique in a space ignoring case, and a trashed or archived page
  keeps its title; title queries ignore case too; a title is at most 255
  characters;
- a write of a page needs `version.number` the current one + 1: a stale one
  is 409 on v1 and 400 on v2, whose spec documents no 409; an update names
  `id`, `status` and `title` (v2) or `type` and `title` (v1);
- a content property's key is created once (400 after, as the specs say),
  and its value is at most 32 kB of JSON;
- an upload needs `X-Atlassian-Token: no-check` (403) and, on Cloud, the
  `minorEdit` form field the spec marks required (400); POST with the name
  of an existing attachment is 400;
- an unknown space id is 400, never every space's pages; a request body over
  MAX_BODY is 413; bad credentials are 401.

Stored bodies come back rewritten (macro and local ids, entities), as
Confluence does. Every request it is sent is checked against the OpenAPI
documents when it stops (tests/contract.py), unless a test that sends
invalid requests on purpose sets `checked = False`. `gateway=True` serves a
Cloud site as scoped API tokens see it, under `/ex/confluence/{cloudId}/wiki`,
whose v2 links leave that prefix out. `fail()` injects faults.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from contract import Request, problems
from procmap.docs.storage import wrap

USER, TOKEN = "ann@example.com", "s3cr3t-token-42"
SPACE = "OPS"
CLOUD_ID = "a436116f-02ce-4520-8fbb-7301462a1674"
MAX_TITLE = 255
MAX_PROPERTY = 32 * 1024  # bytes of a content property's value, as JSON
MAX_BODY = 5 << 20  # of a request


@dataclass
class Fault:
    method: str
    pattern: str  # a regex searched in the path after the context path
    status: int = 500
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    drop: str | None = None  # "before" or "after" the work: close without answering
    body: bytes | None = None  # the answer's body as is, instead of an error envelope
    repeat: int = 1  # the body is sent this many times over
    trickle: float = 0.0  # seconds between the bytes of the answer, status line included
    sent: int = 0  # bytes of the body the client took before it hung up
    edit: str | None = None  # a person saves this page just before the request is run


class Reply(Exception):
    def __init__(self, status: int, message: str = "", data: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.data, self.headers = status, message, data, headers or {}


class FakeConfluence:
    def __init__(self, flavour: str, page_size: int = 2, gateway: bool = False) -> None:
        assert flavour in ("cloud", "dc") and (flavour == "cloud" or not gateway)
        self.flavour = flavour
        self.page_size = page_size  # small, so that clients must follow pagination
        self.context = "/wiki" if flavour == "cloud" else "/confluence"
        # v2 links are paths from the host of a site: behind the gateway they
        # lack its prefix, which a client must put back.
        self.prefix = f"/ex/confluence/{CLOUD_ID}" if gateway else ""
        self.ids = itertools.count(65537)
        self.lock = threading.Lock()
        self.spaces = {SPACE: {"id": 98304, "key": SPACE, "name": "Operations"},
                       "HR": {"id": 98305, "key": "HR", "name": "People"}}
        self.pages: dict[str, dict[str, Any]] = {}
        self.properties: dict[tuple[str, str], dict[str, Any]] = {}
        self.attachments: dict[str, dict[str, dict[str, Any]]] = {}
        self.labels: dict[str, set[str]] = {}
        self.requests: list[tuple[str, str]] = []
        self.authorizations: list[str | None] = []  # of each request, in order
        self.log: list[Request] = []  # every request under the context path, whole
        self.checked = True  # whether the requests must be valid by the OpenAPI documents
        self.faults: list[Fault] = []
        for key in self.spaces:
            self.spaces[key]["homepageId"] = self.add_page(f"{key} Home", space=key, parent=None)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.prefix}{self.context}"

    def __enter__(self) -> FakeConfluence:
        self.thread.start()
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        if kind is None and self.checked:
            wrong = [f"{r.method} {r.path}: {problem}" for r in self.log
                     for problem in problems(self.flavour, r)]
            assert not wrong, "requests the OpenAPI documents do not allow:\n" + "\n".join(wrong)

    # -- test helpers --------------------------------------------------------

    def add_page(self, title: str, parent: str | None = None, space: str = SPACE,
                 body: str = "<p>Written by hand.</p>", status: str = "current") -> str:
        """A page as a person would make it: no procmap property. `status`
        trashed or archived: a page in the trash or the archive."""
        page_id = str(next(self.ids))
        self.pages[page_id] = {"id": page_id, "title": title, "space": space,
                               "parent": parent, "version": 1, "body": body,
                               "status": status}
        return page_id

    def fail(self, method: str, pattern: str, status: int = 500, times: int = 1,
             headers: dict[str, str] | None = None, drop: str | None = None,
             body: bytes | None = None, repeat: int = 1, trickle: float = 0.0,
             edit: str | None = None) -> Fault:
        """The next `times` requests of `method` ("*": any) whose path matches
        `pattern` get this answer; with `edit`, they are run as usual after a
        person saved that page (a new version)."""
        fault = Fault(method, pattern, status, times, headers or {}, drop, body, repeat,
                      trickle, edit=edit)
        self.faults.append(fault)
        return fault

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    def current(self) -> dict[str, dict[str, Any]]:
        """Current pages by title."""
        return {p["title"]: p for p in self.pages.values() if p["status"] == "current"}

    def prop(self, page_id: str) -> Any:
        found = self.properties.get((page_id, "procmap"))
        return found["value"] if found else None

    # -- dispatch ------------------------------------------------------------

    def handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        path = parts.path.removeprefix(self.prefix) if self.prefix else parts.path
        if self.prefix and not parts.path.startswith(self.prefix + "/"):
            path = "/"  # the gateway serves nothing else
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        v2 = path.startswith(self.context + "/api/v2")
        with self.lock:
            self.requests.append((h.command, h.path))
            if path.startswith(self.context + "/"):
                under = path[len(self.context):] + (f"?{parts.query}" if parts.query else "")
                self.log.append(Request(h.command, under, h.headers.get("Content-Type", ""),
                                        raw))
            self.authorizations.append(h.headers.get("Authorization"))
            fault = next((f for f in self.faults if f.times > 0
                          and f.method in (h.command, "*") and re.search(f.pattern, path)),
                         None)
            if fault:
                fault.times -= 1
        try:
            if not path.startswith(self.context + "/"):
                raise Reply(404, "not found")
            if not self._authorised(h.headers.get("Authorization", "")):
                raise Reply(401, "Unauthorized; the credentials are not valid")
            if length > MAX_BODY:
                raise Reply(413, "Request entity too large")
            if fault and fault.edit:
                with self.lock:
                    self.pages[fault.edit]["version"] += 1
                fault = None
            if fault and fault.drop == "before":
                h.close_connection = True
                return
            if fault and fault.trickle:
                self._trickle(h, fault)
                return
            if fault and fault.body is not None:
                self._send(h, fault.status, fault.headers, fault.body, fault)
                return
            if fault and not fault.drop:
                raise Reply(fault.status, "injected fault", headers=fault.headers)
            with self.lock:
                status, data = self.route(h.command, path[len(self.context):], query, raw,
                                          h.headers)
            if fault and fault.drop == "after":
                h.close_connection = True
                return
        except Reply as r:
            status = r.status
            data = ({"errors": [{"status": r.status, "code": _CODES.get(r.status, "ERROR"),
                                 "title": r.message, "detail": None}]} if v2 else
                    {"statusCode": r.status, "message": r.message,
                     "data": {"authorized": r.status not in (401, 403), "valid": False,
                              "errors": [], "successful": False}})
            for k, v in r.headers.items():
                h.extra_headers[k] = v
        body = b"" if status == 204 else json.dumps(data).encode()
        if body:
            h.extra_headers.setdefault("Content-Type", "application/json;charset=UTF-8")
        self._send(h, status, h.extra_headers, body)

    @staticmethod
    def _send(h: _Handler, status: int, headers: dict[str, str], body: bytes,
              fault: Fault | None = None) -> None:
        repeat = fault.repeat if fault else 1
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body) * repeat))
        h.end_headers()
        try:
            for _ in range(repeat):
                h.wfile.write(body)
                if fault:
                    fault.sent += len(body)
        except OSError:  # the client hung up
            h.close_connection = True

    @staticmethod
    def _trickle(h: _Handler, fault: Fault) -> None:
        body = fault.body or b"{}"
        head = f"HTTP/1.1 {fault.status} OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        for i in range(len(head + body)):
            try:
                h.wfile.write((head + body)[i:i + 1])
            except OSError:  # the client hung up
                break
            time.sleep(fault.trickle)
        h.close_connection = True

    def _authorised(self, header: str) -> bool:
        if self.flavour == "cloud":
            good = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
        else:
            good = f"Bearer {TOKEN}"
        return header == good

    def route(self, method: str, path: str, q: dict[str, str], raw: bytes,
              headers: Any) -> tuple[int, Any]:
        m = re.fullmatch(r"/rest/api/content/(\w+)/child/attachment(?:/(\w+)/data)?", path)
        if m:
            return self.attachment(method, m[1], m[2], q, raw, headers)
        m = re.fullmatch(r"/rest/api/content/(\w+)/label", path)
        if m and method == "POST":
            page = self._page(m[1])
            names = {label["name"] for label in json.loads(raw)}
            self.labels.setdefault(page["id"], set()).update(names)
            return 200, self._labels(page["id"])
        if m and method == "GET" and self.flavour == "dc":
            page = self._page(m[1])
            return self._offset(path, q, self._labels(page["id"])["results"])
        if self.flavour == "cloud":
            if path.startswith("/rest/api/"):
                raise Reply(410, "This API endpoint has been removed: use the v2 API")
            return self.cloud(method, path, q, raw)
        if path.startswith("/api/v2"):
            raise Reply(404, "null for uri: " + path)
        return self.dc(method, path, q, raw)

    # -- Cloud, v2 -----------------------------------------------------------

    def cloud(self, method: str, path: str, q: dict[str, str], raw: bytes) -> tuple[int, Any]:
        if path == "/api/v2/spaces" and method == "GET":
            keys = q.get("keys", "").split(",")
            found = [{"id": str(s["id"]), "key": s["key"], "name": s["name"], "type": "global",
                      "status": "current", "homepageId": s["homepageId"]}
                     for s in self.spaces.values() if s["key"] in keys]
            return self._cursor("/api/v2/spaces", q, found)
        if path == "/api/v2/pages":
            if method == "GET":
                space = None
                if "space-id" in q:
                    space = next((s for s in self.spaces.values()
                                  if str(s["id"]) == q["space-id"]), None)
                    if space is None:
                        raise Reply(400, f"Invalid space-id: {q['space-id']}")
                pages = [self._v2(p) for p in self.pages.values()
                         if (space is None or p["space"] == space["key"])
                         and _same(p["title"], q.get("title"))
                         and p["status"] in _statuses(q)]
                return self._cursor(path, q, pages)
            if method == "POST":
                data = json.loads(raw)
                space = next((s for s in self.spaces.values()
                              if str(s["id"]) == str(data.get("spaceId"))), None)
                if space is None:
                    raise Reply(400, "Invalid spaceId")
                parent = data.get("parentId") or space["homepageId"]
                page_id = self._create(space["key"], data.get("title"), parent,
                                       self._storage(data.get("body", {})))
                return 200, self._v2(self.pages[page_id], body=True)
        m = re.fullmatch(r"/api/v2/pages/(\d+)", path)
        if m:
            page = self._page(m[1])
            if method == "GET":
                return 200, self._v2(page, body=q.get("body-format") == "storage")
            if method == "PUT":
                data = json.loads(raw)
                _required(data, "id", "status", "title", "body", "version")
                if str(data["id"]) != page["id"]:
                    raise Reply(400, "The id in the body is not the page's")
                self._update(page, data.get("title"), data.get("parentId"),
                             data.get("version", {}).get("number"),
                             self._storage(data.get("body", {})))
                return 200, self._v2(page, body=True)
            if method == "DELETE":
                page["status"] = "trashed"
                return 204, None
        m = re.fullmatch(r"/api/v2/pages/(\d+)/children", path)
        if m and method == "GET":
            self._page(m[1])
            kids = [{"id": p["id"], "status": "current", "title": p["title"],
                     "spaceId": str(self.spaces[p["space"]]["id"]), "childPosition": i}
                    for i, p in enumerate(self._children(m[1]))]
            return self._cursor(path, q, kids)
        m = re.fullmatch(r"/api/v2/pages/(\d+)/attachments", path)
        if m and method == "GET":
            page = self._page(m[1])
            files = self.attachments.get(page["id"], {}).values()
            found = [self._att_v2(page["id"], a) for a in files
                     if q.get("filename", a["title"]) == a["title"]]
            return self._cursor(path, q, found)
        m = re.fullmatch(r"/api/v2/pages/(\d+)/labels", path)
        if m and method == "GET":
            page = self._page(m[1])
            return self._cursor(path, q, self._labels(page["id"])["results"])
        m = re.fullmatch(r"/api/v2/pages/(\d+)/properties(?:/(\d+))?", path)
        if m:
            page = self._page(m[1])
            if method == "GET" and not m[2]:
                props = [self._prop_json(p) for (pid, k), p in self.properties.items()
                         if pid == page["id"] and q.get("key", k) == k]
                return self._cursor(path, q, props)
            if method == "POST" and not m[2]:
                return 200, self._prop_json(self._set_prop(page["id"], json.loads(raw), None))
            if method == "PUT" and m[2]:
                return 200, self._prop_json(self._set_prop(page["id"], json.loads(raw), m[2]))
        raise Reply(404, f"no route for {method} {path}")

    def _cursor(self, path: str, q: dict[str, str], items: list[Any]) -> tuple[int, Any]:
        start = int(base64.urlsafe_b64decode(q["cursor"]).decode()) if q.get("cursor") else 0
        size = min(int(q.get("limit", 25)), self.page_size)
        out: dict[str, Any] = {"results": items[start:start + size],
                               "_links": {"base": self.url}}
        if start + size < len(items):
            rest = {k: v for k, v in q.items() if k != "cursor"}
            rest["cursor"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
            out["_links"]["next"] = f"{self.context}{path}?{urlencode(rest)}"  # no prefix
        return 200, out

    def _v2(self, p: dict[str, Any], body: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": p["id"], "status": p["status"], "title": p["title"],
            "spaceId": str(self.spaces[p["space"]]["id"]), "parentId": p["parent"],
            "parentType": "page" if p["parent"] else None, "authorId": "557058:ann",
            "createdAt": "2026-11-22T10:00:00.000Z",
            "version": {"number": p["version"], "message": "", "minorEdit": False,
                        "authorId": "557058:ann", "createdAt": "2026-11-22T10:00:00.000Z"},
            "_links": {"webui": f"/spaces/{p['space']}/pages/{p['id']}"}}
        if body:
            out["body"] = {"storage": {"representation": "storage", "value": p["body"]}}
        return out

    # -- Data Center, v1 -----------------------------------------------------

    def dc(self, method: str, path: str, q: dict[str, str], raw: bytes) -> tuple[int, Any]:
        m = re.fullmatch(r"/rest/api/space/([^/]+)", path)
        if m and method == "GET":
            space = self.spaces.get(m[1])
            if space is None:
                raise Reply(404, f"No space with key : {m[1]}")
            return 200, {"id": space["id"], "key": space["key"], "name": space["name"],
                         "type": "global"}
        if path == "/rest/api/content":
            if method == "GET":
                pages = [self._v1(p, q.get("expand", "")) for p in self.pages.values()
                         if p["space"] == q.get("spaceKey", p["space"])
                         and _same(p["title"], q.get("title"))
                         and p["status"] in _statuses(q)]
                return self._offset(path, q, pages)
            if method == "POST":
                data = json.loads(raw)
                key = data.get("space", {}).get("key")
                if key not in self.spaces:
                    raise Reply(400, f"No space with key : {key}")
                ancestors = data.get("ancestors") or []
                parent = str(ancestors[-1]["id"]) if ancestors else None
                page_id = self._create(key, data.get("title"), parent,
                                       self._storage(data.get("body", {}).get("storage", {})))
                return 200, self._v1(self.pages[page_id], "version,ancestors,space")
        m = re.fullmatch(r"/rest/api/content/(\d+)", path)
        if m:
            page = self._page(m[1])
            if method == "GET":
                return 200, self._v1(page, q.get("expand", ""))
            if method == "PUT":
                data = json.loads(raw)
                _required(data, "type", "title", "version")
                ancestors = data.get("ancestors") or []
                self._update(page, data.get("title"),
                             str(ancestors[-1]["id"]) if ancestors else None,
                             data.get("version", {}).get("number"),
                             self._storage(data.get("body", {}).get("storage", {})))
                return 200, self._v1(page, "version,ancestors,space")
            if method == "DELETE":
                page["status"] = "trashed"
                return 204, None
        m = re.fullmatch(r"/rest/api/content/(\d+)/child/page", path)
        if m and method == "GET":
            self._page(m[1])
            return self._offset(path, q, [self._v1(p, q.get("expand", ""))
                                          for p in self._children(m[1])])
        m = re.fullmatch(r"/rest/api/content/(\d+)/property(?:/([^/]+))?", path)
        if m:
            page = self._page(m[1])
            if method == "GET" and m[2]:
                found = self.properties.get((page["id"], m[2]))
                if found is None:
                    raise Reply(404, f"Cannot find content property with key: {m[2]}")
                return 200, self._prop_json(found)
            if method == "POST" and not m[2]:
                return 200, self._prop_json(self._set_prop(page["id"], json.loads(raw), None))
            if method == "PUT" and m[2]:
                prop = self.properties.get((page["id"], m[2]))
                if prop is None:
                    raise Reply(404, f"Cannot find content property with key: {m[2]}")
                return 200, self._prop_json(self._set_prop(page["id"], json.loads(raw),
                                                           prop["id"]))
        raise Reply(404, f"null for uri: {path}")

    def _offset(self, path: str, q: dict[str, str], items: list[Any]) -> tuple[int, Any]:
        start = int(q.get("start", 0))
        size = min(int(q.get("limit", 25)), self.page_size)
        out: dict[str, Any] = {"results": items[start:start + size], "start": start,
                               "limit": size, "size": len(items[start:start + size]),
                               "_links": {"base": self.url, "context": self.context}}
        if start + size < len(items):
            out["_links"]["next"] = f"{path}?{urlencode(q | {'start': start + size})}"
        return 200, out

    def _v1(self, p: dict[str, Any], expand: str) -> dict[str, Any]:
        out: dict[str, Any] = {"id": p["id"], "type": "page", "status": p["status"],
                               "title": p["title"],
                               "_links": {"webui": f"/pages/viewpage.action?pageId={p['id']}"}}
        wanted = set(expand.split(","))
        if "version" in wanted:
            out["version"] = {"number": p["version"], "message": "", "minorEdit": False}
        if "ancestors" in wanted:
            chain, up = [], p["parent"]
            while up:
                chain.insert(0, {"id": up, "type": "page", "title": self.pages[up]["title"]})
                up = self.pages[up]["parent"]
            out["ancestors"] = chain
        if "space" in wanted:
            space = self.spaces[p["space"]]
            out["space"] = {"id": space["id"], "key": space["key"], "name": space["name"]}
        if "body.storage" in wanted:
            out["body"] = {"storage": {"value": p["body"], "representation": "storage"}}
        return out

    # -- shared --------------------------------------------------------------

    def _page(self, page_id: str) -> dict[str, Any]:
        page = self.pages.get(page_id)
        if page is None or page["status"] != "current":
            raise Reply(404, f"No content found with id: ContentId{{id={page_id}}}")
        return page

    def _children(self, page_id: str) -> Iterator[dict[str, Any]]:
        return (p for p in self.pages.values()
                if p["parent"] == page_id and p["status"] == "current")

    def _storage(self, body: dict[str, Any]) -> str:
        if body.get("representation") != "storage":
            raise Reply(400, "Unsupported body representation")
        value = str(body.get("value", ""))
        try:
            ET.fromstring(wrap(value))
        except ET.ParseError as e:
            raise Reply(400, f"Error parsing xhtml: {e}") from None
        return value

    def _title_free(self, space: str, title: str, but: str | None = None) -> None:
        if not title:
            raise Reply(400, "Title cannot be empty")
        if len(title) > MAX_TITLE:
            raise Reply(400, f"Title cannot be longer than {MAX_TITLE} characters")
        # Trashed and archived pages keep their titles; only a purged one frees it.
        for p in self.pages.values():
            if p["space"] == space and _same(p["title"], title) and p["id"] != but:
                raise Reply(400, "A page with this title already exists: A page already "
                                 f"exists with the same TITLE in this space ({title})")

    def _create(self, space: str, title: str, parent: str | None, body: str) -> str:
        self._title_free(space, title)
        if parent is not None:
            self._page(parent)
        page_id = self.add_page(title, parent, space, _rewrite(body))
        self._render(self.pages[page_id])
        return page_id

    def _update(self, page: dict[str, Any], title: str, parent: str | None,
                number: int | None, body: str) -> None:
        if number != page["version"] + 1:
            raise Reply(self._stale, "Version must be incremented on update. Current "
                                     f"version is: {page['version']}")
        self._title_free(page["space"], title, page["id"])
        if parent is not None:
            self._page(parent)
            page["parent"] = parent
        page.update(title=title, version=number, body=_rewrite(body))
        self._render(page)

    def _set_prop(self, page_id: str, data: dict[str, Any], prop_id: str | None) -> dict[str, Any]:
        key = data.get("key")
        if not isinstance(key, str) or not key:
            raise Reply(400, "A content property needs a key")
        if len(json.dumps(data.get("value")).encode()) > MAX_PROPERTY:
            raise Reply(400, f"The value of content property {key} is over {MAX_PROPERTY} bytes")
        old = self.properties.get((page_id, key))
        if prop_id is None:
            if old is not None:
                raise Reply(400, f"Cannot create content property with key {key}: it exists")
            prop = {"id": str(next(self.ids)), "key": key, "value": data.get("value"),
                    "version": 1}
        else:
            if old is None or old["id"] != prop_id:
                raise Reply(404, "Content property not found")
            number = data.get("version", {}).get("number")
            if number != old["version"] + 1:
                raise Reply(self._stale, "Version must be incremented on update. Current "
                                         f"version is: {old['version']}")
            prop = old | {"value": data.get("value"), "version": number}
        self.properties[page_id, key] = prop
        return prop

    @staticmethod
    def _prop_json(p: dict[str, Any]) -> dict[str, Any]:
        return {"id": p["id"], "key": p["key"], "value": p["value"],
                "version": {"number": p["version"], "minorEdit": False}}

    def attachment(self, method: str, page_id: str, att_id: str | None, q: dict[str, str],
                   raw: bytes, headers: Any) -> tuple[int, Any]:
        page = self._page(page_id)
        files = self.attachments.setdefault(page["id"], {})
        if method == "GET" and self.flavour == "cloud":
            raise Reply(410, "This API endpoint has been removed: use the v2 API")
        if method == "GET" and att_id is None:
            found = [self._att(a) for a in files.values()
                     if q.get("filename", a["title"]) == a["title"]]
            return self._offset(f"/rest/api/content/{page_id}/child/attachment", q, found)
        if method != "POST":
            raise Reply(405, "Method not allowed")
        if headers.get("X-Atlassian-Token") != "no-check":
            raise Reply(403, "XSRF check failed")
        name, data, form = _multipart(headers.get("Content-Type", ""), raw)
        if self.flavour == "cloud" and form.get("minorEdit") not in ("true", "false"):
            raise Reply(400, "minorEdit is required: true or false")
        if not name or "/" in name:
            raise Reply(400, f"Invalid file name: {name!r}")
        if att_id is None:
            if name in files:
                raise Reply(400, "Cannot add a new attachment with same file name as an "
                                 f"existing attachment: {name}")
            files[name] = {"id": f"att{next(self.ids)}", "title": name, "version": 1,
                           "data": data, "minorEdit": form.get("minorEdit")}
            return 200, {"results": [self._att(files[name])], "size": 1}
        att = next((a for a in files.values() if a["id"] == att_id), None)
        if att is None:
            raise Reply(404, f"No attachment with id {att_id}")
        if name != att["title"]:
            raise Reply(400, "The file name must not change")
        att.update(version=att["version"] + 1, data=data, minorEdit=form.get("minorEdit"))
        return 200, self._att(att)

    def _render(self, page: dict[str, Any]) -> None:
        """Cloud can keep an image broken when the body that shows it was
        stored before the file: `broken` names such files of the version
        stored last."""
        if self.flavour == "cloud":
            files = self.attachments.get(page["id"], {})
            page["broken"] = {name for name in re.findall(r'ri:filename="([^"]+)"', page["body"])
                              if name not in files}

    @property
    def _stale(self) -> int:
        """The status of a write with a stale version: the v2 spec has no 409."""
        return 400 if self.flavour == "cloud" else 409

    def _labels(self, page_id: str) -> dict[str, Any]:
        names = sorted(self.labels.get(page_id, set()))
        return {"results": [{"prefix": "global", "name": n, "id": str(1000 + i)}
                            for i, n in enumerate(names)], "size": len(names)}

    def _att_v2(self, page_id: str, a: dict[str, Any]) -> dict[str, Any]:
        return {"id": a["id"], "status": "current", "title": a["title"], "pageId": page_id,
                "mediaType": "image/png", "fileSize": len(a["data"]),
                "version": {"number": a["version"], "minorEdit": True,
                            "authorId": "557058:ann", "createdAt": "2026-11-22T10:00:00.000Z"},
                "_links": {"download": f"/download/attachments/{page_id}/{a['title']}"}}

    @staticmethod
    def _att(a: dict[str, Any]) -> dict[str, Any]:
        return {"id": a["id"], "type": "attachment", "status": "current", "title": a["title"],
                "version": {"number": a["version"]},
                "extensions": {"fileSize": len(a["data"])}}


_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
          409: "CONFLICT", 410: "GONE", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR",
          503: "SERVICE_UNAVAILABLE"}


def _same(title: str, asked: str | None) -> bool:
    """Confluence compares titles ignoring case (it keeps them lower-cased)."""
    return asked is None or title.lower() == asked.lower()


def _statuses(q: dict[str, str]) -> set[str]:
    """The statuses a listing asks for: a comma-separated list; v1's `any` is
    current and trashed."""
    asked = set(q.get("status", "current").split(","))
    return asked | {"current", "trashed"} if "any" in asked else asked


def _required(data: Any, *names: str) -> None:
    missing = [n for n in names if not isinstance(data, dict) or data.get(n) in (None, "")]
    if missing:
        raise Reply(400, f"Missing required field(s): {', '.join(missing)}")


def _rewrite(body: str) -> str:
    """What Confluence does to a stored body: ids on macros and blocks, and its
    own choice of entities."""
    ids = itertools.count(1)
    body = re.sub(r"<ac:structured-macro ",
                  lambda m: f'<ac:structured-macro ac:macro-id="m-{next(ids)}" ', body)
    body = re.sub(r"<(p|h2|h3|table)>", lambda m: f'<{m[1]} ac:local-id="l-{next(ids)}">', body)
    return body.replace("&#34;", "&quot;").replace("&#39;", "&apos;")


def _multipart(content_type: str, raw: bytes) -> tuple[str | None, bytes, dict[str, str]]:
    """The file's name and bytes, and the form's other fields."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    name, data, form = None, b"", {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        field = part.get_param("name", header="content-disposition")
        if field == "file":
            name, data = part.get_filename(), part.get_payload(decode=True)
        elif isinstance(field, str):
            form[field] = part.get_payload(decode=True).decode()
    return name, data, form


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes

    def setup(self) -> None:
        super().setup()
        self.extra_headers: dict[str, str] = {}

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:  # the client hung up, e.g. on an answer it would not read
            self.close_connection = True

    def _any(self) -> None:
        self.extra_headers = {}
        self.server.fake.handle(self)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass
