"""duplicate-step: one team does the same thing twice.

**Fires when** two steps of one team have the same title (case, punctuation and spacing
ignored), or the same kind, inputs and outputs (both non-empty), and the two can both run in
one case (one reaches the other, or a parallel split reaches one each). Alternatives on
exclusive branches of a decision ("notify the P1 customer" / "notify the P2 customer") are
not duplicates. One finding per pair, on the later step.

**Why it matters:** Work done twice costs time and the two results can disagree.

**What to do:** Delete one, or make the difference explicit.

Fires:

```yaml
steps:
  a: {title: Review the charge, team: billing, next: b}
  b: {title: review the charge!, team: billing}
```

Does not fire:

```yaml
steps:
  a: {title: Review the charge, team: billing, next: b}
  b: {title: Issue the refund, team: billing}
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import combinations

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule
from procmap.analysis.rules.fixes import (
    Proposal,
    changed_between,
    delete_step,
    named_person,
    proposal,
)


def normal_title(title: str) -> str:
    """Case, punctuation and spacing ignored."""
    return "".join(c for c in title.casefold() if c.isalnum())


def check(flow: Flow) -> Iterator[Finding]:
    groups: defaultdict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(flow.steps):
        groups[("title", s.team, normal_title(s.title))].append(i)
        if s.inputs and s.outputs:
            groups[("io", s.team, s.kind, frozenset(s.inputs), frozenset(s.outputs))].append(i)
    pairs: dict[tuple[int, int], str] = {}
    for key, members in groups.items():
        for a, b in combinations(members, 2):
            pairs.setdefault((a, b), "the same title" if key[0] == "title"
                             else "the same kind, inputs and outputs")
    for (a, b), why in sorted(pairs.items(), key=lambda item: (item[0][1], item[0][0])):
        if not flow.both_run(a, b):
            continue  # alternatives on exclusive branches of a decision (1.1)
        first, later = flow.steps[a], flow.steps[b]
        yield RULE.at(flow, b, [a, b], (
            f"'{later.id}' repeats '{first.id}' ({why}, both by team '{later.team}'): "
            "doing the work twice costs time and invites the two to disagree. Delete one, "
            "or make the difference explicit in the title."))


RULE = Rule("duplicate-step", "warning", 2,
            "two steps of one team that can both run in one case have the same title, or "
            "the same kind, inputs and outputs",
            check)


def propose(flow: Flow, findings: Sequence[Finding]) -> Iterator[Proposal]:
    dominates = flow.dominates
    for f in findings:
        a, b = (flow.index[x] for x in f.steps)
        first, later = flow.steps[a], flow.steps[b]
        if changed_between(flow, a, b):
            continue  # it works on material made since: not the same work again
        same_work = (first.team, first.kind, frozenset(first.inputs),
                     frozenset(first.outputs)) == (later.team, later.kind,
                                                   frozenset(later.inputs),
                                                   frozenset(later.outputs))
        safe = (same_work and dominates(a, b) and not changed_between(flow, a, b)
                and named_person(flow.workflow, later) is None)
        yield proposal(RULE.id, flow, later, [first.id, later.id], "safe" if safe else "review",
                       "delete", f"delete '{later.title}': it repeats '{first.id}'"
                       + (" on the same material, which runs on every path to it" if safe
                          else ""), delete_step(later.id, flow))


RULE = replace(RULE, propose=propose)
