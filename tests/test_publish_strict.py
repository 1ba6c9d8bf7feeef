"""`procmap publish` against the strict test server: the rules of the real
service that the first test server did not keep (issue 17, points 1 to 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_confluence import CLOUD_ID, TOKEN, USER, FakeConfluence
from procmap.publish.confluence import CloudApi, ConfluenceError, connect
from procmap.publish.confluence.sync import MARKER, PublishError, read_site
from test_publish import TWO, fake, first, page, publish, site, verbs

__all__ = ["fake"]  # the fixture, both flavours


# -- 1. titles: one per space ignoring case, trashed and archived pages included

@pytest.mark.parametrize("status", ["current", "trashed", "archived"])
def test_a_page_in_the_way_ignoring_case_stops_the_run_before_any_write(
        fake: FakeConfluence, status: str) -> None:
    if fake.flavour == "dc" and status == "archived":
        pytest.skip("v1 lists current and trashed pages only (status=any): an archived "
                    "page of Data Center is not seen before writing")
    fake.add_page("refund", status=status)
    where = {"current": "", "trashed": " in the trash", "archived": " in the archive"}[status]
    with pytest.raises(PublishError, match=rf"page 'refund' \(id \d+\){where} "):
        publish(fake, TWO)
    assert fake.writes() == []


def test_a_workflow_back_after_prune_stops_before_any_write(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    publish(fake, site(page("intake", "Intake")), prune=True)
    mark = len(fake.requests)
    with pytest.raises(PublishError, match=r"page 'Refund' \(id \d+\) in the trash in space "
                                           r"OPS keeps its title: restore it in Confluence"):
        publish(fake, TWO)
    assert [r for r in fake.requests[mark:] if r[0] != "GET"] == []


def test_a_library_title_in_the_trash_stops_the_run(fake: FakeConfluence) -> None:
    fake.add_page("PROCESS LIBRARY", status="trashed")
    with pytest.raises(PublishError, match=r"'PROCESS LIBRARY' \(id \d+\) in the trash"):
        publish(fake, TWO)
    assert fake.writes() == []


def test_titles_that_differ_in_case_are_one_title(tmp_path: Path, fake: FakeConfluence) -> None:
    with pytest.raises(PublishError, match="like the library page"):
        publish(fake, site(page("lib", "process LIBRARY")))
    with pytest.raises(PublishError, match=r"workflows 'a' and 'b' are titled 'Refund' and "
                                           r"'REFUND'; Confluence takes them for one title"):
        publish(fake, site(page("a", "Refund"), page("b", "REFUND")))
    assert fake.requests == []
    # The reader is the targets': another may take both titles.
    (tmp_path / "a.xml").write_text("<p/>")
    (tmp_path / "manifest.json").write_text(json.dumps({"procmap": 1, "index": "a.xml", "pages": [
        {"workflow": "a", "title": "Refund", "body": "a.xml"},
        {"workflow": "b", "title": "REFUND", "body": "a.xml"}]}))
    assert [p.title for p in read_site(tmp_path).pages] == ["Refund", "REFUND"]


# -- 2. a first run cut off after the library page was created

def test_a_library_page_left_by_a_cut_off_first_run_is_adopted(fake: FakeConfluence) -> None:
    fake.fail("POST", r"/propert(y|ies)$", 500)
    with pytest.raises(ConfluenceError, match="500"):
        publish(fake, TWO)
    library = fake.current()["Process library"]
    assert fake.prop(library["id"]) is None and "procmap-library" in library["body"]
    publish(fake, TWO)
    assert fake.prop(library["id"])["kind"] == "library"
    assert {"Intake", "Refund"} <= fake.current().keys()
    assert fake.labels[library["id"]] == {"procmap"}


def test_a_library_page_without_the_marker_is_not_taken(fake: FakeConfluence) -> None:
    fake.add_page("Process library", body="<p>procmap-library is named here</p>")
    with pytest.raises(PublishError, match="procmap does not own it"):
        publish(fake, TWO)
    assert fake.writes() == [] and "anchor" in MARKER


# -- 3. on Cloud: create, upload, then write the body

def test_cloud_pages_get_their_body_after_their_attachments() -> None:
    with FakeConfluence("cloud") as fake:
        actions = publish(fake, TWO)
        assert verbs(actions)[1:5] == [("create", "Intake"), ("upload", "Intake"),
                                       ("upload", "Intake"), ("update", "Intake")]
        for title in ("Intake", "Refund"):
            stored = fake.current()[title]
            assert stored["broken"] == set() and 'ri:filename="' in stored["body"]


# -- 4. a stale version: 409 on v1, 400 on v2

def test_someone_saving_the_page_meanwhile_is_a_conflict_in_both_flavours(
        fake: FakeConfluence) -> None:
    publish(fake, TWO)
    intake = fake.current()["Intake"]["id"]
    fake.fail("PUT", rf"/pages/{intake}$|/content/{intake}$", edit=intake)
    publish(fake, site(page("intake", "Intake", n=2), page("refund", "Refund")))
    assert fake.current()["Intake"]["version"] == first(fake) + 2  # theirs, then ours


def test_a_400_that_is_no_conflict_is_not_retried(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    intake = fake.current()["Intake"]["id"]
    fake.fail("PUT", rf"/pages/{intake}$|/content/{intake}$", 400)
    mark = len(fake.requests)
    with pytest.raises(ConfluenceError, match=r"page 'Intake' \(id \d+\): .*400"):
        publish(fake, site(page("intake", "Intake", n=2), page("refund", "Refund")))
    assert [m for m, _ in fake.requests[mark:] if m == "PUT"] == ["PUT"]


# -- 5. attachments: listed on v2 on Cloud, uploaded as minor edits

def test_uploads_are_minor_edits_and_cloud_lists_them_on_v2(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    publish(fake, site(page("intake", "Intake", png=b"png-2"), page("refund", "Refund")))
    intake = fake.current()["Intake"]["id"]
    assert {a["minorEdit"] for a in fake.attachments[intake].values()} == {"true"}
    listed = [p for m, p in fake.requests if m == "GET" and "attachment" in p]
    assert listed and all(("/api/v2/pages/" in p) == (fake.flavour == "cloud") for p in listed)


# -- 6. scoped tokens: the gateway's URL form

def test_the_gateway_address_is_cloud() -> None:
    api = connect(f"https://api.atlassian.com/ex/confluence/{CLOUD_ID}", USER, TOKEN)
    assert isinstance(api, CloudApi)
    assert api.http.base == f"https://api.atlassian.com/ex/confluence/{CLOUD_ID}/wiki"


def test_publishing_through_the_gateway_follows_its_links() -> None:
    with FakeConfluence("cloud", page_size=1, gateway=True) as fake:
        publish(fake, TWO)
        assert verbs(publish(fake, TWO)) == [("unchanged", "Intake"), ("unchanged", "Refund")]


# -- 7. long titles, labels, attachments someone deleted

def test_a_title_over_255_characters_is_refused_before_any_request(
        fake: FakeConfluence) -> None:
    with pytest.raises(PublishError, match=r"the title of workflow 'long' 'x{40}'\.\.\. is 256 "
                                           r"characters long; Confluence takes at most 255"):
        publish(fake, site(page("intake"), page("long", "x" * 256)))
    with pytest.raises(PublishError, match=r"the library's title \(--title\)"):
        publish(fake, TWO, title="y" * 300)
    assert fake.requests == []
    publish(fake, site(page("intake", "x" * 255)))


def test_labels_are_ensured_on_every_run(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    pages = fake.current()
    for title in ("Process library", "Intake"):
        fake.labels[pages[title]["id"]] = set()
    publish(fake, TWO)
    assert fake.labels[pages["Process library"]["id"]] == {"procmap"}
    assert fake.labels[pages["Intake"]["id"]] == {"procmap"}


def test_an_adopted_page_gets_the_label(fake: FakeConfluence) -> None:
    publish(fake, site(page("intake", "Intake")))
    library = fake.current()["Process library"]["id"]
    fake.properties[library, "procmap"]["value"]["pending"] = ["Refund"]
    refund = fake.add_page("Refund", parent=library)
    publish(fake, TWO)
    assert fake.prop(refund)["workflow"] == "refund" and fake.labels[refund] == {"procmap"}


def test_an_attachment_someone_deleted_is_uploaded_again(fake: FakeConfluence) -> None:
    publish(fake, TWO)
    intake = fake.current()["Intake"]["id"]
    del fake.attachments[intake]["intake.svg"]
    actions = publish(fake, TWO)
    assert [(a.verb, a.detail) for a in actions if a.title == "Intake"] == [
        ("upload", "intake.svg")]
    assert fake.attachments[intake]["intake.svg"]["data"] == b"<svg/>"


def test_the_gateway_needs_the_email_too() -> None:
    with pytest.raises(ConfluenceError, match="needs the account's email"):
        connect(f"https://api.atlassian.com/ex/confluence/{CLOUD_ID}/wiki", None, TOKEN)
