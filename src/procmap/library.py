"""`procmap build`: a folder of SOPs, diagrams and an index for all workflows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from procmap.analysis import RunReport
from procmap.atomic import write_bytes
from procmap.portfolio import portfolio
from procmap.render import GraphvizError, draw_diagram, layout, to_mermaid
from procmap.sop import write_sop
from procmap.templating import environment


@dataclass(frozen=True, slots=True)
class Built:
    files: tuple[Path, ...]
    warnings: tuple[str, ...]  # e.g. no Graphviz, so no SVG


def build(run: RunReport, out: Path, templates: Path | None = None,
          advance: Callable[[int], None] | None = None) -> Built:
    """Write `<id>.md`, `<id>.svg` and `<id>.mmd` per analysed workflow, and
    `index.md`. Each file is written atomically; `advance(1)` follows each
    workflow (a progress bar on a terminal)."""
    templates = templates or run.config.templates
    files: list[Path] = []
    warnings: list[str] = []
    svg = True
    for report in run.workflows:
        wid = report.workflow.id
        diagram = layout(report)
        if svg:
            try:
                files.append(_write(out / f"{wid}.svg", draw_diagram(diagram, "svg")))
            except GraphvizError as e:
                svg = False
                warnings.append(f"no SVG diagrams: {e}")
        mermaid = to_mermaid(diagram)
        files.append(_write(out / f"{wid}.mmd", mermaid.encode()))
        sop = write_sop(report, templates, f"{wid}.svg" if svg else None, mermaid)
        files.append(_write(out / f"{wid}.md", sop.encode()))
        if advance:
            advance(1)
    index = environment(templates).get_template("index.md.j2").render(
        library=portfolio(list(run.workflows)))
    files.append(_write(out / "index.md", index.encode()))
    return Built(tuple(files), tuple(warnings))


def _write(path: Path, data: bytes) -> Path:
    write_bytes(path, data)
    return path
