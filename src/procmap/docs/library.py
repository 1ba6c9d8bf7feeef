"""`procmap build`: a folder of SOPs, diagrams and an index for all workflows,
in markdown and in Confluence storage format, with the manifest that
`procmap publish` reads."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from procmap.analysis.analyze import RunReport, WorkflowReport
from procmap.atomic import write_bytes
from procmap.docs.portfolio import portfolio
from procmap.docs.sop import context
from procmap.docs.storage import check
from procmap.docs.templating import environment, storage_environment
from procmap.format.errors import Problem
from procmap.lock import locked
from procmap.render import (
    Diagram,
    GraphvizError,
    GraphvizMissing,
    batches,
    draw_pictures,
    layout,
    paginate,
    to_mermaid,
)

if TYPE_CHECKING:
    from procmap.tracking.tracker import Tracker

MANIFEST = "manifest.json"
INDEX = "index.storage.xhtml"
# The tracker's page in the manifest: not a workflow id, so it never names one.
TRACKER = ":tracker"


# What the library writes for itself, and for each workflow after its id: a
# workflow whose id gives one of the first names would be overwritten by it.
_OWN_FILES = ("index.md", INDEX, MANIFEST)
_TRACKER_FILES = ("tracker.md", "tracker.storage.xhtml")  # with a tracker
_SUFFIXES = (".md", ".mmd", ".svg", ".png", ".laid.gv", ".storage.xhtml")
# Workflows drawn together: their pages share two runs of `dot`, which
# costs 12 to 17 ms a run before it reads a line.
_BATCH = 16
# Pages beyond this many in a batch are drawn in runs side by side.
_PAGES_PER_RUN = 16


@dataclass(frozen=True, slots=True)
class Built:
    files: tuple[Path, ...]
    warnings: tuple[str, ...]  # e.g. no Graphviz, so no SVG
    errors: tuple[Problem, ...] = ()  # workflows left out, or built without a diagram


def build(run: RunReport, out: Path, templates: Path | None = None,
          advance: Callable[[int], None] | None = None,
          tracker: Tracker | None = None, png: bool = False) -> Built:
    """Write per analysed workflow `<id>.md`, `<id>.svg`, `<id>.mmd` and
    `<id>.storage.xhtml`, and `<id>.png` with `png`, else `<id>.laid.gv`:
    the diagram laid out, from which `procmap publish` draws the PNG that a
    Confluence page shows when it uploads it (cairo drawing a PNG takes
    three times as long as all the rest of a workflow's build); then
    `index.md`, `index.storage.xhtml` and `manifest.json`; with a
    `tracker`, `tracker.md` and `tracker.storage.xhtml` too (a page of the
    manifest). Each file is written atomically, and `out` is locked for
    the run (FolderInUse if another build holds it); `advance(1)` follows
    each workflow (a progress bar on a terminal). A workflow whose id names a
    file of the library's own is left out, and one Graphviz cannot draw is
    built without its diagrams: both are errors of the result. A storage
    template that gives malformed XHTML is a `jinja2.TemplateError`."""
    with locked(out):
        return _build(run, out, templates, advance, tracker, png)


def _reserved(report: WorkflowReport, own: tuple[str, ...] = _OWN_FILES) -> Problem | None:
    w = report.workflow
    clash = next((f"{w.id}{suffix}" for suffix in _SUFFIXES if f"{w.id}{suffix}" in own),
                 None)
    if clash is None:
        return None
    return Problem(w.file, w.pos.line, w.pos.column, f"the id '{w.id}' is reserved: the "
                   f"library's own {clash} would replace this workflow's", "rename the workflow")


@dataclass(frozen=True, slots=True)
class Picture:
    """One drawing of a workflow's diagram (of one page of a large one)."""

    svg: str  # file names in the library
    png: str  # written by build --png, else drawn by publish for Confluence
    png_width: int  # pixels


@dataclass(frozen=True, slots=True)
class _Drawn:
    """A workflow's drawings (a dict of drawings and "gv" a page), or why there are none."""

    pages: tuple[dict[str, bytes], ...] = ()
    warnings: tuple[str, ...] = ()
    error: GraphvizError | None = None


@dataclass(frozen=True, slots=True)
class _Made:
    """One workflow's part of the library, to be written, and what went wrong."""

    files: tuple[tuple[Path, bytes], ...]
    page: dict[str, object]  # its entry in the manifest
    warnings: tuple[str, ...]
    errors: tuple[Problem, ...]
    graphviz: str | None = None  # why there are no diagrams at all: Graphviz is missing
    stale: tuple[Path, ...] = ()  # files of an earlier build that would mislead: deleted


def _build(run: RunReport, out: Path, templates: Path | None,
           advance: Callable[[int], None] | None, tracker: Tracker | None,
           png: bool) -> Built:
    templates = templates or run.config.templates
    # One environment each for the run: jinja2 compiles a template once per environment.
    markdown, storage = environment(templates), storage_environment(templates)
    files: list[Path] = []
    warnings: list[str] = []
    own = _OWN_FILES + (_TRACKER_FILES if tracker else ())
    errors = [p for p in (_reserved(r, own) for r in run.workflows) if p is not None]
    reports = [r for r in run.workflows if _reserved(r, own) is None]
    pages: list[dict[str, object]] = []
    missing = False
    # A pipeline: batches of workflows are drawn by Graphviz, one a processor,
    # while the batches drawn are written from templates (Python, one thread
    # at a time, and git): Graphviz is never left waiting for the templates.
    # Results are taken in input order, so the same input gives the same
    # files, messages and manifest.
    fmts = ("svg", "png") if png else ("svg",)
    batches = [reports[i:i + _BATCH] for i in range(0, len(reports), _BATCH)]
    with ThreadPoolExecutor(os.cpu_count()) as drawing, ThreadPoolExecutor() as writing:
        drawn = [drawing.submit(_draw_batch, batch, fmts) for batch in batches]
        written = [writing.submit(_write_batch, batch, future, out, markdown, storage, png)
                   for batch, future in zip(batches, drawn, strict=True)]
        for made in (future.result() for future in written):
            for m in made:
                if m.graphviz and not missing:
                    missing = True
                    warnings.append(f"no SVG or PNG diagrams: {m.graphviz}")
                # Written here, one after another: atomic.write_bytes reads the
                # umask by setting it, which threads writing at once would race.
                files += [_write(path, data) for path, data in m.files]
                for stale in m.stale:
                    stale.unlink(missing_ok=True)
                warnings += m.warnings
                errors += m.errors
                pages.append(m.page)
                if advance:
                    advance(1)
    library = portfolio(reports)
    index = markdown.get_template("index.md.j2").render(library=library)
    files.append(_write(out / "index.md", index.encode()))
    index = _checked(storage.get_template("index.storage.j2").render(library=library),
                     "index.storage.j2")
    files.append(_write(out / INDEX, index.encode()))
    if tracker is not None:
        from procmap.tracking.report.markdown import view

        cases = view(tracker)
        text = markdown.get_template("tracker.md.j2").render(tracker=cases)
        files.append(_write(out / "tracker.md", text.encode()))
        page = _checked(storage.get_template("tracker.storage.j2").render(tracker=cases),
                        "tracker.storage.j2")
        files.append(_write(out / "tracker.storage.xhtml", page.encode()))
        pages.append({"workflow": TRACKER, "title": f"Tracker: {Path(tracker.file).stem}",
                      "bodies": _bodies("tracker"), "attachments": []})
    manifest = {"procmap": 3, "index": _bodies("index"),
                "pages": sorted(pages, key=lambda p: str(p["workflow"]))}
    files.append(_write(out / MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False)
                                        + "\n").encode()))
    return Built(tuple(files), tuple(warnings), tuple(errors))


def _draw_batch(reports: Sequence[WorkflowReport], fmts: tuple[str, ...]
                ) -> tuple[list[Diagram], list[_Drawn]]:
    """A few workflows' diagrams, drawn together."""
    diagrams = [layout(r) for r in reports]
    return diagrams, _draw(diagrams, fmts)


def _write_batch(reports: Sequence[WorkflowReport],
                 drawn: Future[tuple[list[Diagram], list[_Drawn]]], out: Path,
                 markdown: jinja2.Environment, storage: jinja2.Environment,
                 png: bool) -> list[_Made]:
    """A few workflows' parts of the library, once their diagrams are drawn."""
    diagrams, pictures = drawn.result()
    return [_workflow(r, d, p, out, markdown, storage, png)
            for r, d, p in zip(reports, diagrams, pictures, strict=True)]


def _draw(diagrams: Sequence[Diagram], fmts: tuple[str, ...]) -> list[_Drawn]:
    """The drawings of each diagram's pages, all drawn together. Graphviz
    does not say which graph of a run a message is about: drawings that
    fail or warn are drawn again a workflow at a time, so that each
    message names its workflow."""
    pages = [paginate(d) for d in diagrams]
    flat = [p for each in pages for p in each]

    def draw(batch: Sequence[Diagram], warn: Callable[[str], None]) -> list[dict[str, bytes]]:
        if len(batch) <= _PAGES_PER_RUN:
            return draw_pictures(batch, fmts, warn)
        return batches(batch, lambda part: draw_pictures(part, fmts, warn))

    said: list[str] = []
    try:
        drawn: list[dict[str, bytes]] | None = draw(flat, said.append)
    except GraphvizMissing as e:
        return [_Drawn(error=e) for _ in diagrams]
    except GraphvizError:
        drawn = None
    if drawn is not None and not said:
        out, start = [], 0
        for each in pages:
            out.append(_Drawn(tuple(drawn[start:start + len(each)])))
            start += len(each)
        return out
    alone = []
    for each in pages:
        mine: list[str] = []
        try:
            alone.append(_Drawn(tuple(draw(each, mine.append)), tuple(mine)))
        except GraphvizError as e:
            alone.append(_Drawn(warnings=tuple(mine), error=e))
    return alone


def _workflow(report: WorkflowReport, diagram: Diagram, drawn: _Drawn, out: Path,
              markdown: jinja2.Environment, storage: jinja2.Environment, png: bool) -> _Made:
    """One workflow's SOP, diagrams (a file each page of a large map) and
    Confluence page."""
    w = report.workflow
    files: list[tuple[Path, bytes]] = []
    warnings = [f"{w.file}: {message}" for message in drawn.warnings]
    errors: list[Problem] = []
    missing = None
    pictures: list[Picture] = []
    attachments: list[str] = []
    laid: dict[str, str] = {}  # the PNG a publish draws: from which laid-out DOT
    stale: list[Path] = []
    if isinstance(drawn.error, GraphvizMissing):
        missing = str(drawn.error)
    elif drawn.error is not None:
        # This workflow's own drawing failed: the others still get theirs.
        errors.append(Problem(w.file, w.pos.line, w.pos.column,
                              f"no SVG or PNG diagram of workflow '{w.id}': {drawn.error}"))
    for name, drawing in zip(_picture_names(w.id, len(drawn.pages)), drawn.pages, strict=True):
        files.append((out / f"{name}.svg", drawing["svg"]))
        picture = Picture(f"{name}.svg", f"{name}.png", _svg_width(drawing["svg"]))
        # What an earlier build wrote the other way would pass for this drawing's.
        if png:
            files.append((out / picture.png, drawing["png"]))
            stale.append(out / f"{name}.laid.gv")
            attachments += [picture.png, picture.svg]
        else:
            files.append((out / f"{name}.laid.gv", drawing["gv"]))
            stale.append(out / picture.png)
            attachments.append(picture.svg)
            laid[picture.png] = f"{name}.laid.gv"
        pictures.append(picture)
    mermaid = to_mermaid(diagram)
    files.append((out / f"{w.id}.mmd", mermaid.encode()))
    sop = context(report, tuple(d.svg for d in pictures), mermaid)  # runs git
    text = markdown.get_template("sop.md.j2").render(sop=sop)
    files.append((out / f"{w.id}.md", text.encode()))
    # png, svg and png_width: the first page, for templates written before paging.
    first = pictures[0] if pictures else None
    page = _checked(storage.get_template("sop.storage.j2").render(
                        sop=sop, png=first and first.png, svg=first and first.svg,
                        png_width=first.png_width if first else 0, pictures=pictures),
                    f"sop.storage.j2 for {w.file}")
    files.append((out / f"{w.id}.storage.xhtml", page.encode()))
    entry: dict[str, object] = {"workflow": w.id, "title": w.title, "bodies": _bodies(w.id),
                                "attachments": attachments}
    if laid:
        entry["drawings"] = laid
    return _Made(tuple(files), entry, tuple(warnings), tuple(errors), missing, tuple(stale))


def _picture_names(wid: str, count: int) -> list[str]:
    """`<id>`, or `<id>.page-1`... for a map drawn on pages: a workflow id
    holds no dot, so no other workflow's files can take these names."""
    return [wid] if count == 1 else [f"{wid}.page-{k}" for k in range(1, count + 1)]


def _bodies(name: str) -> dict[str, str]:
    """A page's body in each form, for the manifest: each publish target
    takes the form it publishes (procmap.publish.site)."""
    return {"markdown": f"{name}.md", "storage": f"{name}.storage.xhtml"}


def _checked(body: str, what: str) -> str:
    problem = check(body)
    if problem:
        raise jinja2.TemplateError(f"{what} gives malformed XHTML at {problem}: "
                                   "close every tag and escape & and < in the template text")
    return body


def _write(path: Path, data: bytes) -> Path:
    write_bytes(path, data)
    return path


_SVG_WIDTH = re.compile(rb'<svg width="([0-9.]+)pt"')


def _svg_width(data: bytes) -> int:
    """The width in pixels of the PNG of a drawing, from its SVG, which
    Graphviz sizes in points at the drawing's dpi: one a pixel. 0 if the
    SVG does not say."""
    found = _SVG_WIDTH.search(data, 0, 4096)
    return round(float(found[1])) if found else 0
