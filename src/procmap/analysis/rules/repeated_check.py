"""repeated-check: a gate looks again at artifacts an earlier gate already checked.

**Fires when** an approval/check B reads only artifacts that an earlier approval/check A
also read, A reaches B without rework edges, and no step on a path from A to B (A and B
included) outputs any of them. One finding per B, listing every such A.

**Why it matters:** A second look at an unchanged thing adds wait, not safety.

**What to do:** Delete the later check, or have it look at what the first cannot.

Fires:

```yaml
steps:
  a: {title: Legal approves, team: legal, kind: approval, inputs: [letter], next: b}
  b: {title: Comms approves, team: comms, kind: approval, inputs: [letter]}
```

Does not fire:

```yaml
steps:
  a: {title: Legal approves, team: legal, kind: approval, inputs: [letter], next: e}
  e: {title: Edit, team: comms, inputs: [letter], outputs: [letter], next: b}
  b: {title: Comms approves, team: comms, kind: approval, inputs: [letter]}
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace

from procmap.analysis.graph import Flow, bits_to_list
from procmap.analysis.rules.base import Finding, Rule
from procmap.analysis.rules.fixes import (
    Proposal,
    delete_step,
    named_person,
    proposal,
)

GATES = ("approval", "check")


def check(flow: Flow) -> Iterator[Finding]:
    gates = [i for i, s in enumerate(flow.steps) if s.kind in GATES]
    if len(gates) < 2:
        return
    producers: defaultdict[str, int] = defaultdict(int)
    for i, s in enumerate(flow.steps):
        for artifact in s.outputs:
            producers[artifact] |= 1 << i
    gate_readers: defaultdict[str, int] = defaultdict(int)
    for i in gates:
        for artifact in flow.steps[i].inputs:
            gate_readers[artifact] |= 1 << i
    for b in gates:
        reads = set(flow.steps[b].inputs)
        if not reads:
            continue
        changed_by = 0
        candidates = flow.anc[b]
        for artifact in reads:
            changed_by |= producers[artifact]
            candidates &= gate_readers[artifact]
        earlier = []
        for a in bits_to_list(candidates):
            # Every step on a path from A to B, A and B included.
            between = (flow.desc[a] & flow.anc[b]) | (1 << a) | (1 << b)
            if not between & changed_by:
                earlier.append(a)
        if earlier:
            names = ", ".join(f"'{flow.steps[a].id}'" for a in earlier)
            yield RULE.at(flow, b, [*earlier, b], (
                f"'{flow.steps[b].id}' checks {', '.join(sorted(reads))} again, after "
                f"{names} already checked it and nothing changed it since: a second look "
                "at the same thing adds wait, not safety. Delete this check, or have it "
                "look at what the first one cannot."))


RULE = Rule("repeated-check", "warning", 2,
            "an approval/check re-reads only artifacts an earlier one read, unchanged", check)


def propose(flow: Flow, findings: Sequence[Finding]) -> Iterator[Proposal]:
    dominates = flow.dominates
    for f in findings:
        b = flow.index[str(f.step)]
        s = flow.steps[b]
        earlier = [flow.index[e] for e in f.steps[:-1]]
        first = next((a for a in earlier if dominates(a, b)), None)
        named = named_person(flow.workflow, s)
        safe = first is not None and named is None
        before = flow.steps[first if first is not None else earlier[0]].id
        why = ("" if named else "; no person requires it" if s.requirement is None or
               not s.requirement.by else f"; it is required by '{s.requirement.by}', "
               "not by a person who could be asked")
        yield proposal(RULE.id, flow, s, [before, s.id], "safe" if safe else "review",
                       "delete", f"delete the {s.kind} '{s.title}': '{before}' already "
                       f"checked {', '.join(sorted(set(s.inputs)))} "
                       + ("on every path to it" if first is not None else "on some paths to it")
                       + f" and nothing changed it since{why}", delete_step(s.id, flow))


RULE = replace(RULE, propose=propose)
