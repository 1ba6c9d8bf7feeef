"""unused-waiver: a `waive` entry that waives nothing.

**Fires when** a step's `waive` (or the workflow's) names a rule that finds nothing there, as
ruff's RUF100 reports a `noqa` that suppresses nothing. Rules set to `off` in the config are
passed over: whether their waivers are used cannot be told.

**Why it matters:** A stale waiver hides the finding should it come back, and it claims a
person accepted something that is no longer there.

**What to do:** Delete the waiver.

Fires:

```yaml
steps:
  a: {title: Review, team: ops, next: b, waive: {nva-step: "kept - Ann Lee"}}
  b: {title: Close, team: ops}
```

Does not fire:

```yaml
steps:
  a: {title: Review, team: ops, next: b, value: nva, waive: {nva-step: "kept - Ann Lee"}}
  b: {title: Close, team: ops}
```
"""

# It needs every other rule's findings, so analyze.py runs it last and passes
# them in; on its own, `check` finds nothing.

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    return iter(())


def check_after(flow: Flow, findings: Iterable[Finding],
                active: Collection[str]) -> Iterator[Finding]:
    """Findings for waivers of `active` rules that waived no finding."""
    used = {(f.step, f.rule) for f in findings if f.level == "waived"}
    for i, s in enumerate(flow.steps):
        for rule in s.waive:
            if rule in active and rule != RULE.id and (s.id, rule) not in used:
                yield RULE.at(flow, i, [i], (
                    f"'{s.id}' waives {rule}, which finds nothing here: delete the waiver, "
                    "or it will hide the finding should it come back."))
    workflow = flow.workflow
    for rule, pos in workflow.waive_at.items():
        if rule in active and rule != RULE.id and (None, rule) not in used:
            yield Finding(RULE.id, RULE.level, RULE.algorithm, None, (), (
                f"the workflow waives {rule}, which finds nothing here: delete the waiver, "
                "or it will hide the finding should it come back."), pos)


RULE = Rule("unused-waiver", "warning", 1, "a waive entry waives no finding", check)
