"""Output files: written whole or not at all, through links, never over devices."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import CLEAN, write
from procmap.atomic import write_bytes
from procmap.cli import main
from procmap.format.files import NotAFile


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "wf.yaml"
    shared.parent.mkdir()
    shared.write_text("old\n")
    shared.chmod(0o640)
    link = tmp_path / "wf.yaml"
    link.symlink_to(shared)
    write_bytes(link, b"new\n")
    assert link.is_symlink() and os.readlink(link) == str(shared)
    assert shared.read_text() == "new\n"
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert sorted(p.name for p in shared.parent.iterdir()) == ["wf.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared", "wf.yaml"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "real.json")
    write_bytes(link, b"{}\n")
    assert link.is_symlink() and (tmp_path / "real.json").read_bytes() == b"{}\n"


@pytest.mark.parametrize(("make", "kind"), [(os.mkfifo, "a FIFO"), (os.mkdir, "a folder")])
def test_what_is_not_a_regular_file_is_refused_and_left_alone(
        tmp_path: Path, make: object, kind: str) -> None:
    target = tmp_path / "out"
    make(target)  # type: ignore[operator]
    before = target.lstat()
    with pytest.raises(NotAFile) as info:
        write_bytes(target, b"data")
    assert (info.value.kind, info.value.filename) == (kind, str(target))
    assert target.lstat().st_ino == before.st_ino and target.lstat().st_mode == before.st_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_device_is_refused(tmp_path: Path) -> None:
    # Through a link, so that nothing here could ever name the real device.
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    with pytest.raises(NotAFile, match="a device, not a file"):
        write_bytes(link, b"data")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_the_cli_says_a_fifo_is_not_a_file(runner: CliRunner) -> None:
    os.mkfifo("pipe.json")
    result = runner.invoke(main, ["schema", "-o", "pipe.json"])
    assert result.exit_code == 2
    assert result.output == ("procmap: cannot write pipe.json: a FIFO, not a file: name a "
                             "regular file, or - for standard output\n")
    assert stat.S_ISFIFO(os.stat("pipe.json").st_mode)


def test_simplify_over_a_symlinked_workflow_updates_the_shared_file(runner: CliRunner) -> None:
    nva = CLEAN.replace("touch: 1h, next: s2}", "touch: 1h, next: s0}\n"
                        "  s0: {title: Copy, team: a, value: nva, next: s2}")
    write("shared/wf.yaml", nva)
    os.symlink("shared/wf.yaml", "wf.yaml")
    result = runner.invoke(main, ["simplify", "wf.yaml", "-o", "wf.yaml"])
    assert result.exit_code == 0, result.output
    assert os.path.islink("wf.yaml")
    assert Path("shared/wf.yaml").read_text() == CLEAN  # the nva step was deleted


@pytest.mark.parametrize("args", [
    ["schema"], ["analyze", "w.yaml", "-f", "json"], ["sop", "w.yaml"],
    ["render", "w.yaml", "-f", "mermaid"], ["diff", "w.yaml", "w.yaml"],
    ["simplify", "w.yaml"],
])
def test_dash_is_standard_output(runner: CliRunner, args: list[str]) -> None:
    write("w.yaml", CLEAN)
    plain = runner.invoke(main, args)
    dashed = runner.invoke(main, [*args, "-o", "-"])
    assert dashed.exit_code == plain.exit_code == 0, dashed.output
    assert dashed.stdout == plain.stdout != ""
    assert not Path("-").exists()


def test_dash_for_a_folder_is_a_usage_error(runner: CliRunner) -> None:
    write("w.yaml", CLEAN)
    result = runner.invoke(main, ["build", "w.yaml", "-o", "-"])
    assert result.exit_code == 2
    assert "Invalid value for '-o' / '--output': - (standard output) cannot hold a folder " \
        "of files: give the folder to write into" in result.output
    assert not Path("-").exists()
    several = runner.invoke(main, ["render", "w.yaml", "w.yaml", "-f", "mermaid", "-o", "-"])
    assert several.exit_code == 2 and "several workflows need -o FOLDER" in several.output


def test_a_name_too_long_for_the_temporary_file_is_told_by_its_own_name(
        runner: CliRunner) -> None:
    # A 240-character id fits a file name, not ".<id>.svg.xxxxxxxx.tmp": build
    # named procmap's temporary file, which the reader never asked for.
    wid = "d" * 240
    write("w.yaml", CLEAN.replace("id: clean", f"id: {wid}"))
    result = runner.invoke(main, ["build", "w.yaml", "-o", "site"])
    assert result.exit_code == 2
    assert result.output == f"procmap: cannot write site/{wid}.svg: File name too long\n"
