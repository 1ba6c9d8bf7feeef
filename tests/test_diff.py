"""`procmap diff`: metrics side by side and what changed, as text, JSON and markdown."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pydot
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from helpers import CLEAN, write
from procmap.analysis.analyze import analyze
from procmap.cli import main
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads
from procmap.format.model import Workflow
from procmap.render.dot import ADDED_LINK, CHANGE
from procmap.simplify.compare import FIELDS, _changes, _delta, compare
from strategies import workflows
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


# A reviewer's diff: a decision loses a branch, gains another and changes the
# condition of a third; a step is removed, one added, one moved, three changed.
REVIEW_BEFORE = """\
procmap: 1
id: r
title: Review
teams: {a: A, b: B}
steps:
  intake: {title: Intake, team: a, touch: 1h, outputs: [form], next: review}
  review:
    title: Review form
    team: a
    kind: decision
    touch: 30m
    inputs: [form]
    next:
      - {to: approve, when: complete, p: 0.8}
      - {to: ask, when: details missing, p: 0.2}
  ask: {title: Ask customer, team: b, wait: 1d, next: approve}
  approve:
    title: Approve
    team: b
    kind: approval
    touch: 15m
    requirement: {why: Policy 7, by: Ann Lee}
    next: pay
  pay: {title: Pay, team: a, touch: 1h}
"""
REVIEW_AFTER = """\
procmap: 1
id: r
title: Review
teams: {a: A, b: B}
steps:
  intake: {title: Intake, team: a, touch: 60m, outputs: [form, id-card], next: review}
  review:
    title: Check form
    team: a
    kind: decision
    touch: {min: 15m, likely: 30m, max: 1h}
    inputs: [form, id-card]
    next:
      - {to: approve, when: form complete, p: 0.9}
      - {to: pay, when: small amount, p: 0.1}
  approve:
    title: Approve
    team: b
    kind: check
    touch: 15m
    wait: 4h
    automated: planned
    value: bva
    next: log
  log: {title: Log decision, team: b, touch: 5m, next: pay}
  pay: {title: Pay, team: b, touch: 1h}
"""
REVIEW_CHANGES = [
    "- removed: ask (Ask customer)",
    "- added: log (Log decision)",
    "- moved: pay (Pay) from A to B",
    "- changed: intake (Intake): outputs form -> form, id-card",
    '- changed: review (Check form): title "Review form" -> "Check form"; '
    "touch 30m -> 15m to 1h, likely 30m; inputs form -> form, id-card",
    '- changed: approve (Approve): kind approval -> check; wait 0 -> 4h; '
    'requirement "Policy 7" by Ann Lee -> none; automated no -> planned; value none -> bva',
    '- link removed: review -> ask (when "details missing", p 0.2)',
    "- link removed: ask -> approve",
    "- link removed: approve -> pay",
    '- link added: review -> pay (when "small amount", p 0.1)',
    "- link added: approve -> log",
    "- link added: log -> pay",
    '- link changed: review -> approve: when "complete" -> "form complete"; p 0.8 -> 0.9',
]


def diff(runner: CliRunner, before: str, after: str, *args: str) -> str:
    write("b.yaml", before)
    write("a.yaml", after)
    result = runner.invoke(main, ["diff", "b.yaml", "a.yaml", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_text_leads_with_quotable_numbers(runner: CliRunner) -> None:
    # Hand figures: before s1 (1h) -> s2 (1h + 1d) -> s3 (1h), every case
    # alike, so mean = P50 = P90 = worst branch = 27h; handoffs a->b->a are 2
    # per case, after one (s4 of a -> s3 of b); PCE 3h / 27h and 3h / 3h.
    assert diff(runner, BEFORE, AFTER).splitlines() == [
        "b.yaml -> a.yaml",
        "",
        "                       before     after      change",
        "lead time mean           1.1d        3h         -1d",
        "lead time P50            1.1d        3h         -1d",
        "lead time P90            1.1d        3h         -1d",
        "handoffs per case        2.00      1.00       -1.00",
        "worst branch             1.1d        3h         -1d",
        "steps                       3         3           0",
        "teams                       2         2           0",
        "handoff links               2         1          -1",
        "ping-pong                   1         0          -1",
        "rework loops                0         0           0",
        "touch time                 3h        3h           0",
        "PCE                     11.1%    100.0%   +88.9 pts",
        "",
        "- removed: s2 (Two)",
        "- added: s4 (New)",
        "- moved: s3 (Three) from A to B",
        "- link removed: s1 -> s2",
        "- link removed: s2 -> s3",
        "- link added: s1 -> s4",
        "- link added: s4 -> s3",
    ]


def test_text_shows_branches_conditions_and_changed_fields(runner: CliRunner) -> None:
    lines = diff(runner, REVIEW_BEFORE, REVIEW_AFTER).splitlines()
    # Handoffs per case by hand: before review -> approve 0.8 + review -> ask
    # 0.2 + approve -> pay 1 = 2; after review -> approve 0.9 + review -> pay 0.1.
    assert lines[6] == "handoffs per case        2.00      1.00       -1.00"
    assert lines[15:] == ["", *REVIEW_CHANGES]


def test_markdown_has_the_same_rows_and_changes(runner: CliRunner) -> None:
    out = diff(runner, REVIEW_BEFORE, REVIEW_AFTER, "-f", "markdown")
    rows = tables(tokens(out))[0]
    assert [r[0] for r in rows] == ["", "lead time mean", "lead time P50", "lead time P90",
                                    "handoffs per case", "worst branch", "steps", "teams",
                                    "handoff links", "ping-pong", "rework loops",
                                    "touch time", "PCE"]
    assert rows[4] == ["handoffs per case", "2.00", "1.00", "-1.00"]
    assert rows[7] == ["teams", "2", "2", "0"]
    assert out.splitlines()[16:] == ["", *REVIEW_CHANGES]


def test_markdown_escapes_text_from_the_yaml(runner: CliRunner) -> None:
    hostile = "a | *b* <script>"
    before = BEFORE.replace("title: Three", 'title: "Three"').replace(
        "next: s2}", 'next: [{to: s2, when: "ok", p: 1}]}')
    after = before.replace('title: "Three"', f'title: "{hostile}"').replace(
        'when: "ok"', f'when: "{hostile}"')
    out = diff(runner, before, after, "-f", "markdown")
    escaped = r"a \| \*b\* \<script\>"
    assert out.splitlines()[-2:] == [
        f'- changed: s3 ({escaped}): title "Three" -> "{escaped}"',
        f'- link changed: s1 -> s2: when "ok" -> "{escaped}"',
    ]
    text = diff(runner, before, after)
    assert text.splitlines()[-1] == f'- link changed: s1 -> s2: when "ok" -> "{hostile}"'


def test_text_escapes_control_characters_in_changes(runner: CliRunner) -> None:
    before = BEFORE.replace("next: s2}", 'next: [{to: s2, when: "ok", p: 1}]}')
    after = before.replace("title: Three", r'title: "x\e[2J\n::error::y"').replace(
        'when: "ok"', r'when: "ok\r\u202e"')
    assert diff(runner, before, after).splitlines()[-2:] == [
        r'- changed: s3 (x\x1b[2J\n::error::y): title "Three" -> "x\x1b[2J\n::error::y"',
        r'- link changed: s1 -> s2: when "ok" -> "ok\r\u202e"',
    ]


def test_json_lists_metrics_and_changes(runner: CliRunner) -> None:
    doc = json.loads(diff(runner, REVIEW_BEFORE, REVIEW_AFTER, "-f", "json"))
    assert list(doc["metrics"]) == [
        "simulated_mean_h", "simulated_p50_h", "simulated_p90_h", "expected_handoffs",
        "lead_time_h", "steps", "teams", "handoffs", "ping_pong", "rework_edges",
        "touch_time_h", "pce"]
    assert doc["metrics"]["expected_handoffs"] == {"before": 2, "after": 1, "change": -1}
    # Worst branch: intake 1h, review 30m, ask 1d, approve 15m, pay 1h; after
    # intake 1h, review (15m + 4 x 30m + 1h) / 6, approve 4h 15m, log 5m, pay 1h.
    worst_after = 1 + 3.25 / 6 + 4.25 + 5 / 60 + 1
    assert doc["metrics"]["lead_time_h"] == {"before": 26.75, "after": round(worst_after, 4),
                                             "change": round(worst_after - 26.75, 4)}
    del doc["metrics"]
    assert doc == {
        "before": "b.yaml", "after": "a.yaml",
        "removed": ["ask"], "added": ["log"],
        "moved": [{"step": "pay", "from": "A", "to": "B"}],
        "changed": [
            {"step": "intake", "title": "Intake",
             "fields": {"outputs": {"before": ["form"], "after": ["form", "id-card"]}}},
            {"step": "review", "title": "Check form",
             "fields": {"title": {"before": "Review form", "after": "Check form"},
                        "touch": {"before": 0.5,
                                  "after": {"min": 0.25, "likely": 0.5, "max": 1}},
                        "inputs": {"before": ["form"], "after": ["form", "id-card"]}}},
            {"step": "approve", "title": "Approve",
             "fields": {"kind": {"before": "approval", "after": "check"},
                        "wait": {"before": 0, "after": 4},
                        "requirement": {"before": {"why": "Policy 7", "by": "Ann Lee"},
                                        "after": None},
                        "automated": {"before": False, "after": "planned"},
                        "value": {"before": None, "after": "bva"}}},
        ],
        "links_removed": [
            {"from": "review", "to": "ask", "when": "details missing", "p": 0.2},
            {"from": "ask", "to": "approve", "when": None, "p": None},
            {"from": "approve", "to": "pay", "when": None, "p": None}],
        "links_added": [
            {"from": "review", "to": "pay", "when": "small amount", "p": 0.1},
            {"from": "approve", "to": "log", "when": None, "p": None},
            {"from": "log", "to": "pay", "when": None, "p": None}],
        "links_changed": [
            {"from": "review", "to": "approve", "before": {"when": "complete", "p": 0.8},
             "after": {"when": "form complete", "p": 0.9}}],
    }


NO_DURATIONS = """\
procmap: 1
id: n
title: No durations
teams: {a: A, b: B}
steps:
  s1: {title: One, team: a, next: s2}
  s2: {title: Two, team: b}
"""


def test_a_figure_that_cannot_be_computed_reads_n_a(runner: CliRunner) -> None:
    after = NO_DURATIONS.replace("team: b", "team: a")
    lines = diff(runner, NO_DURATIONS, after).splitlines()
    assert lines[14] == "PCE                       n/a       n/a"
    assert lines[6:8] == ["handoffs per case        1.00      0.00       -1.00",
                          "worst branch                0         0           0"]
    rows = tables(tokens(diff(runner, NO_DURATIONS, after, "-f", "markdown")))[0]
    assert rows[-1] == ["PCE", "n/a", "n/a", ""]
    doc = json.loads(diff(runner, NO_DURATIONS, after, "-f", "json"))
    assert doc["metrics"]["pce"] == {"before": None, "after": None, "change": None}


def test_a_tiny_pce_change_does_not_read_as_zero() -> None:
    assert [_delta("%", 0.013, a) for a in (0.01299, 0.0134, 0.0137, 0.013)] == [
        "-<0.01 pts", "+0.04 pts", "+0.1 pts", "0"]


def test_same_file_changes_nothing(runner: CliRunner) -> None:
    assert diff(runner, REVIEW_BEFORE, REVIEW_BEFORE).splitlines()[-1] == (
        "no step or link changed")


def test_errors(runner: CliRunner) -> None:
    write("b.yaml", BEFORE)
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


def _loaded(doc: dict[str, object]) -> Workflow | None:
    try:
        return loads(json.dumps(doc), "w.yaml")
    except WorkflowError:
        return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows(), workflows())
def test_the_diff_accounts_for_every_difference(doc_b: dict[str, object],
                                                doc_a: dict[str, object]) -> None:
    """Applying what the diff reports to the before version gives the after one."""
    bw, aw = _loaded(doc_b), _loaded(doc_a)
    if bw is None or aw is None:
        return
    c = compare(analyze(bw, simulate=False), analyze(aw, simulate=False))
    assert [s for s in bw.steps if s not in c.removed] + list(c.added) == [
        s for s in aw.steps if s in bw.steps] + [s for s in aw.steps if s not in bw.steps]
    teams = {s.id: bw.teams[s.team].name for s in bw.step_list} | {
        m.step: m.after for m in c.moved}
    fields = {s.id: {f: getattr(s, f) for f in FIELDS} for s in bw.step_list}
    for changed in c.changed:
        fields[changed.step] |= {f.name: f.after for f in changed.fields}
    for s in aw.step_list:
        if s.id in bw.steps:
            assert teams[s.id] == aw.teams[s.team].name
            assert fields[s.id] == {f: getattr(s, f) for f in FIELDS}

    def links(w: Workflow) -> dict[tuple[str, str], tuple[str | None, float | None]]:
        out: dict[tuple[str, str], tuple[str | None, float | None]] = {}
        for s in w.step_list:
            for b in s.next:
                out.setdefault((s.id, b.to), (b.when, b.p))
        return out

    got = links(bw)
    for link in c.links_removed:
        del got[link.source, link.to]
    got |= {(link.source, link.to): (link.when, link.p) for link in c.links_added}
    got |= {(r.after.source, r.after.to): (r.after.when, r.after.p) for r in c.links_changed}
    assert got == links(aw)
    same = compare(analyze(bw, simulate=False), analyze(bw, simulate=False))
    assert _changes(same, str) == ["no step or link changed"]


def test_before_after_diagram_shows_every_change_the_text_lists(runner: CliRunner) -> None:
    write("b.yaml", REVIEW_BEFORE)
    write("a.yaml", REVIEW_AFTER)
    result = runner.invoke(main, ["diff", "b.yaml", "a.yaml", "--diagram", "both.dot"])
    assert result.exit_code == 0, result.output
    (graph,) = pydot.graph_from_dot_data(Path("both.dot").read_text())
    steps = {n.get("id").strip('"')[5:]: n for n in graph.get_nodes()
             if (n.get("id") or "").startswith('"step-')}
    name = {n.get_name(): step for step, n in steps.items()}

    def seen(label: str) -> str:
        text = re.sub(r"<BR[^>]*>", "\n", label.strip()[1:-1])
        return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\u200b", "")

    notes = {step: re.findall(r"<I>(.*?)</I>", n.get("label")) for step, n in steps.items()}
    # Each change on its own line, wrapped to the width of the step.
    assert {step: html.unescape(" ".join(lines)) for step, lines in notes.items()} == {
        "intake": "outputs form → form, id-card",
        "review": 'title "Review form" → "Check form" '
                  "touch 30m → 15m to 1h, likely 30m inputs form → form, id-card",
        "ask": "removed",
        "approve": 'kind approval → check wait 0 → 4h requirement "Policy 7" by Ann Lee → none '
                   "automated no → planned value none → bva",
        "log": "added", "pay": "moved from A"}
    assert steps["review"].get("color").strip('"') == CHANGE["changed"][1]
    edges = {(name[e.get_source()], name[e.get_destination()]): e for e in graph.get_edges()}
    assert {k for k, e in edges.items() if e.get("style") == "dotted"} == {
        ("review", "ask"), ("ask", "approve"), ("approve", "pay")}
    assert {k for k, e in edges.items() if (e.get("color") or "").strip('"') == ADDED_LINK} \
        == {("review", "pay"), ("approve", "log"), ("log", "pay")}
    assert seen(edges["review", "approve"].get("xlabel")).replace("\n", " ") == (
        'form complete · 90% · when "complete" -> "form complete"; p 0.8 -> 0.9')
    header = seen(graph.get("label")).splitlines()
    assert header == ["Review", "lead time 1.1d → 6.9h · touch time 2.8h → 2.9h · "
                      "PCE 10.3% → 41.8% · handoffs 3 → 2 · steps 5 → 5"]
