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
from collections.abc import Iterator

from procmap.analysis.graph import Flow, bits_to_list
from procmap.analysis.rules.base import Finding, Rule

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
