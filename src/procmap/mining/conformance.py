"""Conformance: how the cases of a log follow a map, and where they do not.

An activity matches a step by id, else by title (case ignored). Each case
is replayed on the map, one move at a time between its matched activities:

- extra activity: an activity that is no step of the map;
- skipped step: a move u -> v that is no edge while the map leads from u to
  v through other steps (each step on the shortest such path is skipped),
  or a case that starts past the map's start;
- rework: a move back to a step the case already ran, along no edge;
- unexpected order: any other move that is no edge;
- no end: the case stops at a step that has a `next`.

A case follows the map when it has none of these. Handoffs and ping-pong
per case are counted on the teams of the map's steps (the log's team for
extra activities), next to the map's expected figures.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from procmap.analysis.graph import Flow
from procmap.analysis.metrics import measure
from procmap.analysis.visits import share
from procmap.format.model import Workflow
from procmap.mining.log import EXAMPLES, Issue, Log
from procmap.mining.match import steps_by_name
from procmap.printable import one_line

KINDS = ("skipped step", "extra activity", "unexpected order", "rework", "no end")


@dataclass(frozen=True, slots=True)
class Deviation:
    kind: str
    detail: str
    cases: int
    examples: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "detail": self.detail, "cases": self.cases,
                "examples": list(self.examples)}


@dataclass(frozen=True, slots=True)
class StepTimes:
    step: str
    runs_per_case: float
    mapped_visits: float
    wait_h: float | None
    mapped_wait_h: float
    touch_h: float | None
    mapped_touch_h: float

    def as_json(self) -> dict[str, object]:
        return {"step": self.step, "runs_per_case": _r(self.runs_per_case),
                "mapped_visits": _r(self.mapped_visits), "wait_h": _r(self.wait_h),
                "mapped_wait_h": _r(self.mapped_wait_h), "touch_h": _r(self.touch_h),
                "mapped_touch_h": _r(self.mapped_touch_h)}


@dataclass(frozen=True, slots=True)
class Conformance:
    workflow: str
    log: str
    cases: int
    following: int
    deviations: tuple[Deviation, ...]
    steps: tuple[StepTimes, ...]
    handoffs_per_case: float
    mapped_handoffs: float
    ping_pong_per_case: float
    mapped_ping_pong: float
    issues: tuple[Issue, ...]

    @property
    def share(self) -> float:
        return self.following / self.cases if self.cases else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "workflow": self.workflow, "log": self.log, "cases": self.cases,
            "following": self.following, "share": round(self.share, 4),
            "deviations": [d.as_json() for d in self.deviations],
            "steps": [s.as_json() for s in self.steps],
            "handoffs_per_case": _r(self.handoffs_per_case),
            "mapped_handoffs_per_case": _r(self.mapped_handoffs),
            "ping_pong_per_case": _r(self.ping_pong_per_case),
            "mapped_ping_pong_per_case": _r(self.mapped_ping_pong),
            "log_issues": [i.as_json() for i in self.issues],
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _shortest_inner(flow: Flow, u: int, v: int) -> list[int]:
    """The steps strictly between u and v on a shortest path u -> v of the map."""
    back = {u: u}
    queue = deque([u])
    while queue:
        x = queue.popleft()
        for y in flow.succ[x]:
            if y not in back:
                back[y] = x
                if y == v:
                    queue.clear()
                    break
                queue.append(y)
    path = []
    x = back.get(v, u)
    while x != u:
        path.append(x)
        x = back[x]
    return path[::-1]


def _replay(flow: Flow, trace: list[int | None], names: list[str]) -> set[tuple[str, str]]:
    ids = [s.id for s in flow.steps]
    out: set[tuple[str, str]] = set()
    steps: list[int] = []
    for k, x in enumerate(trace):
        if x is None:
            out.add(("extra activity", names[k]))
        else:
            steps.append(x)
    if not steps:
        return out
    if steps[0] != flow.start:
        if (flow.reach[flow.start] >> steps[0]) & 1:
            for s in [flow.start, *_shortest_inner(flow, flow.start, steps[0])]:
                out.add(("skipped step", ids[s]))
        else:
            out.add(("unexpected order", f"starts at {ids[steps[0]]}"))
    seen = {steps[0]}
    for u, v in itertools.pairwise(steps):
        if v not in flow.succ[u]:
            if v in seen:
                out.add(("rework", f"{ids[u]} -> {ids[v]}"))
            elif (flow.reach[u] >> v) & 1:
                for s in _shortest_inner(flow, u, v):
                    out.add(("skipped step", ids[s]))
            else:
                out.add(("unexpected order", f"{ids[u]} -> {ids[v]}"))
        seen.add(v)
    if flow.succ[steps[-1]]:
        out.add(("no end", f"stops at {ids[steps[-1]]}"))
    return out


def _bounces(teams: list[str]) -> tuple[int, int]:
    handoffs = sum(1 for a, b in itertools.pairwise(teams) if a != b)
    ping = sum(1 for a, b, c in zip(teams, teams[1:], teams[2:], strict=False)
               if a == c != b)
    return handoffs, ping


def conformance(log: Log, workflow: Workflow, seed: int = 0) -> Conformance:
    flow = Flow(workflow, seed)
    index = {s.id: s.index for s in flow.steps}
    match = {name: index[sid] for name, sid in steps_by_name(workflow).items()}
    cases = log.rows("""SELECT case_id, list(step ORDER BY seq), list(team ORDER BY seq)
                        FROM inst GROUP BY case_id ORDER BY min(rn)""")
    found: dict[tuple[str, str], list[str]] = {}
    counts: dict[tuple[str, str], int] = {}
    following = handoffs = ping = 0
    for case_id, names, log_teams in cases:
        trace = [match.get(n, match.get(n.casefold())) for n in names]
        deviations = _replay(flow, trace, names)
        if not deviations:
            following += 1
        for d in deviations:
            counts[d] = counts.get(d, 0) + 1
            examples = found.setdefault(d, [])
            if len(examples) < EXAMPLES:
                examples.append(case_id)
        teams = [flow.steps[x].team if x is not None else t
                 for x, t in zip(trace, log_teams, strict=True)]
        h, p = _bounces(teams)
        handoffs += h
        ping += p
    n = len(cases)
    listed = tuple(Deviation(k, d, counts[(k, d)], tuple(found[(k, d)]))
                   for k, d in sorted(counts, key=lambda x: (KINDS.index(x[0]),
                                                             -counts[x], x[1])))
    metrics = measure(flow)
    visits = flow.visits
    mapped_ping = math.fsum(visits[a] * share(flow, a, b) * share(flow, b, c)
                            for a, b, c in flow.ping_pong)
    return Conformance(workflow.id, log.file, n, following, listed,
                       _times(log, flow, match, n), handoffs / n if n else 0.0,
                       metrics.expected_handoffs, ping / n if n else 0.0, mapped_ping,
                       tuple(log.issues))


def _times(log: Log, flow: Flow, match: dict[str, int], cases: int) -> tuple[StepTimes, ...]:
    measured: dict[int, tuple[int, Any, Any]] = {}
    for name, runs, wait, touch in log.rows(
            "SELECT step, count(*), avg(wait_h), avg(touch_h) FROM inst GROUP BY step"):
        i = match.get(name, match.get(name.casefold()))
        if i is not None and i not in measured:
            measured[i] = (runs, wait, touch)
    out = []
    for s in flow.steps:
        runs, wait, touch = measured.get(s.index, (0, None, None))
        out.append(StepTimes(s.id, runs / cases if cases else 0.0, flow.visits[s.index],
                             wait, s.wait.mean, touch, s.touch.mean))
    return tuple(out)


def _h(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}h"


def text(c: Conformance) -> str:
    lines = [f"{one_line(c.log)} against {one_line(c.workflow)}: {c.following} of {c.cases} "
             f"cases ({c.share:.1%}) follow the map"]
    if c.deviations:
        lines.append("")
        lines.append("Deviations (cases, examples):")
        for d in c.deviations:
            lines.append(f"  {d.kind:<17} {one_line(d.detail):<40} {d.cases:>7}  "
                         + ", ".join(one_line(x) for x in d.examples))
    lines.append("")
    lines.append(f"Handoffs per case: {c.handoffs_per_case:.2f} measured, "
                 f"{c.mapped_handoffs:.2f} mapped")
    lines.append(f"Ping-pong per case: {c.ping_pong_per_case:.2f} measured, "
                 f"{c.mapped_ping_pong:.2f} mapped")
    lines.append("")
    lines.append(f"  {'step':<28} {'runs/case':>9} {'mapped':>7} {'wait':>9} {'mapped':>9} "
                 f"{'touch':>8} {'mapped':>8}")
    for s in c.steps:
        lines.append(f"  {one_line(s.step):<28} {s.runs_per_case:>9.2f} "
                     f"{s.mapped_visits:>7.2f} {_h(s.wait_h):>9} {_h(s.mapped_wait_h):>9} "
                     f"{_h(s.touch_h):>8} {_h(s.mapped_touch_h):>8}")
    for issue in c.issues:
        lines.append(f"log: {issue}")
    return "\n".join(lines) + "\n"


def as_json(c: Conformance) -> str:
    return json.dumps(c.as_json(), indent=2) + "\n"
