"""Swimlane diagrams of workflows: DOT, SVG, PNG and Mermaid."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from procmap.render.diagram import Diagram, layout
from procmap.render.dot import to_dot
from procmap.render.formats import FORMATS, SUFFIXES, format_for
from procmap.render.graphviz import GraphvizError, GraphvizMissing, Warn, draw_all
from procmap.render.mermaid import to_mermaid
from procmap.render.pages import paginate

if TYPE_CHECKING:
    from procmap.analysis.analyze import WorkflowReport

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

T = TypeVar("T")


def render(report: WorkflowReport, fmt: str, warn: Warn | None = None) -> bytes:
    """The diagram of an analysed workflow in one of FORMATS."""
    return draw_diagram(layout(report), fmt, warn)


def draw_diagram(diagram: Diagram, fmt: str, warn: Warn | None = None) -> bytes:
    """A laid-out diagram in one of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt].draw(diagram, warn)


def render_pages(report: WorkflowReport, fmt: str, warn: Warn | None = None) -> list[bytes]:
    """The diagram in one of FORMATS; a large map, in a paged format, as one
    drawing a page."""
    diagram = layout(report)
    pages = paginate(diagram) if FORMATS[fmt].paged else (diagram,)
    return _each(pages, lambda page: draw_diagram(page, fmt, warn))


def draw_pictures(diagram: Diagram, warn: Warn | None = None) -> list[dict[str, bytes]]:
    """The SVG and the PNG of each page of a diagram, from one DOT and one run
    of Graphviz a page."""
    return _each(paginate(diagram), lambda page: draw_all(to_dot(page), ("svg", "png"), warn))


def _each(pages: tuple[Diagram, ...], draw: Callable[[Diagram], T]) -> list[T]:
    if len(pages) == 1:
        return [draw(pages[0])]
    # Each page is its own run of Graphviz: run them side by side.
    with ThreadPoolExecutor(max_workers=min(len(pages), os.cpu_count() or 1)) as pool:
        return list(pool.map(draw, pages))
