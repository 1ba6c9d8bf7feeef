"""The step graph of a workflow: edges, rework edges, orders and reachability.

Steps are numbered by file order; reachability sets are Python integers used
as bitsets (bit i = step i), which keeps 10,000-step workflows fast.
"""

from __future__ import annotations

import heapq
from functools import cached_property

from procmap.model import Workflow


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


def rework_edges(workflow: Workflow) -> list[tuple[str, str]]:
    """Edges u -> v on a cycle where v stands before u in the file (or v is u)."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(workflow.steps)
    g.add_edges_from(_edges(workflow))
    component = {}
    for n, members in enumerate(nx.strongly_connected_components(g)):
        for member in members:
            component[member] = n
    index = {sid: s.index for sid, s in workflow.steps.items()}
    return [(u, v) for u, v in g.edges
            if component[u] == component[v] and index[v] <= index[u]]


class Flow:
    """Read-only graph views of one workflow, computed on first use."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.steps = workflow.step_list
        self.n = len(self.steps)
        self.index = {s.id: s.index for s in self.steps}
        self.succ: list[list[int]] = [[] for _ in range(self.n)]
        self.pred: list[list[int]] = [[] for _ in range(self.n)]
        self.p: dict[tuple[int, int], float | None] = {}
        self.when: dict[tuple[int, int], str | None] = {}
        for u_id, v_id in _edges(workflow):
            u, v = self.index[u_id], self.index[v_id]
            self.succ[u].append(v)
            self.pred[v].append(u)
        for step in self.steps:
            for branch in step.next:
                key = (step.index, self.index[branch.to])
                self.p.setdefault(key, branch.p)
                self.when.setdefault(key, branch.when)
        self.rework = {(self.index[u], self.index[v]) for u, v in rework_edges(workflow)}
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
        out = [0] * self.n
        for u in reversed(self.topo):
            bits = 0
            for v in self.fsucc[u]:
                bits |= out[v] | (1 << v)
            out[u] = bits
        return out

    @cached_property
    def anc(self) -> list[int]:
        """Strict ancestors of each step without rework edges, as bitsets."""
        out = [0] * self.n
        for v in self.topo:
            bits = 0
            for u in self.fpred[v]:
                bits |= out[u] | (1 << u)
            out[v] = bits
        return out

    @cached_property
    def reach(self) -> list[int]:
        """Steps each step reaches through at least one edge, rework edges included."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(self.n))
        g.add_edges_from(self.edges())
        cond = nx.condensation(g)
        members = cond.graph["mapping"]
        comp_bits = {c: sum(1 << m for m in cond.nodes[c]["members"]) for c in cond}
        comp_reach: dict[int, int] = {}
        for c in reversed(list(nx.topological_sort(cond))):
            bits = 0
            for d in cond.successors(c):
                bits |= comp_reach[d] | comp_bits[d]
            cyclic = len(cond.nodes[c]["members"]) > 1 or any(
                g.has_edge(m, m) for m in cond.nodes[c]["members"])
            comp_reach[c] = bits | (comp_bits[c] if cyclic else 0)
        return [comp_reach[members[i]] for i in range(self.n)]


def bits_to_list(bits: int) -> list[int]:
    """Indices of the set bits, ascending."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out
