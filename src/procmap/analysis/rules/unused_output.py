"""unused-output: a step makes something nobody after it reads.

**Fires when** an artifact a step outputs is read by no step it reaches (rework edges
included) and is no process output and no record (the workflow's `records`: an audit entry
or a CRM update is written to be kept). One finding per artifact.

**Why it matters:** Work nobody uses is waste.

**What to do:** Stop producing it, or list it in the `inputs` of the step that needs it.

Fires:

```yaml
steps:
  a: {title: Write summary, team: ops, outputs: [summary], next: b}
  b: {title: Close, team: ops}
```

Does not fire:

```yaml
steps:
  a: {title: Write summary, team: ops, outputs: [summary], next: b}
  b: {title: Close, team: ops, inputs: [summary]}
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule
from procmap.analysis.rules.fixes import Proposal, delete_step, proposal


def unused(flow: Flow) -> Iterator[tuple[int, str]]:
    """(step, artifact) for each output that no step it reaches reads."""
    # Process outputs are delivered; records are kept, which is why they are written.
    promised = {a.id for a in (*flow.workflow.outputs, *flow.workflow.records)}
    readers: defaultdict[str, int] = defaultdict(int)
    for i, s in enumerate(flow.steps):
        for artifact in s.inputs:
            readers[artifact] |= 1 << i
    for i, s in enumerate(flow.steps):
        for artifact in dict.fromkeys(s.outputs):
            if artifact not in promised and not flow.reach[i] & readers[artifact]:
                yield i, artifact


def check(flow: Flow) -> Iterator[Finding]:
    for i, artifact in unused(flow):
        s = flow.steps[i]
        yield RULE.at(flow, i, [i], (
            f"'{s.id}' outputs '{artifact}' but no later step reads it and the "
            "process does not deliver it: work nobody uses is waste. Stop producing "
            "it, add it to the `inputs` of the step that needs it, or list it in "
            "`records` if keeping it on record is the point."))


RULE = Rule("unused-output", "warning", 2,
            "an output is read by no step it reaches and is no process output or record",
            check)


def propose(flow: Flow, findings: Sequence[Finding]) -> Iterator[Proposal]:
    unread: defaultdict[str, set[str]] = defaultdict(set)
    for i, artifact in unused(flow):
        unread[flow.steps[i].id].add(artifact)
    for sid in dict.fromkeys(str(f.step) for f in findings):
        s = flow.workflow.steps[sid]
        # An external party's work is theirs to do: we can stop waiting for
        # it, not delete it, and none of its time is ours to save.
        if set(s.outputs) <= unread[sid] and not flow.workflow.teams[s.team].external:
            yield proposal(RULE.id, flow, s, [sid], "review", "delete",
                           f"delete '{s.title}': no later step reads what it makes "
                           f"({', '.join(dict.fromkeys(s.outputs))})", delete_step(sid, flow))


RULE = replace(RULE, propose=propose)
