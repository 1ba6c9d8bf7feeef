"""Run Graphviz's `dot` program to turn DOT into SVG or PNG."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from procmap.printable import lines
from procmap.render.dot import DPI, PAD
from procmap.render.labels import Json, Point, place, point

INSTALL = ("install Graphviz: `sudo apt-get install graphviz` (Debian, Ubuntu), "
           "`brew install graphviz` (macOS), `winget install graphviz` (Windows), "
           "or use --format dot or mermaid, which need no Graphviz")


_XLP = re.compile(r'xlp="([^"]*)"')
_SCALED = re.compile(r"Scaling by ([0-9.]+) to fit")
TIMEOUT_VARIABLE = "PROCMAP_GRAPHVIZ_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds for one drawing


class GraphvizError(Exception):
    """Graphviz is missing, refused the input or took too long; the message says
    what to do."""


class GraphvizMissing(GraphvizError):
    """No `dot` on PATH: no drawing can be made, whatever the workflow."""


def timeout() -> float:
    """Seconds one run of `dot` may take: PROCMAP_GRAPHVIZ_TIMEOUT, else 60."""
    text = os.environ.get(TIMEOUT_VARIABLE)
    if text is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise GraphvizError(f"{TIMEOUT_VARIABLE} is {text!r}: give a number of seconds above 0")
    return seconds


Warn = Callable[[str], None]


def draw(dot_text: str, fmt: str, warn: Warn | None = None) -> bytes:
    """The drawing of `dot_text` as `fmt` ("svg" or "png")."""
    return draw_all(dot_text, (fmt,), warn)[fmt]


def draw_all(dot_text: str, fmts: Sequence[str], warn: Warn | None = None) -> dict[str, bytes]:
    """The drawings of `dot_text` in each of `fmts` (see draw_many)."""
    return draw_many([Unrouted(dot_text)], fmts, warn)[0]


@dataclass(frozen=True, slots=True)
class Unrouted:
    """A graph for `dot` to route, and what joins it once routed."""

    dot: str
    # Statements in points (as `dot -n2` reads them) of nodes that nothing
    # is routed around, added to the layout; and the same nodes as a graph
    # of their own, pinned where they stand, drawn beside it for an SVG.
    beneath: str = ""
    beneath_graph: str = ""
    # Width and height of each edge label, by the edge's id: see labels.py.
    labels: Mapping[str, Point] = field(default_factory=dict)
    # A node of `beneath_graph` pinned at (0, 0), if any.
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Routed:
    svg: bytes = b""  # the drawing, if asked for
    laid: str = ""  # DOT that `dot -n2` draws as it stands, if asked for


def draw_many(graphs: Sequence[Unrouted], fmts: Sequence[str], warn: Warn | None = None, *,
              gv: bool = False) -> list[dict[str, bytes]]:
    """The drawings of each graph in each of `fmts`, and with `gv` its layout
    as "gv": DOT that `dot -n2` draws in any format later (draw_laid). An
    SVG is the routing run's (see route); other formats take a second run
    for them all. Graphviz's warnings go to `warn`: a PNG beyond its size
    limit is scaled down, text and all, and the reader must be told."""
    said = once(warn)
    others = [f for f in fmts if f != "svg"]
    routed = route(graphs, said, svg="svg" in fmts, laid=gv or bool(others),
                   names=", ".join(fmts) or "drawing")
    drawn = draw_laid([r.laid for r in routed], others, said) if others else [{} for _ in routed]
    return [{**d, **({"svg": r.svg} if "svg" in fmts else {}),
             **({"gv": r.laid.encode()} if gv else {})} for d, r in zip(drawn, routed, strict=True)]


def once(warn: Warn | None) -> Warn | None:
    """`warn` for a drawing's two runs of `dot`: the second repeats the
    first one's warnings."""
    if warn is None:
        return None
    said: set[str] = set()

    def say(message: str) -> None:
        if message not in said:
            said.add(message)
            warn(message)

    return say


def route(graphs: Sequence[Unrouted], warn: Warn | None = None, *, svg: bool = False,
          laid: bool = False, names: str = "drawing") -> list[Routed]:
    """Each graph routed by one run of `dot` for them all (a run takes 17 ms
    before it reads a line: the pages of a large map, and the workflows of a
    library, share one), with its edge labels moved off the edges
    (render/labels.py); as an SVG and as DOT that `dot -n2` draws as it
    stands (`laid`). The SVG is the one of this run, its labels moved and the
    nodes `beneath` drawn beside it joined: drawing it from the layout would
    take a second run that reads and measures every text again."""
    # For the SVG, each graph's nodes `beneath` as a graph of their own, after them all.
    texts = [g.dot for g in graphs] + [g.beneath_graph for g in graphs
                                       if svg and g.beneath_graph]
    # DOT before SVG and JSON: -Tdot writes what the renderers before it added.
    fmts = [*(["dot"] if laid else []), *(["svg"] if svg else []), "json0"]
    out = _run(texts, fmts, warn, names, drawings=len(graphs))
    beneath = iter(out[len(graphs):])
    routed = []
    for g, o in zip(graphs, out[:len(graphs)], strict=True):
        graph = _json(o["json0"])
        moved = place(graph, g.labels)
        other = next(beneath) if svg and g.beneath_graph else None
        drawing, laid_text = b"", ""
        if svg:
            text = _svg_moved(o["svg"].decode(), graph, moved)
            if other is not None:
                # Graphviz moves a layout until its lowest point is at 0: back
                # to the places asked for, as in the layout (`beneath`).
                x, y = _at(_json(other["json0"]), g.origin)
                text = _joined(text, other["svg"].decode(), (-x, -y))
            drawing = text.encode()
        if laid:
            text = _relabelled(o["dot"].decode(), graph, moved)
            end = text.rindex("}")
            laid_text = f"{text[:end]}{g.beneath}{text[end:]}"
        routed.append(Routed(drawing, laid_text))
    return routed


def draw_laid(texts: Sequence[str], fmts: Sequence[str], warn: Warn | None = None
              ) -> list[dict[str, bytes]]:
    """The drawings, in each of `fmts`, of DOT texts that route gave: one
    run of `dot` (`-n2`: positions and routes as given) for them all.

    publish draws the layouts a library folder holds, and DOT there may ask
    for any size of bitmap: `viewport="30000,30000"` took 3.9 GB, `dpi=20000`
    2.3 GB. The command line sets what sizes a drawing to procmap's own
    values, over the file's."""
    return _run(texts, fmts, warn, ", ".join(fmts), "-n2", f"-Gdpi={DPI}", f"-Gpad={PAD}",
                "-Gsize=", "-Gviewport=", "-Gmargin=")


def _relabelled(laid: str, graph: Json, moved: Mapping[str, Point]) -> str:
    """The laid-out DOT with each moved label's xlp replaced. `dot -Tdot`
    writes the edges in the order of the JSON's _gvid."""
    labelled = [e for e in graph.get("edges", ()) if "xlp" in e]
    found = list(_XLP.finditer(laid))
    if [m[1] for m in found] != [e["xlp"] for e in labelled]:
        return laid  # not the DOT expected: Graphviz's own places are kept
    out, last = [], 0
    for m, e in zip(found, labelled, strict=True):
        if e.get("id") in moved:
            x, y = moved[e["id"]]
            out += [laid[last:m.start(1)], f"{x:.2f},{y:.2f}"]
            last = m.end(1)
    return "".join(out) + laid[last:]


_EDGE_GROUP = re.compile(r'<g id="([^"]*)" class="edge">(.*?)</g>', re.DOTALL)
_TEXT_AT = re.compile(r'(<text [^>]*?x=")([-0-9.e]+)(" y=")([-0-9.e]+)')


def _svg_moved(svg: str, graph: Json, moved: Mapping[str, Point]) -> str:
    """The SVG with each moved label's text moved, in its edge's group (an
    edge has no text but its label). SVG's y runs downwards."""
    was = {e["id"]: point(e["xlp"]) for e in graph.get("edges", ())
           if e.get("id") in moved and "xlp" in e}

    def move(group: re.Match[str]) -> str:
        if group[1] not in was:
            return group[0]
        (x0, y0), (x1, y1) = was[group[1]], moved[group[1]]
        body = _TEXT_AT.sub(lambda t: f"{t[1]}{float(t[2]) + x1 - x0:.2f}{t[3]}"
                                      f"{float(t[4]) - (y1 - y0):.2f}", group[2])
        return f'<g id="{group[1]}" class="edge">{body}</g>'

    return _EDGE_GROUP.sub(move, svg)


def _json(text: bytes) -> Json:
    try:
        return json.loads(text)
    except ValueError as e:
        raise GraphvizError(f"Graphviz gave a layout that is not JSON: {e}") from None


def _at(graph: Json, name: str) -> Point:
    """Where Graphviz put the node `name` (0, 0 if there is none)."""
    for o in graph.get("objects", ()):
        if o.get("name") == name and "pos" in o:
            return point(o["pos"])
    return 0.0, 0.0


def _joined(svg: str, beneath: str, offset: Point) -> str:
    """The SVG with the nodes of `beneath` (an SVG drawn beside it, moved by
    `offset` in Graphviz's coordinates) drawn last, in its graph's group."""
    start, end = beneath.find('class="graph"'), beneath.rfind("</g>")
    start = beneath.find("<!-- ", start)
    at = svg.rfind("</g>")
    if min(start, end, at) < 0:
        raise GraphvizError("Graphviz gave an SVG without the graph's group: this Graphviz "
                            f"is not one procmap knows; {INSTALL}")
    # In a group of its own, moved as a whole: SVG's y runs downwards.
    nodes = (f'<g class="beneath" transform="translate({offset[0]:.2f},{-offset[1]:.2f})">\n'
             f"{beneath[start:end]}</g>\n")
    return svg[:at] + nodes + svg[at:]


def _no_files() -> dict[str, str]:
    """The environment for `dot`, with Graphviz's loading of files turned off.
    procmap's drawings name no file, but publish draws the `.laid.gv` files
    of a library folder, and DOT there may name any image on this machine
    (`image`, `shapefile`, `<IMG SRC>`) to be drawn into a page for anyone
    to see. SERVER_NAME makes Graphviz load files from GV_FILE_PATH alone,
    and none when that is empty."""
    return {**os.environ, "SERVER_NAME": "procmap", "GV_FILE_PATH": ""}


def _run(texts: Sequence[str], fmts: Sequence[str], warn: Warn | None, names: str,
         *options: str, drawings: int | None = None) -> list[dict[str, bytes]]:
    """One run of `dot` on the graphs `texts`, writing each in each of `fmts`;
    messages name the drawing as `names`. The time allowed is per drawing, of
    `drawings` (default: one a graph)."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(f"the {names} format needs Graphviz's `dot` program, which is "
                              f"not on PATH: {INSTALL}")
    seconds = timeout() * (len(texts) if drawings is None else drawings)
    with tempfile.TemporaryDirectory(prefix="procmap-") as tmp:
        source = Path(tmp) / "in.dot"
        source.write_bytes("".join(texts).encode())  # UTF-8, Graphviz's default charset
        # -O names the drawing of the k-th graph in.dot.k.svg (the first in.dot.svg).
        files = [{fmt: Path(f"{source}{f'.{k}' if k > 1 else ''}.{fmt}") for fmt in fmts}
                 for k in range(1, len(texts) + 1)]
        args = [*options, *(f"-T{fmt}" for fmt in fmts), "-O", str(source)]
        try:
            # In its folder: Graphviz 2.43's -Tjson -O also writes (empties)
            # noname.gv.xdot in the folder it runs in, the user's otherwise.
            done = subprocess.run([exe, *args], capture_output=True, check=False,
                                  timeout=seconds, cwd=tmp, env=_no_files())
        except subprocess.TimeoutExpired:
            # A wide fan-out can keep dot busy for minutes: better a clear stop.
            raise GraphvizError(f"Graphviz did not finish the {names} within {seconds:g} s: "
                                f"set {TIMEOUT_VARIABLE} to more seconds, or use --format dot "
                                "or mermaid, which need no Graphviz") from None
        except OSError as e:
            raise GraphvizError(f"cannot run {exe}: {e.strerror or e}") from e
        stderr = done.stderr.decode(errors="replace").strip()
        drawn = [{fmt: f.read_bytes() for fmt, f in each.items() if f.exists()} for each in files]
    if done.returncode != 0 or not all(len(d) == len(fmts) and all(d.values()) for d in drawn):
        # Graphviz quotes the label it choked on, and the label is the author's.
        detail = lines(stderr) or f"exit {done.returncode}"
        raise GraphvizError(f"Graphviz failed: {detail}")
    if warn is not None:
        for line in stderr.splitlines():
            scaled = _SCALED.search(line)
            if scaled:
                warn(f"the drawing is beyond the largest bitmap Graphviz makes, so it shrank "
                     f"the PNG to {float(scaled[1]):.0%}, text too: use the svg instead, or "
                     "draw fewer steps")
            elif line.strip():
                warn(f"Graphviz: {lines(line.strip())}")
    return drawn
