"""`procmap diff`: a workflow before and after, in numbers and step by step."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from procmap.analysis.analyze import WorkflowReport
from procmap.analysis.graph import Flow
from procmap.docs.markdown import inline
from procmap.format.durations import short
from procmap.printable import one_line

# (label, how to read it off the metrics, unit) in the order people read them.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("steps", "steps", "n"), ("teams", "teams", "n"), ("handoffs", "handoffs", "n"),
    ("ping-pong", "ping_pong", "n"), ("rework loops", "rework_edges", "n"),
    ("lead time", "lead_time_h", "h"), ("touch time", "touch_time_h", "h"),
    ("PCE", "pce", "%"), ("simulated P50", "p50_h", "h"), ("simulated P90", "p90_h", "h"))


@dataclass(frozen=True, slots=True)
class Moved:
    step: str
    title: str
    before: str  # team names
    after: str


@dataclass(frozen=True, slots=True)
class Comparison:
    before: WorkflowReport
    after: WorkflowReport
    removed: tuple[str, ...]  # step ids
    added: tuple[str, ...]
    moved: tuple[Moved, ...]
    edges_removed: tuple[tuple[str, str], ...]
    edges_added: tuple[tuple[str, str], ...]

    def values(self, report: WorkflowReport) -> dict[str, float | None]:
        m = report.metrics
        out: dict[str, float | None] = {}
        for label, attr, _ in ROWS:
            source = m.simulated if attr in ("p50_h", "p90_h") else m
            out[label] = None if source is None else float(getattr(source, attr))
        return out

    def rows(self) -> list[tuple[str, str, float | None, float | None]]:
        """(label, unit, before, after) for every metric."""
        b, a = self.values(self.before), self.values(self.after)
        return [(label, unit, b[label], a[label]) for label, _, unit in ROWS]


def compare(before: WorkflowReport, after: WorkflowReport) -> Comparison:
    bw, aw = before.workflow, after.workflow
    moved = tuple(Moved(s.id, s.title, bw.teams[s.team].name, aw.teams[aw.steps[s.id].team].name)
                  for s in bw.step_list if s.id in aw.steps and aw.steps[s.id].team != s.team)
    edges_b = _edges(before)
    edges_a = _edges(after)
    return Comparison(
        before, after,
        tuple(s for s in bw.steps if s not in aw.steps),
        tuple(s for s in aw.steps if s not in bw.steps), moved,
        tuple(e for e in edges_b if e not in edges_a),
        tuple(e for e in edges_a if e not in edges_b))


def _edges(report: WorkflowReport) -> list[tuple[str, str]]:
    flow = Flow(report.workflow)
    return [(flow.steps[u].id, flow.steps[v].id) for u, v in flow.edges()]


def _value(unit: str, x: float | None) -> str:
    if x is None:
        return "-"
    return short(x) if unit == "h" else f"{x:.1%}" if unit == "%" else f"{x:g}"


def _delta(unit: str, b: float | None, a: float | None) -> str:
    if a is None or b is None:
        return ""
    d = a - b
    if abs(d) < 1e-9:
        return "0"
    sign = "+" if d > 0 else "-"
    if unit == "%":
        points = abs(d) * 100
        return f"{sign}{points:.1f} pts" if points >= 0.05 else f"{sign}{points:.2f} pts"
    return sign + (short(abs(d)) if unit == "h" else f"{abs(d):g}")


def text(c: Comparison) -> str:
    lines = [f"{one_line(c.before.workflow.file)} -> {one_line(c.after.workflow.file)}", ""]
    lines.append(f"{'':<15}{'before':>10}{'after':>10}{'change':>12}")
    for label, unit, b, a in c.rows():
        lines.append(f"{label:<15}{_value(unit, b):>10}{_value(unit, a):>10}"
                     f"{_delta(unit, b, a):>12}")
    lines += ["", *_changes(c, one_line)]
    return "\n".join(lines) + "\n"


def _changes(c: Comparison, e: Callable[[str], str]) -> list[str]:
    bw, aw = c.before.workflow, c.after.workflow
    out = [f"- removed: {e(s)} ({e(bw.steps[s].title)})" for s in c.removed]
    out += [f"- added: {e(s)} ({e(aw.steps[s].title)})" for s in c.added]
    out += [f"- moved: {e(m.step)} ({e(m.title)}) from {e(m.before)} to {e(m.after)}"
            for m in c.moved]
    out += [f"- link removed: {e(u)} -> {e(v)}" for u, v in c.edges_removed
            if u not in c.removed and v not in c.removed]
    out += [f"- link added: {e(u)} -> {e(v)}" for u, v in c.edges_added
            if u not in c.added and v not in c.added]
    return out or ["no step or link changed"]


def markdown(c: Comparison) -> str:
    """For a pull-request comment."""
    title = inline(c.after.workflow.title)
    lines = [f"### procmap: {title}", "", "| | before | after | change |",
             "| --- | ---: | ---: | ---: |"]
    lines += [f"| {label} | {_value(unit, b)} | {_value(unit, a)} | {_delta(unit, b, a)} |"
              for label, unit, b, a in c.rows()]
    lines += ["", *_changes(c, inline)]
    return "\n".join(lines) + "\n"


def as_json(c: Comparison) -> str:
    doc = {
        "before": c.before.workflow.file, "after": c.after.workflow.file,
        "metrics": {label: {"before": _round(b), "after": _round(a),
                            "change": None if a is None or b is None else _round(a - b)}
                    for label, _, b, a in c.rows()},
        "removed": list(c.removed), "added": list(c.added),
        "moved": [{"step": m.step, "from": m.before, "to": m.after} for m in c.moved],
        "edges_removed": [list(e) for e in c.edges_removed],
        "edges_added": [list(e) for e in c.edges_added],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


FORMATS = {"text": text, "markdown": markdown, "json": as_json}


def picture(c: Comparison, fmt: str) -> bytes:
    """One diagram of both versions: the after workflow, with the removed
    steps and links put back greyed and struck, added steps green and moved
    steps marked. The critical path is the after one."""
    from dataclasses import replace

    from procmap.format.model import Step
    from procmap.render import draw_diagram, layout

    bw, aw = c.before.workflow, c.after.workflow
    steps: dict[str, Step] = {}
    for s in bw.step_list:
        if s.id in aw.steps:
            kept = aw.steps[s.id]
            gone = tuple(b for b in s.next if b.to in c.removed)
            steps[s.id] = replace(kept, next=kept.next + gone)
        else:
            steps[s.id] = s
    for s in aw.step_list:
        steps.setdefault(s.id, s)
    steps = {sid: replace(s, index=i, next=tuple(b for b in s.next if b.to in steps))
             for i, (sid, s) in enumerate(steps.items())}
    teams = dict(bw.teams) | {t: team for t, team in aw.teams.items() if t not in bw.teams}
    union = replace(aw, teams=teams, steps=steps)
    report = WorkflowReport(union, c.after.metrics, ())
    changes = ({s: "removed" for s in c.removed} | {s: "added" for s in c.added}
               | {m.step: "moved" for m in c.moved})
    removed_edges = set(c.edges_removed)
    return draw_diagram(layout(report, changes, removed_edges), fmt)
