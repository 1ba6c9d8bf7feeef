"""The step graph's own algorithms give what networkx gives (it is the reference)."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from procmap.analysis.graph import immediate_dominators, strong_components


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[list[int]], int]:
    """Successor lists of up to 25 nodes, and a start."""
    n = draw(st.integers(1, 25))
    succ = [sorted(draw(st.sets(st.integers(0, n - 1), max_size=3))) for _ in range(n)]
    return succ, draw(st.integers(0, n - 1))


def digraph(succ: list[list[int]]) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(len(succ)))
    g.add_edges_from((u, v) for u, targets in enumerate(succ) for v in targets)
    return g


@settings(max_examples=300)
@given(graphs())
def test_strong_components_are_networkx_s_sinks_first(graph: tuple[list[list[int]], int]
                                                       ) -> None:
    succ, _ = graph
    components, component = strong_components(len(succ), succ)
    assert sorted(map(sorted, components)) == sorted(
        map(sorted, nx.strongly_connected_components(digraph(succ))))
    assert all(component[m] == c for c, members in enumerate(components) for m in members)
    # Each link leads to its own component or to one listed before it.
    assert all(component[v] <= component[u] for u, targets in enumerate(succ) for v in targets)


@settings(max_examples=300)
@given(graphs())
def test_immediate_dominators_are_networkx_s(graph: tuple[list[list[int]], int]) -> None:
    succ, start = graph
    pred: list[list[int]] = [[] for _ in succ]
    for u, targets in enumerate(succ):
        for v in targets:
            pred[v].append(u)
    ours = immediate_dominators(succ, pred, start)
    assert ours.pop(start) == start
    # networkx 3.6 leaves the start out; earlier versions give it as its own.
    theirs = nx.immediate_dominators(digraph(succ), start)
    assert ours == {v: d for v, d in theirs.items() if v != start}


def test_a_diamond_and_a_loop() -> None:
    # 0 -> 1 -> 3, 0 -> 2 -> 3, 3 -> 4 -> 3: 0 dominates 1, 2 and 3; 3 dominates 4.
    succ = [[1, 2], [3], [3], [4], [3]]
    pred = [[], [0], [0], [1, 2, 4], [3]]
    assert immediate_dominators(succ, pred, 0) == {0: 0, 1: 0, 2: 0, 3: 0, 4: 3}
    components, _ = strong_components(5, succ)
    assert components == [[4, 3], [1], [2], [0]]
