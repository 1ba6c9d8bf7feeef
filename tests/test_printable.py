"""Text from the YAML on terminals, in logs and in CI annotations: no field
ends its line, moves the cursor or sends a command (issue 14, point 7)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from helpers import write
from procmap.cli import main
from procmap.printable import one_line, printable

INJECTED = "x\n::error file=README.md,line=1::Injected"
NASTY = f"{INJECTED}\x1b[2J\x1b]0;pwn\x07\r\u202eevil\x9b\x00\u2028end"
SHOWN = ("x\\n::error file=README.md,line=1::Injected\\x1b[2J\\x1b]0;pwn\\x07\\r\\u202eevil"
         "\\x9b\\x00\\u2028end")


def workflow(name: str = NASTY) -> str:
    quoted = json.dumps(name)
    return (f"procmap: 1\nid: w\ntitle: {quoted}\nteams: {{a: {quoted}, b: B}}\nsteps:\n"
            f"  s1: {{title: {quoted}, team: a, touch: 1h, next: s2, value: nva,\n"
            f"        waive: {{nva-step: {quoted}}}}}\n"
            f"  s2: {{title: {quoted}, team: b, touch: 1h, kind: check, next: s3,\n"
            f"        requirement: {{why: {quoted}, by: {quoted}}}}}\n"
            f"  s3: {{title: {quoted}, team: a, touch: 1h}}\n")


def test_one_line_shows_every_control_as_an_escape() -> None:
    assert one_line(NASTY) == SHOWN
    assert one_line("Café 日本語 🚀 tab\tok") == "Café 日本語 🚀 tab\\tok"
    assert printable("a\x1bb\nc\x9b") == "a b\nc "


def test_text_report_keeps_each_field_on_its_line(runner: CliRunner) -> None:
    write("w.yaml", workflow())
    result = runner.invoke(main, ["analyze", "w.yaml", "--no-simulate"])
    lines = result.output.splitlines()
    assert lines[0] == f"w.yaml  {SHOWN}"
    assert f"waived: {SHOWN}" in [line.strip() for line in lines]
    assert not [line for line in lines if line.startswith("::")]
    assert not set(result.output) & {"\x1b", "\r", "\x07", "\x9b", "\u202e", "\x00", "\u2028"}


def test_github_annotations_cannot_be_broken_out_of(runner: CliRunner) -> None:
    write("w.yaml", workflow())
    result = runner.invoke(main, ["analyze", "w.yaml", "--no-simulate", "-f", "github"])
    lines = result.output.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::warning", "::warning", "::warning"]
    team = [line for line in lines if "a team, not a person" in line]
    assert len(team) == 1
    assert ("required by 'x%0A::error file=README.md,line=1::Injected\\x1b[2J\\x1b]0;pwn\\x07"
            "%0D\\u202eevil\\x9b\\x00\\u2028end', a team") in team[0]
    assert not set(result.output) & {"\x1b", "\r", "\x07", "\x9b", "\u202e", "\x00", "\u2028"}


def test_simplify_log_and_diff_keep_each_field_on_its_line(runner: CliRunner) -> None:
    # s2 as a task: simplify never moves a check (who checks is the control).
    write("w.yaml", workflow().replace("kind: check, ", ""))
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "after.yaml"])
    assert result.exit_code == 0, result.output
    # its `by` names team a, not a person: the owner (none here) is asked
    assert f"waiting  review  ping-pong:s2: ask the process owner: move '{SHOWN}' " \
           f"from B to {SHOWN}, which does the work before and after it; saves 2 " \
           "handoffs per case" in result.output.splitlines()
    # By its id: with `all`, the move waits, as it would make s2 a duplicate of s1
    # (a cascade, which simplify.md keeps for a later run).
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "after.yaml",
                                  "--accept", "ping-pong:s2"])
    assert result.exit_code == 0, result.output
    log = result.output.splitlines()
    assert f"applied  review  ping-pong:s2: move '{SHOWN}' from B to {SHOWN}, which does " \
           "the work before and after it; saves 2 handoffs per case" in log
    result = runner.invoke(main, ["diff", "w.yaml", "after.yaml"])
    diff = result.output.splitlines()
    assert f"- moved: s2 ({SHOWN}) from B to {SHOWN}" in diff
    for output in (result.output, "\n".join(log)):
        assert not [line for line in output.splitlines() if line.startswith("::")]
        assert not set(output) & {"\x1b", "\r", "\x07", "\x9b", "\u202e", "\x00", "\u2028"}
