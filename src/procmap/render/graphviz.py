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


def draw_all(dot_text: str, fmts: Sequence[str], warn: Warn | None = None,
             unrouted: str = "") -> dict[str, bytes]:
    """The drawings of `dot_text` in each of `fmts` (see draw_many)."""
    return draw_many([(dot_text, unrouted)], fmts, warn)[0]


def draw_many(graphs: Sequence[tuple[str, str]], fmts: Sequence[str],
              warn: Warn | None = None) -> list[dict[str, bytes]]:
    """The drawings of each (DOT text, unrouted statements) in each of `fmts`:
    laid out (see lay_out), then drawn by a second run of `dot` for them all.
    Graphviz's warnings go to `warn`: a PNG beyond its size limit is scaled
    down, text and all, and the reader must be told."""
    said = once(warn)
    return draw_laid(lay_out(graphs, said, ", ".join(fmts)), fmts, said)


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


def lay_out(graphs: Sequence[tuple[str, str]], warn: Warn | None = None,
            names: str = "drawing") -> list[str]:
    """Each (DOT text, unrouted statements) as DOT that `dot -n2` draws as it
    stands. One run of `dot` routes the edges of all of them and gives the
    layouts as DOT; procmap moves the edge labels off the edges
    (render/labels.py) and adds the statements `unrouted`: nodes that
    nothing is routed around, positioned in points. A run of `dot` takes
    17 ms before it reads a line: the pages of a large map, and the
    workflows of a library, share one."""
    laid_out = []
    # DOT first: written after the JSON, it would carry the JSON's drawing
    # instructions too (_draw_...), twice the text for the second run to read.
    for (_, unrouted), laid in zip(graphs, _run([g for g, _ in graphs], ("dot", "json"), warn,
                                                names), strict=True):
        try:
            graph = json.loads(laid["json"])
        except ValueError as e:
            raise GraphvizError(f"Graphviz gave a layout that is not JSON: {e}") from None
        text = _relabelled(laid["dot"].decode(), graph, place(graph))
        end = text.rindex("}")
        laid_out.append(f"{text[:end]}{unrouted}{text[end:]}")
    return laid_out


def draw_laid(texts: Sequence[str], fmts: Sequence[str], warn: Warn | None = None
              ) -> list[dict[str, bytes]]:
    """The drawings, in each of `fmts`, of DOT texts that lay_out gave: one
    run of `dot` (`-n2`: positions and routes as given) for them all."""
    return _run(texts, fmts, warn, ", ".join(fmts), "-n2")


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


def _no_files() -> dict[str, str]:
    """The environment for `dot`, with Graphviz's loading of files turned off.
    procmap's drawings name no file, but publish draws the `.laid.gv` files
    of a library folder, and DOT there may name any image on this machine
    (`image`, `shapefile`, `<IMG SRC>`) to be drawn into a page for anyone
    to see. SERVER_NAME makes Graphviz load files from GV_FILE_PATH alone,
    and none when that is empty."""
    return {**os.environ, "SERVER_NAME": "procmap", "GV_FILE_PATH": ""}


def _run(texts: Sequence[str], fmts: Sequence[str], warn: Warn | None, names: str,
         *options: str) -> list[dict[str, bytes]]:
    """One run of `dot` on the graphs `texts`, writing each in each of `fmts`;
    messages name the drawing as `names`."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(f"the {names} format needs Graphviz's `dot` program, which is "
                              f"not on PATH: {INSTALL}")
    seconds = timeout() * len(texts)  # the time allowed is per drawing
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
