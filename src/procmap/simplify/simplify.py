"""`procmap simplify`: proposals a process owner can defend (spec: simplify.md).

Each rule proposes its own changes. Every proposal is weighed alone against
the workflow as the author wrote it, on the in-memory model: a change that
breaks one of the things simplify never does is blocked, whatever is
accepted. The safe ones and the accepted ones are then applied together,
and only their edits are spliced into the text, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from procmap.analysis.analyze import WorkflowReport, analyze
from procmap.analysis.graph import Flow
from procmap.analysis.metrics import critical_path
from procmap.analysis.rules import RULES
from procmap.analysis.rules.base import LEVELS
from procmap.analysis.rules.fixes import Proposal
from procmap.config import Config
from procmap.format.errors import Problem, WorkflowError
from procmap.format.loader import loads
from procmap.format.model import Workflow
from procmap.simplify.yamledit import Branch, Document, EditError

EPSILON = 1e-9
ALL = "all"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_GATES = ("approval", "check", "decision")


@dataclass(frozen=True, slots=True)
class Options:
    accept: frozenset[str] = frozenset()  # review proposal ids to apply, or "all"
    keep: frozenset[str] = frozenset()  # steps no proposal may change
    algorithm: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # steps of the Algorithm
    config: Config = field(default_factory=Config)

    def accepts(self, p: Proposal) -> bool:
        return p.klass == "safe" or ALL in self.accept or p.id in self.accept


@dataclass(frozen=True, slots=True)
class Saving:
    lead_h: float = 0.0  # critical path, hours
    handoffs: float = 0.0  # handoffs per case
    touch_h: float = 0.0  # the company's hands-on hours per case
    touch_period_h: float | None = None  # the same per volume period
    share: float = 1.0  # runs per case of the step the change removes


@dataclass(frozen=True, slots=True)
class Outcome:
    proposal: Proposal
    applied: bool
    saving: Saving
    blocked: str | None = None  # why it cannot be applied, whatever is accepted

    @property
    def status(self) -> str:
        return "applied" if self.applied else "blocked" if self.blocked else "waiting"

    def as_json(self) -> dict[str, object]:
        p, s = self.proposal, self.saving
        return {"id": p.id, "rule": p.rule, "class": p.klass, "action": p.action,
                "applied": self.applied, "blocked": self.blocked, "reason": p.reason,
                "person": p.person, "why": p.why, "steps": list(p.steps),
                "saving": {"lead_time_h": round(s.lead_h, 2),
                           "handoffs_per_case": round(s.handoffs, 3),
                           "touch_h_per_case": round(s.touch_h, 3),
                           "touch_h_per_period": None if s.touch_period_h is None
                           else round(s.touch_period_h, 2),
                           "share_of_cases": round(s.share, 4)}}


@dataclass(frozen=True, slots=True)
class Simplified:
    data: bytes  # the "after" workflow, in the input's encoding
    before: WorkflowReport
    after: WorkflowReport
    outcomes: tuple[Outcome, ...]

    @property
    def text(self) -> str:
        return _decode(self.data)[1]


def _decode(data: bytes) -> tuple[bytes, str]:
    """(byte-order mark, text) of a file that already loaded."""
    bom = next((b for b in _BOMS if data.startswith(b)), b"")
    return bom, data[len(bom):].decode("utf-16-le" if bom == b"\xff\xfe" else
                                       "utf-16-be" if bom == b"\xfe\xff" else "utf-8")


def _encode(bom: bytes, text: str) -> bytes:
    return bom + text.encode("utf-16-le" if bom == b"\xff\xfe" else
                             "utf-16-be" if bom == b"\xfe\xff" else "utf-8")


# What is measured for each proposal: no YAML, no simulation.

@dataclass(frozen=True, slots=True)
class _Measure:
    lead_h: float
    handoffs: float


def _external(w: Workflow, team: str) -> bool:
    return bool(getattr(w.teams.get(team), "external", False))  # TODO(1.1): Team.external


def _measure(flow: Flow) -> _Measure:
    # TODO(1.1): handoffs per case (Metrics.expected_handoffs) once it is on main.
    handoffs = sum(1 for u, v in flow.edges() if flow.is_handoff(u, v))
    return _Measure(critical_path(flow)[0], float(handoffs))


def _produced(w: Workflow) -> set[str]:
    return {a for s in w.step_list for a in s.outputs}


def _never(before: Workflow, after: Workflow) -> str | None:
    """What `after` does that simplify never does (simplify.md), else None."""
    for s in before.step_list:
        targets = {b.to for b in s.next}
        if len(targets) > 1 and (s.kind == "decision" or s.is_decision):
            t = after.steps.get(s.id)
            if t is None:
                return f"it would delete the decision '{s.id}'"
            if len(t.next) < len(s.next) or len({b.to for b in t.next}) < len(targets):
                return f"it would drop a branch of the decision '{s.id}'"
        t = after.steps.get(s.id)
        if t is not None and t.team != s.team:
            if s.kind in _GATES:
                return (f"it would move the {s.kind} '{s.id}' to another team: who checks "
                        "is the control")
            if _external(before, s.team) or _external(before, t.team):
                return f"it would move '{s.id}' into or out of an external team"
    produced_before, produced_after = _produced(before), _produced(after)
    for a in (*before.outputs, *getattr(before, "records", ())):  # TODO(1.1): records
        if a.id in produced_before and a.id not in produced_after:
            return f"no step would make the process output '{a.id}' any more"
    for s in after.step_list:
        lost = [a for a in s.inputs if a in produced_before and a not in produced_after]
        if lost:
            return f"'{s.id}' would read '{lost[0]}', which nothing makes any more"
    return None


def _worse(old: _Measure, new: _Measure) -> str | None:
    if new.lead_h > old.lead_h + EPSILON:
        return "it would make the lead time longer"
    if new.handoffs > old.handoffs + EPSILON:
        return "it would add handoffs"
    return None


def _saving(before: WorkflowReport, after: Workflow, old: _Measure, new: _Measure) -> Saving:
    w = before.workflow
    visits: dict[str, float] = dict(getattr(before.metrics, "visits", {}))  # TODO(1.1)
    gone = [s for s in w.step_list if s.id not in after.steps]
    touch = sum(visits.get(s.id, 1.0) * s.touch.mean for s in gone
                if not _external(w, s.team))
    share = max((visits.get(s.id, 1.0) for s in gone), default=1.0)
    return Saving(old.lead_h - new.lead_h, old.handoffs - new.handoffs, touch,
                  touch * w.volume.count if w.volume else None, share)


def proposals(report: WorkflowReport, algorithm: Iterable[int] = range(1, 6)
              ) -> list[Proposal]:
    """Every rule's proposals for its active findings, in the rules' order."""
    flow = Flow(report.workflow)
    wanted = set(algorithm)
    out: dict[str, Proposal] = {}
    for rule in RULES:
        if rule.propose is None or rule.algorithm not in wanted:
            continue
        found = [f for f in report.findings if f.rule == rule.id and f.level in LEVELS]
        if found:
            for p in rule.propose(flow, found):
                out.setdefault(p.id, p)
    return list(out.values())


def simplify(data: bytes | str, file: str, options: Options | None = None) -> Simplified:
    """The simplified workflow and every proposal. Raises WorkflowError for a
    workflow that does not load, or that cannot be edited in place."""
    options = options or Options()
    raw = data.encode() if isinstance(data, str) else data
    workflow = loads(raw, file)  # every problem located, before anything else reads it
    report = analyze(workflow, options.config, simulate=False)
    base = _measure(Flow(workflow))
    outcomes: list[Outcome] = []
    current, now = workflow, base
    seen: set[tuple[str, str]] = set()
    # Safe ones first: when two rules propose one change, the safe one is it.
    for p in sorted(proposals(report, options.algorithm), key=lambda p: p.klass != "safe"):
        alone = p.edit(workflow)
        if alone is None or (p.action, p.step) in seen:
            continue
        seen.add((p.action, p.step))
        kept = sorted(options.keep.intersection(p.steps))
        measure = _measure(Flow(alone))
        blocked = (f"kept: {', '.join(kept)} (--keep)" if kept else
                   _never(workflow, alone) or _worse(base, measure))
        saving = _saving(report, alone, base, measure)
        applied = False
        if blocked is None and options.accepts(p):
            together = p.edit(current)
            if together is not None and _never(workflow, together) is None \
                    and _worse(now, new := _measure(Flow(together))) is None:
                current, now, applied = together, new, True
            else:
                blocked = "it cannot be combined with the changes applied in this run"
        outcomes.append(Outcome(p, applied, saving, blocked))
    bom, text = _decode(raw)
    out = _edit(text, workflow, current, file)
    final = loads(_encode(bom, out), file)
    return Simplified(_encode(bom, out), analyze(workflow, options.config),
                      analyze(final, options.config), tuple(outcomes))


def _branches(w: Workflow, sid: str) -> list[Branch]:
    return [Branch(b.to, b.when, None if b.p is None else round(b.p, 6))
            for b in w.steps[sid].next]


def _edit(text: str, before: Workflow, after: Workflow, file: str) -> str:
    """`text` with the changes from `before` to `after` spliced in."""
    if after is before:
        return text
    doc = Document(text)
    try:
        for s in before.step_list:
            t = after.steps.get(s.id)
            if t is None:
                doc.remove_step(s.id)
                continue
            if t.team != s.team:
                doc.set_scalar(s.id, "team", t.team)
            doc.set_next(s.id, _branches(before, s.id), _branches(after, s.id))
        out = doc.text()
        written = loads(out, file)
    except (EditError, WorkflowError) as e:
        raise WorkflowError([Problem(file, 1, 1, f"simplify cannot edit this file in place: {e}",
                                     "write anchors and aliases out in the steps it changes")]
                            ) from None
    if {s: (t.team, _branches(written, s)) for s, t in written.steps.items()} != \
            {s: (t.team, _branches(after, s)) for s, t in after.steps.items()}:
        raise WorkflowError([Problem(file, 1, 1, "simplify cannot edit this file in place",
                                     "write anchors and aliases out in the steps it changes")])
    return out
