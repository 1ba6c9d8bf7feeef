"""`procmap simplify`: apply the Algorithm to a workflow, in its order.

Each candidate change is applied to the YAML, the result is loaded and
measured again, and the change is kept only when the workflow still loads
and neither its lead time nor its handoffs got worse. So the output is
always valid and never worse than the input, by construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial

from procmap.analysis.analyze import WorkflowReport, analyze
from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import LEVELS, Finding
from procmap.analysis.rules.unused_output import unused
from procmap.config import Config
from procmap.format.durations import short
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads
from procmap.format.model import Duration, Step, Workflow
from procmap.simplify.yamledit import Branch, Document

EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Options:
    algorithm: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    keep: frozenset[str] = frozenset()  # step ids never deleted, moved or merged
    fold_max_h: float = 1.0  # ping-pong: fold a middle step of at most this touch
    automate_top: int = 5
    config: Config = field(default_factory=Config)


@dataclass(frozen=True, slots=True)
class Change:
    algorithm: int
    rule: str | None
    step: str
    action: str  # question, delete, drop-edge, fold, merge, parallel, automate
    detail: str
    applied: bool = True  # False: a proposal for a person (question, automate)
    lead_h: float = 0.0  # lead time saved, hours
    handoffs: int = 0  # handoffs saved
    touch_h: float = 0.0  # touch hours saved per case
    touch_period_h: float | None = None  # touch hours saved per volume period

    def as_json(self) -> dict[str, object]:
        return {"algorithm": self.algorithm, "rule": self.rule, "step": self.step,
                "action": self.action, "detail": self.detail, "applied": self.applied,
                "saves": {"lead_time_h": round(self.lead_h, 2), "handoffs": self.handoffs,
                          "touch_h_per_case": round(self.touch_h, 2),
                          "touch_h_per_period": None if self.touch_period_h is None
                          else round(self.touch_period_h, 2)}}


@dataclass(frozen=True, slots=True)
class Simplified:
    text: str  # the "after" workflow, YAML
    before: WorkflowReport
    after: WorkflowReport
    changes: tuple[Change, ...]


def _touch(w: Workflow) -> float:
    return sum(s.touch.mean for s in w.step_list)


def _active(report: WorkflowReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule and f.level in LEVELS]


class _Run:
    def __init__(self, text: str, file: str, options: Options) -> None:
        self.doc = Document(text)
        self.file = file
        self.options = options
        self.report = self._analyze(loads(text, file))
        self.before = self.report
        self.changes: list[Change] = []
        self.tried: set[tuple[str, ...]] = set()

    def _analyze(self, workflow: Workflow) -> WorkflowReport:
        return analyze(workflow, self.options.config, simulate=False)

    @property
    def workflow(self) -> Workflow:
        return self.report.workflow

    def reload(self) -> None:
        """Measure the document again after an edit that cannot make it worse."""
        self.report = self._analyze(loads(self.doc.text(), self.file))

    def movable(self, step: str) -> bool:
        return step in self.workflow.steps and step not in self.options.keep

    def attempt(self, key: tuple[str, ...], edit: Callable[[], bool],
                change: Change) -> bool:
        """Apply `edit`; keep it if the workflow loads and got no worse."""
        if key in self.tried:
            return False
        self.tried.add(key)
        snapshot = self.doc.snapshot()
        if not edit():
            self.doc.restore(snapshot)
            return False
        try:
            after = self._analyze(loads(self.doc.text(), self.file))
        except WorkflowError:
            self.doc.restore(snapshot)
            return False
        old, new = self.report.metrics, after.metrics
        if new.lead_time_h > old.lead_time_h + EPSILON or new.handoffs > old.handoffs:
            self.doc.restore(snapshot)
            return False
        saved_touch = _touch(self.workflow) - _touch(after.workflow)
        volume = self.workflow.volume
        self.changes.append(replace(
            change, lead_h=old.lead_time_h - new.lead_time_h,
            handoffs=old.handoffs - new.handoffs, touch_h=saved_touch,
            touch_period_h=saved_touch * volume.count if volume else None))
        self.report = after
        return True

    def until_stable(self, candidates: Callable[[], Iterator[tuple[tuple[str, ...],
                                                                  Callable[[], bool], Change]]]
                     ) -> None:
        """Try candidates, recomputed after every kept change, until none applies."""
        progress = True
        while progress:
            progress = any(self.attempt(*c) for c in candidates())


# Algorithm step 1: question. Nothing is deleted on this ground alone.

def _question(run: _Run) -> None:
    for f in _active(run.report, "requirement-owner"):
        assert f.step is not None
        run.doc.note(f.step, "question this requirement: who (a person) needs it, and why?")
        run.changes.append(Change(1, f.rule, f.step, "question", f.message, applied=False))
    for f in _active(run.report, "missing-output"):
        run.changes.append(Change(1, f.rule, run.workflow.start, "question", f.message,
                                  applied=False))
    run.reload()


# Algorithm step 2: delete.

def _reconnect(run: _Run, step: str) -> bool:
    """Remove `step`, sending its predecessors to its one successor."""
    w = run.workflow
    s = w.steps[step]
    if step == w.start or len(s.next) != 1:
        return False
    successor = s.next[0].to
    doc = run.doc
    for pred in w.step_list:
        if not any(b.to == step for b in pred.next):
            continue
        if pred.id == successor:
            return False  # the loop would close on itself
        merged: list[Branch] = []
        for b in doc.branches(pred.id):
            b = Branch(successor, b.when, b.p) if b.to == step else b
            twin = next((i for i, m in enumerate(merged) if m.to == b.to), None)
            if twin is None:
                merged.append(b)
            else:
                m = merged[twin]
                p = None if m.p is None or b.p is None else m.p + b.p
                whens = [x for x in (m.when, b.when) if x]
                merged[twin] = Branch(m.to, " or ".join(whens) or None, p)
        if len(merged) == 1:  # every case goes on the same way: no decision left
            merged = [Branch(merged[0].to)]
        doc.set_branches(pred.id, merged)
    doc.remove_step(step)
    return True


def _deletable(report: WorkflowReport) -> Iterator[tuple[Finding, str]]:
    """(finding, why) for each step that step 2 of the Algorithm removes."""
    w = report.workflow
    unowned = {f.step for f in _active(report, "requirement-owner")}
    flow = Flow(w)
    unused_outputs: defaultdict[str, set[str]] = defaultdict(set)
    for i, artifact in unused(flow):
        unused_outputs[flow.steps[i].id].add(artifact)
    for f in report.findings:
        if f.level not in LEVELS or f.step is None or f.step not in w.steps:
            continue
        s = w.steps[f.step]
        if f.rule in ("duplicate-step", "repeated-check"):
            yield f, f"deleted: {f.message}"
        elif f.rule == "nva-step" and (s.requirement is None or s.requirement.by is None
                                       or s.id in unowned):
            yield f, f"deleted: non-value-added with no named requirement ({s.title})"
        elif f.rule == "unused-output" and set(s.outputs) <= unused_outputs[s.id]:
            yield f, f"deleted: nobody uses what it produces ({', '.join(s.outputs)})"


def _delete(run: _Run) -> None:
    def candidates() -> Iterator[tuple[tuple[str, ...], Callable[[], bool], Change]]:
        for f, why in _deletable(run.report):
            assert f.step is not None
            if run.movable(f.step):
                step = f.step
                yield (("delete", step), partial(_reconnect, run, step),
                       Change(2, f.rule, step, "delete", why))
    run.until_stable(candidates)


# Algorithm step 3: simplify.

def _drop_edge(run: _Run, source: str, target: str) -> bool:
    branches = run.doc.branches(source)
    kept = [b for b in branches if not (b.to == target and b.p is None)]
    if len(kept) == len(branches) or not kept:
        return False
    run.doc.set_branches(source, kept)
    return True


def _fold(run: _Run, middle: str, team: str) -> bool:
    run.doc.set(middle, "team", team)
    return True


def _merge(run: _Run, first: str, second: str) -> bool:
    """Fold `second` into `first` (same team, one after the other, no wait between)."""
    w = run.workflow
    a, b = w.steps[first], w.steps[second]
    doc = run.doc
    doc.set(first, "title", f"{a.title}; {b.title[:1].lower()}{b.title[1:]}")
    doc.set(first, "touch", _duration(a.touch, b.touch))
    for key, values in (("inputs", [*a.inputs, *(i for i in b.inputs if i not in a.outputs)]),
                        ("outputs", [*a.outputs, *b.outputs]),
                        ("systems", [*a.systems, *b.systems]),
                        ("instructions", [*a.instructions, *b.instructions])):
        unique = list(dict.fromkeys(values))
        if unique:
            doc.set(first, key, unique)
    doc.set_branches(first, doc.branches(second))
    doc.remove_step(second)
    return True


def _duration(a: Duration, b: Duration) -> object:
    total = Duration(a.low + b.low, a.likely + b.likely, a.high + b.high)
    if total.fixed:
        return _hours_text(total.likely)
    return {"min": _hours_text(total.low), "likely": _hours_text(total.likely),
            "max": _hours_text(total.high)}


def _hours_text(h: float) -> str:
    minutes = h * 60
    if abs(minutes - round(minutes)) < 1e-6 and (h < 1 or abs(h - round(h)) > 1e-6):
        return f"{round(minutes)}m"
    return f"{round(h, 4):g}h"


def _mergeable(flow: Flow, keep: frozenset[str]) -> Iterator[tuple[Step, Step]]:
    for a in flow.steps:
        if len(a.next) != 1 or a.next[0].p is not None or a.next[0].when:
            continue
        b = flow.workflow.steps[a.next[0].to]
        if (b.team == a.team and b.kind == a.kind and b.id != flow.workflow.start
                and len(flow.pred[flow.index[b.id]]) == 1 and b.wait.mean == 0
                and not (b.requirement or b.description or b.waive or b.who != a.who
                         or b.value != a.value or b.automated != a.automated)
                and a.id not in keep and b.id not in keep):
            yield a, b


def _simplify(run: _Run) -> None:
    def edges() -> Iterator[tuple[tuple[str, ...], Callable[[], bool], Change]]:
        for f in _active(run.report, "redundant-edge"):
            u, w_ = f.steps
            yield (("drop-edge", u, w_), partial(_drop_edge, run, u, w_),
                   Change(3, f.rule, u, "drop-edge", f"removed the link {u} -> {w_}: "
                          f"{w_} already waits for {u} through another path"))

    def folds() -> Iterator[tuple[tuple[str, ...], Callable[[], bool], Change]]:
        w = run.workflow
        for f in _active(run.report, "ping-pong"):
            a, middle, _ = f.steps
            step = w.steps.get(middle)
            if step is None or not run.movable(middle):
                continue
            if step.touch.mean <= run.options.fold_max_h:
                team = w.steps[a].team
                yield (("fold", middle, team), partial(_fold, run, middle, team),
                       Change(3, f.rule, middle, "fold",
                              f"moved '{step.title}' ({short(step.touch.mean)} of touch) "
                              f"from {w.teams[step.team].name} to {w.teams[team].name}, "
                              "which had the work before and after it"))

    def merges() -> Iterator[tuple[tuple[str, ...], Callable[[], bool], Change]]:
        for a, b in _mergeable(Flow(run.workflow), run.options.keep):
            yield (("merge", a.id, b.id), partial(_merge, run, a.id, b.id),
                   Change(3, None, a.id, "merge",
                          f"merged '{b.title}' into '{a.title}': one team, one after the "
                          "other, nothing waited for in between"))

    run.until_stable(edges)
    run.until_stable(folds)
    run.until_stable(merges)
    idle = [t for t in run.workflow.teams
            if not any(s.team == t for s in run.workflow.step_list)]
    for team in idle:
        name = run.workflow.teams[team].name
        run.attempt(("drop-team", team), partial(run.doc.remove_team, team),
                    Change(3, None, team, "drop-team", f"removed the team {name}: it has no "
                           "step left"))


# Algorithm step 4: accelerate.

def _side_by_side(run: _Run, first: str, second: str) -> bool:
    """P -> first -> second -> C becomes P -> first, P -> second, both -> C."""
    w = run.workflow
    a, b = w.steps[first], w.steps[second]
    preds = [s for s in w.step_list if any(x.to == first for x in s.next)]
    if (len(a.next) != 1 or a.next[0].to != second or not b.next or not preds
            or any(x.to == second for p in preds for x in p.next)
            or any(x.p is not None or x.when for p in preds for x in p.next)
            or a.next[0].p is not None or first == w.start):
        return False
    for p in preds:
        run.doc.set_branches(p.id, [*run.doc.branches(p.id), Branch(second)])
    run.doc.set_branches(first, run.doc.branches(second))
    return True


def _accelerate(run: _Run) -> None:
    def candidates() -> Iterator[tuple[tuple[str, ...], Callable[[], bool], Change]]:
        for f in _active(run.report, "serial-independent"):
            a, b = f.steps
            if run.movable(a) and run.movable(b):
                yield (("parallel", a, b), partial(_side_by_side, run, a, b),
                       Change(4, f.rule, b, "parallel",
                              f"'{b}' now runs side by side with '{a}' instead of after "
                              "it: it reads nothing that one produces"))
    run.until_stable(candidates)


# Algorithm step 5: automate, last, and only what is left.

def _automate(run: _Run) -> None:
    w = run.workflow
    volume = w.volume
    left = [s for s in w.step_list if s.automated is False and s.touch.mean > 0]
    left.sort(key=lambda s: (-s.touch.mean, s.index))
    for s in left[:run.options.automate_top]:
        per_period = s.touch.mean * volume.count if volume else None
        saves = (f"{per_period:.1f} touch hours per {volume.period}" if volume and per_period
                 is not None else f"{short(s.touch.mean)} of touch per case")
        run.changes.append(Change(
            5, None, s.id, "automate",
            f"automation candidate: '{s.title}' ({w.teams[s.team].name}) would save {saves}",
            applied=False, touch_h=s.touch.mean, touch_period_h=per_period))


STEPS: dict[int, Callable[[_Run], None]] = {
    1: _question, 2: _delete, 3: _simplify, 4: _accelerate, 5: _automate}


def simplify(text: str, file: str, options: Options | None = None) -> Simplified:
    """The simplified workflow and its change log. Raises WorkflowError for a
    workflow that does not load."""
    options = options or Options()
    run = _Run(text, file, options)
    for number, apply in STEPS.items():
        if number in options.algorithm:
            apply(run)
    out = run.doc.text()
    after = analyze(loads(out, file), options.config)
    before = analyze(run.before.workflow, options.config)
    return Simplified(out, before, after, tuple(run.changes))
