"""overloaded-team: a team's share of the volume is more than its people can carry.

**Fires when** a team with `staff` has a load above 0.85: its hands-on hours per volume
period (volume times runs per case times touch, over its steps) divided by what its people can give
(`staff` times `hours_per_week`, scaled to the period: a day is a fifth of a week, a month 52/12
weeks, a year 52 weeks). Attached to the team's first step; names all its steps.

**Why it matters:** Above about 85% utilisation, queues grow without bound as the work
varies: waits, not touch time, decide the lead time.

**What to do:** Delete and shorten the team's steps first (Algorithm steps 2 and 3), then
add people or move work.

Fires:

```yaml
procmap: 1
id: doc
title: Doc example
volume: 100/week
teams:
  ops: {name: Operations, staff: 1}
steps:
  a: {title: Set up the account, team: ops, touch: 30m}
```

Does not fire:

```yaml
procmap: 1
id: doc
title: Doc example
volume: 100/week
teams:
  ops: {name: Operations, staff: 2}
steps:
  a: {title: Set up the account, team: ops, touch: 30m}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.metrics import team_load, touch_per_team
from procmap.analysis.rules.base import Finding, Rule

# Above this utilisation queues grow without bound as volume varies
# (Kingman): the usual ceiling a capacity plan leaves for variation.
MAX_UTILISATION = 0.85


def check(flow: Flow) -> Iterator[Finding]:
    workflow = flow.workflow
    for tid, load in team_load(workflow, touch_per_team(flow)).items():
        if load.utilisation is None or load.utilisation <= MAX_UTILISATION:
            continue
        steps = [s.index for s in flow.steps if s.team == tid]
        team = workflow.teams[tid]
        volume = workflow.volume
        assert volume is not None and team.staff is not None  # utilisation needs both
        yield RULE.at(flow, steps[0], steps, (
            f"team '{tid}' needs {load.hours_per_period:.1f} hands-on hours per "
            f"{volume.period} for {volume.count:g} cases, {load.utilisation:.0%} of what "
            f"{team.staff:g} people at {workflow.hours_per_week:g} h a week can give "
            f"(above {MAX_UTILISATION:.0%}, queues grow): delete or shorten its steps "
            "first, then add people or move work."))


RULE = Rule("overloaded-team", "warning", 4,
            f"a team with `staff` has a load above {MAX_UTILISATION}", check)
