"""`procmap diff`: metrics side by side and what changed, as text, JSON and markdown."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from helpers import write
from procmap.cli import main
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
