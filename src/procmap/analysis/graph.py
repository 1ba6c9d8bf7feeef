"""The step graph of a workflow: edges, rework edges, orders and reachability.

Steps are numbered by file order; reachability sets are Python integers used
as bitsets (bit i = step i), which keeps 10,000-step workflows fast.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from procmap.format.model import Workflow


def _edges(workflow: Workflow) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for step in workflow.steps.values():
        for branch in step.next:
            edge = (step.id, branch.to)
            if edge not in seen and branch.to in workflow.steps:
                seen.add(edge)
                out.append(edge)
    return out


def _components(n: int, succ: list[list[int]]) -> tuple[Any, list[set[int]], list[int]]:
    """The graph, its strongly connected components and each node's component."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((u, v) for u in range(n) for v in succ[u])
    components = list(nx.strongly_connected_components(g))
    component = [0] * n
    for c, members in enumerate(components):
        for m in members:
            component[m] = c
    return g, components, component


def _rework(succ: list[list[int]], component: list[int]) -> set[tuple[int, int]]:
    """Edges u -> v on a cycle where v stands before u in the file (or v is u)."""
    return {(u, v) for u, targets in enumerate(succ) for v in targets
            if v <= u and component[u] == component[v]}


def _adjacency(workflow: Workflow) -> tuple[dict[str, int], list[list[int]]]:
    index = {sid: i for i, sid in enumerate(workflow.steps)}
    succ: list[list[int]] = [[] for _ in index]
    for u_id, v_id in _edges(workflow):
        succ[index[u_id]].append(index[v_id])
    return index, succ


def rework_edges(workflow: Workflow) -> list[tuple[str, str]]:
    """Rework edges as (source id, target id), in file order of the source."""
    index, succ = _adjacency(workflow)
    ids = list(index)
    _, _, component = _components(len(ids), succ)
    return [(ids[u], ids[v]) for u, v in sorted(_rework(succ, component))]


class Flow:
    """Read-only graph views of one workflow, computed on first use."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.steps = workflow.step_list
        self.n = len(self.steps)
        self.index, self.succ = _adjacency(workflow)
        self.pred: list[list[int]] = [[] for _ in range(self.n)]
        self.p: dict[tuple[int, int], float | None] = {}
        self.when: dict[tuple[int, int], str | None] = {}
        for u in range(self.n):
            for v in self.succ[u]:
                self.pred[v].append(u)
        for step in self.steps:
            for branch in step.next:
                key = (step.index, self.index[branch.to])
                self.p.setdefault(key, branch.p)
                self.when.setdefault(key, branch.when)
        self._graph, self._components, self._component = _components(self.n, self.succ)
        self.rework = _rework(self.succ, self._component)
        self.fsucc = [[v for v in self.succ[u] if (u, v) not in self.rework]
                      for u in range(self.n)]
        self.fpred = [[u for u in self.pred[v] if (u, v) not in self.rework]
                      for v in range(self.n)]
        self.start = self.index[workflow.start]

    def edges(self) -> list[tuple[int, int]]:
        return [(u, v) for u in range(self.n) for v in self.succ[u]]

    def team(self, i: int) -> str:
        return self.steps[i].team

    def is_handoff(self, u: int, v: int) -> bool:
        return self.steps[u].team != self.steps[v].team

    @cached_property
    def ping_pong(self) -> list[tuple[int, int, int]]:
        """Every (a, b, c) with edges a->b->c, team(a) = team(c) != team(b)."""
        out: list[tuple[int, int, int]] = []
        for b in range(self.n):
            tb = self.steps[b].team
            for a in self.pred[b]:
                ta = self.steps[a].team
                if ta != tb:
                    out.extend((a, b, c) for c in self.succ[b] if self.steps[c].team == ta)
        return out

    @cached_property
    def topo(self) -> list[int]:
        """Topological order of the graph without rework edges, file order on ties."""
        indegree = [len(p) for p in self.fpred]
        ready = [i for i in range(self.n) if indegree[i] == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            u = heapq.heappop(ready)
            order.append(u)
            for v in self.fsucc[u]:
                indegree[v] -= 1
                if indegree[v] == 0:
                    heapq.heappush(ready, v)
        return order

    @cached_property
    def reachable(self) -> set[int]:
        """Steps the start reaches (itself included), rework edges included."""
        seen = {self.start}
        stack = [self.start]
        while stack:
            for v in self.succ[stack.pop()]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        return seen

    @cached_property
    def ends(self) -> list[int]:
        """Steps without `next`."""
        return [s.index for s in self.steps if not self.succ[s.index]]

    @cached_property
    def reaches_end(self) -> set[int]:
        seen = set(self.ends)
        stack = list(seen)
        while stack:
            for u in self.pred[stack.pop()]:
                if u not in seen:
                    seen.add(u)
                    stack.append(u)
        return seen

    @cached_property
    def desc(self) -> list[int]:
        """Strict descendants of each step without rework edges, as bitsets."""
        return _closure(reversed(self.topo), self.fsucc, self.n)

    @cached_property
    def anc(self) -> list[int]:
        """Strict ancestors of each step without rework edges, as bitsets."""
        return _closure(self.topo, self.fpred, self.n)

    @cached_property
    def reach(self) -> list[int]:
        """Steps each step reaches through at least one edge, rework edges included."""
        import networkx as nx

        g, components, component = self._graph, self._components, self._component
        cond = nx.condensation(g, scc=components)
        comp_bits = [sum(1 << m for m in members) for members in components]
        comp_reach = [0] * len(components)
        for c in reversed(list(nx.topological_sort(cond))):
            bits = 0
            for d in cond.successors(c):
                bits |= comp_reach[d] | comp_bits[d]
            members = components[c]
            cyclic = len(members) > 1 or any(m in self.succ[m] for m in members)
            comp_reach[c] = bits | (comp_bits[c] if cyclic else 0)
        return [comp_reach[component[i]] for i in range(self.n)]


def _closure(order: Iterable[int], neighbours: list[list[int]], n: int) -> list[int]:
    """For each node, the nodes reachable through `neighbours`, visited in `order`."""
    out = [0] * n
    for u in order:
        bits = 0
        for v in neighbours[u]:
            bits |= out[v] | (1 << v)
        out[u] = bits
    return out


def bits_to_list(bits: int) -> list[int]:
    """Indices of the set bits, ascending."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out
