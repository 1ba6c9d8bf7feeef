"""`procmap diff`: metrics side by side and what changed, as text, JSON and markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pydot
import pytest
from click.testing import CliRunner

from helpers import CLEAN, write
from procmap.cli import main
from procmap.render.dot import CHANGE
from test_render_mermaid import parse
from test_sop import tables, tokens

BEFORE = """\
procmap: 1
id: d
title: Diff | test
teams: {a: A, b: B}
steps:
  s1: {title: One, team: a, touch: 1h, next: s2}
  s2: {title: Two, team: b, touch: 1h, wait: 1d, next: s3}
  s3: {title: Three, team: a, touch: 1h}
"""
AFTER = """\
procmap: 1
id: d
title: Diff | test
teams: {a: A, b: B}
steps:
  s1: {title: One, team: a, touch: 1h, next: s4}
  s4: {title: New, team: a, touch: 1h, next: s3}
  s3: {title: Three, team: b, touch: 1h}
"""


def test_json_lists_metrics_and_changes(runner: CliRunner) -> None:
    write("b.yaml", BEFORE)
    write("a.yaml", AFTER)
    result = runner.invoke(main, ["diff", "b.yaml", "a.yaml", "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["removed"] == ["s2"] and doc["added"] == ["s4"]
    assert doc["moved"] == [{"step": "s3", "from": "A", "to": "B"}]
    assert ["s1", "s2"] in doc["edges_removed"] and ["s1", "s4"] in doc["edges_added"]
    lead = doc["metrics"]["lead time"]
    assert lead["before"] == 27 and lead["after"] == 3 and lead["change"] == -24
    assert doc["metrics"]["handoffs"] == {"before": 2, "after": 1, "change": -1}


def test_markdown_is_a_table_for_a_pull_request(runner: CliRunner) -> None:
    write("b.yaml", BEFORE)
    write("a.yaml", AFTER)
    result = runner.invoke(main, ["diff", "b.yaml", "a.yaml", "-f", "markdown"])
    toks = tokens(result.output)
    rows = tables(toks)[0]
    assert rows[0] == ["", "before", "after", "change"]
    assert ["lead time", "1.1d", "3h", "-1d"] in rows
    heading = next(t for t in toks if t.type == "inline")
    assert "Diff | test" in "".join(c.content for c in heading.children or [])


def test_text_and_errors(runner: CliRunner) -> None:
    write("b.yaml", BEFORE)
    write("a.yaml", AFTER)
    text = runner.invoke(main, ["diff", "b.yaml", "a.yaml"]).output
    assert "removed: s2 (Two)" in text and "moved: s3 (Three) from A to B" in text
    write("bad.yaml", BEFORE.replace("team: b", "team: zz"))
    result = runner.invoke(main, ["diff", "b.yaml", "bad.yaml"])
    assert result.exit_code == 2 and "bad.yaml:7:" in result.output
    assert runner.invoke(main, ["diff", "b.yaml", "nope.yaml"]).exit_code == 2
    assert not Path("nope.yaml").exists()


def test_before_after_diagram_marks_removed_added_and_moved(runner: CliRunner) -> None:
    write("b.yaml", BEFORE)
    write("a.yaml", AFTER)
    result = runner.invoke(main, ["diff", "b.yaml", "a.yaml", "--diagram", "both.dot"])
    assert result.exit_code == 0, result.output
    (graph,) = pydot.graph_from_dot_data(Path("both.dot").read_text())
    nodes = {n.get("id").strip('"'): n for n in graph.get_nodes() if n.get("id")}
    removed, added, moved = nodes["step-s2"], nodes["step-s4"], nodes["step-s3"]
    assert "<S>" in removed.get("label") and "dashed" in removed.get("style")
    assert added.get("fillcolor").strip('"') == CHANGE["added"][0]
    assert moved.get("color").strip('"') == CHANGE["moved"][1]
    assert nodes["step-s1"].get("color").strip('"') not in {c[1] for c in CHANGE.values()}
    dotted = {(e.get_source(), e.get_destination()) for e in graph.get_edges()
              if e.get("style") == "dotted"}
    assert dotted == {("s0", "s1"), ("s1", "s2")}  # s1 -> s2 -> s3 in file order
    assert "removed step" in graph.get_node("legend")[0].get("label")
    assert runner.invoke(main, ["diff", "b.yaml", "a.yaml", "--diagram", "x.txt"]).exit_code == 2


def test_before_after_mermaid(runner: CliRunner) -> None:
    write("b.yaml", BEFORE)
    write("a.yaml", AFTER)
    assert runner.invoke(main, ["diff", "b.yaml", "a.yaml", "--diagram", "both.mmd"]).exit_code == 0
    chart = parse(Path("both.mmd").read_text())
    assert chart.classes["s1"] >= {"removed"} and chart.classes["s3"] >= {"added"}
    assert chart.classes["s2"] >= {"moved"}


def test_graphviz_that_runs_too_long_names_the_workflows(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_render_cli import slow_dot

    write("w.yaml", CLEAN)
    slow_dot(tmp_path / "bin", monkeypatch)
    monkeypatch.setenv("PROCMAP_GRAPHVIZ_TIMEOUT", "0.2")
    result = runner.invoke(main, ["diff", "w.yaml", "w.yaml", "--diagram", "both.svg"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "procmap: w.yaml -> w.yaml: Graphviz did not finish the svg within 0.2 s")
    assert not Path("both.svg").exists()
