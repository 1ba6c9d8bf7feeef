"""The drawings as a reader sees them: measured on what Graphviz drew.

Graphviz's JSON output of the same run as the PNG gives every text's size
and width and every shape's outline, in points; the PNG's width in pixels
gives the scale at 100% zoom.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from procmap.analysis.analyze import analyze
from procmap.format.loader import load, loads
from procmap.render.diagram import layout
from procmap.render.dot import to_dot
from procmap.render.formats import drawings, unrouted
from procmap.render.graphviz import draw_all, draw_laid, route
from procmap.render.pages import paginate

EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")

Point = tuple[float, float]
SVG = "{http://www.w3.org/2000/svg}"


def overlap(p: list[Point], q: list[Point]) -> bool:
    """Whether two convex outlines share area (separating axis theorem)."""
    for poly in (p, q):
        for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
            nx, ny = y2 - y1, x1 - x2
            a = [nx * x + ny * y for x, y in p]
            b = [nx * x + ny * y for x, y in q]
            if max(a) <= min(b) or max(b) <= min(a):
                return False
    return True


def outline(ops: list[dict[str, object]]) -> list[Point]:
    """The outline of a step: its polygon, or the box around its rounded corners."""
    for op in ops:
        points = [(float(x), float(y)) for x, y in op.get("points", [])]  # type: ignore[attr-defined]
        if op["op"] in ("p", "P"):
            return points
        if op["op"] in ("e", "E"):  # centre and radii: an outline of 24 points
            cx, cy, rx, ry = (float(v) for v in op["rect"])  # type: ignore[attr-defined]
            return [(cx + rx * math.cos(a * math.pi / 12), cy + ry * math.sin(a * math.pi / 12))
                    for a in range(24)]
        if op["op"] in ("b", "B"):
            xs, ys = [x for x, _ in points], [y for _, y in points]
            return [(min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))]
    raise AssertionError(f"no outline in {ops}")


def texts(ops: list[dict[str, object]]) -> list[tuple[float, list[Point]]]:
    """(font size, box) of each text drawn."""
    size, out = 14.0, []
    for op in ops:
        if op["op"] == "F":
            size = float(op["size"])  # type: ignore[arg-type]
        elif op["op"] == "T":
            (x, y), width = op["pt"], float(op["width"])  # type: ignore[misc, arg-type]
            left = {"l": x, "c": x - width / 2, "r": x - width}[op["align"]]  # type: ignore[index]
            out.append((size, [(left, y - 0.25 * size), (left + width, y - 0.25 * size),
                               (left + width, y + 0.8 * size), (left, y + 0.8 * size)]))
    return out


def generated(n: int = 60) -> str:
    """A workflow of `n` steps over four teams, with a labelled decision every
    five steps and a labelled rework loop every seven: many labels to place."""
    lines = ["procmap: 1", "id: generated", "title: Generated",
             "teams: {a: A, b: B, c: C, d: D}", "steps:"]
    for i in range(n):
        head = f"  s{i}: {{title: Step {i}, team: {'abcd'[i % 4]}, touch: 1h"
        if i + 2 < n and i % 5 == 2:
            nxt = (f"[{{to: s{i + 1}, when: in range, p: 0.7}}, "
                   f"{{to: s{i + 2}, when: out of range, p: 0.3}}]")
        elif i + 1 < n and i % 7 == 6:
            nxt = f"[{{to: s{i + 1}, p: 0.8}}, {{to: s{i - 3}, when: redo, p: 0.2}}]"
        else:
            nxt = f"s{i + 1}" if i + 1 < n else ""
        lines.append(head + (f", next: {nxt}}}" if nxt else "}"))
    return "\n".join(lines) + "\n"


def source(param: Path | None, tmp: pytest.TempPathFactory) -> Path:
    """An example's file, or (None) the generated workflow written out."""
    if param is not None:
        return param
    path = tmp.getbasetemp() / "generated.yaml"
    if not path.exists():
        path.write_text(generated())
    return path


@pytest.fixture(scope="module", params=[*EXAMPLES, None],
                ids=lambda p: p.stem if p else "generated")
def drawn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[list[str], dict[str, object], float]:
    r = analyze(load(source(request.param, tmp_path_factory)), simulate=False)
    (out,) = drawings([layout(r)], ("json", "png"))
    graph = json.loads(out["json"])
    width_px = struct.unpack(">I", out["png"][16:20])[0]
    left, _, right, _ = (float(v) for v in graph["bb"].split(","))
    pad = 0.3 * 72  # the graph's pad, on both sides
    return list(r.workflow.teams), graph, width_px / (right - left + 2 * pad)


def smallest_text(graph: dict[str, object]) -> float:
    """The size of the smallest text drawn, in points."""
    parts = [graph, *graph["objects"], *graph.get("edges", [])]  # type: ignore[misc]
    sizes = [size for part in parts for key in ("_ldraw_", "_xldraw_", "_tldraw_")
             for size, _ in texts(part.get(key, []))]
    assert sizes
    return min(sizes)


def test_no_text_is_below_10_pixels_at_100_percent(
        drawn: tuple[list[str], dict[str, object], float]) -> None:
    _, graph, scale = drawn
    assert smallest_text(graph) * scale >= 10, smallest_text(graph) * scale


def labels(graph: dict[str, object]) -> list[tuple[str, list[Point]]]:
    """(label, box) of each line of each edge label drawn."""
    out = [(e["xlabel"], box) for e in graph.get("edges", [])  # type: ignore[attr-defined]
           for key in ("_xldraw_", "_ldraw_") for _, box in texts(e.get(key, []))]
    assert out, "no edge label drawn: the test would check nothing"
    return out


def labels_on_steps(graph: dict[str, object]) -> list[tuple[str, str]]:
    """(label, step) of each edge label that covers a step."""
    steps = {o["name"]: outline(o["_draw_"]) for o in graph["objects"]  # type: ignore[union-attr]
             if o["name"].startswith("s") and o["name"][1:].isdigit()}
    return [(label, name) for label, box in labels(graph) for name, step in steps.items()
            if overlap(box, step)]


def labels_on_edges(graph: dict[str, object]) -> list[tuple[str, str, str]]:
    """(label, tail, head) of each edge label on a line of an edge, as wide
    as the line is drawn."""
    crossed = []
    for e in graph.get("edges", []):  # type: ignore[attr-defined]
        half = float(e.get("penwidth", 1)) / 2
        path = [(float(x), float(y)) for op in e["_draw_"] if op["op"] in "bB"
                for x, y in op["points"]]
        for (x1, y1), (x2, y2) in itertools.pairwise(path):
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy)
            if length == 0:
                continue
            nx, ny = -dy / length * half, dx / length * half  # the line's own width
            line = [(x1 + nx, y1 + ny), (x2 + nx, y2 + ny), (x2 - nx, y2 - ny),
                    (x1 - nx, y1 - ny)]
            crossed += [(label, e["tail"], e["head"]) for label, box in labels(graph)
                        if overlap(box, line)]
    return crossed


def test_no_edge_label_covers_a_step(
        drawn: tuple[list[str], dict[str, object], float]) -> None:
    _, graph, _ = drawn
    assert labels_on_steps(graph) == []


def test_no_edge_label_sits_on_an_edge(
        drawn: tuple[list[str], dict[str, object], float]) -> None:
    """Every line of every edge, as wide as it is drawn, against every label."""
    _, graph, _ = drawn
    assert labels_on_edges(graph) == []


def test_a_500_step_map_reads_on_every_page() -> None:
    """Issue 15: a generated 500-step workflow, drawn on pages, with no text
    under 10 pixels at 100% and no edge label on a step or an edge."""
    pages = paginate(layout(analyze(loads(generated(500), "g.yaml"), simulate=False)))
    assert len(pages) == 13
    for out in drawings(pages, ("json", "png")):
        graph = json.loads(out["json"])
        left, _, right, _ = (float(v) for v in graph["bb"].split(","))
        scale = struct.unpack(">I", out["png"][16:20])[0] / (right - left + 2 * 0.3 * 72)
        assert smallest_text(graph) * scale >= 10
        assert labels_on_steps(graph) == []
        assert labels_on_edges(graph) == []


def test_lanes_run_down_in_the_order_of_teams(
        drawn: tuple[list[str], dict[str, object], float]) -> None:
    teams, graph, _ = drawn
    lanes = sorted(((float(o["pos"].split(",")[1]), o["id"]) for o in graph["objects"]  # type: ignore[union-attr]
                    if o.get("id", "").startswith("lane-")), reverse=True)
    assert [lane_id for _, lane_id in lanes] == [f"lane-{t}" for t in teams]


def test_every_step_lies_inside_its_lane_band(
        drawn: tuple[list[str], dict[str, object], float], request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The bands are drawn beneath the graph in procmap's coordinates: they
    drifted from the steps when Graphviz moved the drawing to fit a wide legend."""
    teams, graph, _ = drawn
    # The bands, as drawn: one polygon "P 4 x y x y x y x y" a lane, in the order of teams.
    bands = [[float(v) for v in m.split()] for m in
             re.findall(r"P 4 ((?:[-\d.]+ ){7}[-\d.]+)", str(graph["_background"]))]
    assert len(bands) == len(teams)
    r = analyze(load(source(request.node.callspec.params["drawn"], tmp_path_factory)),
                simulate=False)
    lane = {f"s{s.index}": teams.index(s.team) for s in r.workflow.step_list}
    outside = []
    for o in graph["objects"]:  # type: ignore[attr-defined]
        if o["name"] in lane:
            xs, ys = zip(*outline(o["_draw_"]), strict=True)
            band = bands[lane[o["name"]]]
            if not (band[0] <= min(xs) and max(xs) <= band[2]
                    and band[1] <= min(ys) and max(ys) <= band[5]):
                outside.append(o["name"])
    assert outside == []


def test_the_legend_starts_at_the_left_edge_of_the_lanes(
        drawn: tuple[list[str], dict[str, object], float]) -> None:
    _, graph, _ = drawn
    left = min(float(v) for v in re.findall(r"P 4 ([-\d.]+)", str(graph["_background"])))
    (legend,) = [o for o in graph["objects"] if o["name"] == "legend"]  # type: ignore[attr-defined]
    x = float(legend["pos"].split(",")[0])
    assert x - float(legend["width"]) * 36 == pytest.approx(left, abs=0.5)


FIFTY = Path(__file__).parent / "data" / "fifty-steps.yaml"


@pytest.mark.parametrize("param", [*EXAMPLES, FIFTY, None],
                         ids=lambda p: p.stem if p else "generated")
def test_graphviz_lays_out_the_dot_file_procmap_writes(
        param: Path | None, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`procmap render -f dot`, then `dot -Tsvg`: the legend and the findings
    table are laid out with the rest. A legend as wide as the drawing made
    Graphviz's orthogonal router abort (Trapezoid-table overflow)."""
    r = analyze(load(source(param, tmp_path_factory)), simulate=False)
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(layout(r)).encode(),
                          capture_output=True, check=False)
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.startswith(b"<?xml")


def test_a_wide_team_name_leaves_the_steps_on_their_lane_bands() -> None:
    """A team name of capitals was wider than the lanes' header: Graphviz
    moved the drawing until nothing was left of 0, every step 28 pt right
    of the lane bands (which it leaves where they are)."""
    r = analyze(load(Path(__file__).parent / "data" / "wide-lane-name.yaml"), simulate=False)
    (out,) = drawings([layout(r)], ("json",))
    graph = json.loads(out["json"])
    assert [o["pos"] for o in graph["objects"] if o["name"] == "corner_low"] == ["0,0"]


def placed_texts(svg: bytes) -> dict[str, list[tuple[float, float]]]:
    """Where each text of an SVG is drawn, by its text, in the page's coordinates."""
    root = ET.fromstring(svg)
    out: dict[str, list[tuple[float, float]]] = {}
    for group in root.iter(f"{SVG}g"):
        move = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", group.get("transform", ""))
        dx, dy = (float(move[1]), float(move[2])) if move else (0.0, 0.0)
        for text in group.findall(f"{SVG}text"):
            out.setdefault(text.text or "", []).append(
                (float(text.get("x", 0)) + dx, float(text.get("y", 0)) + dy))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("param", [*EXAMPLES, FIFTY, None],
                         ids=lambda p: p.stem if p else "generated")
def test_the_svg_of_the_routing_run_is_the_drawing_of_its_layout(
        param: Path | None, tmp_path_factory: pytest.TempPathFactory) -> None:
    """An SVG takes one run of `dot`: the labels moved and the legend and
    findings table joined by procmap. Every text is where `dot -n2` draws
    it from the layout (which a PNG is drawn from)."""
    r = analyze(load(source(param, tmp_path_factory)), simulate=False)
    graph = unrouted(layout(r))
    (routed,) = route([graph], svg=True, laid=True)
    (drawn,) = draw_laid([routed.laid], ("svg",))
    ours, theirs = placed_texts(routed.svg), placed_texts(drawn["svg"])
    assert ours.keys() == theirs.keys()
    assert "Legend" in ours
    # Within half a point (a third of a pixel in a PNG): Graphviz rounds.
    far = [(text, a, b) for text in ours for a, b in zip(ours[text], theirs[text], strict=True)
           if abs(a[0] - b[0]) > 0.5 or abs(a[1] - b[1]) > 0.5]
    assert far == []
    # Not so because no label moved: Graphviz's own places differ.
    (unmoved,) = route([replace(graph, labels={})], svg=True)
    assert placed_texts(unmoved.svg) != ours


@pytest.mark.parametrize("asks", ['dpi=300', 'viewport="3000,3000"', 'size="100,100!"',
                                  "pad=30", "margin=30"])
def test_a_layout_cannot_ask_for_a_larger_bitmap(asks: str) -> None:
    """publish draws the layouts of a library folder: one edited to ask for
    viewport="30000,30000" drew a PNG of 31,250 pixels square (3.9 GB)."""
    r = analyze(load(EXAMPLES[0]), simulate=False)
    (routed,) = route([unrouted(layout(r))], laid=True)
    at = routed.laid.rindex("}")  # last, over procmap's own values
    edited = f"{routed.laid[:at]}graph [{asks}];\n{routed.laid[at:]}"
    own, theirs = (draw_laid([text], ("png",))[0]["png"] for text in (routed.laid, edited))
    assert own[16:24] == theirs[16:24]  # the PNG header's width and height


def test_graphviz_writes_nothing_where_procmap_runs(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "noname.gv.xdot").write_text("the user's")
    drawn = draw_all("digraph { a -> b [label=x] }", ("svg",))
    assert drawn["svg"].startswith(b"<?xml")
    assert [(p.name, p.read_text()) for p in tmp_path.iterdir()] == [
        ("noname.gv.xdot", "the user's")]


NEIGHBOURING_CHECKS = """\
procmap: 1
id: checks
title: Checks
teams: {a: A}
steps:
  c1: {title: Check the papers, team: a, kind: check, touch: 1h, next: c2}
  c2: {title: Check the ledger, team: a, kind: check, touch: 1h, next: c3}
  c3: {title: Check the totals, team: a, kind: check, touch: 1h}
"""


def test_neighbouring_checks_with_badges_leave_room_for_orthogonal_edges() -> None:
    """A check (a parallelogram) with a findings badge beside a 16-character
    title was wider than its column: two side by side touched, and Graphviz
    drew every edge of the map as a straight line, saying so on stderr."""
    from procmap.format.loader import loads

    r = analyze(loads(NEIGHBOURING_CHECKS, "checks.yaml"), simulate=False)
    d = layout(r)
    assert [n.badge for n in d.nodes] == [1, 2, 3]  # each has a finding
    said: list[str] = []
    (out,) = drawings([d], ("json",), said.append)
    assert said == []
    boxes = sorted((float(o["pos"].split(",")[0]), float(o["width"]) * 72)
                   for o in json.loads(out["json"])["objects"] if o["name"] in ("s0", "s1", "s2"))
    gaps = [(x2 - w2 / 2) - (x1 + w1 / 2) for (x1, w1), (x2, w2) in itertools.pairwise(boxes)]
    assert min(gaps) > 0, gaps


LONG_TITLES = {"words": "Qualify partner against the regional coverage map and the terms",
               "one word": "Qualificationofpartneragainstcoveragemapterms",
               "capitals": "QUALIFY PARTNER AGAINST THE REGIONAL COVERAGE MAP NOW"}


@pytest.mark.parametrize("title", LONG_TITLES.values(), ids=LONG_TITLES)
def test_long_step_titles_keep_the_edges_routed_around_the_steps(title: str,
                                                                 tmp_path: Path) -> None:
    """Every step of partner-onboarding given a long title. Its steps drew wider
    than a column: two side by side touched, Graphviz warned "the bounding boxes
    of some nodes touch - falling back to straight line edges" and drew each
    edge as one slanting line, through lanes and steps."""
    example = next(p for p in EXAMPLES if p.stem == "partner-onboarding")
    path = tmp_path / "long.yaml"
    path.write_text(re.sub(r"(?m)^(    title: ).*$", lambda m: m[1] + json.dumps(title),
                           example.read_text()))
    r = analyze(load(path), simulate=False)
    assert {s.title for s in r.workflow.step_list} == {title}
    said: list[str] = []
    diagram = layout(r)
    (out,) = drawings([diagram], ("json",), said.append)
    graph = json.loads(out["json"])
    assert said == []
    steps = [(o["name"], outline(o["_draw_"])) for o in graph["objects"]
             if o["name"].startswith("s") and o["name"][1:].isdigit()]
    assert len(steps) == len(r.workflow.step_list)
    assert [(a, b) for (a, p), (b, q) in itertools.combinations(steps, 2) if overlap(p, q)] == []
    # Routed: every piece of every edge runs across or up and down.
    slanting = [(e["tail"], e["head"]) for e in graph["edges"]
                for op in e["_draw_"] if op["op"] in "bB"
                for (x1, y1), (x2, y2) in itertools.pairwise(op["points"])
                if abs(x1 - x2) > 0.5 and abs(y1 - y2) > 0.5]
    assert len(graph["edges"]) == len(diagram.edges) and slanting == []
