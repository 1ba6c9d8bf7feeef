"""Swimlane diagrams of workflows: DOT, SVG, PNG and Mermaid."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from procmap.analysis.analyze import WorkflowReport
from procmap.render.diagram import Diagram, layout
from procmap.render.dot import to_dot
from procmap.render.graphviz import GraphvizError, GraphvizMissing, Warn, draw, draw_all
from procmap.render.mermaid import to_mermaid
from procmap.render.pages import paginate

FORMATS = ("svg", "png", "dot", "mermaid")
SUFFIXES = {"svg": ".svg", "png": ".png", "dot": ".dot", "mermaid": ".mmd"}
_BY_SUFFIX = {s: f for f, s in SUFFIXES.items()} | {".gv": "dot", ".mermaid": "mermaid"}


def format_for(path: Path) -> str | None:
    """The format a file name asks for by its suffix, if any."""
    return _BY_SUFFIX.get(path.suffix.lower())


__all__ = [
    "FORMATS",
    "SUFFIXES",
    "Diagram",
    "GraphvizError",
    "GraphvizMissing",
    "draw_diagram",
    "draw_pictures",
    "format_for",
    "layout",
    "paginate",
    "render",
    "render_pages",
    "to_dot",
    "to_mermaid",
]


def render(report: WorkflowReport, fmt: str, warn: Warn | None = None) -> bytes:
    """The diagram of an analysed workflow in one of FORMATS."""
    return draw_diagram(layout(report), fmt, warn)


def draw_diagram(diagram: Diagram, fmt: str, warn: Warn | None = None) -> bytes:
    """A laid-out diagram in one of FORMATS."""
    if fmt == "mermaid":
        return to_mermaid(diagram).encode()
    text = to_dot(diagram)
    if fmt == "dot":
        return text.encode()
    if fmt in ("svg", "png"):
        return draw(text, fmt, warn)
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def render_pages(report: WorkflowReport, fmt: str, warn: Warn | None = None) -> list[bytes]:
    """The diagram in one of FORMATS; a large svg or png map as one drawing a page."""
    diagram = layout(report)
    if fmt not in ("svg", "png"):
        return [draw_diagram(diagram, fmt, warn)]
    pages = paginate(diagram)
    if len(pages) == 1:
        return [draw_diagram(pages[0], fmt, warn)]
    # Each page is its own run of Graphviz: run them side by side.
    with ThreadPoolExecutor(max_workers=min(len(pages), os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda page: draw_diagram(page, fmt, warn), pages))


def draw_pictures(diagram: Diagram, warn: Warn | None = None) -> dict[str, bytes]:
    """The SVG and the PNG of a diagram, from one DOT and one run of Graphviz."""
    return draw_all(to_dot(diagram), ("svg", "png"), warn)
