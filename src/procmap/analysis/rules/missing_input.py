"""missing-input: a step reads something that nothing before it makes.

**Fires when** a step reads an artifact that no step before it (one that reaches it) outputs
and that is not in the workflow's `inputs`. One finding per artifact.

**Why it matters:** Work that waits for something nobody makes either stalls or depends on a
side channel the map does not show.

**What to do:** Add the step that makes it, or list the artifact in the workflow's `inputs`
if it comes from outside the process (a customer's request, a partner's documents).

Fires:

```yaml
steps:
  a: {title: Review the contract, team: legal, inputs: [contract]}
```

Does not fire:

```yaml
steps:
  a: {title: Draft the contract, team: legal, outputs: [contract], next: b}
  b: {title: Review the contract, team: legal, inputs: [contract]}
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from procmap.analysis.graph import Flow, bits_to_list
from procmap.analysis.rules.base import Finding, Rule


def missing(flow: Flow) -> Iterator[tuple[int, str]]:
    """(step, artifact) for each input that no step reaching the step outputs."""
    given = {a.id for a in flow.workflow.inputs}
    producers: defaultdict[str, int] = defaultdict(int)
    for i, s in enumerate(flow.steps):
        for artifact in s.outputs:
            producers[artifact] |= 1 << i
    for i, s in enumerate(flow.steps):
        for artifact in dict.fromkeys(s.inputs):
            if artifact in given:
                continue
            before = producers[artifact] & ~(1 << i)
            if not any((flow.reach[j] >> i) & 1 for j in bits_to_list(before)):
                yield i, artifact


def check(flow: Flow) -> Iterator[Finding]:
    for i, artifact in missing(flow):
        s = flow.steps[i]
        yield RULE.at(flow, i, [i], (
            f"'{s.id}' reads '{artifact}', but no step before it outputs it and the "
            "workflow does not list it in `inputs`: where does it come from? Add the step "
            "that makes it, or list it in the workflow's `inputs` if it comes from "
            "outside the process."))


RULE = Rule("missing-input", "warning", 1,
            "a step reads an artifact that no step before it outputs and that is not in "
            "the workflow's `inputs`", check)
