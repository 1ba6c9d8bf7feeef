"""`procmap publish --target wiki`: the library written into a GitHub wiki checkout."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from procmap.cli import main
from procmap.publish import wiki
from procmap.publish.site import Action, PublishError
from procmap.publish.target import Ui, publish

SOP = "# {title}\n\nSee the [index](index.md) and [the other](refund.md#steps).\n\n" \
      "![Swimlane diagram of {title}](intake.svg)\n"
INDEX = "# Process library\n\n| Workflow |\n| --- |\n| [Intake](intake.md) |\n" \
        "| [Refund](refund.md) |\n| [elsewhere](https://example.com/x.md) |\n"


def write_site(folder: Path, titles: dict[str, str] | None = None, png: bytes = b"png-1",
               sop: str = SOP) -> Path:
    """A built library as `procmap build` writes it: the manifest and its files."""
    titles = titles if titles is not None else {"intake": "Intake", "refund": "Refund"}
    folder.mkdir(exist_ok=True)
    (folder / "index.md").write_text(INDEX)
    (folder / "index.storage.xhtml").write_text("<p/>")
    pages = []
    for wid, title in titles.items():
        (folder / f"{wid}.md").write_text(sop.format(title=title).replace("intake.svg",
                                                                          f"{wid}.svg"))
        (folder / f"{wid}.storage.xhtml").write_text("<p/>")
        (folder / f"{wid}.png").write_bytes(png)
        (folder / f"{wid}.svg").write_bytes(b"<svg/>")
        pages.append({"workflow": wid, "title": title,
                      "bodies": {"markdown": f"{wid}.md", "storage": f"{wid}.storage.xhtml"},
                      "attachments": [f"{wid}.png", f"{wid}.svg"]})
    (folder / "manifest.json").write_text(json.dumps(
        {"procmap": 2, "index": {"markdown": "index.md", "storage": "index.storage.xhtml"},
         "pages": pages}))
    return folder


def run(site: Path, checkout: Path, prune: bool = False, dry_run: bool = False) -> list[Action]:
    return publish(wiki.Wiki(checkout, prune), wiki.read_site(site), dry_run)


def verbs(actions: list[Action]) -> list[tuple[str, str, str]]:
    return [(a.verb, a.title, a.detail) for a in actions]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    folder = tmp_path / "repo.wiki"
    (folder / ".git").mkdir(parents=True)
    return folder


def test_first_run_writes_home_pages_and_images_then_nothing(tmp_path: Path,
                                                             checkout: Path) -> None:
    site = write_site(tmp_path / "site")
    assert verbs(run(site, checkout)) == [
        ("create", "Intake", "Intake.md"), ("upload", "Intake", "intake.png"),
        ("upload", "Intake", "intake.svg"),
        ("create", "Refund", "Refund.md"), ("upload", "Refund", "refund.png"),
        ("upload", "Refund", "refund.svg"),
        ("create", "Home", "the library's index")]
    assert sorted(files(checkout)) == ["Home.md", "Intake.md", "Refund.md", "intake.png",
                                       "intake.svg", "refund.png", "refund.svg"]
    assert (checkout / "Home.md").read_text() == (
        '<!-- procmap {"workflow": null, "title": "Home", "files": []} -->\n'
        "# Process library\n\n| Workflow |\n| --- |\n| [Intake](Intake) |\n"
        "| [Refund](Refund) |\n| [elsewhere](https://example.com/x.md) |\n")
    assert (checkout / "Intake.md").read_text() == (
        '<!-- procmap {"workflow": "intake", "title": "Intake", '
        '"files": ["intake.png", "intake.svg"]} -->\n'
        "# Intake\n\nSee the [index](Home) and [the other](Refund#steps).\n\n"
        "![Swimlane diagram of Intake](intake.svg)\n")
    assert (checkout / "intake.png").read_bytes() == b"png-1"
    before = {p.name: p.stat().st_mtime_ns for p in checkout.iterdir()}
    assert verbs(run(site, checkout)) == [("unchanged", "Intake", "Intake.md"),
                                          ("unchanged", "Refund", "Refund.md")]
    assert {p.name: p.stat().st_mtime_ns for p in checkout.iterdir()} == before


def test_only_what_changed_is_written(tmp_path: Path, checkout: Path) -> None:
    run(write_site(tmp_path / "site"), checkout)
    site = write_site(tmp_path / "site2", png=b"png-2",
                      sop=SOP.replace("See the", "Read the"))
    assert verbs(run(site, checkout)) == [
        ("update", "Intake", "Intake.md"), ("upload", "Intake", "intake.png"),
        ("update", "Refund", "Refund.md"), ("upload", "Refund", "refund.png")]
    assert (checkout / "refund.png").read_bytes() == b"png-2"
    assert "Read the [index](Home)" in (checkout / "Refund.md").read_text()


def test_dry_run_writes_nothing(tmp_path: Path, checkout: Path) -> None:
    actions = run(write_site(tmp_path / "site"), checkout, dry_run=True)
    assert ("create", "Home", "the library's index") in verbs(actions)
    assert files(checkout) == {}


@pytest.mark.parametrize(("name", "message"), [
    ("Home.md", "Home.md is in the wiki and procmap did not write it: procmap will not "
                "overwrite it with the library's index. Move its text to another page and "
                "remove it, then run again"),
    ("refund.md", "refund.md is in the wiki and procmap did not write it: procmap will not "
                  "overwrite or delete it. Rename or remove it, or retitle the workflow"),
    ("INTAKE.PNG", "INTAKE.PNG is in the wiki and procmap did not write it: procmap will not "
                   "overwrite or delete it. Rename or remove it, or retitle the workflow"),
])
def test_a_file_in_the_way_stops_the_run_before_any_write(tmp_path: Path, checkout: Path,
                                                          name: str, message: str) -> None:
    (checkout / name).write_text("by hand")
    with pytest.raises(PublishError) as e:
        run(write_site(tmp_path / "site"), checkout)
    assert str(e.value) == f"{checkout / name} {message.removeprefix(name + ' ')}"
    assert files(checkout) == {name: b"by hand"}


def test_a_broken_marker_is_no_mark(tmp_path: Path, checkout: Path) -> None:
    site = write_site(tmp_path / "site")
    run(site, checkout)
    text = (checkout / "Refund.md").read_text()
    (checkout / "Refund.md").write_text(text.replace('"files": [', '"files": ["../x", '))
    with pytest.raises(PublishError, match=r"Refund\.md is in the wiki and procmap did not "):
        run(site, checkout)


@pytest.mark.parametrize("named", ["Home.md", "Notes.MD", ".git"])
def test_a_marker_naming_a_page_or_hidden_file_is_no_mark(tmp_path: Path, checkout: Path,
                                                          named: str) -> None:
    # Prune deletes what an old page's marker names: never a page (not even the
    # Home this run wrote) nor the checkout's .git.
    (checkout / ".git").rmdir()
    if named != "Home.md":  # this run writes Home
        (checkout / named).write_text("by hand")
    (checkout / "Old.md").write_text('<!-- procmap {"workflow": "gone", "title": "Old", '
                                     f'"files": ["{named}"]}} -->\nold\n')
    actions = run(write_site(tmp_path / "site", {"intake": "Intake"}), checkout, prune=True)
    assert [a for a in verbs(actions) if a[0] in ("prune", "stale")] == []
    assert {"Home.md", "Old.md", named} <= set(files(checkout))
    assert files(checkout)["Home.md"].startswith(b"<!-- procmap {\"workflow\": null")


def test_pages_with_windows_line_ends_are_still_procmaps(tmp_path: Path,
                                                        checkout: Path) -> None:
    site = write_site(tmp_path / "site")
    run(site, checkout)
    for page in checkout.glob("*.md"):
        page.write_bytes(page.read_bytes().replace(b"\n", b"\r\n"))
    assert verbs(run(site, checkout)) == [
        ("update", "Intake", "Intake.md"), ("update", "Refund", "Refund.md"),
        ("update", "Home", "the library's index")]
    assert b"\r" not in (checkout / "Home.md").read_bytes()


def test_an_attachment_that_would_be_a_page_is_refused(tmp_path: Path,
                                                       checkout: Path) -> None:
    site = write_site(tmp_path / "site", {"intake": "Intake"})
    (site / "Notes.md").write_text("# Notes")
    manifest = json.loads((site / "manifest.json").read_text())
    manifest["pages"][0]["attachments"].append("Notes.md")
    (site / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PublishError) as e:
        run(site, checkout)
    assert str(e.value) == (f"{site}: the attachment 'Notes.md' of workflow 'intake' is no "
                            "image build writes: run procmap build again")
    assert files(checkout) == {}


def test_a_title_too_long_to_read_back_is_refused(tmp_path: Path, checkout: Path) -> None:
    title = "Refund " + "!" * 64 * 1024
    site = write_site(tmp_path / "site", {"refund": title})
    with pytest.raises(PublishError) as e:
        run(site, checkout)
    assert str(e.value) == (f"the title of workflow 'refund' is {len(title)} characters long, "
                            "too long for the mark procmap keeps on its page: shorten it")
    assert files(checkout) == {}
    # Just short enough: written, and procmap's on the next run.
    fits = "Refund " + "!" * (64 * 1024 - 200)
    site = write_site(tmp_path / "fits", {"refund": fits})
    run(site, checkout)
    assert verbs(run(site, checkout))[0] == ("unchanged", fits, "Refund.md")


def test_a_linked_page_is_not_written_through(tmp_path: Path, checkout: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("precious")
    (checkout / "Intake.md").symlink_to(outside)
    with pytest.raises(PublishError, match=r"Intake\.md is in the wiki and procmap did not"):
        run(write_site(tmp_path / "site"), checkout)
    assert outside.read_text() == "precious"


def test_stale_pages_are_listed_then_pruned_with_their_images(tmp_path: Path,
                                                               checkout: Path) -> None:
    run(write_site(tmp_path / "site"), checkout)
    (checkout / "Notes.md").write_text("by hand")
    one = write_site(tmp_path / "one", {"intake": "Intake"})
    kept = run(one, checkout)
    assert ("stale", "Refund", "Refund.md; its workflow is gone, --prune deletes it") in verbs(
        kept)
    assert (checkout / "Refund.md").exists()
    pruned = run(one, checkout, prune=True)
    assert ("prune", "Refund", "Refund.md") in verbs(pruned)
    assert sorted(files(checkout)) == ["Home.md", "Intake.md", "Notes.md", "intake.png",
                                       "intake.svg"]


def test_a_retitled_workflow_moves_to_its_new_page(tmp_path: Path, checkout: Path) -> None:
    run(write_site(tmp_path / "site"), checkout)
    site = write_site(tmp_path / "new", {"intake": "Intake", "refund": "Refund a dispute"})
    assert verbs(run(site, checkout)) == [
        ("update", "Intake", "Intake.md"),  # its link to the refund page
        ("create", "Refund a dispute", "Refund-a-dispute.md"),
        ("update", "Home", "the library's index"),
        ("prune", "Refund", "Refund.md: the workflow's page is now Refund-a-dispute.md")]
    assert not (checkout / "Refund.md").exists()
    assert (checkout / "refund.png").exists()  # the new page shows it
    assert "[Refund](Refund-a-dispute)" in (checkout / "Home.md").read_text()
    assert "[the other](Refund-a-dispute#steps)" in (checkout / "Intake.md").read_text()


def test_a_run_cut_off_after_a_page_owns_its_images_next_time(tmp_path: Path,
                                                              checkout: Path) -> None:
    site = wiki.read_site(write_site(tmp_path / "site"))
    target = wiki.Wiki(checkout)
    target.apply(target.plan(site).actions[0])  # Intake.md, then cut off
    assert sorted(files(checkout)) == ["Intake.md"]
    (checkout / "intake.png").write_bytes(b"half")  # as a crash may leave it
    actions = publish(wiki.Wiki(checkout), site)
    assert ("upload", "Intake", "intake.png") in verbs(actions)
    assert (checkout / "intake.png").read_bytes() == b"png-1"


@pytest.mark.parametrize(("titles", "message"), [
    ({"a": "Refund: fast", "b": "refund fast"},
     "workflows 'a' and 'b' are titled 'Refund: fast' and 'refund fast': both give the wiki "
     "page 'refund-fast' (it ignores case and punctuation): retitle one of them"),
    ({"a": "home"}, "workflow 'a' is titled 'home': its page would be the wiki's Home, the "
                    "library's index: retitle it"),
    ({"a": "?!"}, "the title of workflow 'a', '?!', gives no usable wiki page name (''): "
                  "retitle it"),
])
def test_titles_the_wiki_cannot_tell_apart_are_refused(tmp_path: Path, checkout: Path,
                                                       titles: dict[str, str],
                                                       message: str) -> None:
    with pytest.raises(PublishError) as e:
        run(write_site(tmp_path / "site", titles), checkout)
    assert str(e.value) == message
    assert files(checkout) == {}


def test_page_names() -> None:
    assert wiki.page_name("Billing dispute to refund") == "Billing-dispute-to-refund"
    assert wiki.page_name("R&D #1 <fast> \"quoted\"") == "R-D-1-fast-quoted"
    assert wiki.page_name("Überweisung prüfen - 日本語の手順") == "Überweisung-prüfen-日本語の手順"


def test_a_hostile_title_cannot_end_the_marker(tmp_path: Path, checkout: Path) -> None:
    site = write_site(tmp_path / "site", {"intake": "Intake --> <b>x</b>\n-->"})
    run(site, checkout)
    (page,) = checkout.glob("Intake-*.md")
    first, rest = page.read_text().split("\n", 1)
    assert first.count("-->") == 1 and first.endswith(" -->")
    assert rest.startswith("# Intake --> <b>x</b>")
    assert verbs(run(site, checkout))[0][0] == "unchanged"  # the marker reads back


def test_a_failed_write_is_a_clean_error(tmp_path: Path, checkout: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(wiki, "write_bytes", full)
    with pytest.raises(PublishError) as e:
        run(write_site(tmp_path / "site"), checkout)
    assert str(e.value) == (f"{checkout / 'Intake.md'}: No space left on device: check the "
                            "wiki checkout and run again")


def test_a_version_1_manifest_has_no_markdown(tmp_path: Path) -> None:
    (tmp_path / "i.x").write_text("<p/>")
    (tmp_path / "manifest.json").write_text('{"procmap": 1, "index": "i.x"}')
    with pytest.raises(PublishError) as e:
        wiki.read_site(tmp_path)
    assert str(e.value) == (f"{tmp_path / 'manifest.json'}: the index has no markdown body: "
                            "run procmap build again")


# -- the command ---------------------------------------------------------------

EXAMPLES = Path(__file__).parent.parent / "workflows"


def test_command_builds_then_publishes_to_a_wiki(runner: CliRunner) -> None:
    shutil.copytree(EXAMPLES, "workflows")
    assert runner.invoke(main, ["build", "workflows", "-o", "site"]).exit_code == 0
    manifest = json.loads(Path("site/manifest.json").read_text())
    # what build writes for publishing is target-neutral: each body in both forms
    # version 3: drawings left to publish, which a reader of version 2 would drop
    assert manifest["procmap"] == 3
    for bodies in [manifest["index"], *(p["bodies"] for p in manifest["pages"])]:
        assert sorted(bodies) == ["markdown", "storage"]
        assert all(Path("site", name).is_file() for name in bodies.values())
    Path("wiki").mkdir()
    args = ["publish", "site", "--target", "wiki", "--wiki", "wiki"]
    dry = runner.invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would create    Home (the library's index)" in dry.output
    assert list(Path("wiki").iterdir()) == []
    first = runner.invoke(main, [*args, "-v"])
    assert first.exit_code == 0, first.output
    pages = len(manifest["pages"])
    images = sum(len(p["attachments"]) for p in manifest["pages"])
    summary = f"{pages + 1} create" + (f", {images} upload" if images else "")
    assert first.output.splitlines()[-1] == summary
    assert f"  wrote {Path('wiki', 'Home.md')}" in first.output
    # The pages show the SVGs: the PNGs build leaves to draw are Confluence's alone.
    assert {p.suffix for p in Path("wiki").iterdir()} == (
        {".md", ".svg"} if shutil.which("dot") else {".md"})
    home = Path("wiki/Home.md").read_text()
    for page in manifest["pages"]:
        name = wiki.page_name(page["title"])
        assert f"]({name})" in home and Path("wiki", f"{name}.md").is_file()
        assert f"]({page['workflow']}.md)" not in home
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and again.output.splitlines()[-1] == f"{pages} unchanged"


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "wiki"], "Error: Missing option '--wiki'."),
    (["--target", "wiki", "--wiki", "nowhere"],
     "Error: Invalid value for '--wiki': 'nowhere' is not a folder: clone the wiki first, "
     "git clone https://github.com/OWNER/REPO.wiki.git"),
    (["--target", "wiki", "--wiki", ""],
     "Error: Invalid value for '--wiki': is empty: give the folder of the wiki's checkout"),
    (["--target", "wiki", "--wiki", ".", "--space", "OPS"],
     "Error: --space is not an option of --target wiki: leave it out"),
    (["--wiki", "."], "Error: --wiki is not an option of --target confluence: leave it out"),
    (["--space", "OPS", "--token", "t"], "Error: Missing option '--url'"),
])
def test_options_belong_to_their_target(runner: CliRunner, args: list[str],
                                        message: str) -> None:
    write_site(Path("site"))
    result = runner.invoke(main, ["publish", "site", *args], env={"CONFLUENCE_URL": None})
    assert result.exit_code == 2
    assert message in result.output


def test_a_file_in_the_way_exits_1(runner: CliRunner) -> None:
    write_site(Path("site"))
    Path("wiki").mkdir()
    Path("wiki/Home.md").write_text("Welcome")
    result = runner.invoke(main, ["publish", "site", "--target", "wiki", "--wiki", "wiki"])
    assert result.exit_code == 1
    assert result.output == (f"procmap: {Path('wiki', 'Home.md')} is in the wiki and procmap "
                             "did not write it: procmap will not overwrite it with the "
                             "library's index. Move its text to another page and remove it, "
                             "then run again\n")
    assert Path("wiki/Home.md").read_text() == "Welcome"


def test_ui_reaches_the_target(tmp_path: Path, checkout: Path) -> None:
    lines: list[str] = []
    target = wiki.Wiki(checkout, ui=Ui(warn=lines.append, log=lines.append))
    publish(target, wiki.read_site(write_site(tmp_path / "site", {"intake": "Intake"})))
    assert lines == [f"wrote {checkout / n}" for n in ("Intake.md", "intake.png", "intake.svg",
                                                       "Home.md")]


@settings(max_examples=40, deadline=None)
@example("x -->\n<!-- procmap {} -->")
@example("a\u2028b\r")
@example("\ud800 lone")
@given(st.text(min_size=1, max_size=30).filter(lambda t: wiki.page_name(t) not in ("", "Home")
                                               and wiki.page_name(t).lower() != "home"))
def test_any_title_gives_a_page_whose_marker_reads_back(title: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # the title reaches the wiki through the manifest, not the page body
        site = write_site(Path(tmp, "site"), {"intake": title}, sop="# The page\n")
        checkout = Path(tmp, "wiki")
        checkout.mkdir()
        run(site, checkout)
        name = wiki.page_name(title)
        assert re.fullmatch(r"[\w-]+", name) and name[0] not in "-_" and name[-1] not in "-_"
        assert sorted(files(checkout)) == sorted(["Home.md", f"{name}.md", "intake.png",
                                                  "intake.svg"])
        assert verbs(run(site, checkout)) == [("unchanged", title, f"{name}.md")]


def test_a_title_no_output_can_encode_is_printed_escaped(runner: CliRunner) -> None:
    # A manifest's JSON can escape a lone surrogate into a title.
    write_site(Path("site"), {"w": "\ud800 lone"}, sop="# The page\n")
    Path("wiki").mkdir()
    result = runner.invoke(main, ["publish", "site", "--target", "wiki", "--wiki", "wiki"])
    assert result.exit_code == 0, result.output
    assert result.output == ("create    \\ud800 lone (lone.md)\n"
                             "upload    \\ud800 lone (w.png)\nupload    \\ud800 lone (w.svg)\n"
                             "create    Home (the library's index)\n2 create, 2 upload\n")
