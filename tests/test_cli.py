"""The command line, through click's test runner."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import CLEAN, write
from procmap import __version__
from procmap.cli import main

NVA = CLEAN.replace("id: clean", "id: nva").replace("touch: 2h}", "touch: 2h, value: nva}")

EXAMPLES = Path(__file__).parent.parent / "workflows"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_clean_workflow_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", write("clean.yaml", CLEAN)])
    assert result.exit_code == 0, result.output
    assert "1 workflow, 0 errors, 0 warnings, 0 info, 0 waived" in result.output
    assert "lead time 3.0 h" in result.output


def test_fail_on_makes_info_fail(runner: CliRunner) -> None:
    write("nva.yaml", NVA)
    assert runner.invoke(main, ["analyze", "nva.yaml"]).exit_code == 0
    assert runner.invoke(main, ["analyze", "nva.yaml", "--fail-on", "info"]).exit_code == 1
    write(".procmap.yaml", "fail-on: info\n")
    assert runner.invoke(main, ["analyze", "nva.yaml"]).exit_code == 1


def test_error_finding_exits_1(runner: CliRunner) -> None:
    text = CLEAN.replace("s2: {title: Two", "s3: {title: Three, team: a}\n  s2: {title: Two")
    result = runner.invoke(main, ["analyze", write("u.yaml", text)])
    assert result.exit_code == 1
    assert "unreachable" in result.output


def test_invalid_workflow_exits_2_with_location(runner: CliRunner) -> None:
    write("ok.yaml", CLEAN)
    write("bad.yaml", CLEAN.replace("id: clean", "id: bad").replace("team: a, touch: 2h",
                                                                     "team: b, touch: 2h"))
    result = runner.invoke(main, ["analyze", "ok.yaml", "bad.yaml"])
    assert result.exit_code == 2
    assert "bad.yaml:7:26: error: steps.s2.team: unknown team 'b'" in result.output
    assert "1 workflow" in result.output  # the good file is still analysed


def test_duplicate_workflow_ids_in_one_run(runner: CliRunner) -> None:
    write("one/a.yaml", CLEAN)
    write("two/b.yaml", CLEAN)
    result = runner.invoke(main, ["analyze", "one", "two"])
    assert result.exit_code == 2
    assert "two/b.yaml:2:1: error: duplicate workflow id 'clean'" in result.output


def test_missing_path_and_usage_errors_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["analyze", "nope.yaml"]).exit_code == 2
    assert runner.invoke(main, ["analyze"]).exit_code == 2
    assert runner.invoke(main, ["analyze", "x", "--format", "xml"]).exit_code == 2


def test_folder_discovery_skips_non_workflows(runner: CliRunner) -> None:
    write("flows/a.yaml", CLEAN)
    write("flows/deep/b.yml", NVA)
    write("flows/other.yaml", "name: not a workflow\n")
    write("flows/.hidden/c.yaml", CLEAN)
    result = runner.invoke(main, ["analyze", "flows", "-f", "json"])
    data = json.loads(result.output)
    assert [w["file"] for w in data["workflows"]] == ["flows/a.yaml", "flows/deep/b.yml"]


def test_json_report_shape(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", write("nva.yaml", NVA), "--format", "json"])
    data = json.loads(result.output)
    assert data["procmap"] == __version__ and data["errors"] == []
    [w] = data["workflows"]
    assert w["id"] == "nva" and w["file"] == "nva.yaml"
    # Fields may be added within version 1 (analysis.md); those of 1.0 keep their values.
    version_1_0 = {"steps": 2, "teams": 1, "handoffs": 0, "ping_pong": 0,
                   "rework_edges": 0, "lead_time_h": 3.0, "touch_time_h": 3.0,
                   "pce": 1.0, "critical_path": ["s1", "s2"],
                   "simulated": {"mean_h": 3.0, "p50_h": 3.0, "p90_h": 3.0,
                                 "cases": 1000, "seed": 0}}
    metrics = w["metrics"]
    assert {k: metrics[k] for k in version_1_0} | {
        "simulated": {k: metrics["simulated"][k] for k in version_1_0["simulated"]}
    } == version_1_0
    assert metrics["simulated"]["truncated"] is False
    assert {k: metrics[k] for k in ("visits", "expected_handoffs", "expected_touch_h",
                                    "load")} == {
        "visits": {"s1": 1.0, "s2": 1.0}, "expected_handoffs": 0.0, "expected_touch_h": 3.0,
        "load": {"a": {"touch_h_per_case": 3.0, "hours_per_period": None,
                       "utilisation": None}}}
    [f] = w["findings"]
    assert f == {"rule": "nva-step", "level": "info", "algorithm": 2, "step": "s2",
                 "steps": ["s2"], "message": f["message"], "file": "nva.yaml",
                 "line": 7, "column": 3}


def test_json_errors(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", write("e.yaml", "procmap: 2\n"), "-f", "json"])
    assert result.exit_code == 2
    errors = json.loads(result.output)["errors"]
    assert errors[0]["file"] == "e.yaml" and errors[0]["line"] == 1


def test_sarif(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", write("nva.yaml", NVA), "-f", "sarif"])
    data = json.loads(result.output)
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    assert run["tool"]["driver"]["name"] == "procmap"
    [r] = run["results"]
    rule = run["tool"]["driver"]["rules"][r["ruleIndex"]]
    assert rule["id"] == r["ruleId"] == "nva-step" and r["level"] == "note"
    region = r["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (7, 3)


def test_sarif_validates_against_its_schema_subset(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", str(EXAMPLES), "-f", "sarif"])
    run = json.loads(result.output)["runs"][0]
    levels = {r["level"] for r in run["results"]}
    assert levels <= {"error", "warning", "note", "none"}
    waived = [r for r in run["results"] if r["level"] == "none"]
    assert waived and all(r["suppressions"][0]["justification"] for r in waived)


def test_github_annotations_escape_their_data(runner: CliRunner) -> None:
    write("nva.yaml", NVA.replace("title: Two", "title: 'Two, 100%: done'"))
    result = runner.invoke(main, ["analyze", "nva.yaml", "-f", "github"])
    [line] = result.output.splitlines()
    assert line.startswith("::notice file=nva.yaml,line=7,col=3,title=procmap nva-step")
    result = runner.invoke(main, ["analyze", write("e.yaml", "a: b: c\n"), "-f", "github"])
    assert result.output.startswith("::error file=e.yaml,line=1,col=5,")


def test_output_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", write("c.yaml", CLEAN), "-f", "json", "-o",
                                  "out/report.json"])
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(Path("out/report.json").read_text())["workflows"][0]["id"] == "clean"


def test_seed_changes_the_simulation(runner: CliRunner) -> None:
    path = str(EXAMPLES / "billing-dispute.yaml")

    def p90(*extra: str) -> float:
        out = runner.invoke(main, ["analyze", path, "-f", "json", *extra]).output
        return json.loads(out)["workflows"][0]["metrics"]["simulated"]["mean_h"]

    assert p90() == p90("--seed", "0")
    assert p90() != p90("--seed", "1")


def test_schema_command(runner: CliRunner) -> None:
    data = json.loads(runner.invoke(main, ["schema"]).output)
    assert data["title"] == "procmap workflow" and "steps" in data["properties"]
    config = json.loads(runner.invoke(main, ["schema", "--config"]).output)
    assert "fail-on" in config["properties"]


def test_rules_command(runner: CliRunner) -> None:
    from procmap.analysis.rules import RULES

    out = runner.invoke(main, ["rules"]).output
    assert len(out.splitlines()) == len(RULES) == 16 and "unused-waiver" in out


def test_bad_config_exits_2(runner: CliRunner) -> None:
    write(".procmap.yaml", "fail-on: sometimes\n")
    result = runner.invoke(main, ["analyze", write("c.yaml", CLEAN)])
    assert result.exit_code == 2 and ".procmap.yaml:1:10" in result.output


def test_help_explains(runner: CliRunner) -> None:
    out = runner.invoke(main, ["analyze", "--help"]).output
    assert "Exit status" in out and "--format" in out and "fail-on" in out


def test_unwritable_output_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    blocker = write("blocker", "a file, not a folder")
    result = runner.invoke(main, ["analyze", write("c.yaml", CLEAN), "-o", f"{blocker}/r.txt"])
    assert result.exit_code == 2 and "cannot write" in result.output
    assert Path(blocker).read_text() == "a file, not a folder"


def test_a_huge_duration_never_reaches_the_json_report(runner: CliRunner) -> None:
    write("w.yaml", CLEAN.replace("touch: 1h", "touch: " + "9" * 400 + "h"))
    result = runner.invoke(main, ["analyze", "w.yaml", "--format", "json"])
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(c))
    assert report["workflows"] == []
    assert [(e["line"], e["column"], e["message"]) for e in report["errors"]] == [
        (6, 36, "steps.s1.touch: the duration is too large")]


def test_the_json_report_refuses_nan_rather_than_write_invalid_json() -> None:
    import dataclasses
    import math

    from helpers import report
    from procmap.analysis.analyze import RunReport
    from procmap.analysis.report import FORMATS
    from procmap.config import Config

    good = report("s1: {title: One, team: a, touch: 1h}\n")
    bad = dataclasses.replace(good, metrics=dataclasses.replace(good.metrics,
                                                                lead_time_h=math.inf))
    FORMATS["json"].render(RunReport((good,), (), Config()))
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        FORMATS["json"].render(RunReport((bad,), (), Config()))


def test_a_fifo_in_a_folder_is_skipped_with_a_note(runner: CliRunner) -> None:
    write("flows/a.yaml", CLEAN)
    os.mkfifo("flows/pipe.yaml")  # opening it to read would wait for a writer forever
    result = runner.invoke(main, ["analyze", "flows", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [w["file"] for w in json.loads(result.stdout)["workflows"]] == ["flows/a.yaml"]
    assert result.stderr == "procmap: note: skipped flows/pipe.yaml: a FIFO, not a file\n"


@pytest.mark.parametrize("command", [["analyze"], ["render", "-o", "out"]])
def test_a_folder_without_workflows_is_said_so(runner: CliRunner, command: list[str]) -> None:
    # A wrong path in CI passed without a word: 0 workflows, exit 0.
    write("flows/notes.yaml", "title: not a workflow\n")
    result = runner.invoke(main, [*command, "flows"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "procmap: note: no workflows in flows: a workflow is a .yaml or .yml file with "
        "`procmap: 1` at its top, outside what git and `exclude` ignore\n")


@pytest.mark.parametrize(("args", "message"), [
    (["import", "bpmn", "pipe", "-o", "out"],
     "pipe:1:1: cannot read the file: a FIFO, not a file\n"
     "  hint: check the path and its permissions\n"),
    (["export", "bpmn", "pipe"], "pipe:1:1: cannot read the file: a FIFO, not a file\n"
     "  hint: check the path and its permissions\n"),
    (["track", "pipe", "--workflows", "flows"],
     "pipe:1:1: cannot read the cases: a FIFO, not a file\n  hint: check the path\n"),
    (["simplify", "pipe"], "procmap: cannot read pipe: a FIFO, not a file\n"),
], ids=["import-bpmn", "export-bpmn", "track", "simplify"])
def test_the_new_readers_refuse_a_fifo_instead_of_waiting_forever(
        runner: CliRunner, args: list[str], message: str) -> None:
    write("flows/a.yaml", CLEAN)
    os.mkfifo("pipe")  # opening it to read would wait for a writer forever
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output == message


def test_a_bpmn_file_past_the_size_limit_is_refused_unread(runner: CliRunner) -> None:
    with open("big.bpmn", "wb") as f:
        f.truncate(11 * 2**20)
    result = runner.invoke(main, ["import", "bpmn", "big.bpmn", "-o", "out"])
    assert result.exit_code == 2
    assert result.output == ("big.bpmn:1:1: cannot read the file: the file is 11.0 MB, more "
                             "than the 10 MB limit\n  hint: check the path and its permissions\n")


@pytest.mark.parametrize(("args", "message"), [
    (["analyze", "sock"], "sock:1:1: error: cannot read a socket: procmap reads workflows "
     "from files\n  hint: name a YAML file\n"),
    (["render", "sock", "-f", "dot"],
     "sock:1:1: cannot read a socket: procmap reads workflows from files\n"
     "  hint: name a YAML file\n"),
    (["simplify", "sock"], "procmap: cannot read sock: a socket, not a file\n"),
    (["track", "sock", "--workflows", "flows"],
     "sock:1:1: cannot read the cases: a socket, not a file\n  hint: check the path\n"),
    (["import", "bpmn", "sock", "-o", "out"], "sock:1:1: cannot read the file: a socket, "
     "not a file\n  hint: check the path and its permissions\n"),
], ids=["analyze", "render", "simplify", "track", "import-bpmn"])
def test_a_socket_is_named_for_what_it_is(runner: CliRunner, args: list[str],
                                          message: str) -> None:
    # Opening one fails with ENXIO: "No such device or address", as if the path were wrong.
    write("flows/a.yaml", CLEAN)
    listening = socket.socket(socket.AF_UNIX)
    listening.bind("sock")
    listening.close()
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.startswith(message)


def test_a_fifo_named_on_the_command_line_is_a_clean_error(runner: CliRunner) -> None:
    os.mkfifo("pipe.yaml")
    result = runner.invoke(main, ["analyze", "pipe.yaml"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "pipe.yaml:1:1: error: cannot read a FIFO: procmap reads workflows from files\n"
        "  hint: name a YAML file\n")



@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["analyze", str(EXAMPLES)],
                                  ["render", str(EXAMPLES / "billing-dispute.yaml"), "-f", "dot"]])
def test_a_full_standard_output_is_said_not_reported_as_a_bug(args: list[str]) -> None:
    # It was "procmap: internal error: OSError: [Errno 28] No space left on device".
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "procmap", *args], stdout=full,
                              stderr=subprocess.PIPE, text=True, check=False,
                              env={**os.environ, "PROCMAP_DEBUG": ""})
    assert done.returncode == 2
    assert done.stderr == "procmap: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("args", [["build", str(EXAMPLES), "-o", ""],
                                  ["render", str(EXAMPLES / "billing-dispute.yaml"), "-o", " "],
                                  ["analyze", ""]])
def test_an_empty_path_is_refused_not_taken_for_the_current_folder(
        runner: CliRunner, args: list[str]) -> None:
    # Path("") is ".": `build -o "$OUT"` with OUT unset built into the current folder.
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "an empty path: give a file or folder name" in result.output
    assert [p.name for p in Path.cwd().iterdir()] == [".git"]


@pytest.mark.parametrize(("args", "option"), [
    (["sop", "w.yaml", "-o", "new/"], "'-o' / '--output'"),
    (["simplify", "w.yaml", "-o", "new/"], "'-o' / '--output'"),
    (["diff", "w.yaml", "w.yaml", "-o", "new/"], "'-o' / '--output'"),
    (["diff", "w.yaml", "w.yaml", "--diagram", "new/"], "'--diagram'"),
    (["export", "bpmn", "w.yaml", "-o", "new/"], "'-o' / '--output'"),
    (["analyze", "w.yaml", "-o", "new/"], "'-o' / '--output'"),
    (["schema", "-o", "new/"], "'-o' / '--output'"),
    (["mine", "log.csv", "-o", "new/"], "'-o' / '--output'"),
    (["compare-logs", "log.csv", "-o", "new/"], "'-o' / '--output'"),
    (["track", "cases.csv", "--workflows", "w.yaml", "-o", "new/"], "'-o' / '--output'"),
], ids=lambda v: "-".join(v) if isinstance(v, list) else None)
def test_a_file_option_ending_in_a_slash_is_refused_not_written_as_a_file(
        runner: CliRunner, args: list[str], option: str) -> None:
    # `sop w.yaml -o new/` wrote a file named "new": the slash said a folder was meant.
    write("w.yaml", CLEAN)
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: Invalid value for {option}: 'new/' ends in /, so "
                                  "it names a folder: give a file name\n")
    assert sorted(p.name for p in Path.cwd().iterdir()) == [".git", "w.yaml"]


@pytest.mark.parametrize("end", ["/.", "/.."])
def test_a_file_option_ending_in_a_dot_folder_is_refused(runner: CliRunner, end: str) -> None:
    # `analyze w.yaml -o new/.` wrote a file named "new": Path() drops the "/.".
    write("w.yaml", CLEAN)
    result = runner.invoke(main, ["analyze", "w.yaml", "-o", f"new{end}"])
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: Invalid value for '-o' / '--output': 'new{end}' "
                                  f"ends in {end}, so it names a folder: give a file name\n")
    assert sorted(p.name for p in Path.cwd().iterdir()) == [".git", "w.yaml"]


def test_render_writes_into_a_folder_named_with_a_dot(runner: CliRunner) -> None:
    write("w.yaml", CLEAN)
    result = runner.invoke(main, ["render", "w.yaml", "-f", "mermaid", "-o", "new/."])
    assert result.exit_code == 0, result.output
    assert [p.name for p in Path("new").iterdir()] == ["clean.mmd"]  # the workflow's id


def test_a_file_argument_ending_in_a_slash_is_refused(runner: CliRunner) -> None:
    write("w.yaml", CLEAN)
    result = runner.invoke(main, ["sop", "w.yaml/"])
    assert result.exit_code == 2
    assert result.output.endswith("Error: Invalid value for 'PATH': 'w.yaml/' ends in /, so "
                                  "it names a folder: give a file name\n")


@pytest.mark.parametrize("command", [["analyze"], ["render", "-f", "mermaid"]])
def test_a_path_that_cannot_be_written_is_named_on_one_line(runner: CliRunner,
                                                            command: list[str]) -> None:
    """A line break in a path the user gave must not start a line of its own
    (in a CI log, one that begins `::error` is obeyed)."""
    blocker = write("a\n::error::b", "a file, not a folder")
    result = runner.invoke(main, [command[0], write("c.yaml", CLEAN), *command[1:],
                                  "-o", f"{blocker}/r.txt"])
    assert result.exit_code == 2
    assert result.output == ("procmap: cannot write a\\n::error::b/r.txt: Not a directory\n")


def test_build_names_its_folder_on_one_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", write("c.yaml", CLEAN), "-o", "a\n::error::b"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].endswith(" files in a\\n::error::b")
