"""ping-pong: work leaves a team and comes straight back to it."""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


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
