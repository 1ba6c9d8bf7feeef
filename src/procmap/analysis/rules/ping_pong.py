"""ping-pong: work leaves a team and comes straight back to it.

**Fires when** for each triple a → b → c (rework edges included, a = c allowed) with team(a)
= team(c) ≠ team(b); attached to b. A triple whose outer team is `external` does not fire
(customer → us → customer is service, not waste); X → customer → X, with X our own team,
does (we asked them and waited).

**Why it matters:** Every handoff adds a queue and a chance to drop the case.

**What to do:** Let X do Y's part, or give Y everything in one handoff.

Fires:

```yaml
steps:
  a: {title: Review, team: billing, next: b}
  b: {title: Ask customer, team: support, next: c}
  c: {title: Decide, team: billing}
```

Does not fire:

```yaml
steps:
  a: {title: Review, team: billing, next: b}
  b: {title: Ask customer, team: billing, next: c}
  c: {title: Decide, team: billing}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule
from procmap.analysis.rules.fixes import Proposal, move_step, proposal


def check(flow: Flow) -> Iterator[Finding]:
    teams = flow.workflow.teams
    for a, b, c in flow.ping_pong:
        sa, sb, sc = flow.steps[a], flow.steps[b], flow.steps[c]
        if teams[sa.team].external:
            continue  # customer -> us -> customer is service, not waste (1.1)
        yield RULE.at(flow, b, [a, b, c], (
            f"work bounces {sa.team} -> {sb.team} -> {sc.team} through '{sb.id}' "
            f"('{sa.id}' -> '{sb.id}' -> '{sc.id}'): every handoff adds a queue and a "
            f"chance to drop the case. Let {sa.team} do '{sb.id}' itself, or give "
            f"{sb.team} everything it needs in one handoff."))


RULE = Rule("ping-pong", "warning", 3,
            "a -> b -> c with team(a) = team(c) != team(b), and that team not external",
            check)


MOVE_MAX_H = 1.0  # a step this small costs less than the queue before it


def propose(flow: Flow, findings: Sequence[Finding]) -> Iterator[Proposal]:
    w = flow.workflow
    systems: dict[str, set[str]] = {}
    for t in w.step_list:
        systems.setdefault(t.team, set()).update(t.systems)
    for f in findings:
        a, b, c = f.steps
        s, team = w.steps[b], w.steps[a].team
        # Who checks or decides is the control (segregation of duties), and
        # an external party's work is theirs: never moved. A long step is a
        # craft of its own team, and a step in systems the other team does
        # not use would need new access and skills first.
        used = systems.get(team, set())
        if (s.kind in ("approval", "check", "decision") or s.is_decision
                or w.teams[s.team].external
                or s.touch.mean > MOVE_MAX_H or not set(s.systems) <= used):
            continue
        yield proposal(RULE.id, flow, s, [a, b, c], "review", "move",
                       f"move '{s.title}' from {w.teams[s.team].name} to "
                       f"{w.teams[team].name}, which does the work before and after it",
                       move_step(b, team))


RULE = replace(RULE, propose=propose)
