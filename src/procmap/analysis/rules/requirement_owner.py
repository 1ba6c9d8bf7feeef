"""requirement-owner: a gate whose requirement has no named person behind it.

**Fires when** an `approval` or `check` step has no `requirement.by`, or its `by` is a
team's id or name. Steps of an `external` team are skipped: an outside party's gates are
theirs to own.

**Why it matters:** A requirement without a named person cannot be questioned, so it never
goes away (Algorithm step 1).

**What to do:** Add `requirement: {why: ..., by: Person Name}`.

Fires:

```yaml
steps:
  a: {title: Approve, team: finance, kind: approval, requirement: {by: Finance}}
```

Does not fire:

```yaml
steps:
  a:
    title: Approve
    team: finance
    kind: approval
    requirement: {why: Audit 2023-14, by: Olivia Grant}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule

GATES = ("approval", "check")


def check(flow: Flow) -> Iterator[Finding]:
    teams = {t.id.casefold() for t in flow.workflow.teams.values()} | {
        t.name.casefold() for t in flow.workflow.teams.values()}
    for i, step in enumerate(flow.steps):
        if step.kind not in GATES or flow.workflow.is_external(step.id):
            continue  # an outside party's own gates are theirs to own
        by = step.requirement.by if step.requirement else None
        if not by or not by.strip():
            yield RULE.at(flow, i, [i], (
                f"the {step.kind} '{step.id}' has no named person requiring it: a "
                "requirement nobody owns cannot be questioned, so it never goes away. "
                "Add `requirement: {why: ..., by: Person Name}`, or delete the step."))
        elif by.strip().casefold() in teams:
            yield RULE.at(flow, i, [i], (
                f"the {step.kind} '{step.id}' is required by '{by}', a team, not a "
                "person: departments cannot be asked why. Name the person who owns the "
                "requirement."))


RULE = Rule("requirement-owner", "warning", 1,
            "an approval or check step has no `requirement.by` naming a person", check)
