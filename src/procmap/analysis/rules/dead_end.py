"""dead-end: a step from which no path leads to an end of the workflow.

**Fires when** every path from the step loops without reaching a step without `next`.

**Why it matters:** Cases that get there never finish.

**What to do:** Add a branch that leads to an end step.

Fires:

```yaml
steps:
  a: {title: Review, team: ops, next: [{to: a, p: 0.5}, {to: b, p: 0.5}]}
  b: {title: Redo, team: ops, next: [{to: a, p: 0.5}, {to: b, p: 0.5}]}
```

Does not fire:

```yaml
steps:
  a: {title: Review, team: ops, next: [{to: a, p: 0.5}, {to: b, p: 0.5}]}
  b: {title: Close, team: ops}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    for i, step in enumerate(flow.steps):
        if i not in flow.reaches_end:
            yield RULE.at(flow, i, [i], (
                f"cases that reach '{step.id}' never finish: every path from it loops "
                "without reaching a step that ends the workflow. Add a branch that leads "
                "to an end step (a step without `next`)."))


RULE = Rule("dead-end", "error", 3, "the step reaches no step without `next`", check)
