"""Run Graphviz's `dot` program to turn DOT into SVG or PNG."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from procmap.printable import lines
from procmap.render.labels import Json, place

INSTALL = ("install Graphviz: `sudo apt-get install graphviz` (Debian, Ubuntu), "
           "`brew install graphviz` (macOS), `winget install graphviz` (Windows), "
           "or use --format dot or mermaid, which need no Graphviz")


_XLP = re.compile(r'\bxlp="([^"]*)"')
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
    """The drawings of `dot_text` in each of `fmts`. One run of `dot` routes
    the edges (nearly all of the time) and gives the layout as DOT; procmap
    moves the edge labels off the edges (render/labels.py); a second run
    (`-n2`: positions and routes as given) draws every format.
    Graphviz's warnings go to `warn`: a PNG beyond its size limit is scaled
    down, text and all, and the reader must be told."""
    said: set[str] = set()

    def once(message: str) -> None:  # the second run repeats the first one's warnings
        if warn is not None and message not in said:
            said.add(message)
            warn(message)

    names = ", ".join(fmts)
    laid = _run(dot_text, ("json", "dot"), once, names)
    try:
        graph = json.loads(laid["json"])
    except ValueError as e:
        raise GraphvizError(f"Graphviz gave a layout that is not JSON: {e}") from None
    text = _relabelled(laid["dot"].decode(), graph, place(graph))
    return _run(text, fmts, once, names, "-n2")


def _relabelled(laid: str, graph: Json, moved: dict[int, tuple[float, float]]) -> str:
    """The laid-out DOT with each moved label's xlp replaced. `dot -Tdot`
    writes the edges in the order of the JSON's _gvid."""
    labelled = [e for e in graph.get("edges", ()) if "xlp" in e]
    found = list(_XLP.finditer(laid))
    if [m[1] for m in found] != [e["xlp"] for e in labelled]:
        return laid  # not the DOT expected: Graphviz's own places are kept
    out, last = [], 0
    for m, e in zip(found, labelled, strict=True):
        if e["_gvid"] in moved:
            x, y = moved[e["_gvid"]]
            out += [laid[last:m.start(1)], f"{x:.2f},{y:.2f}"]
            last = m.end(1)
    return "".join(out) + laid[last:]


def _run(dot_text: str, fmts: Sequence[str], warn: Warn | None, names: str,
         *options: str) -> dict[str, bytes]:
    """One run of `dot`, writing each of `fmts`; messages name the drawing as `names`."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(f"the {names} format needs Graphviz's `dot` program, which is "
                              f"not on PATH: {INSTALL}")
    seconds = timeout()
    with tempfile.TemporaryDirectory(prefix="procmap-") as tmp:
        files = {fmt: Path(tmp) / f"drawing.{fmt}" for fmt in fmts}
        args = [*options, *(a for fmt, f in files.items() for a in (f"-T{fmt}", f"-o{f}"))]
        try:
            done = subprocess.run([exe, *args], input=dot_text.encode(), capture_output=True,
                                  check=False, timeout=seconds)
        except subprocess.TimeoutExpired:
            # A wide fan-out can keep dot busy for minutes: better a clear stop.
            raise GraphvizError(f"Graphviz did not finish the {names} within {seconds:g} s: "
                                f"set {TIMEOUT_VARIABLE} to more seconds, or use --format dot "
                                "or mermaid, which need no Graphviz") from None
        except OSError as e:
            raise GraphvizError(f"cannot run {exe}: {e.strerror or e}") from e
        stderr = done.stderr.decode(errors="replace").strip()
        drawn = {fmt: f.read_bytes() for fmt, f in files.items() if f.exists()}
    if done.returncode != 0 or len(drawn) < len(fmts) or not all(drawn.values()):
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
