"""The metrics of analysis.md: handoffs, ping-pong, rework, lead time, PCE."""

from __future__ import annotations

from dataclasses import dataclass

from procmap.analysis.graph import Flow

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


@dataclass(frozen=True, slots=True)
class Metrics:
    steps: int
    teams: int
    handoffs: int
    ping_pong: int
    rework_edges: int
    lead_time_h: float
    touch_time_h: float
    pce: float
    critical_path: tuple[str, ...]
    simulated: Simulated | None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "steps": self.steps,
            "teams": self.teams,
            "handoffs": self.handoffs,
            "ping_pong": self.ping_pong,
            "rework_edges": self.rework_edges,
            "lead_time_h": round(self.lead_time_h, 2),
            "touch_time_h": round(self.touch_time_h, 2),
            "pce": round(self.pce, 4),
            "critical_path": list(self.critical_path),
        }
        if self.simulated is not None:
            out["simulated"] = {"mean_h": round(self.simulated.mean_h, 2),
                                "p50_h": round(self.simulated.p50_h, 2),
                                "p90_h": round(self.simulated.p90_h, 2),
                                "cases": self.simulated.cases,
                                "seed": self.simulated.seed}
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


def measure(flow: Flow, simulated: Simulated | None = None) -> Metrics:
    lead, path = critical_path(flow)
    touch = sum(flow.steps[i].touch.mean for i in path)
    return Metrics(
        steps=flow.n,
        teams=len(flow.workflow.teams),
        handoffs=sum(1 for u, v in flow.edges() if flow.is_handoff(u, v)),
        ping_pong=len(flow.ping_pong),
        rework_edges=len(flow.rework),
        lead_time_h=lead,
        touch_time_h=touch,
        pce=touch / lead if lead > 0 else 0.0,
        critical_path=tuple(flow.steps[i].id for i in path),
        simulated=simulated,
    )
