"""What lies ahead of a case at a step: remaining time, likely path, next handoff.

Every case at one step of one workflow has the same outlook, so it is
simulated once per (workflow, step) and shared: 100,000 cases over 50
workflows cost a few hundred simulations, not 100,000.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from procmap.analysis.graph import Flow
from procmap.analysis.simulate import simulate
from procmap.format.model import Workflow


@dataclass(frozen=True, slots=True)
class Outlook:
    workflow: str
    step: str
    mean_h: float  # simulated time from entering the step to the end of the case
    p90_h: float
    step_h: float  # the step's own expected wait + touch
    path: tuple[str, ...]  # the likely steps left, this one first
    handoff: tuple[str, str] | None  # the next step on the path owned by another team, its team


class Forecaster:
    """Outlooks of steps, each computed on first use and kept for the run."""

    def __init__(self, workflows: Mapping[str, Workflow], seed: int = 0) -> None:
        self.workflows = workflows
        self.seed = seed
        self._flows: dict[str, tuple[Flow, list[float]]] = {}
        self._outlooks: dict[tuple[str, str], Outlook] = {}

    def outlook(self, workflow: str, step: str) -> Outlook:
        key = (workflow, step)
        found = self._outlooks.get(key)
        if found is None:
            found = self._outlooks[key] = self._compute(workflow, step)
        return found

    def _flow(self, workflow: str) -> tuple[Flow, list[float]]:
        if workflow not in self._flows:
            flow = Flow(self.workflows[workflow], self.seed)
            # Longest expected time to an end without rework: where parallel work
            # goes on, the likely path follows the branch that takes longest.
            rest = [0.0] * flow.n
            for u in reversed(flow.topo):
                rest[u] = flow.steps[u].hours + max((rest[v] for v in flow.fsucc[u]), default=0.0)
            self._flows[workflow] = (flow, rest)
        return self._flows[workflow]

    def _compute(self, workflow: str, step: str) -> Outlook:
        flow, rest = self._flow(workflow)
        u = flow.index[step]
        sim = simulate(flow, self.seed, start=u)
        path = [u]
        while flow.fsucc[path[-1]]:
            here = path[-1]
            after = flow.fsucc[here]
            if flow.steps[here].is_decision:
                # The most likely way on; ties go to the first branch in the file.
                path.append(max(after, key=lambda v: (flow.p.get((here, v)) or 0.0, -v)))
            else:
                path.append(max(after, key=lambda v: (rest[v], -v)))
        team = flow.steps[u].team
        handoff = next(((flow.steps[v].id, flow.steps[v].team) for v in path
                        if flow.steps[v].team != team), None)
        return Outlook(workflow, step, sim.mean_h, sim.p90_h, flow.steps[u].hours,
                       tuple(flow.steps[v].id for v in path), handoff)
