"""Runs per case of each step (`visits`, format 1.1).

Where the workflow has no parallel work, a case is an absorbing Markov
chain: a decision moves on by its `p`, a plain `next` with probability 1.
The expected visits are solved exactly, one strongly connected component at
a time in topological order, so a 10,000-step workflow never builds a
10,000 x 10,000 matrix. With parallel work a join runs once per wave, which
a chain cannot express: those visits come from the simulated cases.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procmap.analysis.graph import Flow


def has_parallel_work(flow: Flow) -> bool:
    """A step that cases reach sends each of them more than one way. A split
    no case reaches changes no runs per case: they stay exact."""
    return any(len(flow.succ[u]) > 1 and not flow.steps[u].is_decision
               for u in flow.reachable)


def share(flow: Flow, u: int, v: int) -> float:
    """The share of the cases leaving u that go on to v (1 for a plain or parallel edge)."""
    p = flow.p[(u, v)]
    return 1.0 if p is None else p


def chain_visits(flow: Flow) -> list[float]:
    """Exact expected runs per case of a workflow without parallel work.

    A loop that no case can leave (the `dead-end` finding) has infinite visits.
    """
    import numpy as np

    visits = [0.0] * flow.n
    inflow = [0.0] * flow.n
    inflow[flow.start] = 1.0
    for members in flow.components_in_order:
        if len(members) == 1 and members[0] not in flow.succ[members[0]]:
            visits[members[0]] = inflow[members[0]]
        else:
            place = {m: k for k, m in enumerate(members)}
            matrix = np.eye(len(members))
            for u in members:
                for v in flow.succ[u]:
                    if v in place:
                        matrix[place[v], place[u]] -= share(flow, u, v)
            rhs = np.array([inflow[m] for m in members])
            try:
                solved = np.linalg.solve(matrix, rhs)
            except np.linalg.LinAlgError:
                solved = np.where(rhs > 0, math.inf, 0.0)
            for m, x in zip(members, solved, strict=True):
                visits[m] = float(x) if x >= 0 else math.inf
        for u in members:
            if visits[u] == 0:
                continue
            for v in flow.succ[u]:
                if flow.component_of(v) != flow.component_of(u):
                    inflow[v] += visits[u] * share(flow, u, v)
    return visits
