"""Edge labels placed beside their own edge, clear of what is drawn."""

from __future__ import annotations

from procmap.render.labels import Box, place


def edge(gvid: int, points: list[list[float]], label_at: tuple[float, float] | None = None,
         penwidth: str = "2") -> dict[str, object]:
    """An edge as Graphviz's JSON gives it; with a label 40 x 12 pt (10 pt text)
    centred at `label_at`."""
    e: dict[str, object] = {"_gvid": gvid, "penwidth": penwidth,
                            "_draw_": [{"op": "b", "points": points}]}
    if label_at is not None:
        x, y = label_at
        e["xlp"] = f"{x},{y}"
        e["_ldraw_"] = [{"op": "F", "size": 10.0, "face": "Helvetica"},
                        {"op": "T", "pt": [x, y - 3], "align": "c", "width": 40.0, "text": "x"}]
    return e


def test_a_label_on_its_edge_goes_above_it_mid_way() -> None:
    # Graphviz put the label across its own edge, a horizontal line at y = 100.
    graph = {"bb": "0,0,400,200", "objects": [],
             "edges": [edge(0, [[0, 100], [200, 100]], label_at=(100, 100))]}
    # Half the label (6) + the gap (3) + half the line (1) above the line.
    assert place(graph) == {0: (100.0, 110.0)}


def test_a_label_goes_below_its_edge_when_another_edge_runs_above() -> None:
    graph = {"bb": "0,0,400,200", "objects": [],
             "edges": [edge(0, [[0, 100], [200, 100]], label_at=(100, 100)),
                       edge(1, [[0, 113], [400, 113]])]}
    assert place(graph) == {0: (100.0, 90.0)}


def test_a_step_beside_the_edge_sends_the_label_along_it() -> None:
    # A step (80 x 36 pt, x 60 to 140) sits just above the middle of the
    # edge and one below it: at 0.3 (x 40 to 80) and 0.7 of the way the
    # label would still touch them; at 0.15 (x 10 to 50) it is clear.
    steps = [{"name": "s0", "pos": "100,125", "width": "1.1111", "height": "0.5"},
             {"name": "s1", "pos": "100,75", "width": "1.1111", "height": "0.5"}]
    graph = {"bb": "0,0,400,200", "objects": steps,
             "edges": [edge(0, [[0, 100], [200, 100]], label_at=(100, 100))]}
    assert place(graph) == {0: (30.0, 110.0)}


def test_a_label_with_no_room_keeps_graphviz_place() -> None:
    # The drawing is no taller than the label: nowhere beside the edge fits.
    graph = {"bb": "0,95,200,105", "objects": [],
             "edges": [edge(0, [[0, 100], [200, 100]], label_at=(100, 100))]}
    assert place(graph) == {}


def test_a_box_is_crossed_by_a_diagonal_through_it_only() -> None:
    box = Box(10, 10, 20, 20)
    assert box.crosses((0, 0), (30, 30))
    assert not box.crosses((0, 12), (8, 30))  # passes by its top-left corner
    assert not box.crosses((25, 0), (25, 30))
