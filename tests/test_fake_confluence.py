"""The test server keeps the service's rules (issue 17, point 8): each rule
checked here with raw requests, so that procmap's suite runs against a server
no more lenient than Confluence."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fake_confluence import CLOUD_ID, MAX_BODY, SPACE, TOKEN, USER, FakeConfluence


@pytest.fixture(params=["cloud", "dc"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeConfluence]:
    with FakeConfluence(request.param) as server:
        server.checked = False  # these tests send requests the server must refuse
        yield server


def auth(fake: FakeConfluence) -> dict[str, str]:
    if fake.flavour == "cloud":
        return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()}
    return {"Authorization": f"Bearer {TOKEN}"}


def call(fake: FakeConfluence, method: str, path: str, **options: Any) -> httpx.Response:
    return httpx.request(method, fake.url + path, headers=auth(fake) | options.pop("headers", {}),
                         **options)


def message(r: httpx.Response) -> str:
    data = r.json()
    return str(data["errors"][0]["title"] if "errors" in data else data["message"])


def create(fake: FakeConfluence, title: str) -> httpx.Response:
    body = {"representation": "storage", "value": "<p>x</p>"}
    if fake.flavour == "cloud":
        return call(fake, "POST", "/api/v2/pages", json={
            "spaceId": "98304", "status": "current", "title": title, "body": body})
    return call(fake, "POST", "/rest/api/content", json={
        "type": "page", "title": title, "space": {"key": SPACE}, "body": {"storage": body}})


def find(fake: FakeConfluence, title: str, status: str) -> list[str]:
    if fake.flavour == "cloud":
        r = call(fake, "GET", "/api/v2/pages", params={"space-id": "98304", "title": title,
                                                       "status": status})
    else:
        r = call(fake, "GET", "/rest/api/content", params={"spaceKey": SPACE, "title": title,
                                                           "status": status})
    return [p["title"] for p in r.json()["results"]]


@pytest.mark.parametrize("status", ["current", "trashed", "archived"])
def test_titles_are_unique_ignoring_case_and_kept_in_trash_and_archive(
        fake: FakeConfluence, status: str) -> None:
    fake.add_page("Refund", status=status)
    r = create(fake, "rEFUND")
    assert (r.status_code, message(r)) == (400, "A page with this title already exists: A "
                                           "page already exists with the same TITLE in this "
                                           "space (rEFUND)")


def test_title_queries_ignore_case_and_take_statuses(fake: FakeConfluence) -> None:
    fake.add_page("Refund", status="trashed")
    fake.add_page("Intake", status="archived")
    assert find(fake, "REFUND", "current") == []
    assert find(fake, "REFUND", "current,trashed") == ["Refund"]
    assert find(fake, "intake", "current,archived,trashed") == ["Intake"]


def test_a_title_is_at_most_255_characters(fake: FakeConfluence) -> None:
    assert create(fake, "x" * 255).status_code == 200
    r = create(fake, "y" * 256)
    assert (r.status_code, message(r)) == (400, "Title cannot be longer than 255 characters")


def test_an_update_names_its_fields_and_the_next_version(fake: FakeConfluence) -> None:
    page = fake.add_page("Intake")
    body = {"representation": "storage", "value": "<p>y</p>"}
    if fake.flavour == "cloud":
        path, whole = f"/api/v2/pages/{page}", {"id": page, "status": "current",
                                                "title": "Intake", "body": body}
        drop, stale = "status", 400
    else:
        path, whole = f"/rest/api/content/{page}", {"type": "page", "title": "Intake",
                                                    "body": {"storage": body}}
        drop, stale = "type", 409
    short = {k: v for k, v in whole.items() if k != drop} | {"version": {"number": 2}}
    r = call(fake, "PUT", path, json=short)
    assert (r.status_code, message(r)) == (400, f"Missing required field(s): {drop}")
    r = call(fake, "PUT", path, json=whole | {"version": {"number": 1}})
    assert (r.status_code, message(r)) == (stale, "Version must be incremented on update. "
                                                  "Current version is: 1")
    assert call(fake, "PUT", path, json=whole | {"version": {"number": 2}}).status_code == 200


def test_properties_are_created_once_and_kept_small(fake: FakeConfluence) -> None:
    page = fake.add_page("Intake")
    path = (f"/api/v2/pages/{page}/properties" if fake.flavour == "cloud" else
            f"/rest/api/content/{page}/property")
    assert call(fake, "POST", path, json={"key": "k", "value": 1}).status_code == 200
    r = call(fake, "POST", path, json={"key": "k", "value": 2})
    assert (r.status_code, message(r)) == (400, "Cannot create content property with key "
                                                "k: it exists")
    r = call(fake, "POST", path, json={"key": "big", "value": "x" * (32 * 1024)})
    assert (r.status_code, message(r)) == (400, "The value of content property big is over "
                                                "32768 bytes")


def test_cloud_uploads_need_minor_edit() -> None:
    with FakeConfluence("cloud") as fake:
        fake.checked = False
        page = fake.add_page("Intake")
        path = f"/rest/api/content/{page}/child/attachment"
        xsrf = {"X-Atlassian-Token": "no-check"}
        r = call(fake, "POST", path, files={"file": ("a.png", b"x")}, headers=xsrf)
        assert (r.status_code, message(r)) == (400, "minorEdit is required: true or false")
        r = call(fake, "POST", path, files={"file": ("a.png", b"x")},
                 data={"minorEdit": "true"}, headers=xsrf)
        assert r.status_code == 200
        listed = call(fake, "GET", f"/api/v2/pages/{page}/attachments",
                      params={"filename": "a.png"}).json()["results"]
        assert [(a["title"], a["pageId"], a["fileSize"]) for a in listed] == [("a.png", page, 1)]
        # the deprecated v1 listing is gone
        assert call(fake, "GET", path).status_code == 410


def test_an_unknown_space_id_is_refused_not_every_space() -> None:
    with FakeConfluence("cloud") as fake:
        fake.checked = False
        r = call(fake, "GET", "/api/v2/pages", params={"space-id": "1"})
        assert (r.status_code, message(r)) == (400, "Invalid space-id: 1")


def test_a_body_over_the_limit_is_refused(fake: FakeConfluence) -> None:
    r = call(fake, "POST", "/rest/api/content", content=b"x" * (MAX_BODY + 1))
    assert r.status_code == 413


def test_labels_can_be_read(fake: FakeConfluence) -> None:
    page = fake.add_page("Intake")
    r = call(fake, "POST", f"/rest/api/content/{page}/label",
             json=[{"prefix": "global", "name": "procmap"}])
    assert r.status_code == 200
    path = (f"/api/v2/pages/{page}/labels" if fake.flavour == "cloud" else
            f"/rest/api/content/{page}/label")
    assert [x["name"] for x in call(fake, "GET", path).json()["results"]] == ["procmap"]


def test_the_gateway_serves_under_its_prefix_and_links_without_it() -> None:
    with FakeConfluence("cloud", page_size=1, gateway=True) as fake:
        fake.checked = False
        assert fake.url.endswith(f"/ex/confluence/{CLOUD_ID}/wiki")
        fake.add_page("Intake")
        r = call(fake, "GET", "/api/v2/pages", params={"space-id": "98304"})
        assert r.json()["_links"]["next"].startswith("/wiki/api/v2/pages?")
        root = fake.url.removesuffix(f"/ex/confluence/{CLOUD_ID}/wiki")
        assert httpx.get(root + "/wiki/api/v2/pages", headers=auth(fake)).status_code == 404


def test_answers_carry_the_fields_the_spec_requires(fake: FakeConfluence) -> None:
    r = create(fake, "Intake")
    page = r.json()
    assert {"id", "status", "title"} <= page.keys()
    assert json.loads(r.content)["version"]["number"] == 1
