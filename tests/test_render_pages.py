"""Large maps drawn on pages by columns, with off-page connectors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import report, write
from procmap.cli import main
from procmap.render import layout, paginate
from procmap.render.diagram import COLUMN, LANE_HEADER
from procmap.render.dot import to_dot
from procmap.render.pages import MARGIN

CHAIN = "".join(f"s{i}: {{title: Step {i}, team: {'ab'[i % 2]}, touch: 1h, next: s{i + 1}}}\n"
                for i in range(5)) + "s5: {title: Step 5, team: a, touch: 1h}\n"


def test_a_wide_map_is_cut_by_columns_and_every_cut_edge_names_the_other_end() -> None:
    d = layout(report(CHAIN))
    pages = paginate(d, columns=2)
    assert [p.title for p in pages] == [f"Test workflow (page {k} of 3)" for k in (1, 2, 3)]
    assert [[n.step.id for n in p.nodes] for p in pages] == [
        ["s0", "s1"], ["s2", "s3"], ["s4", "s5"]]
    assert [[c.text for c in p.connectors] for p in pages] == [
        ["to 'Step 2' (page 2)"],
        ["from 'Step 1' (page 1)", "to 'Step 4' (page 3)"],
        ["from 'Step 3' (page 2)"]]
    # Every edge is drawn once inside a page or as its two connector halves.
    assert sum(len(p.edges) for p in pages) == len(d.edges) + 2
    assert all(p.width == pages[0].width for p in pages)
    assert "page 2" in to_dot(pages[0])
    assert paginate(d, columns=6) == (d,)


def test_pages_of_wider_columns_keep_their_steps_in_the_same_places() -> None:
    # Long titles set columns wider apart than COLUMN: pages are cut by the
    # diagram's own spacing, else a step landed off its page.
    d = layout(report(CHAIN.replace("team: b", "team: a").replace("touch", "kind: check, touch")
                      .replace("Step", "QUALIFY THE PARTNER AGAINST THE MAP STEP")))
    pages = paginate(d, columns=2)
    assert d.column > COLUMN
    assert [[round(n.x, 2) for n in p.nodes] for p in pages] == [
        [round(LANE_HEADER + MARGIN + (c + 0.5) * d.column, 2) for c in (0, 1)]] * 3
    assert all(p.width == LANE_HEADER + 2 * MARGIN + 2 * d.column for p in pages)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_render_writes_one_file_a_page(runner: CliRunner,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import procmap.render as render

    write("w.yaml", "procmap: 1\nid: w\ntitle: W\nteams: {a: A, b: B}\nsteps:\n"
          + "".join(f"  {line}\n" for line in CHAIN.splitlines()))
    original = render.paginate
    monkeypatch.setattr(render, "paginate", lambda d: original(d, columns=2))
    result = runner.invoke(main, ["render", "w.yaml", "-o", "out/w.svg"])
    stdout = runner.invoke(main, ["render", "w.yaml", "-f", "svg"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["w-1.svg", "w-2.svg", "w-3.svg"]
    assert all(p.read_text().count("page ") >= 2 for p in Path("out").iterdir())
    assert result.output == "procmap: w.yaml: 3 pages: out/w-1.svg to out/w-3.svg\n"
    assert stdout.exit_code == 2
    assert "w.yaml is drawn on 3 pages, one file each: give -o FILE" in stdout.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
@pytest.mark.parametrize("folder", [".", "out", "out/", "new/"])
def test_pages_into_a_folder_are_numbered_by_the_workflow_id(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch, folder: str) -> None:
    # A folder was refused (before, "." crashed and "out/" wrote out-1... beside
    # it); one workflow now goes into a folder as several do, <id>.<suffix>.
    import procmap.render as render

    write("w.yaml", "procmap: 1\nid: w\ntitle: W\nteams: {a: A, b: B}\nsteps:\n"
          + "".join(f"  {line}\n" for line in CHAIN.splitlines()))
    Path("out").mkdir()
    original = render.paginate
    monkeypatch.setattr(render, "paginate", lambda d: original(d, columns=2))
    result = runner.invoke(main, ["render", "w.yaml", "-o", folder])
    assert result.exit_code == 0, result.output
    assert result.output == (f"procmap: w.yaml: 3 pages: {Path(folder, 'w-1.svg')} to "
                             f"{Path(folder, 'w-3.svg')}\n")
    assert sorted(p.name for p in Path(folder).iterdir() if p.suffix == ".svg") == [
        "w-1.svg", "w-2.svg", "w-3.svg"]
    assert all(p.read_text().count("page ") >= 2 for p in Path(folder).glob("*.svg"))
