"""Swimlane diagrams of workflows: DOT, SVG, PNG and Mermaid."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from procmap.render.diagram import Diagram, layout
from procmap.render.dot import to_dot
from procmap.render.formats import FORMATS, SUFFIXES, drawings, format_for
from procmap.render.graphviz import GraphvizError, GraphvizMissing, Warn
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
    "batches",
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
    return FORMATS[fmt].draw([diagram], warn)[0]


def render_pages(report: WorkflowReport, fmt: str, warn: Warn | None = None) -> list[bytes]:
    """The diagram in one of FORMATS; a large map, in a paged format, as one
    drawing a page."""
    diagram = layout(report)
    pages = paginate(diagram) if FORMATS[fmt].paged else (diagram,)
    return batches(pages, lambda batch: FORMATS[fmt].draw(batch, warn))


def draw_pictures(pages: Sequence[Diagram], fmts: Sequence[str], warn: Warn | None = None
                  ) -> list[dict[str, bytes]]:
    """Each page drawn in each of `fmts`, and as "gv": the laid-out DOT that
    `dot -n2` draws in any format later (graphviz.draw_laid). One run of
    `dot` for all the pages, of one diagram or of many, and a second for
    formats other than SVG."""
    return drawings(pages, fmts, warn, gv=True)


def batches(pages: Sequence[Diagram], draw: Callable[[Sequence[Diagram]], list[T]]) -> list[T]:
    """The drawings of the pages, in order: a batch of pages a processor, side by side."""
    count = min(len(pages), os.cpu_count() or 1)
    if count <= 1:
        return draw(pages)
    size = -(-len(pages) // count)
    with ThreadPoolExecutor(max_workers=count) as pool:
        done = pool.map(draw, [pages[i:i + size] for i in range(0, len(pages), size)])
        return [drawing for batch in done for drawing in batch]
