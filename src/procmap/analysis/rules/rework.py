"""rework: a loop that sends cases back to an earlier step."""

from __future__ import annotations

from collections.abc import Iterator

from procmap.analysis.graph import Flow
from procmap.analysis.rules.base import Finding, Rule


def check(flow: Flow) -> Iterator[Finding]:
    for u, v in sorted(flow.rework):
        p = flow.p.get((u, v)) or 0.0
        repeats = 1 / (1 - p) if p < 1 else float("inf")
        su, sv = flow.steps[u], flow.steps[v]
        yield RULE.at(flow, u, [u, v], (
            f"'{su.id}' sends {p:.0%} of cases back to '{sv.id}' (rework): on average "
            f"the loop runs {repeats:.2f} times, each pass adding its waits. Find why "
            f"cases fail at '{su.id}' and fix it at the source, e.g. a checklist at "
            f"'{sv.id}'."))


RULE = Rule("rework", "warning", 3, "each rework edge", check)
