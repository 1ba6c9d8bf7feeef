"""Edge labels placed where nothing else is drawn.

Graphviz places an edge's xlabel clear of nodes but not of edges: in
executive-escalation "rework · more data needed · 25%" sat across a thick
edge. Once Graphviz has routed the edges, each label is moved beside its
own edge, at the first spot along it (from the source: a branch's label
reads where the branch starts) where its box meets no step, no edge, no
arrowhead and no label placed before it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Point = tuple[float, float]
# Graphviz's JSON output (-Tjson), read as it comes.
Json = Any
GAP = 3.0  # points between a label and its edge
CELL = 200.0  # points: the side of a cell of the index of what is drawn
# Along each segment of an edge, in the order tried.
FRACTIONS = (0.5, 0.3, 0.7, 0.15, 0.85)
# Further from the edge, in label heights, when every spot beside it is taken.
DISTANCES = (0.0, 1.0, 2.0)


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, other: Box) -> bool:
        return (self.x0 < other.x1 and other.x0 < self.x1
                and self.y0 < other.y1 and other.y0 < self.y1)

    def crosses(self, a: Point, b: Point) -> bool:
        """Whether the segment a-b passes through the box (Liang-Barsky clipping)."""
        (x, y), dx, dy = a, b[0] - a[0], b[1] - a[1]
        low, high = 0.0, 1.0
        for p, q in ((-dx, x - self.x0), (dx, self.x1 - x), (-dy, y - self.y0), (dy, self.y1 - y)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True

    def grown(self, by: float) -> Box:
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)


class Drawn:
    """What is drawn so far, indexed by cells of the plane."""

    def __init__(self) -> None:
        self.boxes: dict[tuple[int, int], list[Box]] = defaultdict(list)
        # Each segment with half its line's width.
        self.segments: dict[tuple[int, int], list[tuple[Point, Point, float]]] = defaultdict(list)

    def add_box(self, box: Box) -> None:
        for cell in _cells(box):
            self.boxes[cell].append(box)

    def add_segment(self, a: Point, b: Point, half: float) -> None:
        for cell in _cells(Box(min(a[0], b[0]) - half, min(a[1], b[1]) - half,
                               max(a[0], b[0]) + half, max(a[1], b[1]) + half)):
            self.segments[cell].append((a, b, half))

    def free(self, box: Box) -> bool:
        for cell in _cells(box):
            if any(box.meets(other) for other in self.boxes.get(cell, ())):
                return False
            if any(box.grown(half).crosses(a, b) for a, b, half in self.segments.get(cell, ())):
                return False
        return True


def _cells(box: Box) -> Iterator[tuple[int, int]]:
    for i in range(int(box.x0 // CELL), int(box.x1 // CELL) + 1):
        for j in range(int(box.y0 // CELL), int(box.y1 // CELL) + 1):
            yield i, j


def _points(ops: list[Json], kinds: str) -> Iterator[list[Point]]:
    for op in ops:
        if op["op"] in kinds:
            yield [(float(x), float(y)) for x, y in op["points"]]


def _text_box(ops: list[Json]) -> Box | None:
    """The box around the lines of a label, as Graphviz drew them."""
    size, boxes = 14.0, []
    for op in ops:
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T":
            (x, y), width = op["pt"], float(op["width"])
            left = {"l": x, "c": x - width / 2, "r": x - width}[op["align"]]
            boxes.append(Box(left, y - 0.3 * size, left + width, y + 0.9 * size))
    if not boxes:
        return None
    return Box(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
               max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def _candidates(path: list[Point], box: Box, half: float) -> Iterator[tuple[float, float]]:
    """Where the label's centre may go: beside each segment of the path (of a
    line `half` its width thick), on either side, nearest first."""
    w, h = box.x1 - box.x0 + 2 * (GAP + half), box.y1 - box.y0 + 2 * (GAP + half)
    segments = [(a, b) for a, b in itertools.pairwise(path) if a != b]
    for distance in DISTANCES:
        for a, b in segments:
            for t in FRACTIONS:
                x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
                off_x, off_y = w / 2 + distance * h, h / 2 + distance * h
                if abs(b[0] - a[0]) >= abs(b[1] - a[1]):  # along: above, then below
                    yield x, y + off_y
                    yield x, y - off_y
                else:  # up or down: right, then left
                    yield x + off_x, y
                    yield x - off_x, y


def place(graph: Json) -> dict[int, Point]:
    """New positions (xlp) of the edge labels of a graph laid out by Graphviz
    (its JSON output), by the edge's _gvid; a label that finds no free spot
    keeps Graphviz's."""
    drawn = Drawn()
    for node in graph.get("objects", ()):
        if "invis" in node.get("style", "") or "pos" not in node:
            continue
        x, y = (float(v) for v in node["pos"].split(","))
        w, h = float(node["width"]) * 36, float(node["height"]) * 36  # half, in points
        drawn.add_box(Box(x - w, y - h, x + w, y + h))
    edges = list(graph.get("edges", ()))
    paths: dict[int, list[Point]] = {}
    halves: dict[int, float] = {}
    for e in edges:
        path = [p for points in _points(e.get("_draw_", ()), "bB") for p in points]
        paths[e["_gvid"]] = path
        halves[e["_gvid"]] = half = float(e.get("penwidth", 1)) / 2
        for a, b in itertools.pairwise(path):
            drawn.add_segment(a, b, half)
        for key in ("_hdraw_", "_tdraw_"):
            for points in _points(e.get(key, ()), "pP"):
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                drawn.add_box(Box(min(xs), min(ys), max(xs), max(ys)))
    if "bb" not in graph:
        return {}  # nothing was drawn
    left, bottom, right, top = (float(v) for v in str(graph["bb"]).split(","))
    placed: dict[int, Point] = {}
    for e in edges:
        box = _text_box(e.get("_ldraw_", ())) if "xlp" in e else None
        if box is None:
            continue
        x, y = (float(v) for v in e["xlp"].split(","))
        relative = box.moved(-x, -y)  # the label's box around its centre
        for cx, cy in _candidates(paths[e["_gvid"]], relative, halves[e["_gvid"]]):
            spot = relative.moved(cx, cy)
            if (left <= spot.x0 and spot.x1 <= right and bottom <= spot.y0 and spot.y1 <= top
                    and drawn.free(spot.grown(1))):
                placed[e["_gvid"]] = (cx, cy)
                drawn.add_box(spot)
                break
        else:
            drawn.add_box(box)  # Graphviz's spot stays: keep others off it
    return placed
