"""What a rule proposes to do about its findings, as ruff's rules carry fixes.

A proposal names its change as a function from the workflow model to the
changed model (None when it does not apply), so `procmap simplify` can weigh
it without touching YAML. The class says whose yes it needs (simplify.md):
`safe` removes only waste the author marked or the graph proves adds
nothing; `review` needs the named person's yes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal, TypeVar

from procmap.analysis.graph import Flow
from procmap.format.model import Branch, Step, Workflow

Klass = Literal["safe", "review"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Draft:
    """A workflow with edits made to it, and the steps they changed or
    deleted: weighing the edits then looks at those steps, not at all of them."""
    base: Workflow  # as it was before any edit
    workflow: Workflow
    changed: frozenset[str] = frozenset()  # steps still there, given new links or team
    deleted: frozenset[str] = frozenset()
    # step -> changed steps that link to it: with the links of the workflow
    # as it was, who links to a step now, without a look at every step.
    into: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, workflow: Workflow) -> Draft:
        return cls(workflow, workflow)

    def edited(self, steps: dict[str, Step], changed: Iterable[str],
               deleted: Iterable[str] = ()) -> Draft:
        # Steps keep their `index` (their place in the file as written) and
        # stay the same objects unless changed. The result is for weighing and
        # writing back, not for building a Flow.
        changed = frozenset(changed)
        into = _copy(self.into)
        for sid in changed:
            for b in steps[sid].next:
                into[b.to] = into.get(b.to, frozenset()) | {sid}
        return Draft(self.base, replace(self.workflow, steps=MappingProxyType(steps)),
                     self.changed | changed, self.deleted.union(deleted),
                     MappingProxyType(into))


Edit = Callable[[Draft], "Draft | None"]


@dataclass(frozen=True, slots=True)
class Proposal:
    rule: str
    step: str  # the step the id names
    steps: tuple[str, ...]  # every step the change touches or rests on
    klass: Klass
    action: str  # delete, drop-edge, move, parallel
    reason: str  # what changes and why, for the review
    person: str | None  # whom to ask: requirement.by, else the workflow's owner
    why: str | None  # the requirement's `why`, quoted to that person
    edit: Edit

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.step}"


def named_person(workflow: Workflow, step: Step) -> str | None:
    """`requirement.by` when it names someone other than a team."""
    by = step.requirement.by if step.requirement else None
    if not by or not by.strip():
        return None
    teams = {t.id.casefold() for t in workflow.teams.values()} | {
        t.name.casefold() for t in workflow.teams.values()}
    return None if by.strip().casefold() in teams else by.strip()


def proposal(rule: str, flow: Flow, step: Step, steps: Iterable[str], klass: Klass,
             action: str, reason: str, edit: Edit) -> Proposal:
    """A proposal whose person to ask is the step's requirement owner, else the owner."""
    by = named_person(flow.workflow, step)
    why = step.requirement.why if step.requirement and by else None
    return Proposal(rule, step.id, tuple(steps), klass, action, reason,
                    by or flow.workflow.owner, why, edit)


def changed_between(flow: Flow, a: int, b: int) -> bool:
    """A step strictly between `a` and `b` makes something `b` reads."""
    reads = set(flow.steps[b].inputs)
    between = flow.desc[a] & flow.anc[b]
    return any(between >> i & 1 and reads & set(s.outputs) for i, s in enumerate(flow.steps))


# The edits. Each returns None when the workflow does not allow it.

def _copy(mapping: Mapping[str, T]) -> dict[str, T]:
    # A mapping proxy's copy() is its dict's: dict(proxy) goes key by key, 30 times slower.
    return mapping.copy() if isinstance(mapping, MappingProxyType) else dict(mapping)


def _preds(draft: Draft, sid: str, flow: Flow) -> list[Step]:
    """The steps with a link to `sid`, in file order; from the graph when the
    draft was made from its workflow."""
    steps = draft.workflow.steps
    if draft.base is flow.workflow:
        ids = {flow.steps[u].id for u in flow.pred[flow.index[sid]]} | draft.into.get(sid, set())
        found = [steps[i] for i in ids if i in steps and any(b.to == sid for b in steps[i].next)]
        return sorted(found, key=lambda s: s.index)
    # `next` names a step at most once (format 1.1), so no step comes twice.
    return [s for s in steps.values() for b in s.next if b.to == sid]


def _unimplied(flow: Flow, w: Workflow, step: Step, gone: str,
               branches: list[Branch]) -> tuple[Branch, ...]:
    """`branches` without the plain links the deletion of `gone` added to what
    `step` already waits for another way: they would be redundant, a
    proposal this run made possible (known only on the graph's own workflow)."""
    if w is not flow.workflow:
        return tuple(branches)
    had = {b.to for b in step.next}
    u, d = flow.index[step.id], flow.index[gone]
    ways = [v for v in (*flow.fsucc[u], *flow.fsucc[d]) if v != d]
    out = []
    for b in branches:
        t = flow.index[b.to]
        if b.to in had or b.p is not None or b.when or not any(
                v != t and (flow.desc[v] >> t) & 1 for v in ways):
            out.append(b)
    return tuple(out)


def delete_step(sid: str, flow: Flow) -> Edit:
    """Remove a step with one way on; its predecessors go that way instead."""
    def edit(draft: Draft) -> Draft | None:
        w = draft.workflow
        s = w.steps.get(sid)
        if s is None or sid == w.start or len(s.next) != 1:
            return None
        after = {b.to for b in s.next}
        steps = _copy(w.steps)
        del steps[sid]
        preds = _preds(draft, sid, flow)
        for step in preds:
            if step.id in after or step.id == sid:
                return None  # the loop would close on itself
            branches: list[Branch] = []
            for old in step.next:
                new = [old] if old.to != sid else [replace(old, to=s.next[0].to)]
                for b in new:
                    twin = next((t for t in branches if t.to == b.to), None)
                    if twin is None:
                        branches.append(b)
                    elif twin.p is not None or b.p is not None or twin.when or b.when:
                        return None  # two outcomes of a decision would merge into one
            steps[step.id] = replace(step, next=_unimplied(flow, w, step, sid, branches))
        return draft.edited(steps, (p.id for p in preds), (sid,))
    return edit


def drop_edges(source: str, targets: Iterable[str]) -> Edit:
    gone = frozenset(targets)

    def edit(draft: Draft) -> Draft | None:
        s = draft.workflow.steps.get(source)
        if s is None:
            return None
        kept = tuple(b for b in s.next if not (b.to in gone and b.p is None))
        if len(kept) == len(s.next) or not kept:
            return None
        steps = _copy(draft.workflow.steps)
        steps[source] = replace(s, next=kept)
        return draft.edited(steps, (source,))
    return edit


def move_step(sid: str, team: str) -> Edit:
    def edit(draft: Draft) -> Draft | None:
        s = draft.workflow.steps.get(sid)
        if s is None or s.team == team:
            return None
        steps = _copy(draft.workflow.steps)
        steps[sid] = replace(s, team=team)
        return draft.edited(steps, (sid,))
    return edit


def side_by_side(first: str, second: str, flow: Flow) -> Edit:
    """P -> first -> second -> C becomes P -> [first, second], first -> C."""
    def edit(draft: Draft) -> Draft | None:
        w = draft.workflow
        a, b = w.steps.get(first), w.steps.get(second)
        if a is None or b is None or first == w.start or len(a.next) != 1 \
                or a.next[0].to != second or a.next[0].p is not None or not b.next \
                or any(x.to == first or x.p is not None or x.when for x in b.next):
            # `first` takes over the links of `second`: the outcomes of a
            # decision are its own, and copied they would make `first` decide.
            return None
        preds = _preds(draft, first, flow)
        if not preds or any(x.to == second or x.p is not None or x.when
                            for p in preds for x in p.next):
            return None
        steps = _copy(w.steps)
        extra = Branch(second, b.pos)
        for p in preds:
            steps[p.id] = replace(p, next=(*p.next, extra))
        steps[first] = replace(a, next=b.next)
        return draft.edited(steps, (first, *(p.id for p in preds)))
    return edit
