"""Edge labels placed beside their own edge, clear of what is drawn."""

from __future__ import annotations

from procmap.render.labels import Box, place, spline

SIZES = {f"edge{k}": (40.0, 12.0) for k in range(1, 4)}  # a label 40 x 12 pt (10 pt text)


def edge(k: int, points: list[tuple[float, float]], label_at: tuple[float, float] | None = None,
         penwidth: str = "2") -> dict[str, object]:
    """The k-th edge (from 1) as Graphviz's JSON gives it, a straight line
    through `points` (no arrowhead); labelled if `label_at` (its centre)."""
    e: dict[str, object] = {"_gvid": k - 1, "id": f"edge{k}", "penwidth": penwidth,
                            "pos": " ".join(f"{x},{y}" for x, y in points)}
    if label_at is not None:
        e["xlp"] = "{},{}".format(*label_at)
    return e


def test_a_label_on_its_edge_goes_above_it_mid_way() -> None:
    # Graphviz put the label across its own edge, a horizontal line at y = 100.
    graph = {"bb": "0,0,400,200", "objects": [],
             "edges": [edge(1, [(0, 100), (200, 100)], label_at=(100, 100))]}
    # Half the label (6) + the gap (3) + half the line (1) above the line.
    assert place(graph, SIZES) == {"edge1": (100.0, 110.0)}


def test_a_label_goes_below_its_edge_when_another_edge_runs_above() -> None:
    graph = {"bb": "0,0,400,200", "objects": [],
             "edges": [edge(1, [(0, 100), (200, 100)], label_at=(100, 100)),
                       edge(2, [(0, 113), (400, 113)])]}
    assert place(graph, SIZES) == {"edge1": (100.0, 90.0)}


def test_a_step_beside_the_edge_sends_the_label_along_it() -> None:
    # A step (80 x 36 pt, x 60 to 140) sits just above the middle of the
    # edge and one below it: at 0.3 (x 40 to 80) and 0.7 of the way the
    # label would still touch them; at 0.15 (x 10 to 50) it is clear.
    steps = [{"name": "s0", "pos": "100,125", "width": "1.1111", "height": "0.5"},
             {"name": "s1", "pos": "100,75", "width": "1.1111", "height": "0.5"}]
    graph = {"bb": "0,0,400,200", "objects": steps,
             "edges": [edge(1, [(0, 100), (200, 100)], label_at=(100, 100))]}
    assert place(graph, SIZES) == {"edge1": (30.0, 110.0)}


def test_a_label_with_no_room_keeps_graphviz_place() -> None:
    # The drawing is no taller than the label: nowhere beside the edge fits.
    graph = {"bb": "0,95,200,105", "objects": [],
             "edges": [edge(1, [(0, 100), (200, 100)], label_at=(100, 100))]}
    assert place(graph, SIZES) == {}


def test_a_box_is_crossed_by_a_diagonal_through_it_only() -> None:
    box = Box(10, 10, 20, 20)
    assert box.crosses((0, 0), (30, 30))
    assert not box.crosses((0, 12), (8, 30))  # passes by its top-left corner
    assert not box.crosses((25, 0), (25, 30))


def test_an_edge_gives_its_points_and_arrowheads_from_its_pos() -> None:
    # Graphviz writes the tip of the arrowhead first ("e,"): its base is the
    # last point. A second spline of the same edge follows after ";".
    points, heads = spline("e,100,10 0,0 50,0 100,0")
    assert points == [(0, 0), (50, 0), (100, 0)]
    assert heads == [((100.0, 0.0), (100.0, 10.0))]
    points, heads = spline("e,3,3 0,0 1,1;s,10,10 e,30,30 20,20 25,25")
    assert points == [(0, 0), (1, 1), (20, 20), (25, 25)]
    assert heads == [((1.0, 1.0), (3.0, 3.0)), ((20.0, 20.0), (10.0, 10.0)),
                     ((25.0, 25.0), (30.0, 30.0))]


def test_a_label_keeps_off_an_arrowhead() -> None:
    # The label would go above the middle of its edge (y 104 to 116), where
    # the arrowhead of an edge coming down at x 100 is drawn (y 112 to 118);
    # the line itself ends above the label, at y 118.
    graph = {"bb": "0,0,400,200", "objects": [],
             "edges": [edge(1, [(0, 100), (200, 100)], label_at=(100, 100)),
                       {"_gvid": 1, "id": "edge2", "pos": "e,100,112 100,200 100,118"}]}
    assert place(graph, SIZES) == {"edge1": (100.0, 90.0)}


def test_a_label_of_an_edge_without_a_size_stays() -> None:
    graph = {"bb": "0,0,400,200", "objects": [],
             "edges": [edge(3, [(0, 100), (200, 100)], label_at=(100, 100))]}
    assert place(graph, {"edge1": (40.0, 12.0)}) == {}
