"""nva-step: a step its authors call non-value-added.

**Fires when** the step says `value: nva`.

**Why it matters:** The customer would not pay for it.

**What to do:** Delete it unless a named requirement keeps it.

Fires:

```yaml
steps:
  a: {title: Print a copy for the file, team: ops, value: nva}
```

Does not fire:

```yaml
steps:
  a: {title: Ship the kit, team: ops, value: va}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule
from procmap.analysis.rules.fixes import Proposal, delete_step, proposal


def check(flow: Flow) -> Iterator[Finding]:
    for i, s in enumerate(flow.steps):
        if s.value == "nva":
            yield RULE.at(flow, i, [i], (
                f"'{s.id}' is marked non-value-added: the customer would not pay for it. "
                "Delete it unless a named requirement keeps it."))


RULE = Rule("nva-step", "info", 2, "the step is marked `value: nva`", check)


def propose(flow: Flow, findings: Sequence[Finding]) -> Iterator[Proposal]:
    for f in findings:
        s = flow.workflow.steps[str(f.step)]
        safe = s.requirement is None
        yield proposal(RULE.id, flow, s, [s.id], "safe" if safe else "review", "delete",
                       f"delete '{s.title}': marked non-value-added"
                       + (" and no requirement keeps it" if safe else ""),
                       delete_step(s.id, flow))


RULE = replace(RULE, propose=propose)
