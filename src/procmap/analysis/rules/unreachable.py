"""unreachable: the start never leads to the step.

**Fires when** no path from the start (the first step, or `start`) leads to the step.

**Why it matters:** A step nobody can reach is either dead text or a missing link; readers
of the SOP cannot tell which.

**What to do:** Delete the step, or add it to the `next` of the step that should come before
it.

Fires:

```yaml
steps:
  a: {title: Receive, team: ops, next: c}
  b: {title: Old check, team: ops, next: c}   # unreachable
  c: {title: Close, team: ops}
```

Does not fire:

```yaml
steps:
  a: {title: Receive, team: ops, next: c}
  c: {title: Close, team: ops}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    for i, step in enumerate(flow.steps):
        if i not in flow.reachable:
            yield RULE.at(flow, i, [i], (
                f"'{step.id}' can never happen: no path from the start "
                f"'{flow.steps[flow.start].id}' leads to it. Delete it, or add it to the "
                "`next` of the step that should come before it."))


RULE = Rule("unreachable", "error", 2, "the start does not reach the step", check)
