"""procmap in CI: discovery, standard input, report options and CI formats (issue 16)."""

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from helpers import CLEAN, write
from procmap.cli import main

NVA = CLEAN.replace("id: clean", "id: nva").replace("touch: 2h}", "touch: 2h, value: nva}")
EXAMPLES = Path(__file__).parent.parent / "workflows"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                          .read_text())


def files_in(output: str) -> list[str]:
    return [w["file"] for w in json.loads(output)["workflows"]]


# Discovery


def test_a_folder_search_skips_what_git_ignores(runner: CliRunner) -> None:
    write(".gitignore", "/out/\n*.draft.yaml\n")
    write("workflows/nva.yaml", NVA)
    write("out/simplified/nva.yaml", NVA)  # a copy with the same id: exit 2 if read
    write("workflows/next.draft.yaml", CLEAN)
    result = runner.invoke(main, ["analyze", ".", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert files_in(result.output) == ["workflows/nva.yaml"]


def test_a_nested_gitignore_and_a_negation(runner: CliRunner) -> None:
    write(".gitignore", "*.yaml\n!keep.yaml\n")
    write("a/keep.yaml", CLEAN)
    write("a/other.yaml", NVA)
    write("b/.gitignore", "!other.yaml\n")
    write("b/other.yaml", NVA)
    result = runner.invoke(main, ["analyze", ".", "-f", "json"])
    assert files_in(result.output) == ["a/keep.yaml", "b/other.yaml"]


def test_a_gitignore_line_git_cannot_read_matches_nothing_as_in_git(runner: CliRunner) -> None:
    # '!', a trailing backslash and '[z-a]' were internal errors from pathspec.
    write(".gitignore", "!\nwork\\\n[z-a]\ndrafts/\n")
    write("drafts/nva.yaml", NVA)
    write("w/clean.yaml", CLEAN)
    result = runner.invoke(main, ["analyze", ".", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert files_in(result.output) == ["w/clean.yaml"]


def test_the_gitignore_of_a_parent_applies_to_a_subfolder_search(runner: CliRunner) -> None:
    write(".gitignore", "drafts/\n")
    write("workflows/drafts/nva.yaml", NVA)
    write("workflows/clean.yaml", CLEAN)
    result = runner.invoke(main, ["analyze", "workflows", "-f", "json"])
    assert files_in(result.output) == ["workflows/clean.yaml"]


def test_a_file_named_on_the_command_line_is_read_even_if_ignored(runner: CliRunner) -> None:
    write(".gitignore", "out/\n")
    write("out/nva.yaml", NVA)
    result = runner.invoke(main, ["analyze", "out/nva.yaml", "-f", "json"])
    assert files_in(result.output) == ["out/nva.yaml"]


def test_exclude_in_the_config_is_relative_to_the_config_file(runner: CliRunner) -> None:
    write(".procmap.yaml", "exclude: ['/legacy/', 'old-*.yaml']\n")
    write("legacy/nva.yaml", NVA)
    write("w/legacy/clean.yaml", CLEAN)  # not at the root: '/legacy/' is anchored
    write("w/old-nva.yaml", NVA.replace("id: nva", "id: nva2"))
    result = runner.invoke(main, ["analyze", ".", "-f", "json"])
    assert files_in(result.output) == ["w/legacy/clean.yaml"]


def test_exclude_must_be_a_list_of_patterns(runner: CliRunner) -> None:
    write(".procmap.yaml", "exclude: out/\n")
    result = runner.invoke(main, ["analyze", write("c.yaml", CLEAN)])
    assert result.exit_code == 2
    assert result.output.endswith(
        ".procmap.yaml:1:10: exclude: expected a list, got the text 'out/'\n")
    write(".procmap.yaml", "exclude:\n  - out/\n  - '[z-a]'\n")
    result = runner.invoke(main, ["analyze", "c.yaml"])
    assert result.exit_code == 2
    assert result.output.endswith(".procmap.yaml:3:5: exclude: not a gitignore pattern: bad "
                                  "character range z-a\n"
                                  "  hint: write the pattern as in a .gitignore file\n")


# Standard input


def test_dash_reads_one_workflow_from_standard_input(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", "-", "-f", "json", "--stdin-filename",
                                  "w/nva.yaml"], input=NVA)
    report = json.loads(result.output)
    [finding] = report["workflows"][0]["findings"]
    assert (finding["rule"], finding["file"], finding["line"]) == ("nva-step", "w/nva.yaml", 7)


def test_broken_standard_input_is_a_located_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", "-"], input="a: b: c\n")
    assert result.exit_code == 2
    assert result.output.startswith("-:1:5: error: ")


def test_dash_o_writes_the_report_to_standard_output(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", write("nva.yaml", NVA), "-f", "json", "-o", "-"])
    assert files_in(result.output) == ["nva.yaml"] and not Path("-").exists()


# Options


def test_select_and_ignore(runner: CliRunner) -> None:
    path = str(EXAMPLES / "partner-onboarding.yaml")

    def rules(*options: str) -> set[str]:
        result = runner.invoke(main, ["analyze", path, "-f", "json", *options])
        return {f["rule"] for f in json.loads(result.output)["workflows"][0]["findings"]}

    everything = rules()
    assert {"ping-pong", "nva-step"} <= everything
    assert rules("--select", "ping-pong,nva-step") == {"ping-pong", "nva-step"}
    assert rules("--select", "ping-pong", "--select", "nva-step", "--ignore",
                 "nva-step") == {"ping-pong"}
    assert rules("--ignore", "ping-pong") == everything - {"ping-pong"}


def test_an_unknown_rule_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", write("c.yaml", CLEAN), "--ignore", "ping,pong"])
    assert result.exit_code == 2
    assert "Invalid value for '--ignore': no rule ping, pong: see `procmap rules`" \
        in result.output


def test_exit_zero_and_max_warnings(runner: CliRunner) -> None:
    unreachable = CLEAN.replace("s2: {title: Two", "s3: {title: Three, team: a}\n  s2: {title: Two")
    write("u.yaml", unreachable)
    assert runner.invoke(main, ["analyze", "u.yaml"]).exit_code == 1
    assert runner.invoke(main, ["analyze", "u.yaml", "--exit-zero"]).exit_code == 0
    assert runner.invoke(main, ["analyze", write("bad.yaml", "a: b: c\n"),
                                "--exit-zero"]).exit_code == 2
    path = str(EXAMPLES / "partner-onboarding.yaml")
    result = runner.invoke(main, ["analyze", path, "-f", "json"])
    warnings = sum(f["level"] == "warning" for f in json.loads(result.output)["workflows"][0]
                   ["findings"])
    assert warnings > 1 and result.exit_code == 0
    assert runner.invoke(main, ["analyze", path, "--max-warnings", str(warnings)]).exit_code == 0
    result = runner.invoke(main, ["analyze", path, "--max-warnings", str(warnings - 1)])
    assert result.exit_code == 1
    assert (f"procmap: {warnings} warnings, more than --max-warnings {warnings - 1}"
            in result.output)


def test_quiet_prints_the_findings_only(runner: CliRunner) -> None:
    write("clean.yaml", CLEAN)
    write("nva.yaml", NVA)
    result = runner.invoke(main, ["analyze", "clean.yaml", "nva.yaml", "--quiet"])
    assert result.output == (
        "nva.yaml  Clean\n"
        "      7:3  info     nva-step               [2 delete]     "
        "'s2' is marked non-value-added: the customer would not pay for it. Delete it "
        "unless a named requirement keeps it.\n")


def test_statistics(runner: CliRunner) -> None:
    write("a.yaml", NVA)
    write("b.yaml", NVA.replace("id: nva", "id: nva2"))
    result = runner.invoke(main, ["analyze", "a.yaml", "b.yaml", "--statistics"])
    assert result.output == "    2  nva-step                 info\n"
    assert result.exit_code == 0


# Report formats


def test_format_choices_and_help_come_from_the_registry(runner: CliRunner) -> None:
    from procmap.analysis.report import FORMATS

    result = runner.invoke(main, ["analyze", "--help"])
    assert "[text|json|sarif|github|gitlab|junit]" in result.output
    assert list(FORMATS) == ["text", "json", "sarif", "github", "gitlab", "junit"]
    for name, module in FORMATS.items():
        assert module.HELP and callable(module.render), name


def test_gitlab_code_quality(runner: CliRunner) -> None:
    write("sub/nva.yaml", NVA)
    out = runner.invoke(main, ["analyze", "sub/nva.yaml", "-f", "gitlab"])
    [issue] = json.loads(out.output)
    assert issue["check_name"] == "nva-step" and issue["severity"] == "info"
    assert issue["location"] == {"path": "sub/nva.yaml", "lines": {"begin": 7}}
    assert len(issue["fingerprint"]) == 32
    moved = NVA.replace("steps:\n", "steps:\n  s0: {title: Zero, team: a, touch: 1h, next: s1}\n")
    write("sub/nva.yaml", moved)
    [again] = json.loads(runner.invoke(main, ["analyze", "sub/nva.yaml", "-f", "gitlab"]).output)
    assert again["location"]["lines"]["begin"] == 8
    assert again["fingerprint"] == issue["fingerprint"]


def test_junit(runner: CliRunner) -> None:
    unreachable = CLEAN.replace("s2: {title: Two", "s3: {title: Three, team: a}\n  s2: {title: Two")
    write("u.yaml", unreachable.replace("id: clean", "id: u"))
    write("nva.yaml", NVA)
    write("clean.yaml", CLEAN)
    write("bad.yaml", "a: b: c\n")
    result = runner.invoke(main, ["analyze", "bad.yaml", "clean.yaml", "nva.yaml", "u.yaml",
                                  "-f", "junit"])
    root = ET.fromstring(result.output)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suites = {s.get("name"): s for s in root}
    assert list(suites) == ["bad.yaml", "clean", "nva", "u"]
    [case] = suites["u"]
    assert case.get("name") == "unreachable at s3"
    assert case.find("failure").get("type") == "error"  # type: ignore[union-attr]
    [case] = suites["nva"]
    assert case.find("failure") is None and case.find("system-out") is not None


# SARIF


def sarif(runner: CliRunner, *paths: str) -> dict[str, object]:
    result = runner.invoke(main, ["analyze", *paths, "-f", "sarif"])
    data: dict[str, object] = json.loads(result.output)
    return data


def test_the_examples_pass_the_official_sarif_schema(runner: CliRunner) -> None:
    data = sarif(runner, str(EXAMPLES))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(data)
    [run] = data["runs"]  # type: ignore[index]
    assert all(r["help"]["text"] and r["helpUri"] for r in run["tool"]["driver"]["rules"])
    results = run["results"]
    assert results and all("suppressions" in r for r in results)
    assert {len(r["suppressions"]) for r in results} == {0, 1}


def test_sarif_uris_are_encoded_and_relative_to_the_repository_root(runner: CliRunner) -> None:
    write("sub dir/billing #1.yaml", NVA)
    Path("elsewhere").mkdir()
    os.chdir("elsewhere")
    data = sarif(runner, "../sub dir/billing #1.yaml")
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(data)
    [run] = data["runs"]  # type: ignore[index]
    [result] = run["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "sub%20dir/billing%20%231.yaml", "uriBaseId": "%SRCROOT%"}
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == Path("..").resolve().as_uri() + "/"


def test_sarif_fingerprints_survive_line_moves(runner: CliRunner) -> None:
    def fingerprints() -> list[str]:
        [run] = sarif(runner, "nva.yaml")["runs"]  # type: ignore[index]
        return [r["partialFingerprints"]["procmapFinding/v1"] for r in run["results"]]

    write("nva.yaml", NVA)
    before = fingerprints()
    write("nva.yaml", NVA.replace("steps:\n", "steps:\n  s0: {title: Zero, team: a, touch: 1h,"
                                              " next: s1}\n"))
    assert fingerprints() == before and len(before) == 1


# Baseline

UNREACHABLE = CLEAN.replace("s2: {title: Two", "s3: {title: Three, team: a}\n  s2: {title: Two")


def test_a_baseline_keeps_known_findings_from_failing(runner: CliRunner) -> None:
    write("u.yaml", UNREACHABLE)
    result = runner.invoke(main, ["analyze", "u.yaml", "--write-baseline", "baseline.json"])
    assert result.exit_code == 0 and result.output == ""
    [entry] = json.loads(Path("baseline.json").read_text())["findings"]
    assert (entry["workflow"], entry["rule"]) == ("clean", "unreachable")
    # a comment added above moves the finding a line down: still known
    moved = UNREACHABLE.replace("steps:\n", "# the steps\nsteps:\n")
    write("u.yaml", moved)
    result = runner.invoke(main, ["analyze", "u.yaml", "--baseline", "baseline.json"])
    assert result.exit_code == 0, result.output
    assert "      8:3  known    unreachable" in result.output
    assert "0 errors, 0 warnings, 0 info, 0 waived, 1 known (in the baseline)" in result.output
    data = json.loads(runner.invoke(main, ["analyze", "u.yaml", "--baseline", "baseline.json",
                                           "-f", "json"]).output)
    assert data["workflows"][0]["findings"][0]["known"] is True
    # a new finding fails the run
    write("u.yaml", moved.replace("s3: {title: Three, team: a}",
                                  "s3: {title: Three, team: a}\n  s4: {title: Four, team: a}"))
    result = runner.invoke(main, ["analyze", "u.yaml", "--baseline", "baseline.json", "-f",
                                  "github"])
    assert result.exit_code == 1
    [annotation] = result.output.splitlines()
    assert annotation.startswith("::error file=u.yaml,line=9,col=3,title=procmap unreachable")


def test_a_broken_baseline_is_a_located_usage_error(runner: CliRunner) -> None:
    write("b.json", '{"procmap-baseline": 1,\n "findings": [}\n')
    result = runner.invoke(main, ["analyze", write("c.yaml", CLEAN), "--baseline", "b.json"])
    assert result.exit_code == 2
    assert result.output.startswith("b.json:2:15: not a baseline: invalid JSON")
    write("b.json", '{"findings": []}\n')
    result = runner.invoke(main, ["analyze", "c.yaml", "--baseline", "b.json"])
    assert result.exit_code == 2
    assert "b.json:1:1: not a baseline: expected procmap-baseline: 1" in result.output
    write("b.json", "[" * 100_000 + "]" * 100_000)
    result = runner.invoke(main, ["analyze", "c.yaml", "--baseline", "b.json"])
    assert result.exit_code == 2
    assert result.output == ("b.json:1:1: not a baseline: the JSON is nested too deeply\n"
                             "  hint: write one with procmap analyze --write-baseline FILE\n")


def test_under_github_actions_the_text_report_annotates(runner: CliRunner) -> None:
    write("nva.yaml", NVA)
    result = runner.invoke(main, ["analyze", "nva.yaml"], env={"GITHUB_ACTIONS": "true"})
    assert result.output.splitlines()[-1].startswith(
        "::notice file=nva.yaml,line=7,col=3,title=procmap nva-step")
    assert "GitHub shows" not in result.output
    outside = runner.invoke(main, ["analyze", "nva.yaml"], env={"GITHUB_ACTIONS": ""})
    assert "::notice" not in outside.output


def test_under_github_actions_it_says_when_annotations_are_hidden(runner: CliRunner) -> None:
    steps = "".join(f"  s{i}: {{title: Step {i}, team: a, value: nva"
                    + (f", next: s{i + 1}}}\n" if i < 12 else "}\n") for i in range(12 + 1))
    write("many.yaml", CLEAN.split("steps:\n")[0] + "steps:\n" + steps)
    result = runner.invoke(main, ["analyze", "many.yaml"], env={"GITHUB_ACTIONS": "true"})
    assert sum(line.startswith("::notice ") for line in result.output.splitlines()) == 13
    assert ("procmap: GitHub shows 10 annotations of each type per step, so 3 of 13 notices "
            "are not annotated: the report above lists them all.") in result.output


def test_the_examples_pass_github_code_scanning_rules(runner: CliRunner,
                                                      tmp_path: Path) -> None:
    # npm install @microsoft/sarif-multitool puts it in node_modules/.bin
    tool = os.environ.get("SARIF_MULTITOOL") or shutil.which("sarif-multitool")
    if tool is None:
        pytest.skip("sarif-multitool is not installed (npm install @microsoft/sarif-multitool; "
                    "SARIF_MULTITOOL=path/to/sarif-multitool)")
    Path("ex.sarif").write_text(json.dumps(sarif(runner, str(EXAMPLES))))
    done = subprocess.run([tool, "validate", "--rule-kind", "Gh", "--output", "val.sarif",
                           "ex.sarif"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [run] = json.loads(Path("val.sarif").read_text())["runs"]
    assert [(r["ruleId"], r["message"]) for r in run["results"]] == []


def test_only_workflows_passes_over_other_yaml(runner: CliRunner) -> None:
    write("ci.yaml", "on: push\njobs: {}\n")
    write("nva.yaml", NVA)
    result = runner.invoke(main, ["analyze", "ci.yaml", "nva.yaml", "-f", "json"])
    assert result.exit_code == 2  # named, so read as a workflow
    result = runner.invoke(main, ["analyze", "--only-workflows", "ci.yaml", "nva.yaml", "-f",
                                  "json"])
    assert result.exit_code == 0 and files_in(result.output) == ["nva.yaml"]
    result = runner.invoke(main, ["analyze", "--only-workflows", "ci.yaml"])
    assert result.exit_code == 0 and result.output.endswith("0 workflows, 0 errors, 0 warnings, "
                                                            "0 info, 0 waived\n")


def test_a_file_outside_the_repository_gets_an_absolute_file_uri(
        runner: CliRunner, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "a b.yaml"
    outside.write_text(NVA)
    data = sarif(runner, str(outside))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(data)
    [run] = data["runs"]  # type: ignore[index]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.resolve().as_uri()}
    assert location["uri"].startswith("file:///") and location["uri"].endswith("/a%20b.yaml")
