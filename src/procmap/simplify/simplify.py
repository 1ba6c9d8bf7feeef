"""`procmap simplify`: proposals a process owner can defend (spec: simplify.md).

Each rule proposes its own changes. Every proposal is weighed alone against
the workflow as the author wrote it, on the in-memory model: a change that
breaks one of the things simplify never does is blocked, whatever is
accepted. The safe ones and the accepted ones are then applied together,
and only their edits are spliced into the text, once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from procmap.analysis.analyze import WorkflowReport, analyze_flow, rule_findings
from procmap.analysis.graph import Flow
from procmap.analysis.metrics import Simulated
from procmap.analysis.rules import RULES, Finding
from procmap.analysis.rules.base import LEVELS
from procmap.analysis.rules.fixes import Draft, Proposal
from procmap.config import Config
from procmap.format.errors import Problem, WorkflowError
from procmap.format.gcpause import paused
from procmap.format.loader import loads, loads_nodes
from procmap.format.model import Workflow
from procmap.simplify.weigh import Diff, Figures, Weigher
from procmap.simplify.yamledit import Branch, Document, EditError, decode, encode

EPSILON = 1e-9
ALL = "all"
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
    # Why a safe change waits for a yes after all: applied, it would make
    # another change possible that a later run would apply (a cascade).
    held: str | None = None
    # Where the change can make another one possible: the steps whose links
    # or team it alters, and the artifacts that the steps it deletes read or make.
    relinks: frozenset[str] = frozenset()
    artifacts: frozenset[str] = frozenset()

    @property
    def status(self) -> str:
        return "applied" if self.applied else "blocked" if self.blocked else "waiting"

    def as_json(self) -> dict[str, object]:
        p, s = self.proposal, self.saving
        return {"id": p.id, "rule": p.rule, "class": p.klass, "action": p.action,
                "applied": self.applied, "blocked": self.blocked, "held": self.held,
                "reason": p.reason,
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
        return decode(self.data)[1]


def _saving(weigher: Weigher, d: Diff, new: Figures) -> Saving:
    w, old = weigher.workflow, weigher.figures
    gone = [w.steps[sid] for sid in d.deleted]
    # The hands-on time of external teams is theirs, not ours to save.
    touch = math.fsum(weigher.visits.get(s.id, 1.0) * s.touch.mean for s in gone
                      if not w.teams[s.team].external)
    share = max((weigher.visits.get(s.id, 1.0) for s in gone), default=1.0)
    return Saving(old.lead_h - new.lead_h, old.handoffs - new.handoffs, touch,
                  touch * w.volume.count if w.volume else None, share)


class Survey:
    """A workflow's graph and the findings of the rules that propose changes:
    what proposing and weighing changes needs, without the rest of analyze.

    A run comes back to a workflow many times (each workflow it goes
    through is surveyed once, see `_survey`): what is drawn from the survey
    is kept with it, so that coming back costs nothing."""

    __slots__ = ("_proposals", "_weigher", "findings", "flow")

    def __init__(self, flow: Flow, findings: tuple[Finding, ...]) -> None:
        self.flow = flow
        self.findings = findings
        self._proposals: dict[frozenset[int], tuple[Proposal, ...]] = {}
        self._weigher: Weigher | None = None

    @classmethod
    def of(cls, workflow: Workflow, config: Config) -> Survey:
        flow = Flow(workflow)
        return cls(flow, tuple(rule_findings(flow, config, _PROPOSING)))

    def proposals(self, algorithm: Iterable[int] = range(1, 6)) -> tuple[Proposal, ...]:
        """Every rule's proposals for its active findings, in the rules' order."""
        wanted = frozenset(algorithm)
        found = self._proposals.get(wanted)
        if found is None:
            found = self._proposals[wanted] = _propose(self, wanted)
        return found

    def weigher(self, visits: Mapping[str, float] | None = None) -> Weigher:
        """Weighs changes to this workflow. A run takes the runs per case of
        its input as they were measured once (simulated, with parallel
        work) for every workflow its changes lead to: no change alters how
        often the steps it keeps run, and measured again each time they
        would differ by the simulation's noise, not by the change."""
        if visits is None:
            measured = self.flow.visits
            visits = {s.id: measured[i] for i, s in enumerate(self.flow.steps)}
        if self._weigher is None:
            self._weigher = Weigher(self.flow, visits)
            return self._weigher
        return self._weigher.with_visits(visits)


_PROPOSING = tuple(rule for rule in RULES if rule.propose is not None)


def _propose(survey: Survey, wanted: frozenset[int]) -> tuple[Proposal, ...]:
    out: dict[str, Proposal] = {}
    for rule in _PROPOSING:
        if rule.propose is None or rule.algorithm not in wanted:
            continue
        found = [f for f in survey.findings if f.rule == rule.id and f.level in LEVELS]
        if found:
            for p in rule.propose(survey.flow, found):
                out.setdefault(p.id, p)
    return tuple(out.values())


def simplify(data: bytes | str, file: str, options: Options | None = None) -> Simplified:
    """The simplified workflow and every proposal. Raises WorkflowError for a
    workflow that does not load, or that cannot be edited in place."""
    # A run builds and drops many small objects without reference cycles
    # (drafts, surveys of the workflows it goes through), as analyze does:
    # the collections they would trigger scan the whole heap for nothing.
    with paused():
        return _simplify(data, file, options or Options())


def _simplify(data: bytes | str, file: str, options: Options) -> Simplified:
    raw = data.encode() if isinstance(data, str) else data
    # Every problem located, before anything else reads it.
    workflow, nodes = loads_nodes(raw, file)
    flow = Flow(workflow)
    report = analyze_flow(flow, options.config)
    survey = Survey(flow, report.findings)
    weigher = Weigher(flow, report.metrics.visits)  # simulated once, by analyze
    outcomes = _weigh(survey, weigher, options)
    surveys: dict[object, Survey] = {}
    run = _hold_back(weigher, options, outcomes, surveys)
    current, refused, held = run.current, run.refused, dict(run.held)
    applied = {p.id for p in run.applied}
    by_change = {(o.proposal.action, o.proposal.step): o.proposal.id for o in outcomes}
    # A later run tries the held changes again, on this result. Edits do not
    # always commute (two of them can reach one link), so it can find that
    # one of them makes nothing possible there after all: then it is no
    # cascade, and this run applies it, as that later run would.
    while held and run.after is not None:
        weigher = run.after.weigher()
        later = _hold_back(weigher, options, _weigh(run.after, weigher, options,
                                                    chosen_only=True), surveys)
        ids = [by_change.get((p.action, p.step)) for p in later.applied]
        if not ids or not all(i in held for i in ids):
            break
        run, current = later, later.current
        for i in ids:
            applied.add(str(i))
            del held[str(i)]
    bom, text = decode(raw)
    out, final = _edit(Document(text, nodes), workflow, current, file)
    after = report if final is workflow else analyze_flow(
        Flow(final, simulated=_simulated(run.after, final)), options.config)
    outcomes = [replace(o, applied=True) if o.proposal.id in applied else
                replace(o, blocked=refused[o.proposal.id]) if o.proposal.id in refused else
                replace(o, held=held[o.proposal.id]) if o.proposal.id in held else o
                for o in outcomes]
    return Simplified(encode(bom, out), report, after, tuple(outcomes))


@dataclass(frozen=True, slots=True)
class _Run:
    current: Workflow  # the workflow with the applied changes
    after: Survey | None  # its survey, when anything was applied
    applied: list[Proposal]
    refused: dict[str, str]  # chosen, but not to be combined with the others
    held: dict[str, str]  # chosen, but it would make a later change possible


def _hold_back(weigher: Weigher, options: Options, outcomes: list[Outcome],
               surveys: dict[object, Survey]) -> _Run:
    """The chosen changes applied together, except those that would make a
    change possible that a later run would apply (simplify.md: no cascades)."""
    chosen = [o.proposal for o in outcomes if o.blocked is None and options.accepts(o.proposal)]
    where = {o.proposal.id: o for o in outcomes}
    held: dict[str, str] = {}
    while True:
        tried = [p for p in chosen if p.id not in held]
        current, refused = _combine(weigher, tried)
        applied = [p for p in tried if p.id not in refused]
        if not applied:
            return _Run(current, None, applied, refused, held)
        after = _survey(current, options.config, surveys)
        enabling = _cascade(after, weigher.visits, options, applied,
                            {(p.action, p.step) for p in chosen if p.id in held}, where)
        if not enabling:
            return _Run(current, after, applied, refused, held)
        held.update(enabling)


def _survey(w: Workflow, config: Config, seen: dict[object, Survey]) -> Survey:
    """The survey of a workflow that changes led to. A later run tried on
    this run's result goes through many of the workflows this run went
    through: each is surveyed once. Changes alter only links and teams."""
    key = tuple((sid, s.team, s.next) for sid, s in w.steps.items())
    if key not in seen:
        seen[key] = Survey.of(_renumbered(w), config)
    return seen[key]


def _renumbered(w: Workflow) -> Workflow:
    """The model after deletions, its steps numbered in file order again, as
    the loader numbers them, so it can be analysed without writing the text."""
    steps = {sid: s if s.index == i else replace(s, index=i)
             for i, (sid, s) in enumerate(w.steps.items())}
    return replace(w, steps=MappingProxyType(steps))


def _edits(workflow: Workflow, found: Iterable[Proposal]) -> Iterator[tuple[Proposal, Draft]]:
    """Each change of `found` that `workflow` allows, once, with its edit."""
    seen: set[tuple[str, str]] = set()
    draft = Draft.of(workflow)
    # Safe ones first: when two rules propose one change, the safe one is it.
    for p in sorted(found, key=lambda p: p.klass != "safe"):
        if (p.action, p.step) in seen:
            continue
        edited = p.edit(draft)
        if edited is not None:
            seen.add((p.action, p.step))
            yield p, edited


def _weigh(survey: Survey, weigher: Weigher, options: Options,
           candidates: Iterable[Proposal] | None = None, chosen_only: bool = False
           ) -> list[Outcome]:
    """Every proposal (or each of `candidates`) weighed alone against the
    workflow of `survey`; only those `options` accept, if `chosen_only`."""
    workflow = survey.flow.workflow
    outcomes: list[Outcome] = []
    found = survey.proposals(options.algorithm) if candidates is None else candidates
    for p, edited in _edits(workflow, found):
        if chosen_only and not options.accepts(p):
            continue
        kept = sorted(options.keep.intersection(p.steps))
        d = weigher.diff(edited)
        alone = edited.workflow
        figures = weigher.measure(alone, d)
        blocked = (f"kept: {', '.join(kept)} (--keep)" if kept else
                   weigher.never(alone, d) or weigher.worse(figures))
        # A step nothing leads to is deleted without relinking any: the
        # steps it led to lose it.
        relinks = frozenset(d.touched or (b.to for sid in d.deleted
                                          for b in workflow.steps[sid].next))
        artifacts = frozenset(a for sid in d.deleted for s in (workflow.steps[sid],)
                              for a in (*s.inputs, *s.outputs))
        outcomes.append(Outcome(p, False, _saving(weigher, d, figures), blocked, None,
                                relinks, artifacts))
    return outcomes


def _open(survey: Survey, weigher: Weigher, options: Options,
          candidates: Iterable[Proposal]) -> list[Proposal]:
    """The `candidates` that nothing blocks: those `_weigh` leaves unblocked,
    without weighing the rest any further than what blocks them."""
    out = []
    for p, edited in _edits(survey.flow.workflow, candidates):
        if options.keep.intersection(p.steps):
            continue
        d = weigher.diff(edited)
        if weigher.never(edited.workflow, d) is None and \
                weigher.worse(weigher.measure(edited.workflow, d)) is None:
            out.append(p)
    return out


def _cascade(after: Survey, visits: Mapping[str, float], options: Options,
             applied: list[Proposal],
             waiting: set[tuple[str, str]], where: dict[str, Outcome]) -> dict[str, str]:
    """The applied changes to hold back, each with why: those that make possible
    a change that a later run with the same options would apply (a cascade).
    Holding them keeps a run free of cascades; the person asked can accept
    them by id. Each such change is pinned on the applied changes that relink
    a step it rests on or delete a step that reads or makes what those steps
    read or make; failing that, on those nearest to it: none may be left for
    a later run."""
    accepted = [p for p in after.proposals(options.algorithm)
                if options.accepts(p) and (p.action, p.step) not in waiting]
    if not accepted:
        return {}
    flow = after.flow
    next_run = _open(after, after.weigher(visits), options, accepted)
    # A change accepted by its id has the yes it waits for.
    free = [p.id for p in applied if p.id not in options.accept]
    if not next_run or not free:
        return {}
    by_step: dict[int, list[str]] = {}
    by_artifact: dict[str, list[str]] = {}
    for pid in free:
        for sid in where[pid].relinks:
            if sid in flow.index:
                by_step.setdefault(flow.index[sid], []).append(pid)
        for a in where[pid].artifacts:
            by_artifact.setdefault(a, []).append(pid)
    enables: dict[str, dict[str, None]] = {}
    steps = flow.workflow.steps
    for q in next_run:
        rests = [a for sid in q.steps if sid in steps
                 for a in (*steps[sid].inputs, *steps[sid].outputs)]
        found = [pid for a in rests for pid in by_artifact.get(a, ())]
        for pid in _nearest(flow, q.steps, by_step, found) or free:
            enables.setdefault(pid, {})[q.id] = None
    return {pid: (f"applied, it would make {', '.join(enables[pid])} "
                  "possible, a change of its own for a later run: it waits for a "
                  "yes (--accept ID)") for pid in free if pid in enables}


def _nearest(flow: Flow, steps: Iterable[str], by_step: dict[int, list[str]],
             found: list[str]) -> list[str]:
    """The changes `found` on what `steps` rest on and those that relink
    `steps`; else those that relink the steps nearest to them, links taken
    both ways."""
    level = {flow.index[sid] for sid in steps if sid in flow.index}
    seen = set(level)
    while level:
        hit = [*found, *(pid for i in sorted(level) for pid in by_step.get(i, ()))]
        found = []
        if hit:
            return list(dict.fromkeys(hit))
        level = {j for i in level for j in (*flow.pred[i], *flow.succ[i])} - seen
        seen |= level
    return []


def _combine(weigher: Weigher, chosen: list[Proposal]) -> tuple[Workflow, dict[str, str]]:
    """All chosen changes applied together, and those refused with the reason.

    Each was weighed alone; applied together they are checked once, and only
    when that fails one by one, keeping each that still holds."""
    refused: dict[str, str] = {}
    current = Draft.of(weigher.workflow)
    for p in chosen:
        together = p.edit(current)
        if together is None:
            refused[p.id] = "it cannot be combined with the changes applied in this run"
        else:
            current = together
    d = weigher.diff(current)
    if weigher.never(current.workflow, d) is None and \
            weigher.worse(weigher.measure(current.workflow, d)) is None:
        return current.workflow, refused
    refused, current, now = {}, Draft.of(weigher.workflow), weigher.figures
    for p in chosen:
        together = p.edit(current)
        if together is not None:
            d = weigher.diff(together)
            new = weigher.measure(together.workflow, d)
            if weigher.never(together.workflow, d) is None and weigher.worse(new, now) is None:
                current, now = together, new
                continue
        refused[p.id] = "it cannot be combined with the changes applied in this run"
    return current.workflow, refused


def _branches(w: Workflow, sid: str) -> list[Branch]:
    return [Branch(b.to, b.when, None if b.p is None else round(b.p, 6))
            for b in w.steps[sid].next]


def _simulated(survey: Survey | None, written: Workflow) -> Simulated | None:
    """The cases simulated on the workflow of `survey`, if `written` (what
    its text loads as) is that workflow: a later run emulated on it simulated
    them, and analyze of `written` would again."""
    if survey is None or [s.id for s in survey.flow.steps] != [s.id for s in written.step_list]:
        return None
    return survey.flow.simulation


def _edit(doc: Document, before: Workflow, after: Workflow, file: str) -> tuple[str, Workflow]:
    """The text of `doc` with the changes from `before` to `after` spliced in,
    and what it loads as."""
    if after is before:
        return doc.source, before
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
    return out, written
