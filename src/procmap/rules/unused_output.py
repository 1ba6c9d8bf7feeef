"""unused-output: a step makes something nobody after it reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from procmap.graph import Flow
from procmap.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    promised = {a.id for a in flow.workflow.outputs}
    readers: defaultdict[str, int] = defaultdict(int)
    for i, s in enumerate(flow.steps):
        for artifact in s.inputs:
            readers[artifact] |= 1 << i
    for i, s in enumerate(flow.steps):
        for artifact in dict.fromkeys(s.outputs):
            if artifact in promised or flow.reach[i] & readers[artifact]:
                continue
            yield RULE.at(flow, i, [i], (
                f"'{s.id}' outputs '{artifact}' but no later step reads it and the "
                "process does not deliver it: work nobody uses is waste. Stop producing "
                "it, or add it to the `inputs` of the step that needs it."))


RULE = Rule("unused-output", "warning", 2,
            "an output is read by no step it reaches and is no process output", check)
