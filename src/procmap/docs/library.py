"""`procmap build`: a folder of SOPs, diagrams and an index for all workflows,
in markdown and in Confluence storage format, with the manifest that
`procmap publish` reads."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from procmap.render import GraphvizError, GraphvizMissing, draw_pictures, layout, to_mermaid

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
_SUFFIXES = (".md", ".mmd", ".svg", ".png", ".storage.xhtml")


@dataclass(frozen=True, slots=True)
class Built:
    files: tuple[Path, ...]
    warnings: tuple[str, ...]  # e.g. no Graphviz, so no SVG
    errors: tuple[Problem, ...] = ()  # workflows left out, or built without a diagram


def build(run: RunReport, out: Path, templates: Path | None = None,
          advance: Callable[[int], None] | None = None,
          tracker: Tracker | None = None) -> Built:
    """Write per analysed workflow `<id>.md`, `<id>.svg`, `<id>.png`, `<id>.mmd`
    and `<id>.storage.xhtml`; then `index.md`, `index.storage.xhtml` and
    `manifest.json`; with a `tracker`, `tracker.md` and `tracker.storage.xhtml`
    too (a page of the manifest). Each file is written atomically, and `out` is locked for
    the run (FolderInUse if another build holds it); `advance(1)` follows
    each workflow (a progress bar on a terminal). A workflow whose id names a
    file of the library's own is left out, and one Graphviz cannot draw is
    built without its SVG and PNG: both are errors of the result. A storage
    template that gives malformed XHTML is a `jinja2.TemplateError`."""
    with locked(out):
        return _build(run, out, templates, advance, tracker)


def _reserved(report: WorkflowReport, own: tuple[str, ...] = _OWN_FILES) -> Problem | None:
    w = report.workflow
    clash = next((f"{w.id}{suffix}" for suffix in _SUFFIXES if f"{w.id}{suffix}" in own),
                 None)
    if clash is None:
        return None
    return Problem(w.file, w.pos.line, w.pos.column, f"the id '{w.id}' is reserved: the "
                   f"library's own {clash} would replace this workflow's", "rename the workflow")


def _note(warnings: list[str], file: str, message: str) -> None:
    warnings.append(f"{file}: {message}")


@dataclass(frozen=True, slots=True)
class Picture:
    """One drawing of a workflow's diagram (of one page of a large one)."""

    svg: str  # file names in the library
    png: str
    png_width: int  # pixels


@dataclass(frozen=True, slots=True)
class _Made:
    """One workflow's part of the library, to be written, and what went wrong."""

    files: tuple[tuple[Path, bytes], ...]
    page: dict[str, object]  # its entry in the manifest
    warnings: tuple[str, ...]
    errors: tuple[Problem, ...]
    graphviz: str | None = None  # why there are no diagrams at all: Graphviz is missing


def _build(run: RunReport, out: Path, templates: Path | None,
           advance: Callable[[int], None] | None, tracker: Tracker | None) -> Built:
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
    # Nearly all of a workflow's time is Graphviz and git, programs of their
    # own: threads run them side by side. Results are taken in input order,
    # so the same input gives the same files, messages and manifest.
    with ThreadPoolExecutor() as pool:
        made = pool.map(lambda r: _workflow(r, out, markdown, storage), reports)
        for m in made:
            if m.graphviz and not missing:
                missing = True
                warnings.append(f"no SVG or PNG diagrams: {m.graphviz}")
            # Written here, one after another: atomic.write_bytes reads the
            # umask by setting it, which threads writing at once would race.
            files += [_write(path, data) for path, data in m.files]
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
    manifest = {"procmap": 2, "index": _bodies("index"),
                "pages": sorted(pages, key=lambda p: str(p["workflow"]))}
    files.append(_write(out / MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False)
                                        + "\n").encode()))
    return Built(tuple(files), tuple(warnings), tuple(errors))


def _workflow(report: WorkflowReport, out: Path, markdown: jinja2.Environment,
              storage: jinja2.Environment) -> _Made:
    """One workflow's SOP, diagrams (a file each page of a large map) and
    Confluence page."""
    w = report.workflow
    diagram = layout(report)
    files: list[tuple[Path, bytes]] = []
    warnings: list[str] = []
    errors: list[Problem] = []
    missing = None
    drawn: list[Picture] = []
    try:
        pictures = draw_pictures(diagram, functools.partial(_note, warnings, w.file))
    except GraphvizMissing as e:
        missing = str(e)
    except GraphvizError as e:
        # This workflow's own drawing failed: the others still get theirs.
        errors.append(Problem(w.file, w.pos.line, w.pos.column,
                              f"no SVG or PNG diagram of workflow '{w.id}': {e}"))
    else:
        for name, picture in zip(_picture_names(w.id, len(pictures)), pictures, strict=True):
            files += [(out / f"{name}.{fmt}", data) for fmt, data in picture.items()]
            drawn.append(Picture(f"{name}.svg", f"{name}.png", _png_width(picture["png"])))
    mermaid = to_mermaid(diagram)
    files.append((out / f"{w.id}.mmd", mermaid.encode()))
    sop = context(report, tuple(d.svg for d in drawn), mermaid)  # runs git
    text = markdown.get_template("sop.md.j2").render(sop=sop)
    files.append((out / f"{w.id}.md", text.encode()))
    # png, svg and png_width: the first page, for templates written before paging.
    first = drawn[0] if drawn else None
    page = _checked(storage.get_template("sop.storage.j2").render(
                        sop=sop, png=first and first.png, svg=first and first.svg,
                        png_width=first.png_width if first else 0, pictures=drawn),
                    f"sop.storage.j2 for {w.file}")
    files.append((out / f"{w.id}.storage.xhtml", page.encode()))
    entry: dict[str, object] = {"workflow": w.id, "title": w.title, "bodies": _bodies(w.id),
                                "attachments": [name for d in drawn for name in (d.png, d.svg)]}
    return _Made(tuple(files), entry, tuple(warnings), tuple(errors), missing)


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


def _png_width(data: bytes) -> int:
    """The width in pixels of a PNG, from its header; 0 if it is not one."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return 0
    return int.from_bytes(data[16:20], "big")
