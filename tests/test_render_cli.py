"""`procmap render` on the command line: files, folders, formats and failures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import CLEAN, write
from procmap.cli import main

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")


def test_dot_and_mermaid_to_standard_output(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    dot = runner.invoke(main, ["render", "clean.yaml", "-f", "dot"])
    assert dot.exit_code == 0 and dot.output.startswith("digraph workflow {")
    mermaid = runner.invoke(main, ["render", "clean.yaml", "-f", "mermaid"])
    assert mermaid.exit_code == 0 and "flowchart LR" in mermaid.output


def test_format_follows_the_suffix_of_the_output(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    for name, start in (("c.dot", "digraph"), ("c.gv", "digraph"), ("c.mmd", "---")):
        assert runner.invoke(main, ["render", "clean.yaml", "-o", name]).exit_code == 0
        assert Path(name).read_text().startswith(start)


def test_folder_writes_one_file_per_workflow_by_id(runner: CliRunner) -> None:
    write("wf/one.yaml", CLEAN)
    write("wf/sub/two.yaml", CLEAN.replace("id: clean", "id: second"))
    write("wf/notes.yaml", "just: notes\n")
    result = runner.invoke(main, ["render", "wf", "-f", "mermaid", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["clean.mmd", "second.mmd"]


@pytest.mark.parametrize("folder", ["new/", "made", "made/", "."])
def test_one_workflow_into_a_folder_is_written_there_by_id(runner: CliRunner,
                                                           folder: str) -> None:
    # `-o new/` wrote a file named "new", and `-o made` (a folder) was refused,
    # though both write into the folder when more workflows are given.
    write("wf/clean.yaml", CLEAN)
    Path("made").mkdir()
    result = runner.invoke(main, ["render", "wf/clean.yaml", "-f", "mermaid", "-o", folder])
    assert result.exit_code == 0, result.output
    assert Path(folder, "clean.mmd").read_text().startswith("---")
    assert sorted(p.name for p in Path(folder).iterdir()) == (
        [".git", "clean.mmd", "made", "wf"] if folder == "." else ["clean.mmd"])


def test_one_workflow_to_a_new_name_without_a_slash_is_a_file(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    result = runner.invoke(main, ["render", "clean.yaml", "-f", "mermaid", "-o", "new"])
    assert result.exit_code == 0, result.output
    assert Path("new").read_text().startswith("---")


def test_several_workflows_need_an_output_folder(runner: CliRunner) -> None:
    write("wf/one.yaml", CLEAN)
    result = runner.invoke(main, ["render", "wf", "-f", "dot"])
    assert result.exit_code == 2 and "-o FOLDER" in result.output


def test_invalid_workflow_is_reported_and_the_others_drawn(runner: CliRunner) -> None:
    write("wf/one.yaml", CLEAN)
    write("wf/bad.yaml", CLEAN.replace("id: clean", "id: bad").replace("team: a", "team: zz", 1))
    result = runner.invoke(main, ["render", "wf", "-f", "dot", "-o", "out"])
    assert result.exit_code == 2
    assert "bad.yaml:6:" in result.output and "zz" in result.output
    assert [p.name for p in Path("out").iterdir()] == ["clean.dot"]


def test_missing_graphviz_says_how_to_install_it(runner: CliRunner,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write("clean.yaml", CLEAN)
    monkeypatch.setenv("PATH", os.devnull)
    result = runner.invoke(main, ["render", "clean.yaml", "-o", "c.svg"])
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.output and "--format dot" in result.output
    assert not Path("c.svg").exists()


@needs_graphviz
def test_svg_and_png_files(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    assert runner.invoke(main, ["render", "clean.yaml", "-o", "c.svg"]).exit_code == 0
    assert "<svg" in Path("c.svg").read_text()
    assert runner.invoke(main, ["render", "clean.yaml", "-f", "png", "-o", "c.png"]).exit_code == 0
    assert Path("c.png").read_bytes().startswith(b"\x89PNG")
    assert not [p for p in Path().iterdir() if p.name.endswith(".tmp")]


def test_help_explains_the_picture(runner: CliRunner) -> None:
    result = runner.invoke(main, ["render", "--help"])
    assert result.exit_code == 0
    for words in ("One lane per team", "critical path", "mermaid", "Graphviz is"):
        assert words in " ".join(result.output.split())


def slow_dot(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `dot` on PATH that never finishes, as Graphviz on a huge fan-out."""
    folder.mkdir()
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 60\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))


def test_graphviz_that_runs_too_long_is_stopped_and_named(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write("clean.yaml", CLEAN)
    slow_dot(tmp_path / "bin", monkeypatch)
    monkeypatch.setenv("PROCMAP_GRAPHVIZ_TIMEOUT", "0.2")
    result = runner.invoke(main, ["render", "clean.yaml", "-o", "c.svg"])
    assert result.exit_code == 2
    assert result.output == (
        "procmap: clean.yaml: Graphviz did not finish the svg within 0.2 s: set "
        "PROCMAP_GRAPHVIZ_TIMEOUT to more seconds, or use --format dot or "
        "mermaid, which need no Graphviz\n")
    assert not Path("c.svg").exists()


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf"])
def test_a_bad_graphviz_timeout_says_what_it_takes(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    write("clean.yaml", CLEAN)
    monkeypatch.setenv("PROCMAP_GRAPHVIZ_TIMEOUT", value)
    result = runner.invoke(main, ["render", "clean.yaml", "-o", "c.svg"])
    assert result.exit_code == 2
    assert result.output == (
        f"procmap: clean.yaml: PROCMAP_GRAPHVIZ_TIMEOUT is {value!r}: give a number of "
        "seconds above 0\n")


def test_one_workflow_graphviz_cannot_draw_leaves_the_others_drawn(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_build import fake_dot

    write("wf/a.yaml", CLEAN.replace("title: Clean", "title: Undrawable"))
    write("wf/b.yaml", CLEAN.replace("id: clean", "id: second"))
    fake_dot(tmp_path / "bin", monkeypatch)
    result = runner.invoke(main, ["render", "wf", "-f", "svg", "-o", "out"])
    assert result.exit_code == 2
    assert result.output == ("procmap: wf/a.yaml: Graphviz failed: Error: syntax error in "
                             "line 1\n")
    assert sorted(p.name for p in Path("out").iterdir()) == ["second.svg"]


def test_a_png_graphviz_shrinks_is_said(runner: CliRunner, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Graphviz scales a bitmap beyond its size limit down, text and all, and
    # only says so on standard error.
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dot").write_text("""#!/bin/sh
for a in "$@"; do source="$a"; done
for a in "$@"; do
  case "$a" in
    -Tjson0) echo '{"bb": "0,0,1,1"}' > "$source.json0";;
    -Tdot) echo 'digraph {}' > "$source.dot";;
    -T*) echo "png" > "$source.${a#-T}";;
  esac
done
echo "Warning: workflow: graph is too large for cairo-renderer bitmaps. Scaling by 0.2 to fit" >&2
""")
    (folder / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    write("clean.yaml", CLEAN)
    result = runner.invoke(main, ["render", "clean.yaml", "-o", "c.png"])
    assert result.exit_code == 0
    assert result.output == (
        "procmap: clean.yaml: warning: the drawing is beyond the largest bitmap Graphviz "
        "makes, so it shrank the PNG to 20%, text too: use the svg instead, or draw fewer "
        "steps\n")
    assert Path("c.png").read_text() == "png\n"


def test_formats_suffixes_and_messages_come_from_the_registry(runner: CliRunner) -> None:
    from procmap.render import FORMATS, SUFFIXES, format_for

    assert list(FORMATS) == ["svg", "png", "dot", "mermaid"]
    assert dict(SUFFIXES) == {"svg": ".svg", "png": ".png", "dot": ".dot", "mermaid": ".mmd"}
    assert {s: format_for(Path(f"x{s.upper()}")) for f in FORMATS.values()
            for s in f.suffixes} == {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot",
                                     ".mmd": "mermaid", ".mermaid": "mermaid"}
    assert [name for name, f in FORMATS.items() if f.paged] == ["svg", "png"]
    write("clean.yaml", CLEAN)
    wrong = runner.invoke(main, ["render", "clean.yaml", "-f", "pdf"])
    assert wrong.exit_code == 2
    assert "'pdf' is not one of 'svg', 'png', 'dot', 'mermaid'." in wrong.output
    diff = runner.invoke(main, ["diff", "clean.yaml", "clean.yaml", "--diagram", "d.txt"])
    assert diff.exit_code == 2
    assert "Invalid value for --diagram: end the file name with .svg, .png, .dot or .mmd" \
        in diff.output
    # Each suffix of a folder's files is the registry's first for the format.
    for name in FORMATS:
        if FORMATS[name].paged and shutil.which("dot") is None:
            continue
        assert runner.invoke(main, ["render", ".", "-f", name, "-o", "out"]).exit_code == 0
    assert sorted(p.name for p in Path("out").iterdir()) == sorted(
        f"clean{SUFFIXES[name]}" for name in FORMATS
        if not FORMATS[name].paged or shutil.which("dot"))


@needs_graphviz
def test_an_ascii_locale_still_draws_text_beyond_ascii(tmp_path: Path) -> None:
    """Graphviz reads UTF-8 whatever the locale: the DOT procmap hands it (a
    file, for several pages in one run) is written as UTF-8, not in the
    locale's encoding, which could not hold the header's '·'."""
    import subprocess
    import sys

    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0",
           "PYTHONUTF8": "0"}
    example = Path(__file__).parent.parent / "workflows" / "billing-dispute.yaml"
    done = subprocess.run([sys.executable, "-m", "procmap", "render", str(example), "-o",
                           str(tmp_path / "b.svg")], env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "worst branch" in (tmp_path / "b.svg").read_text(encoding="utf-8")
    assert "\u00b7" in (tmp_path / "b.svg").read_text(encoding="utf-8")


@needs_graphviz
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_a_title_of_many_bytes_is_drawn_its_tooltip_cut(runner: CliRunner, fmt: str) -> None:
    """Graphviz 2.43 refuses a quoted string of 16,384 bytes: a title of
    10,000 three-byte characters was refused in its tooltip."""
    title = "\ufdfd" * 10_000
    spec = Path(__file__).parent / "data" / "spec-example.yaml"
    Path("w.yaml").write_text(spec.read_text().replace(
        "title: Countersign partner agreement", f"title: {title}"), encoding="utf-8")
    result = runner.invoke(main, ["render", "w.yaml", "-f", fmt, "-o", f"w.{fmt}"])
    assert result.exit_code == 0, result.output
    if fmt == "svg":
        tooltips = [t for t in Path("w.svg").read_text().split('xlink:title="')[1:]
                    if t.startswith("\ufdfd")]
        assert [t[:t.index('"')] for t in tooltips] == ["\ufdfd" * 3999 + "…"]


@pytest.mark.parametrize("command", [
    ["render", "w.yaml", "-f", "dot"], ["sop", "w.yaml"], ["analyze", "w.yaml"],
    ["export", "bpmn", "w.yaml"]])
def test_an_output_never_replaces_the_workflow_it_comes_from(
        runner: CliRunner, command: list[str]) -> None:
    # `render w.yaml -o w.yaml` wrote an SVG over the workflow; sop, analyze
    # and export did the same with their output.
    write("w.yaml", CLEAN)
    result = runner.invoke(main, [*command, "-o", "./w.yaml"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "procmap: cannot write w.yaml: it is w.yaml, which this command reads: "
        "name another file\n")
    assert Path("w.yaml").read_text() == CLEAN


def test_simplify_may_write_over_the_workflow_it_simplifies(runner: CliRunner) -> None:
    write("w.yaml", CLEAN)
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "w.yaml"])
    assert result.exit_code == 0, result.output
