"""Figures across all workflows of a library: one row each, and who hands to whom."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from procmap.analysis.analyze import WorkflowReport
from procmap.analysis.graph import Flow
from procmap.analysis.metrics import Metrics
from procmap.analysis.rules.base import LEVELS
from procmap.format.model import Workflow


@dataclass(frozen=True, slots=True)
class Row:
    report: WorkflowReport
    findings: tuple[int, ...]  # counts per level in LEVELS order

    @property
    def workflow(self) -> Workflow:
        return self.report.workflow

    @property
    def metrics(self) -> Metrics:
        return self.report.metrics


@dataclass(frozen=True, slots=True)
class PingPong:
    teams: tuple[str, str]  # names, in the order of the matrix
    count: int
    workflows: tuple[str, ...]  # titles


@dataclass(frozen=True, slots=True)
class Portfolio:
    rows: tuple[Row, ...]
    teams: tuple[str, ...]  # team names, in order of first appearance
    handoffs: tuple[tuple[int, ...], ...]  # [from][to], across all workflows
    ping_pong: tuple[PingPong, ...]  # worst first

    @property
    def levels(self) -> tuple[str, ...]:
        return LEVELS


def portfolio(reports: list[WorkflowReport], worst: int = 5) -> Portfolio:
    """Teams are matched across workflows by id; the first name seen is shown."""
    reports = sorted(reports, key=lambda r: r.workflow.id)
    names: dict[str, str] = {}
    for r in reports:
        for team in r.workflow.teams.values():
            names.setdefault(team.id, team.name)
    order = {team_id: i for i, team_id in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    pairs: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], list[str]] = {}
    rows = []
    for r in reports:
        flow = Flow(r.workflow)
        for u, v in flow.edges():
            if flow.is_handoff(u, v):
                matrix[order[flow.team(u)]][order[flow.team(v)]] += 1
        for a, b, _ in flow.ping_pong:
            first, second = sorted((flow.team(a), flow.team(b)), key=order.__getitem__)
            pair = (first, second)
            pairs[pair] += 1
            titles = where.setdefault(pair, [])
            if r.workflow.title not in titles:
                titles.append(r.workflow.title)
        counts = Counter(f.level for f in r.findings)
        rows.append(Row(r, tuple(counts[level] for level in LEVELS)))
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], order[kv[0][0]], order[kv[0][1]]))
    return Portfolio(
        tuple(rows), tuple(names.values()), tuple(tuple(row) for row in matrix),
        tuple(PingPong((names[a], names[b]), n, tuple(where[a, b]))
              for (a, b), n in ranked[:worst]))
