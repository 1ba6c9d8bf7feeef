"""`procmap publish` against the Confluence test server, in both flavours."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from fake_confluence import SPACE, TOKEN, USER, FakeConfluence
from procmap.cli import main
from procmap.publish.confluence import Api, CloudApi, ConfluenceError, DataCenterApi, connect
from procmap.publish.confluence.http import Answer, error_message, retry_after
from procmap.publish.confluence.sync import (
    Action,
    Publisher,
    PublishError,
    Site,
    SitePage,
    read_site,
)

BODY = ('<ac:structured-macro ac:name="toc" /><h2>Steps</h2><p>Check the &amp; "{n}"</p>'
        '<p><ac:image><ri:attachment ri:filename="{w}.png" /></ac:image></p>')
HOSTILE = ["R&D #1 <fast> \"quoted\" 'single'", "Überweisung prüfen - 日本語の手順",
           "a+b=c?d%20e / f", "Ünïcode & <tags> # #"]


def page(workflow: str, title: str | None = None, n: int = 1, png: bytes = b"png-1",
         svg: bytes = b"<svg/>") -> SitePage:
    return SitePage(workflow, title or workflow.title(), BODY.format(n=n, w=workflow),
                    {f"{workflow}.png": png, f"{workflow}.svg": svg})


def site(*pages: SitePage, index: str = "<p>index</p>") -> Site:
    return Site(Path("site"), index, pages)


@pytest.fixture(params=["cloud", "dc"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeConfluence]:
    with FakeConfluence(request.param) as server:
        yield server


def api_of(fake: FakeConfluence, sleeps: list[float] | None = None, **http: object) -> Api:
    user = USER if fake.flavour == "cloud" else None
    return connect(fake.url, user, TOKEN, fake.flavour,
                   sleep=(sleeps if sleeps is not None else []).append, **http)


def publish(fake: FakeConfluence, library: Site, **options: object) -> list[Action]:
    sleeps = options.pop("sleeps", None)
    api = api_of(fake, sleeps)  # type: ignore[arg-type]
    try:
        return Publisher(api, SPACE, **options).run(library)  # type: ignore[arg-type]
    finally:
        api.http.close()


def verbs(actions: list[Action]) -> list[tuple[str, str]]:
    return [(a.verb, a.title) for a in actions]


TWO = site(page("intake", "Intake"), page("refund", "Refund"))


def first(fake: FakeConfluence) -> int:
    """The version of a page after the run that created it: on Cloud, a page
    with attachments is created, then written with its body after them."""
    return 2 if fake.flavour == "cloud" else 1


def test_create_then_nothing_to_do(fake: FakeConfluence) -> None:
    first = publish(fake, TWO)
    assert verbs(first)[0] == ("create", "Process library")
    assert {a.detail for a in first if a.verb == "upload"} == {
        "intake.png", "intake.svg", "refund.png", "refund.svg"}
    pages = fake.current()
    library = pages["Process library"]
    for title, wid in [("Intake", "intake"), ("Refund", "refund")]:
        stored = pages[title]
        assert stored["parent"] == library["id"]
        assert fake.prop(stored["id"])["workflow"] == wid
        assert set(fake.attachments[stored["id"]]) == {f"{wid}.png", f"{wid}.svg"}
        assert fake.labels[stored["id"]] == {"procmap"}
        # Confluence rewrites what it stores: comparing bodies would see a change.
        assert stored["body"] != BODY.format(n=1, w=wid) and "ac:macro-id" in stored["body"]
    assert fake.prop(library["id"])["pending"] == []
    before = len(fake.requests)
    second = publish(fake, TWO)
    assert fake.writes() == [r for r in fake.requests[:before] if r[0] != "GET"]
    assert verbs(second) == [("unchanged", "Intake"), ("unchanged", "Refund")]


def test_update_sends_only_what_changed(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    mark = len(fake.requests)
    actions = publish(fake, site(page("intake", "Intake", n=2), page("refund", "Refund")))
    assert verbs(actions) == [("update", "Intake"), ("unchanged", "Refund")]
    writes = [r for r in fake.requests[mark:] if r[0] != "GET"]
    assert [m for m, _ in writes] == ["PUT", "PUT"]  # the page, then its property
    intake = fake.current()["Intake"]
    assert intake["version"] == first(fake) + 1 and '"2"' in intake["body"].replace("&quot;", '"')


def test_changed_attachment_is_a_new_version(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    mark = len(fake.requests)
    actions = publish(fake, site(page("intake", "Intake", png=b"png-2"), page("refund", "Refund")))
    assert verbs(actions) == [("upload", "Intake"), ("unchanged", "Refund")]
    writes = [p for m, p in fake.requests[mark:] if m != "GET"]
    assert len(writes) == 2 and writes[0].endswith("/data")  # upload, then the property
    intake = fake.current()["Intake"]
    png = fake.attachments[intake["id"]]["intake.png"]
    assert png["version"] == 2 and png["data"] == b"png-2"
    assert fake.attachments[intake["id"]]["intake.svg"]["version"] == 1
    assert intake["version"] == first(fake)


def test_prune_deletes_only_owned_pages_whose_workflow_is_gone(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    library = fake.current()["Process library"]["id"]
    fake.add_page("Notes by hand", parent=library)
    one = site(page("intake", "Intake"))
    kept = publish(fake, one)
    assert ("stale", "Refund") in verbs(kept) and "Refund" in fake.current()
    pruned = publish(fake, one, prune=True)
    assert ("prune", "Refund") in verbs(pruned)
    assert "Refund" not in fake.current() and "Notes by hand" in fake.current()
    assert [m for m, _ in fake.writes()].count("DELETE") == 1


def test_dry_run_writes_nothing(fake: FakeConfluence) -> None:
    actions = publish(fake, TWO, dry_run=True, prune=True)
    assert fake.writes() == []
    assert ("create", "Process library") in verbs(actions)
    assert ("create", "Intake") in verbs(actions) and ("upload", "Intake") in verbs(actions)
    publish(fake, TWO)
    actions = publish(fake, site(page("intake", "Intake", n=3)), dry_run=True, prune=True)
    assert verbs(actions) == [("update", "Intake"), ("prune", "Refund")]
    assert "Refund" in fake.current()


def test_foreign_page_with_the_same_title_stops_the_run(fake: FakeConfluence) -> None:
    foreign = fake.add_page("Refund", parent=fake.spaces[SPACE]["homepageId"])
    with pytest.raises(PublishError, match=rf"'Refund' \(id {foreign}\).*not owned by procmap"):
        publish(fake, TWO)
    assert fake.writes() == []  # stopped before the first write
    assert fake.pages[foreign]["body"] == "<p>Written by hand.</p>"


def test_foreign_page_under_the_library_is_not_taken(fake: FakeConfluence) -> None:
    publish(fake, site(page("intake", "Intake")))
    library = fake.current()["Process library"]["id"]
    foreign = fake.add_page("Refund", parent=library)
    with pytest.raises(PublishError, match="not owned by procmap"):
        publish(fake, TWO)
    assert fake.pages[foreign]["version"] == 1


def test_owned_page_moved_outside_the_library_is_left_alone(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    refund = fake.current()["Refund"]
    refund["parent"] = fake.spaces[SPACE]["homepageId"]
    with pytest.raises(PublishError, match="sits outside the library page"):
        publish(fake, site(page("intake", "Intake"), page("refund", "Refund", n=2)))
    assert refund["version"] == first(fake) and refund["status"] == "current"


def test_library_title_taken_by_a_foreign_page(fake: FakeConfluence) -> None:
    fake.add_page("Process library")
    with pytest.raises(PublishError, match="procmap does not own it: publish under another"):
        publish(fake, TWO)
    publish(fake, TWO, title="Ops procedures")
    assert fake.current()["Intake"]["parent"] == fake.current()["Ops procedures"]["id"]


def test_parent_by_title_or_id(fake: FakeConfluence) -> None:
    team = fake.add_page("Team & space")
    publish(fake, TWO, parent="Team & space")
    assert fake.current()["Process library"]["parent"] == team
    publish(fake, TWO, parent=team)  # the same page by id: nothing moves
    other = fake.add_page("Elsewhere")
    with pytest.raises(PublishError, match="sits outside the parent page 'Elsewhere'"):
        publish(fake, TWO, parent=other)
    with pytest.raises(PublishError, match="parent page 'Nowhere' not found"):
        publish(fake, TWO, parent="Nowhere")
    hr = fake.add_page("HR page", space="HR")
    with pytest.raises(PublishError, match="another space"):
        publish(fake, TWO, parent=hr, title="Other library")


def test_hostile_titles_in_every_query(fake: FakeConfluence) -> None:
    pages = [page(f"w{i}", title) for i, title in enumerate(HOSTILE)]
    publish(fake, site(*pages), parent=None)
    stored = fake.current()
    assert set(HOSTILE) <= set(stored)
    mark = len(fake.requests)
    again = publish(fake, site(*pages))
    assert {a.verb for a in again} == {"unchanged"}
    assert [r for r in fake.requests[mark:] if r[0] != "GET"] == []


# -- faults ------------------------------------------------------------------

def test_429_waits_as_told(fake: FakeConfluence) -> None:
    fake.fail("GET", r"/pages$|/content$", 429, times=2, headers={"Retry-After": "7"})
    fake.fail("POST", r"/pages$|/content$", 429, headers={"Retry-After": "Wed, 21 Oct 2099 "
                                                                         "07:28:00 GMT"})
    sleeps: list[float] = []
    publish(fake, TWO, sleeps=sleeps)
    assert sleeps == [7, 7, 60]  # an HTTP date far away is capped
    assert set(fake.current()) >= {"Intake", "Refund"}


def test_5xx_retries_reads_with_backoff(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    fake.fail("GET", r"/properties|/property", 503, times=2)
    sleeps: list[float] = []
    publish(fake, TWO, sleeps=sleeps)
    assert sleeps == [1, 2]


def test_5xx_on_create_is_not_repeated_and_the_next_run_finishes(fake: FakeConfluence) -> None:
    # The server may have created the page before failing: repeating the POST
    # could make a second one. The next run finds it through `pending`.
    fake.fail("POST", r"/pages$|/content$", 502, times=1)
    with pytest.raises(ConfluenceError, match="502"):
        publish(fake, site())
    assert [m for m, _ in fake.writes()] == ["POST"]
    publish(fake, site())  # the library page alone
    fake.fail("POST", r"/pages$|/content$", drop="after")
    with pytest.raises(ConfluenceError, match="run publish again"):
        publish(fake, TWO)
    assert "Intake" in fake.current() and fake.prop(fake.current()["Intake"]["id"]) is None
    publish(fake, site(page("intake", "Intake")))  # adopts it; nothing left pending
    library = fake.current()["Process library"]["id"]
    assert fake.prop(library)["pending"] == []
    publish(fake, TWO)
    pages = fake.current()
    assert fake.prop(pages["Intake"]["id"])["workflow"] == "intake"
    assert set(fake.attachments[pages["Intake"]["id"]]) == {"intake.png", "intake.svg"}
    mark = len(fake.requests)
    publish(fake, TWO)
    assert [r for r in fake.requests[mark:] if r[0] != "GET"] == []


def test_network_error_mid_run_leaves_pages_old_or_new(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    new = site(page("intake", "Intake", n=2), page("refund", "Refund", n=2))
    refund = fake.current()["Refund"]["id"]
    fake.fail("PUT", rf"/{refund}$", drop="before", times=5)
    with pytest.raises(ConfluenceError, match="no answer"):
        publish(fake, new)
    assert fake.current()["Intake"]["version"] == first(fake) + 1  # new
    assert fake.current()["Refund"]["version"] == first(fake)  # old
    publish(fake, new)
    assert fake.current()["Refund"]["version"] == first(fake) + 1
    mark = len(fake.requests)
    publish(fake, new)
    assert [r for r in fake.requests[mark:] if r[0] != "GET"] == []


def test_lost_answer_to_an_update_is_not_an_error(fake: FakeConfluence) -> None:
    # The PUT went through but its answer was lost: the repeat gets 409, and
    # the page is read again and written once more.
    publish(fake, TWO)
    intake = fake.current()["Intake"]["id"]
    fake.fail("PUT", rf"/{intake}$", drop="after")
    publish(fake, site(page("intake", "Intake", n=2), page("refund", "Refund")))
    assert fake.current()["Intake"]["version"] == first(fake) + 2


def test_409_is_retried_once(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    intake = fake.current()["Intake"]["id"]
    fake.fail("PUT", rf"/{intake}$", 409)
    publish(fake, site(page("intake", "Intake", n=2), page("refund", "Refund")))
    assert fake.current()["Intake"]["version"] == first(fake) + 1
    fake.fail("PUT", rf"/{intake}$", 409, times=2)
    with pytest.raises(ConfluenceError, match=r"page 'Intake' \(id \d+\): .*409"):
        publish(fake, site(page("intake", "Intake", n=3), page("refund", "Refund")))


@pytest.mark.parametrize(("status", "advice"), [
    (401, "Check CONFLUENCE_USER and CONFLUENCE_TOKEN"),
    (403, "check its permissions"),
    (404, "Check --url"),
    (410, "use --flavour cloud"),
])
def test_errors_that_stop_the_run(fake: FakeConfluence, status: int, advice: str) -> None:
    publish(fake, TWO)
    intake = fake.current()["Intake"]["id"]
    fake.fail("POST", rf"/{intake}/child/attachment", status)
    with pytest.raises(ConfluenceError, match=rf"attachment 'intake.png' of page 'Intake'.*"
                                              rf"{status}.*{advice}") as e:
        publish(fake, site(page("intake", "Intake", png=b"new"), page("refund", "Refund")))
    assert TOKEN not in str(e.value)


def test_bad_token(fake: FakeConfluence) -> None:
    api = connect(fake.url, USER if fake.flavour == "cloud" else None, "wrong", fake.flavour)
    with pytest.raises(ConfluenceError, match=r"401.*CONFLUENCE_TOKEN"):
        Publisher(api, SPACE).run(TWO)


def test_unknown_space(fake: FakeConfluence) -> None:
    api = api_of(fake)
    with pytest.raises(ConfluenceError, match="space 'NOPE' not found"):
        Publisher(api, "NOPE").run(TWO)


def test_v1_content_is_gone_on_cloud() -> None:
    with FakeConfluence("cloud") as cloud:
        api = connect(cloud.url, USER, TOKEN, "dc")
        with pytest.raises(ConfluenceError, match=r"410.*use --flavour cloud"):
            Publisher(api, SPACE).run(TWO)


# -- the test server keeps Confluence's rules -----------------------------------

def test_server_rules(fake: FakeConfluence) -> None:
    fake.checked = False  # it sends requests the server must refuse
    publish(fake, TWO)
    api = api_of(fake)
    space = api.space(SPACE)
    intake = api.find(space, "Intake")
    assert intake is not None
    with pytest.raises(ConfluenceError, match=r"400.*already exists"):
        api.create(space, None, "Refund", "<p/>")
    with pytest.raises(ConfluenceError, match=r"400.*xhtml"):
        api.create(space, None, "Broken", "<p>open")
    with pytest.raises(ConfluenceError, match="400" if fake.flavour == "cloud" else "409"):
        api.update(space, replace(intake, version=0),
                   intake.parent, "Intake", "<p/>")
    with pytest.raises(ConfluenceError, match=r"400.*same file name"):
        api.upload(intake, "intake.png", b"x", None)
    no_check = httpx.post(f"{fake.url}/rest/api/content/{intake.id}/child/attachment",
                          files={"file": ("x.png", b"x")},
                          headers={"Authorization": api.http.credentials.header()})
    assert no_check.status_code == 403
    envelope = no_check.json()
    assert envelope["statusCode"] == 403 and "XSRF" in envelope["message"]
    if fake.flavour == "cloud":
        gone = httpx.get(f"{fake.url}/rest/api/content/{intake.id}",
                         headers={"Authorization": api.http.credentials.header()})
        assert gone.status_code == 410
        missing = httpx.get(f"{fake.url}/api/v2/pages/1",
                            headers={"Authorization": api.http.credentials.header()})
        assert missing.json()["errors"][0]["status"] == 404
        assert isinstance(api.space(SPACE).id, str)
    else:
        assert isinstance(httpx.get(f"{fake.url}/rest/api/space/{SPACE}", headers={
            "Authorization": api.http.credentials.header()}).json()["id"], int)


# -- the command ---------------------------------------------------------------

EXAMPLES = Path(__file__).parent.parent / "workflows"


def test_command_builds_publishes_and_rests(runner: CliRunner,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, "workflows")
    assert runner.invoke(main, ["build", "workflows", "-o", "site"]).exit_code == 0
    titles = [p["title"] for p in json.loads(Path("site/manifest.json").read_text())["pages"]]
    with FakeConfluence("cloud") as fake:
        monkeypatch.setenv("CONFLUENCE_URL", fake.url)
        monkeypatch.setenv("CONFLUENCE_USER", USER)
        monkeypatch.setenv("CONFLUENCE_TOKEN", TOKEN)
        args = ["publish", "site", "--space", SPACE, "--flavour", "cloud", "-v"]
        dry = runner.invoke(main, [*args, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "would create    Process library" in dry.output and fake.writes() == []
        first = runner.invoke(main, args)
        assert first.exit_code == 0, first.output
        assert set(titles) < set(fake.current())
        assert first.output.splitlines()[-1].startswith(f"{len(titles) + 1} create")  # + library
        again = runner.invoke(main, args)
        assert again.exit_code == 0
        assert again.output.splitlines()[-1] == f"{len(titles)} unchanged"
        for result in (dry, first, again):
            assert TOKEN not in result.output
        if shutil.which("dot"):
            page = fake.current()[titles[0]]
            assert {n.rsplit(".", 1)[1] for n in fake.attachments[page["id"]]} == {"png", "svg"}
        fake.fail("GET", r"/spaces", 503, headers={"Retry-After": "0"})
        waited = runner.invoke(main, args)
        assert waited.exit_code == 0
        assert "space 'OPS': Confluence answered 503; retrying in 0 s (1/4)" in waited.output
        refused = runner.invoke(main, args, env={"CONFLUENCE_TOKEN": "wrong-token-9"})
        assert refused.exit_code == 1 and "answered 401" in refused.output
        assert "wrong-token-9" not in refused.output
        fake.add_page("In the way", parent=fake.spaces[SPACE]["homepageId"])
        blocked = runner.invoke(main, [*args, "--title", "In the way"])
        assert blocked.exit_code == 1
        assert "page 'In the way'" in blocked.output and "does not own it" in blocked.output


def test_command_needs_a_built_folder(runner: CliRunner) -> None:
    Path("empty").mkdir()
    result = runner.invoke(main, ["publish", "empty", "--url", "https://x.atlassian.net",
                                  "--space", "OPS", "--token", "t", "--user", "u"])
    assert result.exit_code == 2
    assert "manifest.json: not found: run `procmap build" in result.output


def test_cloud_needs_a_user(runner: CliRunner) -> None:
    Path("site").mkdir()
    Path("site/index.storage.xhtml").write_text("<p/>")
    Path("site/manifest.json").write_text('{"procmap": 1, "index": "index.storage.xhtml"}')
    result = runner.invoke(main, ["publish", "site", "--url", "https://x.atlassian.net",
                                  "--space", "OPS", "--token", "secret-value"],
                           env={"CONFLUENCE_USER": ""})
    assert result.exit_code == 2 and "needs the account's email" in result.output
    assert "secret-value" not in result.output


@pytest.mark.parametrize(("header", "seconds"), [
    ("12", 12.0), ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0), ("soon", None), (None, None),
    ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0), ("²", None), ("١٢", None), ("-1", None),
    ("Mon, 99 Foo 0000 99:99:99 GMT", None)])
def test_retry_after(header: str | None, seconds: float | None) -> None:
    now = datetime(2026, 10, 21, 7, 28, tzinfo=UTC)
    assert retry_after(header, now) == seconds


def test_error_envelopes() -> None:
    def answer(status: int, body: object) -> Answer:
        text = body if isinstance(body, str) else json.dumps(body)
        return Answer(status, httpx.Headers(), text.encode())

    v2 = answer(404, {"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Not found",
                                  "detail": None}]})
    v1 = answer(409, {"statusCode": 409, "message": "Version must be incremented"})
    assert error_message(v2) == "Not found"
    assert error_message(v1) == "Version must be incremented"
    assert error_message(answer(502, "<html>Bad gateway</html>")) == "<html>Bad gateway</html>"


def test_connect_chooses_the_flavour() -> None:
    cloud = connect("https://acme.atlassian.net/", "ann@acme.com", "t")
    assert isinstance(cloud, CloudApi) and cloud.http.base == "https://acme.atlassian.net/wiki"
    assert cloud.http.credentials.header().startswith("Basic ")
    dc = connect("https://wiki.acme.com/confluence", None, "pat")
    assert isinstance(dc, DataCenterApi) and dc.http.credentials.header() == "Bearer pat"
    assert "pat" not in repr(dc.http.credentials)


@pytest.mark.parametrize(("manifest", "files", "message"), [
    ("not json", {}, "unreadable"),
    ('{"procmap": 4}', {}, "not a manifest of procmap build version 1 to 3"),
    ('{"procmap": 2, "index": {"markdown": "i.md"}}', {"i.md": "# I"},
     "manifest.json: the index has no storage format body: run procmap build again"),
    ('{"procmap": 2, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "body": "i.x"}]}', {"i.x": "<p/>"}, "page 1 needs workflow, title and bodies"),
    ('{"procmap": 2, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "bodies": {"markdown": "w.md"}}]}', {"i.x": "<p/>"}, "page 1 has no storage format body"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"title": "T"}]}', {"i.x": "<p/>"},
     "page 1 needs workflow, title and body"),
    ('{"procmap": 1, "index": "i.x"}', {"i.x": "<p>open"}, "i.x:1:8: an element is still open"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"workflow": "w", "title": "T", "body": "i.x",'
     ' "attachments": ["../secret.png"]}]}', {"i.x": "<p/>"}, "is not a plain file name"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"workflow": "w", "title": "T", "body": "i.x",'
     ' "attachments": ["w.png"]}]}', {"i.x": "<p/>"}, "w.png: No such file"),
    # Hand-edited manifests: wrong types and names no file can have give a clean error.
    ('{"procmap": 1, "index": "i.x", "pages": 5}', {"i.x": "<p/>"},
     r"manifest.json: pages is not a list: run procmap build again"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"workflow": "w", "title": "T", "body": "i.x",'
     ' "attachments": 5}]}', {"i.x": "<p/>"},
     r"manifest.json: the attachments of page 1 are not a list: run procmap build again"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"workflow": "w", "title": null,'
     ' "body": "i.x"}]}', {"i.x": "<p/>"},
     r"manifest.json: the workflow and title of page 1 are not text: run procmap build again"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"workflow": "w", "title": "T", "body": "i.x",'
     ' "attachments": [5]}]}', {"i.x": "<p/>"},
     r"manifest.json: 5 is not a plain file name: run procmap build again"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"workflow": "w", "title": "T", "body": "i.x",'
     ' "attachments": ["w\\u0000.png"]}]}', {"i.x": "<p/>"},
     r"manifest.json: 'w\\x00.png' is not a plain file name: run procmap build again"),
    ('{"procmap": 1, "index": "i.x", "pages": [{"workflow": "w", "title": "T", "body": "i.x"},'
     ' {"workflow": "w", "title": "U", "body": "i.x"}]}', {"i.x": "<p/>"},
     r"manifest.json: two pages are of workflow 'w': run procmap build again"),
    ('{"procmap": 1, "index": "\\ud800.x"}', {"i.x": "<p/>"},
     r"manifest.json: '\\ud800.x' is not a plain file name: run procmap build again"),
    # The PNGs left to publish, each drawn from a layout in the folder.
    ('{"procmap": 2, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "bodies": {"storage": "i.x"}, "drawings": ["w.png"]}]}', {"i.x": "<p/>"},
     r"manifest.json: the drawings of page 1 are not a map of file names: run procmap build "
     "again"),
    ('{"procmap": 2, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "bodies": {"storage": "i.x"}, "drawings": {"../w.png": "i.x"}}]}', {"i.x": "<p/>"},
     r"manifest.json: the drawings of page 1 are not a map of file names: run procmap build "
     "again"),
    ('{"procmap": 2, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "bodies": {"storage": "i.x"}, "drawings": {"w.png": "/etc/passwd"}}]}',
     {"i.x": "<p/>"}, r"manifest.json: '/etc/passwd' is not a plain file name"),
    ('{"procmap": 2, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "bodies": {"storage": "i.x"}, "drawings": {"w.png": "w.laid.gv"}}]}', {"i.x": "<p/>"},
     r"w.laid.gv: No such file or directory: run procmap build again"),
    ('{"procmap": 3, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "bodies": {"storage": "i.x"}, "drawings": {"w.png": "w.laid.gv"}}]}',
     {"i.x": "<p/>", "w.laid.gv": "\udcff"}, r"w.laid.gv: not UTF-8: run procmap build again"),
    ('{"procmap": 3, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
     ' "bodies": {"storage": "i.x"}, "attachments": ["w.png"], "drawings": {"w.png": "i.x"}}]}',
     {"i.x": "<p/>", "w.png": "png"}, r"manifest.json: page 1 has 'w.png' both as a file and "
     "as a drawing: run procmap build again"),
])
def test_unusable_site_folder(tmp_path: Path, manifest: str, files: dict[str, str],
                              message: str) -> None:
    (tmp_path / "manifest.json").write_text(manifest)
    for name, text in files.items():
        # A lone surrogate stands for a byte that is not UTF-8.
        (tmp_path / name).write_bytes(text.encode(errors="surrogateescape"))
    with pytest.raises(PublishError, match=message):
        read_site(tmp_path)


@pytest.mark.parametrize("linked", ["w.png", "w.laid.gv", "i.x"])
def test_a_link_in_the_library_folder_is_never_read(tmp_path: Path, linked: str) -> None:
    """A link in a library folder that publish runs on (a checkout, CI) sent
    the file it names, any file, to a page for every reader."""
    secret = tmp_path / "secret"
    secret.write_text("<p>the CI's token</p>")
    site = tmp_path / "site"
    site.mkdir()
    (site / "manifest.json").write_text(
        '{"procmap": 3, "index": {"storage": "i.x"}, "pages": [{"workflow": "w", "title": "T",'
        ' "bodies": {"storage": "i.x"}, "attachments": ["w.png"],'
        ' "drawings": {"w.svg": "w.laid.gv"}}]}')
    for name in ("w.png", "w.laid.gv", "i.x"):
        if name == linked:
            (site / name).symlink_to(secret)
        else:
            (site / name).write_text("<p/>")
    with pytest.raises(PublishError) as e:
        read_site(site)
    assert str(e.value) == (f"{site / linked}: a link, not a file procmap build wrote (publish "
                            "sends no other): run procmap build again")


def test_a_fifo_for_a_manifest_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "manifest.json")
    with pytest.raises(PublishError) as e:
        read_site(tmp_path)
    assert str(e.value) == (f"{tmp_path / 'manifest.json'}: unreadable (a FIFO, not a file): "
                            "run procmap build again")


# -- hostile input and hostile servers (issue 14) ---------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("env", "name", "where"), [
    ({"CONFLUENCE_TOKEN": TOKEN + "\r"}, "the token (CONFLUENCE_TOKEN or --token)",
     " at its end"),
    ({"CONFLUENCE_TOKEN": TOKEN + "\n"}, "the token (CONFLUENCE_TOKEN or --token)",
     " at its end"),
    ({"CONFLUENCE_TOKEN": "s3cr3t\x1b[2J-token"}, "the token (CONFLUENCE_TOKEN or --token)",
     ""),
    ({"CONFLUENCE_USER": USER + "\n"}, "the user (CONFLUENCE_USER or --user)", " at its end"),
])
def test_header_values_are_checked_before_any_request(
        runner: CliRunner, env: dict[str, str], name: str, where: str) -> None:
    Path("site").mkdir()
    Path("site/index.storage.xhtml").write_text("<p/>")
    Path("site/manifest.json").write_text('{"procmap": 1, "index": "index.storage.xhtml"}')
    with FakeConfluence("cloud") as fake:
        result = runner.invoke(main, ["publish", "site", "--space", SPACE, "--flavour", "cloud"],
                               env={"CONFLUENCE_URL": fake.url, "CONFLUENCE_USER": USER,
                                    "CONFLUENCE_TOKEN": TOKEN} | env)
        assert fake.requests == []
    assert result.exit_code == 2
    assert result.output == (f"procmap: {name} contains a control character{where} (a line "
                             "break copied with it?): set it again without it\n")
    assert "s3cr3t" not in result.output


@pytest.mark.parametrize(("user", "token", "message"), [
    (None, TOKEN + " ", "the token (CONFLUENCE_TOKEN or --token) starts or ends with a space: "
     "set it again without it"),
    (None, "s3cr3t-\u00e9", "the token (CONFLUENCE_TOKEN or --token) contains a character "
     "outside ASCII: a token never does; set it again"),
])
def test_a_bearer_token_must_fit_a_header(user: str | None, token: str, message: str) -> None:
    with pytest.raises(ConfluenceError) as e:
        connect("https://wiki.example.com/confluence", user, token, "dc")
    assert str(e.value) == message


def test_a_password_is_base64_encoded_and_may_hold_any_text() -> None:
    api = connect("https://wiki.example.com/confluence", "ops", " pässword ", "dc")
    assert api.http.credentials.header() == "Basic " + base64.b64encode(
        "ops: pässword ".encode()).decode()


def test_url_password_is_never_printed() -> None:
    port = _free_port()  # nothing listens there
    warnings: list[str] = []
    api = connect(f"http://ops:pa55-word@127.0.0.1:{port}/confluence", "ops", TOKEN, "dc",
                  sleep=[].append, warn=warnings.append)
    with pytest.raises(ConfluenceError) as e:
        Publisher(api, SPACE).run(TWO)
    message = str(e.value)
    assert message.startswith(f"space 'OPS': no answer from http://ops:***@127.0.0.1:{port}"
                              "/confluence (ConnectError: ")
    assert len(warnings) == 4
    assert all("pa55-word" not in line and TOKEN not in line for line in [message, *warnings])


def test_a_server_repeating_the_token_is_not_echoed(fake: FakeConfluence) -> None:
    header = api_of(fake).http.credentials.header()
    fake.fail("GET", r"/spaces|/space/", 400,
              body=json.dumps({"message": f"bad header {header} ({TOKEN})"}).encode())
    with pytest.raises(ConfluenceError) as e:
        publish(fake, TWO)
    assert str(e.value) == "space 'OPS': Confluence answered 400 (bad header Basic *** (***))." \
        if fake.flavour == "cloud" else \
        str(e.value) == "space 'OPS': Confluence answered 400 (bad header Bearer *** (***))."


@pytest.mark.parametrize("url", ["wiki.acme.com/confluence", "ftp://wiki.acme.com",
                                 "https://", "https://wiki.acme.com:99999/",
                                 "https://ops:pa55-word@wiki.acme.com/c?x=1"])
def test_url_that_is_no_site(runner: CliRunner, url: str) -> None:
    Path("site").mkdir()
    Path("site/index.storage.xhtml").write_text("<p/>")
    Path("site/manifest.json").write_text('{"procmap": 1, "index": "index.storage.xhtml"}')
    result = runner.invoke(main, ["publish", "site", "--url", url, "--space", "OPS",
                                  "--token", TOKEN, "--flavour", "dc"])
    assert result.exit_code == 2
    assert result.output == (f"procmap: --url {url.replace('pa55-word', '***')!r} is not the "
                             "address of a site: give it as https://SITE.atlassian.net/wiki or "
                             "https://HOST/CONTEXT\n")


@pytest.fixture
def evil() -> Iterator[FakeConfluence]:
    """Another server on 127.0.0.1: it must never hear from procmap."""
    with FakeConfluence("dc") as server:
        yield server


def _listing(fake: FakeConfluence, links: dict[str, str]) -> None:
    """The next listing of pages under the library is empty and links on."""
    fake.fail("GET", r"/children$|/child/page$", 200,
              body=json.dumps({"results": [], "_links": links}).encode(),
              headers={"Content-Type": "application/json"})


def test_dc_never_follows_links_base_to_another_server(evil: FakeConfluence) -> None:
    with FakeConfluence("dc") as fake:
        publish(fake, TWO)
        library = fake.current()["Process library"]["id"]
        _listing(fake, {"base": evil.url, "context": "/confluence",
                        "next": f"/rest/api/content/{library}/child/page?start=0&limit=1"})
        actions = publish(fake, TWO)
        assert verbs(actions) == [("unchanged", "Intake"), ("unchanged", "Refund")]
        assert ("GET", f"/confluence/rest/api/content/{library}/child/page?start=0&limit=1"
                ) in fake.requests
    assert evil.requests == []


@pytest.mark.parametrize(("flavour", "link"), [
    ("cloud", "{evil}/rest/api/content?start=2"),  # another server
    ("cloud", "//127.0.0.1:{port}/wiki/api/v2/pages"),  # the same, without a scheme
    ("cloud", "{site}/../admin/users"),  # the same host, outside the base path
    ("cloud", "/wiki/../admin/users"),
    ("cloud", "/admin/users"),
    ("cloud", "https://127.0.0.1:{site_port}/wiki/api/v2/pages"),  # another scheme
    ("dc", "{evil}/rest/api/content?start=2"),
    ("dc", "//127.0.0.1:{port}/confluence/rest/api/content"),
    ("dc", "/../admin/users"),
    ("dc", "http://x:y@127.0.0.1:{site_port}/confluence/rest/api/content"),  # other user
])
def test_links_to_another_origin_are_refused(evil: FakeConfluence, flavour: str,
                                             link: str) -> None:
    with FakeConfluence(flavour) as fake:
        publish(fake, TWO)
        link = link.format(evil=evil.url, port=urlsplit(evil.url).port, site=fake.url,
                           site_port=urlsplit(fake.url).port)
        _listing(fake, {"base": evil.url, "next": link})
        library = fake.current()["Process library"]["id"]
        with pytest.raises(ConfluenceError) as e:
            publish(fake, TWO)
        assert str(e.value) == (
            f"pages under id {library}: Confluence's answer links to {link!r}, outside the "
            f"site {fake.url}; procmap sends the credentials to that site only. Check --url: "
            "it must be the address the site gives itself (its base URL).")
        assert re.search(r"/child/page|/children", fake.requests[-1][1])  # the listing
    assert evil.requests == []


@pytest.mark.parametrize("link", ["@127.0.0.1:{port}/wiki/api/v2/pages",
                                  ".example.com/wiki/api/v2/pages"])
def test_cloud_links_are_parsed_not_glued_onto_the_host(evil: FakeConfluence,
                                                         link: str) -> None:
    # Glued onto "http://127.0.0.1:PORT" these named another host; parsed, they
    # are paths on the site, which answers 404.
    with FakeConfluence("cloud") as fake:
        fake.checked = False  # the link names a path no document has, on purpose
        publish(fake, TWO)
        _listing(fake, {"next": link.format(port=urlsplit(evil.url).port)})
        with pytest.raises(ConfluenceError, match=r"pages under id \d+: Confluence answered 404"):
            publish(fake, TWO)
        assert fake.requests[-1][1].startswith("/wiki/")
    assert evil.requests == []


def test_a_trickling_answer_meets_the_request_timeout(fake: FakeConfluence) -> None:
    # One byte every 50 ms, status line included: each read is quick, the
    # whole answer is not.
    fake.fail("GET", r"/spaces|/space/", 200, times=5, trickle=0.05)
    warnings: list[str] = []
    api = api_of(fake, request_timeout=0.3, warn=warnings.append)
    with pytest.raises(ConfluenceError) as e:
        Publisher(api, SPACE).run(TWO)
    assert str(e.value) == (
        f"space 'OPS': no answer from {fake.url} (ReadTimeout: no whole answer within 0.3 s "
        "(--request-timeout)). Pages already written are complete; run publish again to "
        "finish.")
    assert warnings == [f"space 'OPS': ReadTimeout; retrying in {2 ** n:g} s ({n + 1}/4)"
                        for n in range(4)]


def test_a_trickling_answer_meets_the_run_timeout(fake: FakeConfluence) -> None:
    fake.fail("GET", r"/spaces|/space/", 200, trickle=0.05)
    api = api_of(fake, run_timeout=0.3)
    with pytest.raises(ConfluenceError) as e:
        Publisher(api, SPACE).run(TWO)
    assert str(e.value) == ("space 'OPS': publish ran out of its 0.3 s (--run-timeout) and "
                            "stopped. Pages already written are complete; run publish again "
                            "to finish.")


def test_no_wait_past_the_run_timeout(fake: FakeConfluence) -> None:
    fake.fail("GET", r"/spaces|/space/", 503, headers={"Retry-After": "30"})
    sleeps: list[float] = []
    api = api_of(fake, sleeps, run_timeout=20)
    with pytest.raises(ConfluenceError, match=r"^space 'OPS': publish ran out of its 20 s "):
        Publisher(api, SPACE).run(TWO)
    assert sleeps == []


def test_answers_are_read_up_to_a_size(fake: FakeConfluence) -> None:
    chunk = b" " * 65536
    fault = fake.fail("GET", r"/spaces|/space/", 200, body=chunk, repeat=4096)  # 256 MB
    api = api_of(fake, max_body=1 << 20)
    with pytest.raises(ConfluenceError) as e:
        Publisher(api, SPACE).run(TWO)
    assert str(e.value) == ("space 'OPS': Confluence's answer is larger than 1 MB; procmap "
                            "stopped reading it. Check --url (a proxy in between?).")
    assert fault.sent < 4096 * len(chunk)
    # An error answer is read as far as its message goes; the status still counts.
    fault = fake.fail("GET", r"/spaces|/space/", 400, body=b"Bad request. " + chunk,
                      repeat=4096)
    with pytest.raises(ConfluenceError, match=r"^space 'OPS': Confluence answered 400 "
                                              r"\(Bad request.\)\.$"):
        Publisher(api, SPACE).run(TWO)
    assert fault.sent < 4096 * len(chunk)


def test_command_takes_the_time_limits(runner: CliRunner) -> None:
    Path("site").mkdir()
    Path("site/index.storage.xhtml").write_text("<p/>")
    Path("site/manifest.json").write_text('{"procmap": 1, "index": "index.storage.xhtml"}')
    with FakeConfluence("dc") as fake:
        fake.fail("GET", r"/space/", 200, trickle=0.05)
        result = runner.invoke(main, ["publish", "site", "--url", fake.url, "--space", SPACE,
                                      "--flavour", "dc", "--request-timeout", "5"],
                               env={"CONFLUENCE_TOKEN": TOKEN, "PROCMAP_RUN_TIMEOUT": "0.2"})
    assert result.exit_code == 1
    assert result.output == ("procmap: space 'OPS': publish ran out of its 0.2 s (--run-timeout) "
                             "and stopped. Pages already written are complete; run publish "
                             "again to finish.\n")


ADVICE = "Check --url and --flavour (is it the site's REST API?)."


def test_a_login_page_is_a_clean_error(runner: CliRunner) -> None:
    Path("site").mkdir()
    Path("site/index.storage.xhtml").write_text("<p/>")
    Path("site/manifest.json").write_text('{"procmap": 1, "index": "index.storage.xhtml"}')
    with FakeConfluence("cloud") as fake:
        fake.fail("GET", r"/spaces", 200, headers={"Content-Type": "text/html"},
                  body=b"<!DOCTYPE html><html><title>Log in</title></html>")
        result = runner.invoke(main, ["publish", "site", "--url", fake.url, "--space", SPACE,
                                      "--flavour", "cloud", "--user", USER],
                               env={"CONFLUENCE_TOKEN": TOKEN})
    assert result.exit_code == 1
    assert result.output == ("procmap: space 'OPS': Confluence answered 200 with an HTML page "
                             f"(a login page, or a proxy in between?). {ADVICE}\n")


@pytest.mark.parametrize(("flavour", "pattern", "body", "message"), [
    ("cloud", r"/spaces", b"\xff\xfe not json", "space 'OPS': Confluence answered 200 with "
     "something that is not JSON."),
    ("cloud", r"/spaces", b"[1, 2]", "space 'OPS': Confluence's answer is not what procmap "
     "reads: the answer is a list, not an object."),
    ("cloud", r"/spaces", b'{"results": {}}', "space 'OPS': Confluence's answer is not what "
     "procmap reads: results is an object, not a list."),
    ("cloud", r"/spaces", b'{"results": [{"key": "OPS", "id": true}]}', "space 'OPS': "
     "Confluence's answer is not what procmap reads: results[0].id is true, not an id."),
    ("dc", r"/space/", b'{"key": "OPS"}', "space 'OPS': Confluence's answer is not what "
     "procmap reads: id is missing."),
    ("dc", r"/content$", b'{"results": [{"id": 7, "title": 5}]}', "page 'Process library': "
     "Confluence's answer is not what procmap reads: results[0].title is a number, not a "
     "string."),
    ("dc", r"/content$", b'{"results": [{"id": "1/../2", "title": "Process library"}]}',
     "page 'Process library': Confluence's answer is not what procmap reads: results[0].id "
     "is not an id (letters, digits, - and _)."),
    ("cloud", r"/pages$", b'{"results": [], "_links": {"next": 5}}', "page 'Process "
     "library': Confluence's answer is not what procmap reads: _links.next is a number, not a "
     "string."),
    ("dc", r"/content$", b'{"results": [{"id": 7, "title": "Process library", "version": '
     b'{"number": "2"}}]}', "page 'Process library': Confluence's answer is not what procmap "
     "reads: results[0].version.number is a string, not a whole number."),
])
def test_wrong_shaped_answers_are_clean_errors(flavour: str, pattern: str, body: bytes,
                                               message: str) -> None:
    with FakeConfluence(flavour) as fake:
        fake.fail("GET", pattern, 200, body=body)
        with pytest.raises(ConfluenceError) as e:
            publish(fake, TWO)
    assert str(e.value) == f"{message} {ADVICE}"


def test_a_hand_edited_record_counts_as_not_recorded(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    pages = fake.current()
    library, intake = pages["Process library"]["id"], pages["Intake"]["id"]
    fake.properties[library, "procmap"]["value"]["pending"] = 5
    fake.properties[intake, "procmap"]["value"]["attachments"] = ["intake.png"]
    actions = publish(fake, TWO)
    assert verbs(actions) == [("upload", "Intake"), ("upload", "Intake"),
                              ("unchanged", "Refund")]
    fake.properties[library, "procmap"]["value"]["pending"] = [["Intake"], "Refund"]
    assert verbs(publish(fake, TWO)) == [("unchanged", "Intake"), ("unchanged", "Refund")]


@pytest.mark.parametrize(("status", "body", "message"), [
    (302, b"", "space 'OPS': Confluence answered 302. A redirect, which procmap does not "
     "follow: give --url as the address the site redirects to."),
    (200, b"", f"space 'OPS': Confluence answered 200 with an empty answer. {ADVICE}"),
])
def test_redirects_and_empty_answers(fake: FakeConfluence, status: int, body: bytes,
                                     message: str) -> None:
    fake.fail("GET", r"/spaces|/space/", status, body=body,
              headers={"Location": "https://login.example.com/"})
    with pytest.raises(ConfluenceError) as e:
        publish(fake, TWO)
    assert str(e.value) == message


def test_text_that_cannot_be_sent_is_a_clean_error(fake: FakeConfluence) -> None:
    with pytest.raises(ConfluenceError) as e:
        publish(fake, site(page("intake", "Intake \udcff")))
    assert str(e.value) == ("page 'Intake \\udcff': cannot be sent, it holds text that is not "
                            "valid Unicode (bytes that were not UTF-8?): fix the title or "
                            "option")


def test_the_proxy_the_environment_names_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test server answers a proxy's requests as well: their paths are whole URLs.
    with FakeConfluence("dc") as proxy:
        for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url.removesuffix("/confluence"))
        api = connect("http://confluence.invalid/confluence", None, TOKEN, "dc")
        assert api.space(SPACE).key == SPACE
        assert proxy.requests == [("GET", "http://confluence.invalid/confluence/rest/api/"
                                          "space/OPS")]


def test_server_text_is_printed_escaped(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    refund = fake.current()["Refund"]
    refund["title"] = "Refund\x1b[2J\n::error file=README.md::Injected"
    stale = publish(fake, site(page("intake", "Intake")))
    assert [str(a) for a in stale][-1] == (
        "stale     Refund\\x1b[2J\\n::error file=README.md::Injected "
        f"(id {refund['id']}; its workflow is gone, --prune deletes it)")
    fake.fail("GET", r"/spaces|/space/", 400,
              body=json.dumps({"message": "No\x1b]0;owned\x07\r\n::warning::x"}).encode())
    with pytest.raises(ConfluenceError) as e:
        publish(fake, TWO)
    assert str(e.value) == ("space 'OPS': Confluence answered 400 "
                            "(No\\x1b]0;owned\\x07\\r\\n::warning::x).")


def test_a_listing_that_links_back_ends(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    library = fake.current()["Process library"]["id"]
    link = (f"/wiki/api/v2/pages/{library}/children?cursor=x" if fake.flavour == "cloud" else
            f"/rest/api/content/{library}/child/page?start=5")
    fake.fail("GET", r"/children$|/child/page$", 200, times=3,
              body=json.dumps({"results": [], "_links": {"next": link}}).encode())
    with pytest.raises(ConfluenceError) as e:
        publish(fake, TWO)
    url = urlsplit(fake.url)._replace(path="").geturl() + (
        link if fake.flavour == "cloud" else "/confluence" + link)
    assert str(e.value) == (f"pages under id {library}: Confluence's answer links back to "
                            f"{url!r}, read already: the listing would never end. Run again "
                            "later.")


# -- the publish target protocol (issue 17) -------------------------------------

def test_the_plan_is_applied_one_action_at_a_time_and_a_cut_off_run_resumes(
        fake: FakeConfluence) -> None:
    api = api_of(fake)
    target = Publisher(api, SPACE)
    plan = target.plan(TWO)
    assert fake.writes() == []
    assert list(plan) == publish(fake, TWO, dry_run=True)
    library, *rest = plan
    assert (library.verb, library.title, library.detail) == ("create", "Process library",
                                                              "library page")
    target.apply(library)
    stored = fake.current()["Process library"]
    assert fake.prop(stored["id"])["pending"] == ["Intake", "Refund"]
    intake = [a for a in rest if a.title == "Intake"]
    for action in intake:
        target.apply(action)
    # cut off here: Refund never created, the pending list never cleared
    api.http.close()
    assert fake.prop(fake.current()["Intake"]["id"])["workflow"] == "intake"
    assert "Refund" not in fake.current()
    again = publish(fake, TWO)
    assert verbs(again)[:2] == [("unchanged", "Intake"), ("create", "Refund")]
    assert fake.prop(stored["id"])["pending"] == []


def test_targets_come_from_one_registry() -> None:
    from procmap.publish import TARGETS, wiki
    from procmap.publish.confluence import target as confluence

    assert dict(TARGETS) == {"confluence": confluence, "wiki": wiki}
    command = main.commands["publish"]  # type: ignore[attr-defined]
    choice = next(p for p in command.params if p.name == "target")
    assert list(choice.type.choices) == list(TARGETS) and choice.default == "confluence"
    names = [p.name for p in command.params]
    assert len(names) == len(set(names))  # no target takes another's option
    for name, module in TARGETS.items():
        for option in module.OPTIONS:
            assert option in command.params and option.help.startswith(f"{name}: ")


def test_the_cli_does_not_load_the_http_client() -> None:
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, procmap.cli; print('httpx' in sys.modules)"],
        capture_output=True, text=True, check=True)
    assert loaded.stdout == "False\n"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_a_png_build_left_is_drawn_when_uploaded_and_only_then(
        fake: FakeConfluence, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import procmap.render.graphviz as graphviz

    shutil.copytree(EXAMPLES, "workflows")
    assert runner.invoke(main, ["build", "workflows", "-o", "site"]).exit_code == 0
    assert runner.invoke(main, ["build", "workflows", "-o", "pngs", "--png"]).exit_code == 0
    assert not list(Path("site").glob("*.png"))
    drawn: list[str] = []
    real = graphviz.draw_laid

    def draw_laid(texts: list[str], fmts: tuple[str, ...]) -> list[dict[str, bytes]]:
        drawn.extend(fmts)
        return real(texts, fmts)

    monkeypatch.setattr(graphviz, "draw_laid", draw_laid)
    publish(fake, read_site(Path("site")))
    pages = json.loads(Path("site/manifest.json").read_text())["pages"]
    assert drawn == ["png"] * len(pages)
    for p in pages:
        (png,) = p["drawings"]
        stored = fake.attachments[fake.current()[p["title"]]["id"]][png]
        assert stored["data"] == Path("pngs", png).read_bytes()  # as build --png draws it
    drawn.clear()
    assert {a.verb for a in publish(fake, read_site(Path("site")))} == {"unchanged"}
    assert drawn == []  # an unchanged drawing is known by its layout: nothing drawn


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_a_png_that_cannot_be_drawn_stops_the_run_and_says_what_to_do(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("workflows").mkdir()
    shutil.copy(EXAMPLES / "order-to-activation.yaml", "workflows")
    assert runner.invoke(main, ["build", "workflows", "-o", "site"]).exit_code == 0
    with FakeConfluence("dc") as fake:
        monkeypatch.setenv("PATH", "")  # Graphviz is not where publish runs
        result = runner.invoke(main, ["publish", "site", "--url", fake.url, "--space", SPACE,
                                      "--token", TOKEN, "--flavour", "dc"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "procmap: cannot draw order-to-activation.png of workflow 'order-to-activation': "
        "Graphviz's `dot` program is not on PATH: install Graphviz (`sudo apt-get install "
        "graphviz`, `brew install graphviz`, `winget install graphviz`), or run procmap build "
        "--png where Graphviz is, and publish what it wrote")



def edited_layout(runner: CliRunner, node: str) -> tuple[Path, Path, str]:
    """A library whose `.laid.gv` was given `node` after build, `{png}` in it
    naming an image elsewhere on this machine: the layout's file, the
    image, and the layout as build wrote it."""
    Path("workflows").mkdir()
    shutil.copy(EXAMPLES / "order-to-activation.yaml", "workflows")
    assert runner.invoke(main, ["build", "workflows", "-o", "pngs", "--png"]).exit_code == 0
    assert runner.invoke(main, ["build", "workflows", "-o", "site"]).exit_code == 0
    secret = Path("pngs/order-to-activation.png").resolve()
    laid = Path("site/order-to-activation.laid.gv")
    built = laid.read_text()
    end = built.rindex("}")
    laid.write_text(f"{built[:end]}{node.replace('{png}', str(secret))}\n{built[end:]}")
    return laid, secret, built


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
@pytest.mark.parametrize("attribute", ["image", "shapefile"])
def test_a_drawing_draws_no_file_its_layout_names(runner: CliRunner, attribute: str) -> None:
    """A `.laid.gv` edited after build must not draw an image from anywhere on
    this machine into a page that publish uploads: the node is drawn empty."""
    node = 'leak [shape=box, label="", pos="300,300", width=3, height=3{}];'
    laid, _, built = edited_layout(runner, node.format(f', {attribute}="{{png}}"'))
    drawn = read_site(Path("site")).pages[0].file("order-to-activation.png")
    end = built.rindex("}")
    laid.write_text(f"{built[:end]}{node.format('')}\n{built[end:]}")
    assert drawn == read_site(Path("site")).pages[0].file("order-to-activation.png")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_a_layout_that_names_a_file_in_a_label_is_not_drawn(runner: CliRunner) -> None:
    _, secret, _ = edited_layout(
        runner, 'leak [shape=plain, pos="300,300", label=<<TABLE><TR><TD><IMG SRC="{png}"/>'
                '</TD></TR></TABLE>>];')
    page = read_site(Path("site")).pages[0]
    with pytest.raises(PublishError) as refused:
        page.file("order-to-activation.png")
    assert f'Warning: Filename "{secret}" is unsafe\n' in str(refused.value)
    assert str(refused.value).startswith(
        "cannot draw order-to-activation.png of workflow 'order-to-activation': Graphviz "
        "failed: ")
