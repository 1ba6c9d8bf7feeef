"""What a rule proposes to do about its findings, as ruff's rules carry fixes.

A proposal names its change as a function from the workflow model to the
changed model (None when it does not apply), so `procmap simplify` can weigh
it without touching YAML. The class says whose yes it needs (simplify.md):
`safe` removes only waste the author marked or the graph proves adds
nothing; `review` needs the named person's yes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

from procmap.analysis.graph import Flow
from procmap.format.model import Branch, Step, Workflow

Klass = Literal["safe", "review"]
Edit = Callable[[Workflow], "Workflow | None"]


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


def dominates(flow: Flow, a: int, b: int) -> bool:
    """Every path from the start to `b` passes through `a`."""
    if a == flow.start:
        return True
    seen = {flow.start}
    stack = [flow.start]
    while stack:
        u = stack.pop()
        for v in flow.succ[u]:
            if v == b:
                return False
            if v != a and v not in seen:
                seen.add(v)
                stack.append(v)
    return True


def changed_between(flow: Flow, a: int, b: int) -> bool:
    """A step strictly between `a` and `b` makes something `b` reads."""
    reads = set(flow.steps[b].inputs)
    between = flow.desc[a] & flow.anc[b]
    return any(between >> i & 1 and reads & set(s.outputs) for i, s in enumerate(flow.steps))


# The edits. Each returns None when the workflow does not allow it.

def _with_steps(workflow: Workflow, steps: Iterable[Step]) -> Workflow:
    return replace(workflow, steps=MappingProxyType(
        {s.id: s if s.index == i else replace(s, index=i) for i, s in enumerate(steps)}))


def delete_step(sid: str) -> Edit:
    """Remove a step with one way on; its predecessors go that way instead."""
    def edit(w: Workflow) -> Workflow | None:
        s = w.steps.get(sid)
        if s is None or sid == w.start or len(s.next) != 1:
            return None
        successor = s.next[0].to
        out = []
        for step in w.step_list:
            if step.id == sid:
                continue
            if any(b.to == sid for b in step.next):
                if step.id == successor:
                    return None  # the loop would close on itself
                branches: list[Branch] = []
                for b in step.next:
                    b = replace(b, to=successor) if b.to == sid else b
                    twin = next((t for t in branches if t.to == b.to), None)
                    if twin is None:
                        branches.append(b)
                    elif twin.p is not None or b.p is not None or twin.when or b.when:
                        return None  # two outcomes of a decision would merge into one
                step = replace(step, next=tuple(branches))
            out.append(step)
        return _with_steps(w, out)
    return edit


def drop_edge(source: str, target: str) -> Edit:
    def edit(w: Workflow) -> Workflow | None:
        s = w.steps.get(source)
        if s is None:
            return None
        kept = tuple(b for b in s.next if not (b.to == target and b.p is None))
        if len(kept) == len(s.next) or not kept:
            return None
        return _with_steps(w, (replace(x, next=kept) if x.id == source else x
                               for x in w.step_list))
    return edit


def move_step(sid: str, team: str) -> Edit:
    def edit(w: Workflow) -> Workflow | None:
        s = w.steps.get(sid)
        if s is None or s.team == team:
            return None
        return _with_steps(w, (replace(x, team=team) if x.id == sid else x
                               for x in w.step_list))
    return edit


def side_by_side(first: str, second: str) -> Edit:
    """P -> first -> second -> C becomes P -> [first, second], first -> C."""
    def edit(w: Workflow) -> Workflow | None:
        a, b = w.steps.get(first), w.steps.get(second)
        if a is None or b is None or first == w.start or len(a.next) != 1 \
                or a.next[0].to != second or a.next[0].p is not None or not b.next:
            return None
        preds = [s for s in w.step_list if any(x.to == first for x in s.next)]
        if not preds or any(x.to == second or x.p is not None or x.when
                            for p in preds for x in p.next):
            return None
        pred_ids = {p.id for p in preds}
        extra = Branch(second, b.pos)
        return _with_steps(w, (
            replace(s, next=(*s.next, extra)) if s.id in pred_ids
            else replace(s, next=b.next) if s.id == first else s
            for s in w.step_list))
    return edit
