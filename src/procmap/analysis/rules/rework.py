"""rework: a loop that sends cases back to an earlier step.

**Fires when** each rework edge (on a cycle, back to an earlier step); the message gives p
and the runs per case (`visits`) of the loop's first step, through every decision on the
loop: in "review (ok 0.5 / fix 0.5) → fix (back 0.5 / escalate 0.5)", review runs 1.33
times, not 1/(1-0.5) = 2.

**Why it matters:** Each pass repeats the loop's waits.

**What to do:** Find why cases fail and fix it at the source.

Fires:

```yaml
steps:
  a: {title: Draft, team: ops, next: b}
  b: {title: Review, team: ops, next: [{to: a, p: 0.3}, {to: c, p: 0.7}]}
  c: {title: Send, team: ops}
```

Does not fire:

```yaml
steps:
  a: {title: Draft with checklist, team: ops, next: c}
  c: {title: Send, team: ops}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    for u, v in sorted(flow.rework):
        p = flow.p.get((u, v))
        su, sv = flow.steps[u], flow.steps[v]
        share = "every case it gets" if p is None else f"{p:.0%} of cases"
        # The loop's first step runs once per pass: its visits count the passes,
        # through every decision on the loop (1.1), not 1/(1-p) of one edge.
        visits = flow.visits[v]
        runs = (f"'{sv.id}' runs {visits:.2f} times per case" if visits < float("inf")
                else f"the loop through '{sv.id}' never ends")
        yield RULE.at(flow, u, [u, v], (
            f"'{su.id}' sends {share} back to '{sv.id}' (rework): {runs}, each pass "
            f"adding its waits. Find why cases fail at '{su.id}' and fix it at the "
            f"source, e.g. a checklist at '{sv.id}'."))


RULE = Rule("rework", "warning", 3, "each rework edge; the message gives the runs per case "
            "of the loop's first step", check)
