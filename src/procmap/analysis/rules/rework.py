"""rework: a loop that sends cases back to an earlier step."""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    for u, v in sorted(flow.rework):
        p = flow.p.get((u, v))
        su, sv = flow.steps[u], flow.steps[v]
        share = "every case it gets" if p is None else f"{p:.0%} of cases"
        # The loop's first step runs once per pass: its visits count the passes,
        # through every decision on the loop (1.1), not 1/(1-p) of one edge.
        visits = flow.visits[v]
        runs = (f"'{sv.id}' runs {visits:.2f} times per case" if visits < float("inf")
                else f"the loop through '{sv.id}' never ends")
        yield RULE.at(flow, u, [u, v], (
            f"'{su.id}' sends {share} back to '{sv.id}' (rework): {runs}, each pass "
            f"adding its waits. Find why cases fail at '{su.id}' and fix it at the "
            f"source, e.g. a checklist at '{sv.id}'."))


RULE = Rule("rework", "warning", 3, "each rework edge; the message gives the runs per case "
            "of the loop's first step", check)
