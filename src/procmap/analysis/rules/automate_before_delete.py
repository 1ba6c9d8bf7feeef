"""automate-before-delete: automation planned for a step that should not exist.

**Fires when** a step with `automated: true` or `planned` also has an active (not waived,
not off) finding of a step-2 rule attached to it.

**Why it matters:** Automating waste makes it faster, not gone.

**What to do:** Delete or fix the step first, then automate what is left.

Fires:

```yaml
steps:
  a: {title: Double-check refund, team: fin, kind: check, value: nva, automated: planned}
```

Does not fire:

```yaml
steps:
  a: {title: Issue refund, team: fin, automated: planned}
```
"""

# It needs the other rules' findings, so analysis.py runs it last and passes
# them in; on its own, `check` finds nothing.

from __future__ import annotations

from collections.abc import Iterable, Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    return iter(())


def check_after(flow: Flow, findings: Iterable[Finding]) -> Iterator[Finding]:
    """Findings for automated steps that carry an active finding of a step-2 rule."""
    deletable: dict[str, list[str]] = {}
    for f in findings:
        if f.algorithm == 2 and f.step is not None and f.level not in ("waived", "off"):
            deletable.setdefault(f.step, []).append(f.rule)
    for i, s in enumerate(flow.steps):
        if s.automated is False or s.id not in deletable:
            continue
        rules = ", ".join(dict.fromkeys(deletable[s.id]))
        state = "planned for automation" if s.automated == "planned" else "automated"
        yield RULE.at(flow, i, [i], (
            f"'{s.id}' is {state} but should probably not exist ({rules}): automating "
            "waste makes it faster, not gone. Delete or fix the step first, then "
            "automate what is left."))


RULE = Rule("automate-before-delete", "error", 5,
            "an automated or planned step also has a finding of a step-2 rule", check)
