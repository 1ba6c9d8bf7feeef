import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import CLEAN, report, write
from procmap.cli import main
from procmap.config import Config, find_config, read_config
from procmap.format.errors import WorkflowError

STEPS = "s1: {title: One, team: a, value: nva, outputs: [x]}\n"


def levels(config: Config) -> dict[str, str]:
    return {f.rule: f.level for f in report(STEPS, config).findings}


def test_default_levels() -> None:
    assert levels(Config()) == {"nva-step": "info", "unused-output": "warning"}


def test_levels_and_off(tmp_path: Path) -> None:
    path = tmp_path / ".procmap.yaml"
    path.write_text("fail-on: warning\nrules:\n  nva-step: error\n  unused-output: off\n")
    config = read_config(path)
    assert config.fail_on == "warning"
    assert levels(config) == {"nva-step": "error"}


def test_waiver_turns_a_finding_to_waived() -> None:
    r = report("s1: {title: One, team: a, value: nva, waive: {nva-step: 'Audit - Ann Lee'}}\n")
    [f] = r.findings
    assert (f.level, f.waiver) == ("waived", "Audit - Ann Lee")
    assert not Config(fail_on="info").fails(f.level)


def test_pyproject_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.procmap]\nfail-on = "info"\n'
                    '[tool.procmap.rules]\nnva-step = "off"\n')
    config = read_config(path)
    assert (config.fail_on, dict(config.levels)) == ("info", {"nva-step": "off"})


def test_bad_yaml_config_is_located(tmp_path: Path) -> None:
    path = tmp_path / ".procmap.yaml"
    path.write_text("rules:\n  ping-pnog: off\n")
    with pytest.raises(WorkflowError) as info:
        read_config(path)
    p = info.value.problems[0]
    assert (p.line, p.column) == (2, 3) and p.hint == "did you mean 'ping-pong'?"


@pytest.mark.parametrize("body", ['fail-on = "sometimes"', '[tool.procmap.rules]\nx = "off"',
                                  'colour = 1'])
def test_bad_pyproject_config(tmp_path: Path, body: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.procmap]\n{body}\n")
    with pytest.raises(WorkflowError):
        read_config(path)


def test_find_config_walks_up_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".procmap.yaml").write_text("fail-on: info\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert find_config(repo / "sub") is None
    (repo / "pyproject.toml").write_text("[tool.procmap]\n")
    assert find_config(repo / "sub") == repo / "pyproject.toml"


def test_a_config_that_is_a_fifo_is_an_error_not_a_wait(runner: CliRunner) -> None:
    write("w.yaml", CLEAN)
    os.mkfifo("fifo.yaml")
    result = runner.invoke(main, ["analyze", "w.yaml", "--config", "fifo.yaml"])
    assert result.exit_code == 2
    assert result.output == "fifo.yaml:1:1: cannot read the config: a FIFO, not a file\n"


def test_find_config_stops_at_the_home_folder(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # A config above the home folder (say in a shared /tmp) is someone else's.
    (tmp_path / ".procmap.yaml").write_text("templates: evil\n")
    home = tmp_path / "home"
    (home / "project" / "sub").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert find_config(home / "project" / "sub") is None
    (home / ".procmap.yaml").write_text("fail-on: info\n")
    assert find_config(home / "project" / "sub") == home / ".procmap.yaml"
    (home / "project" / ".git").mkdir()
    assert find_config(home / "project" / "sub") is None


def test_find_config_outside_a_repository_and_home_reads_only_the_folder_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 14: a project in /tmp/x, not in git, picked up /tmp/.procmap.yaml.
    (tmp_path / ".procmap.yaml").write_text("templates: evil\n")
    project = tmp_path / "x"
    project.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    assert find_config(project) is None
    (project / ".procmap.yaml").write_text("fail-on: info\n")
    assert find_config(project) == project / ".procmap.yaml"
