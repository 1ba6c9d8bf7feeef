"""The metrics of analysis.md: handoffs, ping-pong, rework, lead time, PCE."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from procmap.analysis.graph import Flow
from procmap.analysis.visits import share
from procmap.format.model import Workflow

# Weeks of work in each volume period, to scale `hours_per_week` to the
# period of `volume`: a day is a working day, a fifth of a week.
WEEKS_PER_PERIOD = {"day": 1 / 5, "week": 1.0, "month": 52 / 12, "year": 52.0}

# Durations are sums of floats; paths equal to within this are ties.
TIE_HOURS = 1e-9


@dataclass(frozen=True, slots=True)
class Simulated:
    mean_h: float
    p50_h: float
    p90_h: float
    cases: int
    seed: int
    truncated: bool = False  # overlapping loops hit the simulation's repeat budget
    visits: tuple[float, ...] = ()  # runs per case of each step, in file order


@dataclass(frozen=True, slots=True)
class TeamLoad:
    """A team's hands-on work per case, and per volume period against its staff."""

    touch_h_per_case: float
    hours_per_period: float | None  # None without `volume`
    utilisation: float | None  # None without `volume` or `staff`

    def as_json(self) -> dict[str, object]:
        return {"touch_h_per_case": round(self.touch_h_per_case, 2),
                "hours_per_period": _round(self.hours_per_period, 2),
                "utilisation": _round(self.utilisation, 4)}


def percent(x: float | None) -> str:
    """A share as people read it; "n/a" where it cannot be computed (never 0.0%)."""
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.1%}"


def _round(x: float | None, digits: int) -> float | None:
    """Rounded for JSON; None for what cannot be computed (JSON has no infinity)."""
    return None if x is None or not math.isfinite(x) else round(x, digits)


@dataclass(frozen=True, slots=True)
class Metrics:
    steps: int
    teams: int
    handoffs: int
    ping_pong: int
    rework_edges: int
    lead_time_h: float
    touch_time_h: float
    pce: float | None  # None when there is no lead time to divide by
    critical_path: tuple[str, ...]
    simulated: Simulated | None
    visits: Mapping[str, float]  # runs per case
    expected_handoffs: float  # handoffs per case
    expected_touch_h: float  # the company's hands-on hours per case
    load: Mapping[str, TeamLoad]

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "steps": self.steps,
            "teams": self.teams,
            "handoffs": self.handoffs,
            "ping_pong": self.ping_pong,
            "rework_edges": self.rework_edges,
            "lead_time_h": round(self.lead_time_h, 2),
            "touch_time_h": round(self.touch_time_h, 2),
            "pce": _round(self.pce, 4),
            "critical_path": list(self.critical_path),
        }
        if self.simulated is not None:
            out["simulated"] = {"mean_h": round(self.simulated.mean_h, 2),
                                "p50_h": round(self.simulated.p50_h, 2),
                                "p90_h": round(self.simulated.p90_h, 2),
                                "cases": self.simulated.cases,
                                "seed": self.simulated.seed,
                                "truncated": self.simulated.truncated}
        out["visits"] = {sid: _round(x, 2) for sid, x in self.visits.items()}
        out["expected_handoffs"] = _round(self.expected_handoffs, 2)
        out["expected_touch_h"] = _round(self.expected_touch_h, 2)
        out["load"] = {team: load.as_json() for team, load in self.load.items()}
        return out


def critical_path(flow: Flow) -> tuple[float, list[int]]:
    """Lead time in hours and the longest path from the start to an end.

    Every branch counts as taken and rework edges are left out. Among paths
    of equal length the one first in file order wins. When the start reaches
    no end (a broken half-written workflow), the longest path anywhere is used.
    """
    weight = [s.hours for s in flow.steps]
    ends = set(flow.ends)
    best: list[float | None] = [None] * flow.n
    nxt: list[int] = [-1] * flow.n
    for relaxed in (False, True):
        for u in reversed(flow.topo):
            if u in ends:
                best[u] = weight[u]
                continue
            options = [(best[v], v) for v in flow.fsucc[u] if best[v] is not None]
            if not options:
                best[u] = weight[u] if relaxed else None
                continue
            top = max(b for b, _ in options)  # type: ignore[type-var]
            nxt[u] = min(v for b, v in options if b >= top - TIE_HOURS)  # type: ignore[operator]
            best[u] = weight[u] + top  # type: ignore[operator]
        if best[flow.start] is not None:
            break
    path = [flow.start]
    while nxt[path[-1]] >= 0:
        path.append(nxt[path[-1]])
    return float(best[flow.start] or 0.0), path


def _internal_touch(flow: Flow, i: int) -> float:
    """Hands-on hours of the company in one run of step i (none for external teams)."""
    step = flow.steps[i]
    return 0.0 if flow.workflow.is_external(step.id) else step.touch.mean


def team_load(workflow: Workflow, touch_per_case: Mapping[str, float]) -> dict[str, TeamLoad]:
    out = {}
    volume = workflow.volume
    for tid, team in workflow.teams.items():
        per_case = touch_per_case.get(tid, 0.0)
        per_period = volume.count * per_case if volume else None
        utilisation = None
        if per_period is not None and volume and team.staff:
            capacity = team.staff * workflow.hours_per_week * WEEKS_PER_PERIOD[volume.period]
            utilisation = per_period / capacity
        out[tid] = TeamLoad(per_case, per_period, utilisation)
    return out


def touch_per_team(flow: Flow) -> dict[str, float]:
    """The company's hands-on hours per case, by team (external teams have none)."""
    out: dict[str, float] = {}
    for i, step in enumerate(flow.steps):
        if not flow.workflow.is_external(step.id):
            out[step.team] = out.get(step.team, 0.0) + flow.visits[i] * step.touch.mean
    return out


def measure(flow: Flow, simulated: Simulated | None = None) -> Metrics:
    lead, path = critical_path(flow)
    touch = sum(_internal_touch(flow, i) for i in path)
    visits = flow.visits
    per_team = touch_per_team(flow)
    return Metrics(
        steps=flow.n,
        teams=len(flow.workflow.teams),
        handoffs=sum(1 for u, v in flow.edges() if flow.is_handoff(u, v)),
        ping_pong=len(flow.ping_pong),
        rework_edges=len(flow.rework),
        lead_time_h=lead,
        touch_time_h=touch,
        pce=touch / lead if lead > 0 else None,
        critical_path=tuple(flow.steps[i].id for i in path),
        simulated=simulated,
        visits=MappingProxyType({s.id: visits[s.index] for s in flow.steps}),
        expected_handoffs=math.fsum(visits[u] * share(flow, u, v) for u, v in flow.edges()
                                    if flow.is_handoff(u, v) and visits[u]),
        expected_touch_h=math.fsum(per_team.values()),
        load=MappingProxyType(team_load(flow.workflow, per_team)),
    )
