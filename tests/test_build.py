"""`procmap build`: the process library folder and its index."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import CLEAN, write
from procmap.analysis.analyze import analyze_paths
from procmap.cli import main
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
