"""`procmap build`: the process library folder and its index."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import CLEAN, write
from procmap.analysis.analyze import analyze_paths
from procmap.cli import main
from procmap.docs.library import _svg_width
from procmap.docs.portfolio import portfolio
from test_sop import headings, no_html, tables, tokens

EXAMPLES = Path(__file__).parent.parent / "workflows"
PING = """\
procmap: 1
id: ping
title: Ping | pong
owner: Ann
teams: {a: A, b: B}
steps:
  s1: {title: One, team: a, touch: 1h, next: s2}
  s2: {title: Two, team: b, touch: 1h, next: s3}
  s3: {title: Three, team: a, touch: 1h}
"""


def test_library_of_the_examples(runner: CliRunner, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, "workflows")
    result = runner.invoke(main, ["build", "workflows", "-o", "site"])
    assert result.exit_code == 0, result.output
    run = analyze_paths(["workflows"])
    ids = sorted(w.workflow.id for w in run.workflows)
    names = {p.name for p in Path("site").iterdir()}
    expected = {f"{i}.{ext}" for i in ids for ext in ("md", "mmd")} | {"index.md"}
    assert expected <= names
    if shutil.which("dot"):
        assert {f"{i}.svg" for i in ids} <= names
        assert "![Swimlane diagram of" in Path("site", f"{ids[0]}.md").read_text()
    index = tokens(Path("site/index.md").read_text())
    assert headings(index, "h2") == ["Portfolio", "Handoffs between teams", "Worst ping-pong"]
    rows = tables(index)[0]
    assert rows[0][:7] == ["Workflow", "Owner", "Steps", "Teams", "Handoffs", "Lead time", "PCE"]
    by_title = {row[0]: row for row in rows[1:]}
    for w in run.workflows:
        row = by_title[w.workflow.title]
        assert row[2] == str(w.metrics.steps) and row[4] == str(w.metrics.handoffs)
        levels = [sum(f.level == level for f in w.findings) for level in ("error", "warning",
                                                                           "info")]
        assert row[7:] == [str(n) for n in levels]
    links = [c.attrs["href"] for t in index for c in (t.children or []) if c.type == "link_open"]
    assert sorted(links) == [f"{i}.md" for i in ids]
    assert no_html(index)
    matrix = tables(index)[1]
    total = sum(int(cell or 0) for row in matrix[1:] for cell in row[1:])
    assert total == sum(w.metrics.handoffs for w in run.workflows)


def test_same_input_same_bytes(runner: CliRunner) -> None:
    write("wf/a.yaml", CLEAN)
    write("wf/b.yaml", PING)
    assert runner.invoke(main, ["build", "wf", "-o", "one"]).exit_code == 0
    assert runner.invoke(main, ["build", "wf", "-o", "two"]).exit_code == 0
    one = {p.name: p.read_bytes() for p in Path("one").iterdir()}
    two = {p.name: p.read_bytes() for p in Path("two").iterdir()}
    assert one == two and len(one) >= 5


def test_matrix_and_ping_pong_across_workflows(runner: CliRunner) -> None:
    write("wf/p.yaml", PING)
    write("wf/q.yaml", PING.replace("id: ping", "id: pong").replace("Ping | pong", "Again"))
    run = analyze_paths(["wf"], simulate=False)
    p = portfolio(list(run.workflows))
    assert p.teams == ("A", "B")
    assert p.handoffs == ((0, 2), (2, 0))
    assert len(p.ping_pong) == 1 and p.ping_pong[0].count == 2
    assert p.ping_pong[0].workflows == ("Ping | pong", "Again")


def test_invalid_workflow_exits_2_and_the_rest_is_built(runner: CliRunner) -> None:
    write("wf/a.yaml", CLEAN)
    write("wf/bad.yaml", PING.replace("team: b", "team: zz"))
    result = runner.invoke(main, ["build", "wf", "-o", "site"])
    assert result.exit_code == 2 and "bad.yaml:8:" in result.output
    assert Path("site/clean.md").exists() and Path("site/index.md").exists()
    assert not [p for p in Path("site").iterdir() if p.name.endswith(".tmp")]


def test_without_graphviz_the_library_has_no_svg_and_says_so(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    write("wf/a.yaml", CLEAN)
    monkeypatch.setenv("PATH", os.devnull)
    result = runner.invoke(main, ["build", "wf", "-o", "site"])
    assert result.exit_code == 0
    assert "warning: no SVG or PNG diagrams" in result.output
    assert "apt-get install graphviz" in result.output
    assert sorted(p.name for p in Path("site").iterdir()) == [
        "clean.md", "clean.mmd", "clean.storage.xhtml", "index.md", "index.storage.xhtml",
        "manifest.json"]
    assert json.loads(Path("site/manifest.json").read_text())["pages"][0]["attachments"] == []
    assert "![" not in Path("site/clean.md").read_text()


def test_an_id_that_is_a_library_file_is_refused_and_the_rest_built(runner: CliRunner) -> None:
    write("wf/a.yaml", CLEAN)
    write("wf/index.yaml", PING.replace("id: ping", "id: index"))
    result = runner.invoke(main, ["build", "wf", "-o", "site"])
    assert result.exit_code == 2
    assert "wf/index.yaml:2:1: the id 'index' is reserved: the library's own index.md " \
        "would replace this workflow's\n  hint: rename the workflow" in result.output
    manifest = json.loads(Path("site/manifest.json").read_text())
    assert [p["workflow"] for p in manifest["pages"]] == ["clean"]
    assert "Ping" not in Path("site/index.md").read_text()


def fake_dot(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `dot` that fails on one workflow (whose title says so) and draws the others."""
    folder.mkdir()
    script = folder / "dot"
    script.write_text(f"""#!/bin/sh
for a in "$@"; do source="$a"; done  # dot -T... -O FILE: the input, then FILE.<format>
input=$({shutil.which('cat')} "$source")
case "$input" in
  *Undrawable*) echo "Error: syntax error in line 1" >&2; exit 1;;
esac
echo "$*" >> {folder / "runs.log"}
graphs=$(printf '%s\n' "$input" | {shutil.which('grep')} -c '^digraph')
for a in "$@"; do
  k=1
  while [ "$k" -le "$graphs" ]; do
    out="$source"; [ "$k" -gt 1 ] && out="$source.$k"
    case "$a" in
      -Tjson*) echo '{{"bb": "0,0,10,10"}}' > "$out.${{a#-T}}";;
      -Tdot) printf '%s' "$input" > "$out.dot";;
      -T*) echo '<svg><g class="graph"><!-- drawn --></g></svg>' > "$out.${{a#-T}}";;
    esac
    k=$((k + 1))
  done
done
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))


def test_one_diagram_that_fails_fails_its_workflow_only(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write("wf/a.yaml", CLEAN)
    write("wf/b.yaml", PING.replace("Ping | pong", "Undrawable"))
    write("wf/c.yaml", PING.replace("id: ping", "id: third"))
    fake_dot(tmp_path / "bin", monkeypatch)
    result = runner.invoke(main, ["build", "wf", "-o", "site"])
    assert result.exit_code == 2, result.output
    assert "wf/b.yaml:2:1: no SVG or PNG diagram of workflow 'ping': Graphviz failed: " \
        "Error: syntax error in line 1\n" in result.output
    assert "warning" not in result.output
    names = {p.name for p in Path("site").iterdir()}
    assert {"clean.svg", "clean.laid.gv", "third.svg", "third.laid.gv", "ping.md"} <= names
    assert not {"ping.svg", "ping.laid.gv"} & names
    pages = json.loads(Path("site/manifest.json").read_text())["pages"]
    assert {p["workflow"]: p["attachments"] for p in pages} == {
        "clean": ["clean.svg"], "ping": [], "third": ["third.svg"]}
    assert {p["workflow"]: p.get("drawings") for p in pages} == {
        "clean": {"clean.png": "clean.laid.gv"}, "ping": None,
        "third": {"third.png": "third.laid.gv"}}
    # The workflows share one run that routes and draws them all (the
    # layout as DOT, the SVG, the layout as JSON): it fails, so each is
    # drawn alone. No second run: the SVG is the routing run's.
    runs = (tmp_path / "bin" / "runs.log").read_text().splitlines()
    assert sorted(re.sub(r" /\S+", " …", run) for run in runs) == [
        "-Tdot -Tsvg -Tjson0 -O …"] * 2


def test_a_second_build_into_a_folder_in_use_stops_at_once(runner: CliRunner) -> None:
    from procmap.lock import locked

    write("wf/a.yaml", CLEAN)
    with locked(Path("site")):  # as a build running in another process
        result = runner.invoke(main, ["build", "wf", "-o", "site"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "procmap: cannot write site: in use by another `procmap build`: wait for it to "
        "finish, or build into another folder\n")
    assert list(Path("site").iterdir()) == []
    again = runner.invoke(main, ["build", "wf", "-o", "site"])  # the lock went with its holder
    assert again.exit_code == 0, again.output


def test_a_full_disk_names_the_file(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    write("wf/a.yaml", CLEAN)
    monkeypatch.setenv("PATH", os.devnull)  # no Graphviz: the .mmd is the first file written
    real = tempfile.mkstemp

    def on_a_full_disk(*args: str, **kwargs: str) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)  # type: ignore[call-overload]
        full = os.open("/dev/full", os.O_WRONLY)  # every write: ENOSPC
        os.dup2(full, fd)
        os.close(full)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", on_a_full_disk)
    result = runner.invoke(main, ["build", "wf", "-o", "site"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "procmap: cannot write site/clean.mmd: No space left on device\n")
    assert list(Path("site").iterdir()) == []


def test_a_build_running_in_another_process_holds_the_folder(runner: CliRunner) -> None:
    import subprocess
    import sys

    write("wf/a.yaml", CLEAN)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path\n"
         "from procmap.lock import locked\n"
         "with locked(Path('site')):\n    print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        busy = runner.invoke(main, ["build", "wf", "-o", "site"])
    finally:
        holder.communicate("")
    assert busy.exit_code == 2 and "cannot write site: in use by another" in busy.output
    assert runner.invoke(main, ["build", "wf", "-o", "site"]).exit_code == 0


def test_confluence_pages_name_the_code_language_and_fit_wide_diagrams(
        runner: CliRunner) -> None:
    write("wf/ping.yaml", PING)
    assert runner.invoke(main, ["build", "wf", "-o", "site", "--png"]).exit_code == 0
    assert int.from_bytes(Path("site/ping.png").read_bytes()[16:20], "big") > 760
    page = Path("site/ping.storage.xhtml").read_text()
    assert ('<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">text'
            '</ac:parameter><ac:parameter ac:name="title">Mermaid</ac:parameter>') in page
    assert ('<ac:image ac:alt="Swimlane diagram of Ping | pong" ac:width="760"><ri:attachment '
            'ri:filename="ping.png" /></ac:image>') in page


def test_the_width_of_the_png_is_read_from_the_svg() -> None:
    assert _svg_width(b'<?xml version="1.0"?>\n<svg width="2670pt" height="920pt"') == 2670
    assert _svg_width(b"<svg/>") == 0


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_the_png_width_a_page_states_is_that_of_the_png(runner: CliRunner) -> None:
    """The storage page sizes the PNG before anyone has drawn it: from the
    SVG, whose points Graphviz makes pixels of the PNG."""
    shutil.copytree(EXAMPLES, "wf")
    assert runner.invoke(main, ["build", "wf", "-o", "site", "--png"]).exit_code == 0
    for png in Path("site").glob("*.png"):
        width = int.from_bytes(png.read_bytes()[16:20], "big")
        assert _svg_width(png.with_suffix(".svg").read_bytes()) == width


CHAIN = "".join(f"  s{i}: {{title: Step {i}, team: {'ab'[i % 2]}, touch: 1h, next: s{i + 1}}}\n"
                for i in range(5)) + "  s5: {title: Step 5, team: a, touch: 1h}\n"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_a_large_map_is_built_as_pages_and_the_sop_shows_each(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import procmap.docs.library as library
    import procmap.render as render

    write("wf/w.yaml", "procmap: 1\nid: w\ntitle: W\nteams: {a: A, b: B}\nsteps:\n" + CHAIN)
    write("wf/ping.yaml", PING)
    original = render.paginate
    # Pages of two columns: the chain of six steps takes three, ping two.
    monkeypatch.setattr(library, "paginate", lambda d: original(d, columns=2))
    result = runner.invoke(main, ["build", "wf", "-o", "site", "--png"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in Path("site").iterdir()}
    pages = [f"w.page-{k}" for k in (1, 2, 3)]
    assert {f"{p}.{fmt}" for p in pages for fmt in ("svg", "png")} <= names
    assert not {"w.svg", "w.png"} & names
    assert {"ping.page-1.svg", "ping.page-2.png"} <= names
    images = re.findall(r"!\[([^]]*)\]\(([^)]*)\)", Path("site/w.md").read_text())
    assert images == [(f"Swimlane diagram of W, page {k} of 3", f"w.page-{k}.svg")
                      for k in (1, 2, 3)]
    page = Path("site/w.storage.xhtml").read_text()
    assert re.findall(r'<ac:image ac:alt="([^"]*)"[^>]*><ri:attachment ri:filename="([^"]*)"',
                      page) == [(f"Swimlane diagram of W, page {k} of 3", f"w.page-{k}.png")
                                for k in (1, 2, 3)]
    manifest = {p["workflow"]: p["attachments"]
                for p in json.loads(Path("site/manifest.json").read_text())["pages"]}
    assert manifest["w"] == [f"{p}.{fmt}" for p in pages for fmt in ("png", "svg")]
    assert "page 2 of 3" in Path("site/w.page-2.svg").read_text()


def test_files_are_written_by_one_thread(runner: CliRunner,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Workflows are drawn on threads, but atomic.write_bytes reads the umask
    by setting it: two threads writing at once could give a file the mode of
    another's umask."""
    import threading

    import procmap.docs.library as library

    writers: set[str] = set()
    real = library.write_bytes

    def recorded(path: Path, data: bytes) -> None:
        writers.add(threading.current_thread().name)
        real(path, data)

    monkeypatch.setattr(library, "write_bytes", recorded)
    for name in ("a", "b", "c"):
        write(f"wf/{name}.yaml", PING.replace("id: ping", f"id: {name}"))
    assert runner.invoke(main, ["build", "wf", "-o", "site"]).exit_code == 0
    assert writers == {threading.main_thread().name}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_the_png_is_left_to_publish_unless_asked_for(runner: CliRunner) -> None:
    """cairo drawing a PNG takes three times as long as the rest of a
    workflow's build: build writes the layout, from which publish draws the
    same PNG that build --png writes."""
    from procmap.render.graphviz import draw_laid

    write("wf/ping.yaml", PING)

    def entry() -> dict[str, object]:
        (page,) = json.loads(Path("site/manifest.json").read_text())["pages"]
        return {k: page.get(k) for k in ("attachments", "drawings")}

    assert runner.invoke(main, ["build", "wf", "-o", "site", "--png"]).exit_code == 0
    png = Path("site/ping.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and not Path("site/ping.laid.gv").exists()
    assert entry() == {"attachments": ["ping.png", "ping.svg"], "drawings": None}
    assert runner.invoke(main, ["build", "wf", "-o", "site"]).exit_code == 0
    # The PNG of the earlier build would pass for this one's: it goes.
    assert not Path("site/ping.png").exists()
    assert entry() == {"attachments": ["ping.svg"], "drawings": {"ping.png": "ping.laid.gv"}}
    laid = Path("site/ping.laid.gv").read_text()
    assert draw_laid([laid], ("png",))[0]["png"] == png
    # Positions and routes, not the drawing instructions of the layout's JSON
    # (_draw_...): they doubled the text Graphviz reads again.
    assert "pos=" in laid and "draw_=" not in laid
    assert runner.invoke(main, ["build", "wf", "-o", "site", "--png"]).exit_code == 0
    assert not Path("site/ping.laid.gv").exists() and Path("site/ping.png").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_a_warning_of_graphviz_names_its_workflow_though_drawn_with_others(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workflows share runs of dot, and Graphviz does not say which graph of
    a run a warning is about: a run that warns is drawn again a workflow at
    a time."""
    from collections.abc import Callable, Sequence

    import procmap.docs.library as library
    from procmap.render import Diagram

    real = library.draw_pictures
    runs: list[int] = []

    def draw_pictures(pages: Sequence[Diagram], fmts: Sequence[str],
                      warn: Callable[[str], None]) -> list[dict[str, bytes]]:
        drawn = real(pages, fmts, warn)
        runs.append(len(pages))
        if any(p.title == "Odd" for p in pages):
            warn("Warning: something odd")  # as Graphviz says it: no graph named
        return drawn

    monkeypatch.setattr(library, "draw_pictures", draw_pictures)
    write("wf/a.yaml", CLEAN)
    write("wf/b.yaml", PING.replace("Ping | pong", "Odd"))
    write("wf/c.yaml", PING.replace("id: ping", "id: third"))
    result = runner.invoke(main, ["build", "wf", "-o", "site"])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if "warning" in line] == [
        "procmap: warning: wf/b.yaml: Warning: something odd"]
    assert runs == [3, 1, 1, 1]  # together, then each alone
    assert {"clean.svg", "ping.svg", "third.svg"} <= {p.name for p in Path("site").iterdir()}
