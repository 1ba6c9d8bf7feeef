"""The step graph of a workflow: edges, rework edges, orders and reachability.

Steps are numbered by file order; reachability sets are Python integers used
as bitsets (bit i = step i), which keeps 10,000-step workflows fast.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from procmap.format.model import Workflow

if TYPE_CHECKING:
    from procmap.analysis.metrics import Simulated


def strong_components(n: int, succ: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """The strongly connected components, each after every one it leads to
    (Tarjan's order: sinks first), and each node's component. Plain lists:
    a networkx graph for this alone took half the time of building a Flow."""
    index, low = [-1] * n, [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    component = [0] * n
    counter = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            if i < len(succ[v]):
                work[-1] = (v, i + 1)
                w = succ[v][i]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component[w] = len(components)
                    members.append(w)
                    if w == v:
                        break
                components.append(members)
    return components, component


def _rework(succ: list[list[int]], component: list[int]) -> set[tuple[int, int]]:
    """Edges u -> v on a cycle where v stands before u in the file (or v is u)."""
    return {(u, v) for u, targets in enumerate(succ) for v in targets
            if v <= u and component[u] == component[v]}


def _union(bitsets: Iterable[int]) -> int:
    out = 0
    for bits in bitsets:
        out |= bits
    return out


def _adjacency(workflow: Workflow) -> tuple[dict[str, int], list[list[int]]]:
    index = {sid: i for i, sid in enumerate(workflow.steps)}
    # Each successor once, in the order written; links to unknown steps
    # (a half-written workflow) are left out.
    succ = [list(dict.fromkeys(index[b.to] for b in step.next if b.to in index))
            for step in workflow.steps.values()]
    return index, succ


def endless_loops(workflow: Workflow) -> list[tuple[tuple[str, str], list[str]]]:
    """Loops that no decision branch leads out of, each at its first rework edge.

    A case leaves a loop with probability 1 when its strongly connected
    component has a decision branch with p > 0 to a step outside it (1.1).
    A loop that nothing at all leaves, and whose every way back is a decision
    branch with p < 1, was valid in 1.0 and stays so: it is the `dead-end`
    finding (a half-written workflow can still be drawn).
    """
    index, succ = _adjacency(workflow)
    ids = list(index)
    components, component = strong_components(len(ids), succ)
    rework_of: dict[int, list[tuple[int, int]]] = {}
    for u, v in sorted(_rework(succ, component)):
        rework_of.setdefault(component[u], []).append((u, v))
    out = []
    for members in sorted(components, key=min):  # in file order
        c = component[members[0]]
        if len(members) == 1 and not any(m in succ[m] for m in members):
            continue
        leaves = any(b.p for m in members for b in workflow.steps[ids[m]].next
                     if component[index[b.to]] != c)
        inner = rework_of[c]
        dead_end = not any(component[v] != c for m in members for v in succ[m]) and all(
            (b.p or 1) < 1 for u, v in inner for b in workflow.steps[ids[u]].next
            if b.to == ids[v])
        if not leaves and not dead_end:
            first = inner[0]
            out.append(((ids[first[0]], ids[first[1]]), [ids[m] for m in sorted(members)]))
    return sorted(out, key=lambda item: (index[item[0][0]], index[item[0][1]]))


class Flow:
    """Read-only graph views of one workflow, computed on first use.

    `seed` fixes the simulated cases, so that every figure drawn from them
    (lead time, and visits where there is parallel work) comes from one run.
    """

    def __init__(self, workflow: Workflow, seed: int = 0,
                 simulated: Simulated | None = None) -> None:
        """`simulated`: the cases of `seed` already simulated, on a workflow
        of the same steps, in the same order, with the same links and times."""
        self.workflow = workflow
        self.seed = seed
        if simulated is not None:
            self.__dict__["simulation"] = simulated  # what the cached property would make
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
        self._components, self._component = strong_components(self.n, self.succ)
        self.rework = _rework(self.succ, self._component)
        self.fsucc = [[v for v in self.succ[u] if (u, v) not in self.rework]
                      for u in range(self.n)]
        self.fpred = [[u for u in self.pred[v] if (u, v) not in self.rework]
                      for v in range(self.n)]
        self.start = self.index[workflow.start]

    def component_of(self, i: int) -> int:
        return self._component[i]

    @cached_property
    def graph(self) -> Any:
        """The steps and links as a networkx DiGraph."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(self.n))
        g.add_edges_from((u, v) for u in range(self.n) for v in self.succ[u])
        return g

    @cached_property
    def components_in_order(self) -> list[list[int]]:
        """The strongly connected components (members ascending), sources first."""
        import networkx as nx

        cond = nx.condensation(self.graph)
        return [sorted(cond.nodes[c]["members"]) for c in nx.topological_sort(cond)]

    @cached_property
    def dominates(self) -> Dominance:
        """Whether every path from the start to one step passes through another."""
        return Dominance(self)

    @cached_property
    def simulation(self) -> Simulated:
        from procmap.analysis.simulate import simulate

        return simulate(self, self.seed)

    @cached_property
    def visits(self) -> list[float]:
        """Expected runs per case of each step (format 1.1)."""
        from procmap.analysis.visits import chain_visits, has_parallel_work

        if has_parallel_work(self):
            return list(self.simulation.visits)
        return chain_visits(self)

    def both_run(self, a: int, b: int) -> bool:
        """Whether steps a and b can both run in one case (workflow-format.md 1.1)."""
        if a == b or (self.reach[a] >> b) & 1 or (self.reach[b] >> a) & 1:
            return True
        for own in self.parallel_branches:
            to_a = {k for k, bits in enumerate(own) if (bits >> a) & 1}
            to_b = {k for k, bits in enumerate(own) if (bits >> b) & 1}
            if to_a and to_b and len(to_a | to_b) > 1:
                return True
        return False

    @cached_property
    def parallel_branches(self) -> list[list[int]]:
        """For each parallel split, the steps each branch reaches on its own.

        Past the point where the branches join, a step runs once per wave, so
        two alternatives there stay exclusive: only a step on one branch
        before the join runs beside a step on another (bitsets)."""
        out = []
        for u in range(self.n):
            succ = self.succ[u]
            if len(succ) < 2 or self.steps[u].is_decision:
                continue
            spans = [(1 << v) | self.desc[v] for v in succ]
            out.append([span & ~_union(spans[:k] + spans[k + 1:])
                        for k, span in enumerate(spans)])
        return out

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
        component = self._component
        comp_bits = [0] * len(self._components)
        comp_reach = [0] * len(self._components)
        for members in self._components:  # sinks first
            c = component[members[0]]
            comp_bits[c] = sum(1 << m for m in members)
            bits = 0
            for d in {component[v] for m in members for v in self.succ[m]} - {c}:
                bits |= comp_reach[d] | comp_bits[d]
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


def dominates(flow: Flow, a: int, b: int) -> bool:
    """Every path from the start to `b` passes through `a`."""
    if a == flow.start:
        return True
    seen = {flow.start}
    stack = [flow.start]
    while stack:
        u = stack.pop()
        for v in flow.succ[u]:
            if v == b:
                return False
            if v != a and v not in seen:
                seen.add(v)
                stack.append(v)
    return True


class Dominance:
    """`dominates` for many pairs of one graph: one dominator tree from the
    start instead of one search per pair (`Flow.dominates`)."""

    def __init__(self, flow: Flow) -> None:
        idom = immediate_dominators(flow.succ, flow.pred, flow.start)
        children: dict[int, list[int]] = {}
        for v, d in idom.items():
            if v != d:
                children.setdefault(d, []).append(v)
        # Entry and exit times of a walk of the tree: a dominates b when b's
        # interval lies in a's.
        self.enter: dict[int, int] = {}
        self.leave: dict[int, int] = {}
        clock, stack = 0, [(flow.start, False)]
        while stack:
            v, done = stack.pop()
            clock += 1
            if done:
                self.leave[v] = clock
                continue
            self.enter[v] = clock
            stack.append((v, True))
            stack.extend((c, False) for c in children.get(v, ()))
        self.flow = flow

    def __call__(self, a: int, b: int) -> bool:
        flow = self.flow
        if a == flow.start or b not in self.enter:
            return True  # b unreachable: no path to it misses a
        if b == flow.start or a not in self.enter or a == b:
            return dominates(flow, a, b)  # the start's own loop, or no path through a
        return self.enter[a] <= self.enter[b] and self.leave[b] <= self.leave[a]


def immediate_dominators(succ: list[list[int]], pred: list[list[int]], start: int
                         ) -> dict[int, int]:
    """Each node the start reaches, with its immediate dominator (the start
    its own): Cooper, Harvey and Kennedy's iteration over the reverse
    postorder, as networkx computes it, on plain lists."""
    postorder: list[int] = []
    seen = {start}
    work = [(start, 0)]
    while work:
        v, i = work[-1]
        if i < len(succ[v]):
            work[-1] = (v, i + 1)
            w = succ[v][i]
            if w not in seen:
                seen.add(w)
                work.append((w, 0))
            continue
        work.pop()
        postorder.append(v)
    rank = {v: i for i, v in enumerate(postorder)}
    idom = {start: start}

    def meet(a: int, b: int) -> int:
        while a != b:
            while rank[a] < rank[b]:
                a = idom[a]
            while rank[b] < rank[a]:
                b = idom[b]
        return a

    changed = True
    while changed:
        changed = False
        for v in reversed(postorder[:-1]):  # the start is last
            new = None
            for u in pred[v]:
                if u in idom:
                    new = u if new is None else meet(u, new)
            if new is not None and idom.get(v) != new:
                idom[v] = new
                changed = True
    return idom
