"""missing-output: the process promises an artifact that no step makes.

**Fires when** an artifact in the process `outputs` is in no step's `outputs` (attached to
the artifact's line).

**Why it matters:** The process promises something no step makes: either the promise or a
step is missing.

**What to do:** Name the producing step's output, or drop the promise.

Fires:

```yaml
outputs: [contract]
steps:
  a: {title: Draft, team: legal, outputs: [draft]}
```

Does not fire:

```yaml
outputs: [contract]
steps:
  a: {title: Draft, team: legal, outputs: [contract]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    made = {a for step in flow.steps for a in step.outputs}
    for artifact in flow.workflow.outputs:
        if artifact.id not in made:
            yield Finding(RULE.id, RULE.level, RULE.algorithm, None, (), (
                f"the process promises '{artifact.id}' but no step outputs it: either the "
                "promise or a step is missing. Name the step that produces it in its "
                "`outputs`, or drop it from the process outputs."), artifact.pos)


RULE = Rule("missing-output", "warning", 1,
            "a process `outputs` artifact is produced by no step", check)
