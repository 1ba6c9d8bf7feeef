"""simplify reads what analyze reads, refuses what it refuses, and edits only
what it changes (issue 14, point 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from procmap.cli import main
from procmap.format.errors import Problem, WorkflowError
from procmap.format.loader import loads

GOOD = (b"procmap: 1\nid: w\ntitle: W\nteams: {a: A}\nsteps:\n"
        b"  s1: {title: One, team: a, touch: 1h, next: s2}\n  s2: {title: Two, team: a}\n")
BAD = {
    "yaml syntax": b"procmap: 1\nid: [w\n",
    "duplicate key": GOOD + b"id: again\n",
    "tab": GOOD.replace(b"  s2", b"\ts2"),
    "nul": GOOD + b"\x00",
    "two documents": GOOD + b"---\nprocmap: 1\n",
    "100k brackets": b"procmap: 1\nid: " + b"[" * 100_000 + b"\n",
    "5000-digit integer": GOOD.replace(b"title: W", b"title: " + b"9" * 5000),
}


def located(data: bytes) -> list[Problem]:
    try:
        loads(data, "bad.yaml")
    except WorkflowError as e:
        return e.problems
    raise AssertionError("the file loads")


@pytest.mark.parametrize("data", BAD.values(), ids=BAD.keys())
def test_bad_input_is_the_located_error_of_analyze(runner: CliRunner, data: bytes) -> None:
    Path("bad.yaml").write_bytes(data)
    analyzed = runner.invoke(main, ["analyze", "bad.yaml"])
    result = runner.invoke(main, ["simplify", "bad.yaml", "-o", "out.yaml"])
    problems = located(data)
    assert result.exit_code == 2
    assert result.stderr == "".join(f"{p}\n" for p in problems)
    assert all(f"bad.yaml:{p.line}:{p.column}: error: {p.message}\n" in analyzed.output
               for p in problems)
    assert not Path("out.yaml").exists()


# Written the way some editors and people write: 4-space indent, CRLF line
# ends, trailing spaces, escapes, a document end marker, a BOM.
STYLED = (
    "\ufeff# The author's header  \r\n"
    "procmap: 1\r\n"
    "id: styled\r\n"
    "title: \"Caf\\u00e9 orders\"   \r\n"
    "teams:\r\n"
    "    a: Team A\r\n"
    "    b: Team B\r\n"
    "steps:\r\n"
    "    s1:\r\n"
    "        title: Take the order\r\n"
    "        team: a\r\n"
    "        touch: 1h\r\n"
    "        next: s2   # straight on\r\n"
    "    s2:\r\n"
    "        title: Copy the order\r\n"
    "        team: a\r\n"
    "        touch: 30m\r\n"
    "        wait: 1d\r\n"
    "        value: nva\r\n"
    "        next: s3\r\n"
    "    s3:   # required by SOX 404\r\n"
    "        title: Check the order\r\n"
    "        team: b\r\n"
    "        kind: check\r\n"
    "\r\n"
    "        # a comment under the key\r\n"
    "        touch: 1h\r\n"
    "...\r\n"
)


def test_no_change_gives_the_same_bytes(runner: CliRunner) -> None:
    unchanged = STYLED.replace("        value: nva\r\n", "")
    Path("w.yaml").write_bytes(unchanged.encode())
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "out.yaml"])
    assert result.exit_code == 0, result.output
    assert Path("out.yaml").read_bytes() == unchanged.encode()


def test_an_edit_keeps_every_untouched_byte(runner: CliRunner) -> None:
    Path("w.yaml").write_bytes(STYLED.encode())
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "out.yaml"])
    assert result.exit_code == 0, result.output
    s2 = STYLED.index("    s2:\r\n")
    expected = (STYLED[:s2].replace("next: s2   #", "next: s3   #")
                + STYLED[STYLED.index("    s3:"):])
    assert Path("out.yaml").read_bytes() == expected.encode()
    assert "# required by SOX 404" in Path("out.yaml").read_text(encoding="utf-8-sig")


def test_a_file_changed_during_the_run_is_not_overwritten(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import procmap.simplify.simplify as module

    Path("w.yaml").write_bytes(STYLED.encode())
    original = module.simplify
    edited = STYLED.replace("Take the order", "Take the order by phone").encode()

    def edit_meanwhile(*args: object, **kwargs: object) -> object:
        out = original(*args, **kwargs)  # type: ignore[arg-type]
        Path("w.yaml").write_bytes(edited)  # someone saves the file meanwhile
        return out

    monkeypatch.setattr(module, "simplify", edit_meanwhile)
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "w.yaml"])
    assert result.exit_code == 2
    assert result.stderr == ("procmap: w.yaml changed while simplify read it: nothing "
                             "written; run simplify again on the new version\n")
    assert Path("w.yaml").read_bytes() == edited


def test_a_doubled_byte_order_mark_reads_as_in_analyze_and_stays(runner: CliRunner) -> None:
    bom = "\ufeff\ufeff"
    text = bom + ("{procmap: 1, id: w, title: W, teams: {a: A}, steps: {"
                  "s1: {title: One, team: a, next: s2}, "
                  "s2: {title: Two, team: a, value: nva, next: s3}, "
                  "s3: {title: Three, team: a}}}\n")
    Path("w.yaml").write_bytes(text.encode())
    assert runner.invoke(main, ["analyze", "w.yaml"]).exit_code in (0, 1)
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "out.yaml"])
    assert result.exit_code == 0, result.output
    assert Path("out.yaml").read_bytes() == text.replace("next: s2}", "next: s3}").replace(
        "s2: {title: Two, team: a, value: nva, next: s3}, ", "").encode()


def test_steps_removed_side_by_side_in_a_flow_mapping() -> None:
    from procmap.simplify.simplify import simplify

    text = ("{procmap: 1, id: w, title: W, teams: {a: A}, steps: {"
            "s0: {title: A, team: a, next: s1}, s3: {title: D, team: a}, "
            "s1: {title: B, team: a, value: nva, next: s2}, "
            "s2: {title: C, team: a, value: nva, next: s3}}}\n")
    assert simplify(text, "w.yaml").text == (
        "{procmap: 1, id: w, title: W, teams: {a: A}, steps: {"
        "s0: {title: A, team: a, next: s3}, s3: {title: D, team: a}}}\n")


def test_an_anchor_sign_and_no_final_line_break_edit_cleanly(runner: CliRunner) -> None:
    # With a '&' anywhere the edit looks for orphaned aliases; libyaml ends a
    # file without a final line break one line past its last: an IndexError.
    text = STYLED.replace("Take the order", "Take & log the order").removesuffix("\r\n...\r\n")
    Path("w.yaml").write_bytes(text.encode())
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "out.yaml"])
    assert result.exit_code == 0, result.output
    s2 = text.index("    s2:\r\n")
    assert Path("out.yaml").read_bytes() == (text[:s2].replace("next: s2   #", "next: s3   #")
                                             + text[text.index("    s3:"):]).encode()


@pytest.mark.parametrize("written", [">-\r\n            s2", "|-\r\n            s2"])
def test_a_link_written_as_a_block_scalar_is_edited_in_place(runner: CliRunner,
                                                             written: str) -> None:
    # The scalar's span ends past its line break: the edit once swallowed it and
    # joined the next key onto the line ('next: s3    s2:'), which then failed.
    text = STYLED.replace("next: s2   # straight on", f"next: {written}")
    Path("w.yaml").write_bytes(text.encode())
    result = runner.invoke(main, ["simplify", "w.yaml", "-o", "out.yaml"])
    assert result.exit_code == 0, result.output
    s1_next = text.index("next: " + written)
    assert Path("out.yaml").read_bytes() == (
        text[:s1_next] + "next: s3" + text[text.index("\r\n    s2:\r\n"):text.index("    s2:")]
        + text[text.index("    s3:"):]).encode()
