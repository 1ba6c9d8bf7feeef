"""serial-independent: two steps in a row that do not depend on each other.

**Fires when** an edge a → b where a is no approval, check or decision, a has no other
successor, b no other predecessor, both declare inputs or outputs, and b reads none of a's
outputs.

**Why it matters:** They could run side by side; the shorter one's time is saved.

**What to do:** Start both from the step before a.

Fires:

```yaml
steps:
  a: {title: File a copy, team: legal, outputs: [archive], next: b}
  b: {title: Create login, team: it, inputs: [account]}
```

Does not fire:

```yaml
steps:
  a: {title: Create account, team: fin, outputs: [account], next: b}
  b: {title: Create login, team: it, inputs: [account]}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule
from procmap.analysis.rules.fixes import Proposal, proposal, side_by_side

GATES = ("approval", "check", "decision")


def check(flow: Flow) -> Iterator[Finding]:
    for a in range(flow.n):
        sa = flow.steps[a]
        if sa.kind in GATES or len(flow.succ[a]) != 1:
            continue
        b = flow.succ[a][0]
        sb = flow.steps[b]
        if b == a or len(flow.pred[b]) != 1:
            continue
        if not (sa.inputs or sa.outputs) or not (sb.inputs or sb.outputs):
            continue
        if set(sb.inputs) & set(sa.outputs):
            continue
        yield RULE.at(flow, b, [a, b], (
            f"'{sb.id}' waits for '{sa.id}' but reads nothing it produces: they could "
            f"run side by side and save the shorter one's time. Start both from the "
            f"step before '{sa.id}'."))


RULE = Rule("serial-independent", "info", 4,
            "a -> b in series where b reads none of a's outputs", check)


def propose(flow: Flow, findings: Sequence[Finding]) -> Iterator[Proposal]:
    for f in findings:
        a, b = f.steps
        s = flow.workflow.steps[b]
        yield proposal(RULE.id, flow, s, [a, b], "review", "parallel",
                       f"run '{s.title}' side by side with '{a}': it reads nothing '{a}' "
                       "makes", side_by_side(a, b, flow))


RULE = replace(RULE, propose=propose)
