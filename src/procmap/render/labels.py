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
from collections.abc import Iterator, Mapping
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
# Points beside its line that an arrowhead reaches (0.8 of Graphviz's 10 pt
# arrow, 0.35 of its length to either side), rounded up.
ARROW_HALF = 3.5


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


def point(text: str) -> Point:
    x, y = text.split(",")
    return float(x), float(y)


def spline(pos: str) -> tuple[list[Point], list[tuple[Point, Point]]]:
    """An edge's control points, from its `pos` in Graphviz's output, and
    its arrowheads as (base, tip). `pos` is "e,x,y" (an arrowhead's tip,
    its base the last point) and "s,x,y" (the first point's) before the
    points; one such part per spline, separated by ";"."""
    points: list[Point] = []
    heads: list[tuple[Point, Point]] = []
    for part in pos.split(";"):
        tips: list[tuple[str, Point]] = []
        mine: list[Point] = []
        for token in part.split():
            if token[:2] in ("e,", "s,"):
                tips.append((token[0], point(token[2:])))
            else:
                mine.append(point(token))
        if mine:
            heads += [(mine[-1] if kind == "e" else mine[0], tip) for kind, tip in tips]
        points += mine
    return points, heads


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


def place(graph: Json, sizes: Mapping[str, Point]) -> dict[str, Point]:
    """New centres (xlp) of the edge labels of a graph laid out by Graphviz
    (its `-Tjson0` output), by edge id: `sizes` gives each label's width and
    height by the id of its edge. A label that finds no free spot keeps
    Graphviz's place."""
    drawn = Drawn()
    for node in graph.get("objects", ()):
        if "invis" in node.get("style", "") or "pos" not in node:
            continue
        x, y = point(node["pos"])
        w, h = float(node["width"]) * 36, float(node["height"]) * 36  # half, in points
        drawn.add_box(Box(x - w, y - h, x + w, y + h))
    edges = [e for e in graph.get("edges", ()) if "pos" in e]
    paths: dict[int, list[Point]] = {}
    halves: dict[int, float] = {}
    for e in edges:
        path, heads = spline(e["pos"])
        paths[e["_gvid"]] = path
        halves[e["_gvid"]] = half = float(e.get("penwidth", 1)) / 2
        for a, b in itertools.pairwise(path):
            drawn.add_segment(a, b, half)
        for (ax, ay), (bx, by) in heads:
            drawn.add_box(Box(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
                          .grown(half + ARROW_HALF))
    if "bb" not in graph:
        return {}  # nothing was drawn
    left, bottom, right, top = (float(v) for v in str(graph["bb"]).split(","))
    placed: dict[str, Point] = {}
    for e in edges:
        size = sizes.get(e.get("id", ""))
        if size is None or "xlp" not in e:
            continue
        x, y = point(e["xlp"])
        relative = Box(-size[0] / 2, -size[1] / 2, size[0] / 2, size[1] / 2)
        for cx, cy in _candidates(paths[e["_gvid"]], relative, halves[e["_gvid"]]):
            spot = relative.moved(cx, cy)
            if (left <= spot.x0 and spot.x1 <= right and bottom <= spot.y0 and spot.y1 <= top
                    and drawn.free(spot.grown(1))):
                placed[e["id"]] = (cx, cy)
                drawn.add_box(spot)
                break
        else:
            drawn.add_box(relative.moved(x, y))  # Graphviz's spot stays: keep others off it
    return placed
