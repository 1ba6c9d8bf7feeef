"""Calibrate a map from a log: its `p`, waits and touch times as measured, in its own text.

Only what the log measures changes, spliced in by simplify's span editor,
so every other byte of the file stays (comments, key order, quoting, style):

- `p` of a decision: the share of the step's moves to each of its branches
  (moves anywhere else are deviations, not branches), in thousandths that
  sum to 1;
- `wait` and `touch`: measured as discovery measures them (a plain duration,
  or a range {min, likely, max} of the 1st and 99th percentiles whose PERT
  mean is the measured mean), from the runs with a start event: touch from
  start to completion, wait from the case's previous completion to the
  start. Steps of external teams are measured like the others: their wait
  is the case's wait too.

A value measured in fewer than `min_cases` cases keeps the author's guess,
and the result says why; so does a decision with a branch that no case
took (p must be above 0), and the first step's wait (no event says when a
case arrived).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import cast

from procmap.format.durations import hours
from procmap.format.errors import Problem, WorkflowError
from procmap.format.loader import loads
from procmap.format.model import Duration, Step, Workflow
from procmap.mining.discover import duration, measured, shares
from procmap.mining.log import EXAMPLES, Issue, Log, LogError
from procmap.mining.match import step_of, steps_by_name
from procmap.printable import one_line
from procmap.simplify.yamledit import (
    Document,
    EditError,
    decode,
    duration_text,
    encode,
    number,
)

DEFAULT_MIN_CASES = 30
FIELDS = ("wait", "touch")
HINT = "write anchors and aliases out in the steps it changes"

Value = str | dict[str, str]  # a duration as written: "2d" or {min, likely, max}


@dataclass(frozen=True, slots=True)
class Change:
    step: str
    field: str  # wait, touch, or "p to <step>"
    old: str
    new: str
    cases: int

    def as_json(self) -> dict[str, object]:
        return {"step": self.step, "field": self.field, "old": self.old, "new": self.new,
                "cases": self.cases}


@dataclass(frozen=True, slots=True)
class Kept:
    """A value that keeps the map's guess, and why."""

    step: str
    field: str
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"step": self.step, "field": self.field, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Calibrated:
    workflow: str
    log: str
    cases: int
    min_cases: int
    data: bytes  # the calibrated file, in the map's encoding
    changes: tuple[Change, ...]
    kept: tuple[Kept, ...]
    issues: tuple[Issue, ...]  # the log's, and its activities that are no step

    def as_json(self) -> dict[str, object]:
        return {"workflow": self.workflow, "log": self.log, "cases": self.cases,
                "min_cases": self.min_cases,
                "changes": [c.as_json() for c in self.changes],
                "kept": [k.as_json() for k in self.kept],
                "log_issues": [i.as_json() for i in self.issues]}


@dataclass(frozen=True, slots=True)
class _Measure:
    cases: int
    mean: float | None
    low: float | None
    high: float | None


def _to_duration(value: Value) -> Duration:
    if isinstance(value, str):
        h = hours(value)
        return Duration(h, h, h)
    return Duration(hours(value["min"]), hours(value["likely"]), hours(value["max"]))


def _show(d: Duration) -> str:
    """The map's value, for the report: each part in the unit that suits it."""
    if d.fixed:
        return duration(d.likely)
    return f"{{min: {duration(d.low)}, likely: {duration(d.likely)}, max: {duration(d.high)}}}"


def _same(a: Duration, b: Duration) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
               for x, y in ((a.low, b.low), (a.likely, b.likely), (a.high, b.high)))


def _few(n: int, min_cases: int) -> str:
    return f"measured in {n} case{'s' if n != 1 else ''}, under --min-cases {min_cases}"


def _activities(log: Log, workflow: Workflow) -> tuple[dict[str, str], list[Issue]]:
    """Step id of each activity of the log that is a step of the map; the others as an issue."""
    names = steps_by_name(workflow)
    found: dict[str, str] = {}
    unknown: list[tuple[str, int]] = []
    for activity, runs in log.rows("SELECT step, count(*) FROM inst GROUP BY step "
                                     "ORDER BY min(rn)"):
        sid = step_of(names, activity)
        if sid is None:
            unknown.append((activity, runs))
        else:
            found[activity] = sid
    examples = tuple(a for a, _ in unknown[:EXAMPLES])
    if not found:
        n = len(unknown)
        raise LogError(f"{one_line(log.file)}: no activity of the log is a step of "
                       f"{one_line(workflow.id)}, by id or title ({n} "
                       f"activit{'y' if n == 1 else 'ies'}, e.g. "
                       f"{', '.join(map(one_line, examples))}); name the activity column "
                       "with --map COLUMN=step, or check the map")
    issues = []
    if unknown:
        runs = sum(n for _, n in unknown)
        one = len(unknown) == 1
        issues.append(Issue("unknown-activity", len(unknown),
                            f"{'activity' if one else 'activities'} of the log ({runs} "
                            f"run{'' if runs == 1 else 's'}) {'is' if one else 'are'} no "
                            f"step of {one_line(workflow.id)}, by id or title: "
                            f"{'it calibrates' if one else 'they calibrate'} nothing",
                            examples))
    return found, issues


def _measure(log: Log, found: dict[str, str], workflow: Workflow
             ) -> tuple[dict[str, dict[str, _Measure]], dict[tuple[str, str], int],
                        dict[str, int]]:
    """Per step its measured wait and touch; moves along decision branches; cases per decision."""
    con = log.con
    con.execute("CREATE OR REPLACE TEMP TABLE calibrate_step (name VARCHAR, sid VARCHAR)")
    con.executemany("INSERT INTO calibrate_step VALUES (?, ?)", list(found.items()))
    con.execute("CREATE OR REPLACE TEMP TABLE calibrate_branch (u VARCHAR, v VARCHAR)")
    branches = [(s.id, b.to) for s in workflow.step_list if s.is_decision for b in s.next]
    if branches:
        con.executemany("INSERT INTO calibrate_branch VALUES (?, ?)", branches)
    # A wait counts only up to a start event: without one it would hold the touch time.
    times: dict[str, dict[str, _Measure]] = {}
    for row in log.rows("""
            SELECT m.sid,
                   count(DISTINCT case_id) FILTER (WHERE s IS NOT NULL AND wait_h IS NOT NULL),
                   avg(wait_h) FILTER (WHERE s IS NOT NULL),
                   quantile_cont(wait_h, 0.01) FILTER (WHERE s IS NOT NULL),
                   quantile_cont(wait_h, 0.99) FILTER (WHERE s IS NOT NULL),
                   count(DISTINCT case_id) FILTER (WHERE touch_h IS NOT NULL),
                   avg(touch_h), quantile_cont(touch_h, 0.01), quantile_cont(touch_h, 0.99)
            FROM inst JOIN calibrate_step m ON inst.step = m.name GROUP BY m.sid"""):
        times[row[0]] = {"wait": _Measure(*row[1:5]), "touch": _Measure(*row[5:9])}
    moves = {(u, v): n for u, v, n in log.rows("""
            SELECT a.sid, b.sid, count(*)
            FROM inst JOIN calibrate_step a ON inst.prev_step = a.name
                      JOIN calibrate_step b ON inst.step = b.name
                      JOIN calibrate_branch e ON e.u = a.sid AND e.v = b.sid
            GROUP BY ALL""")}
    deciding = dict(log.rows("""
            SELECT a.sid, count(DISTINCT case_id)
            FROM inst JOIN calibrate_step a ON inst.prev_step = a.name
                      JOIN calibrate_step b ON inst.step = b.name
                      JOIN calibrate_branch e ON e.u = a.sid AND e.v = b.sid
            GROUP BY ALL"""))
    return times, moves, deciding


def _unmeasured(field: str, sid: str, workflow: Workflow) -> str:
    if field == "touch":
        return "no run of it has both a start and a complete event"
    if sid == workflow.start:
        return "no event says when a case arrived at the first step"
    return "no run of it has a start event after an earlier event of its case"


def calibrate(log: Log, data: bytes, file: str,
              min_cases: int = DEFAULT_MIN_CASES) -> Calibrated:
    """The map in `data` with what `log` measures; raise WorkflowError when the map does not
    load or cannot be edited in place, LogError when no activity of the log is a step of it."""
    workflow = loads(data, file)
    found, issues = _activities(log, workflow)
    times, moves, deciding = _measure(log, found, workflow)
    changes: list[Change] = []
    kept: list[Kept] = []
    durations: dict[tuple[str, str], Value] = {}
    odds: dict[str, list[float]] = {}
    for step in workflow.step_list:
        if step.id not in times:
            kept.append(Kept(step.id, "all", "not in the log"))
            continue
        for field in FIELDS:
            value = _duration(step, field, times[step.id][field], workflow, min_cases,
                              changes, kept)
            if value is not None:
                durations[step.id, field] = value
        if step.is_decision:
            p = _odds(step, moves, deciding.get(step.id, 0), min_cases, changes, kept)
            if p is not None:
                odds[step.id] = p
    return Calibrated(workflow.id, log.file, log.cases, min_cases,
                      _edit(data, file, workflow, durations, odds), tuple(changes),
                      tuple(kept), tuple([*log.issues, *issues]))


def _duration(step: Step, field: str, m: _Measure, workflow: Workflow, min_cases: int,
              changes: list[Change], kept: list[Kept]) -> Value | None:
    """The measured value of the step's wait or touch, when it is measured and differs."""
    if m.cases == 0:
        kept.append(Kept(step.id, field, _unmeasured(field, step.id, workflow)))
        return None
    if m.cases < min_cases:
        kept.append(Kept(step.id, field, _few(m.cases, min_cases)))
        return None
    value = cast(Value, measured(m.mean, m.low, m.high) or duration(0))
    old: Duration = getattr(step, field)
    if _same(_to_duration(value), old):
        return None
    changes.append(Change(step.id, field, _show(old), duration_text(value), m.cases))
    return value


def _odds(step: Step, moves: dict[tuple[str, str], int], cases: int, min_cases: int,
          changes: list[Change], kept: list[Kept]) -> list[float] | None:
    """The measured p of each branch of a decision, when measured."""
    targets = [b.to for b in step.next]
    counts = {t: moves.get((step.id, t), 0) for t in targets}
    never = [t for t in targets if not counts[t]]
    if cases < min_cases:
        kept.append(Kept(step.id, "p", _few(cases, min_cases)))
        return None
    if never:
        kept.append(Kept(step.id, "p", f"no case took the branch to {never[0]} (p must "
                         "be above 0): keep the guess, or remove the branch"))
        return None
    odds = shares(counts, targets)
    changes.extend(Change(step.id, f"p to {b.to}", number(b.p or 0), number(odds[b.to]), cases)
                   for b in step.next if not _same_p(odds[b.to], b.p))
    return [odds[t] for t in targets]


def _same_p(a: float | None, b: float | None) -> bool:
    return math.isclose(a or 0.0, b or 0.0, abs_tol=1e-9)


def _edit(data: bytes, file: str, workflow: Workflow,
          durations: dict[tuple[str, str], Value], odds: dict[str, list[float]]) -> bytes:
    """The map's bytes with the values spliced in, checked by loading them back."""
    bom, text = decode(data)
    doc = Document(text)
    try:
        for (sid, field), value in durations.items():
            doc.set_duration(sid, field, value)
        for sid, ps in odds.items():
            for i, (b, p) in enumerate(zip(workflow.steps[sid].next, ps, strict=True)):
                if not _same_p(b.p, p):
                    doc.set_p(sid, i, p)
        out = encode(bom, doc.text())
        written = loads(out, file)
    except (EditError, WorkflowError) as e:
        why = str(e) if isinstance(e, EditError) else \
            f"the edited text would not load: {e.problems[0].message}"
        raise WorkflowError([Problem(file, 1, 1, f"calibrate cannot edit this file in place: "
                                     f"{why}", HINT)]) from None

    def wanted(s: Step, field: str) -> Duration:
        value = durations.get((s.id, field))
        return getattr(s, field) if value is None else _to_duration(value)

    for s in workflow.step_list:
        w = written.steps[s.id]
        want_p: list[float] | list[float | None] = odds.get(s.id) or [b.p for b in s.next]
        if not (_same(w.wait, wanted(s, "wait")) and _same(w.touch, wanted(s, "touch"))
                and all(_same_p(b.p, p) for b, p in zip(w.next, want_p, strict=True))):
            raise WorkflowError([Problem(file, 1, 1, "calibrate cannot edit this file in place: "
                                         f"steps.{s.id} would not read back as calibrated",
                                         HINT)])
    return out


def text(c: Calibrated) -> str:
    """What calibration changes, and what keeps its guess."""
    lines = [f"{one_line(c.workflow)} calibrated from {one_line(c.log)} ({c.cases} cases): "
             f"{len(c.changes)} value{'s' if len(c.changes) != 1 else ''} change, "
             f"{len(c.kept)} keep{'s' if len(c.kept) == 1 else ''} the map's guess"]
    if c.changes:
        width = max(len(one_line(x.step)) for x in c.changes)
        field = max(len(one_line(x.field)) for x in c.changes)
        lines.append("")
        for x in c.changes:
            lines.append(f"  {one_line(x.step):<{width}}  {one_line(x.field):<{field}}  "
                         f"{x.old} -> {x.new}  ({x.cases} cases)")
    if c.kept:
        width = max(len(one_line(k.step)) for k in c.kept)
        field = max(len(k.field) for k in c.kept)
        lines.append("")
        lines.append("Kept (the map's guess stays):")
        for k in c.kept:
            lines.append(f"  {one_line(k.step):<{width}}  {k.field:<{field}}  {k.reason}")
    return "\n".join(lines) + "\n"


def as_json(c: Calibrated) -> str:
    return json.dumps(c.as_json(), indent=2) + "\n"
