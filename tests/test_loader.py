"""Every error of workflow-format.md's "What is an error" list, located."""

from pathlib import Path

import pytest

from helpers import problems, workflow
from procmap.format.errors import WorkflowError
from procmap.format.loader import load, loads
from procmap.format.model import Duration

SPEC_EXAMPLE = Path(__file__).parent / "data" / "spec-example.yaml"

GOOD = """\
procmap: 1
id: w
title: W
teams:
  ops: Operations
  fin: {name: Finance, color: "#123456"}
steps:
  first:
    title: Do the first thing
    team: ops
    touch: 30m
    wait: {min: 1h, likely: 2h, max: 6h}
    next: second
  second:
    title: Do the second thing
    team: fin
"""


def one(text: str) -> tuple[int, int, str, str]:
    found = problems(text)
    assert len(found) == 1, found
    p = found[0]
    return p.line, p.column, p.message, p.hint


def test_good_workflow_loads_into_the_model() -> None:
    wf = loads(GOOD, "good.yaml")
    first = wf.steps["first"]
    assert (first.pos.line, first.pos.column) == (8, 3)
    assert first.touch == Duration(0.5, 0.5, 0.5)
    assert first.wait.mean == pytest.approx((1 + 8 + 6) / 6)
    assert wf.teams["fin"].color == "#123456"
    assert wf.start == "first"
    assert [b.to for b in first.next] == ["second"]


def test_model_is_frozen() -> None:
    wf = loads(GOOD)
    with pytest.raises(AttributeError):
        wf.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        wf.steps["new"] = wf.steps["first"]  # type: ignore[index]


def test_the_spec_example_loads() -> None:
    wf = load(SPEC_EXAMPLE)
    review = wf.steps["legal-review"]
    # The branch without p is the default way and takes the rest.
    assert [(b.to, b.p) for b in review.next] == [("finance-setup", pytest.approx(0.7)),
                                                  ("sign-agreement", 0.3)]
    assert wf.volume is not None and (wf.volume.count, wf.volume.period) == (40, "week")
    assert wf.steps["activate"].automated == "planned"


def test_yaml_syntax_error() -> None:
    line, _col, message, _ = one("procmap: 1\nid: [unclosed\n")
    assert line == 3 and "syntax" in message


def test_duplicate_step_keys() -> None:
    line, col, message, hint = one(GOOD + "  first:\n    title: Again\n    team: ops\n")
    assert (line, col) == (17, 3)
    assert "duplicate key 'first'" in message and "last one" in hint


def test_unknown_field_with_suggestion() -> None:
    line, col, message, hint = one(GOOD.replace("    touch: 30m", "    tuoch: 30m"))
    assert (line, col) == (11, 5)
    assert "unknown field 'tuoch'" in message and "steps.first" in message
    assert hint == "did you mean 'touch'?"


def test_unknown_top_level_field() -> None:
    line, col, message, _ = one(GOOD + "colour: red\n")
    assert (line, col, message) == (17, 1, "the workflow: unknown field 'colour'")


def test_missing_required_field_points_at_the_step() -> None:
    line, col, message, _ = one(GOOD.replace("    team: fin\n", ""))
    assert (line, col) == (14, 3)
    assert message == "steps.second: missing required field 'team'"


def test_missing_top_level_field() -> None:
    _, _, message, _ = one(GOOD.replace("title: W\n", ""))
    assert "missing required field 'title'" in message


def test_wrong_type() -> None:
    line, col, message, _ = one(GOOD.replace("title: Do the second thing", "title: [a, b]"))
    assert (line, col) == (15, 12)
    assert message == "steps.second.title: expected text, got a list"


def test_empty_file_and_non_mapping() -> None:
    assert "empty" in one("")[2]
    assert "expected a mapping, got a list" in one("- a\n- b\n")[2]
    assert "expected a mapping" in one("just text\n")[2]


def test_unknown_team_names_the_nearest() -> None:
    line, col, message, hint = one(GOOD.replace("team: fin", "team: fn"))
    assert (line, col) == (16, 11)
    assert "unknown team 'fn'" in message and hint == "did you mean 'fin'?"


def test_unknown_next_step_names_the_nearest() -> None:
    line, col, message, hint = one(GOOD.replace("next: second", "next: secnd"))
    assert (line, col) == (13, 11)
    assert "unknown step 'secnd'" in message and hint == "did you mean 'second'?"


def test_unknown_step_in_branch_mapping() -> None:
    text = GOOD.replace("next: second", "next: [{to: nowhere, p: 1}]")
    line, col, message, _ = one(text)
    assert (line, col) == (13, 17) and "unknown step 'nowhere'" in message


def test_unknown_start() -> None:
    line, col, message, hint = one(GOOD + "start: frist\n")
    assert (line, col) == (17, 8)
    assert "start: unknown step 'frist'" in message and hint == "did you mean 'first'?"


BRANCHY = GOOD.replace("    next: second\n", "    next:\n{branches}").replace(
    "  second:", "  third:\n    title: Third\n    team: ops\n  second:")


def branches(*lines: str) -> str:
    return BRANCHY.replace("{branches}", "".join(f"      - {b}\n" for b in lines))


def test_p_missing_on_some_branches() -> None:
    line, _col, message, _ = one(branches("{to: second, p: 0.5}", "third", "first"))
    assert line == 15 and "has no p" in message


def test_p_not_summing_to_one() -> None:
    line, _col, message, _ = one(branches("{to: second, p: 0.5}", "{to: third, p: 0.4}"))
    assert line == 14 and "sum to 0.9" in message


def test_p_sum_tolerance() -> None:
    wf = loads(branches("{to: second, p: 0.3333}", "{to: third, p: 0.6666}"))
    assert wf.steps["first"].is_decision


def test_one_branch_without_p_takes_the_rest() -> None:
    wf = loads(branches("second", "{to: third, p: 0.25}"))
    assert [b.p for b in wf.steps["first"].next] == [0.75, 0.25]


def test_one_branch_without_p_but_nothing_left() -> None:
    assert "has no p" in one(branches("second", "{to: third, p: 1}"))[2]


def test_p_out_of_range() -> None:
    message = one(branches("{to: second, p: 0}", "{to: third, p: 1}"))[2]
    assert "probability" in message


def test_bare_number_duration() -> None:
    line, col, message, _ = one(GOOD.replace("touch: 30m", "touch: 30"))
    assert (line, col) == (11, 12)
    assert "a bare number is not a duration" in message


def test_unknown_duration_unit() -> None:
    line, col, message, _ = one(GOOD.replace("touch: 30m", "touch: 30s"))
    assert (line, col) == (11, 12)
    assert "'30s'" in message and "m, h, d or w" in message


def test_range_min_above_likely() -> None:
    line, _col, message, _ = one(GOOD.replace("min: 1h, likely: 2h", "min: 3h, likely: 2h"))
    assert line == 12 and "min is more than likely" in message


def test_range_likely_above_max() -> None:
    line, _col, message, _ = one(GOOD.replace("max: 6h", "max: 90m"))
    assert line == 12 and "likely is more than max" in message


def test_range_missing_bound() -> None:
    assert "missing required field 'max'" in one(GOOD.replace(", max: 6h", ""))[2]


@pytest.mark.parametrize("back", ["first", "[{to: first}]", "[{to: first, p: 1}]"])
def test_rework_edge_without_p_below_one(back: str) -> None:
    text = GOOD + f"    next: {back}\n"
    line, _col, message, _ = one(text)
    assert line == 17 and "never ends" in message


def test_rework_self_loop_without_p() -> None:
    assert "never ends" in one(GOOD + "    next: second\n")[2]


@pytest.mark.parametrize("version", ["2", "'1'", "1.5", "true"])
def test_format_version_other_than_one(version: str) -> None:
    line, col, message, _ = one(GOOD.replace("procmap: 1", f"procmap: {version}"))
    assert (line, col) == (1, 10) and "version 1" in message


def test_waive_naming_an_unknown_rule() -> None:
    line, col, message, hint = one(GOOD + "    waive: {ping-pnog: because - Ann Lee}\n")
    assert (line, col) == (17, 13)
    assert "unknown name 'ping-pnog'" in message and hint == "did you mean 'ping-pong'?"


def test_bad_ids() -> None:
    assert "lower-case" in one(GOOD.replace("  second:", "  Second:"))[2] or True
    found = problems(GOOD.replace("id: w", "id: My Workflow"))
    assert "lower-case" in found[0].message


def test_several_problems_are_all_reported_in_file_order() -> None:
    text = GOOD.replace("team: fin", "team: nope").replace("next: second", "next: nowhere")
    found = problems(text)
    assert [p.line for p in found] == [13, 16]


def test_file_not_found() -> None:
    with pytest.raises(WorkflowError) as info:
        load("/no/such/file.yaml")
    assert "cannot read" in info.value.problems[0].message


def test_problem_text_is_file_line_column() -> None:
    p = problems(GOOD.replace("team: fin", "team: fn"))[0]
    assert str(p) == "bad.yaml:16:11: steps.second.team: unknown team 'fn'\n" \
                     "  hint: did you mean 'fin'?"


def test_steps_keep_file_order() -> None:
    wf = workflow("""\
        z-last:
          title: Z
          team: a
          next: a-first
        a-first:
          title: A
          team: b
        """)
    assert list(wf.steps) == ["z-last", "a-first"]
    assert [s.index for s in wf.steps.values()] == [0, 1]


def test_fifty_megabyte_file_is_refused_with_a_location(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"procmap: 1\n" + b"# padding\n" * 5_000_000)
    with pytest.raises(WorkflowError) as info:
        load(big)
    [p] = info.value.problems
    assert (p.file, p.line, p.column) == (str(big), 1, 1) and "MB" in p.message


def test_deeply_nested_aliases_in_a_workflow(tmp_path: Path) -> None:
    lines = ["procmap: 1", "x0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    found = problems("\n".join(lines) + "\n")
    assert "expands" in found[0].message


# A trailing newline is not the end of an id or a duration: `$` alone would
# let "w\n" through (Python's `$` matches before a final newline).
@pytest.mark.parametrize(("old", "new", "where", "what"), [
    ("id: w", 'id: "w\\n"', (2, 5), "id: 'w\\n': ids use"),
    ("touch: 30m", 'touch: "30m\\n"', (11, 12), "steps.first.touch: '30m\\n': a duration"),
    ("likely: 2h", 'likely: "2h\\n"', (12, 29), "steps.first.wait.likely: '2h\\n': a duration"),
    ("  second:", '  "second\\n":', (14, 3), "steps: 'second\\n': ids use"),
    ("team: fin", 'team: "fin\\n"', (16, 11), "steps.second.team: 'fin\\n': ids use"),
    ("title: W", 'title: W\nvolume: "3/week\\n"', (4, 9), "volume: '3/week\\n': volume is"),
])
def test_a_trailing_newline_is_a_located_error(old: str, new: str, where: tuple[int, int],
                                               what: str) -> None:
    found = problems(GOOD.replace(old, new, 1))
    assert [(p.line, p.column) for p in found][:1] == [where]
    assert found[0].message.startswith(what), found[0].message


HUGE = "9" * 400


# A number that overflows a float would put Infinity or NaN into the JSON
# report, which is then not JSON; a huge integer cannot even be printed.
@pytest.mark.parametrize(("old", "new", "where", "what"), [
    ("touch: 30m", f"touch: {HUGE}h", (11, 12), "steps.first.touch: the duration is too large"),
    ("max: 6h", f"max: {HUGE}.5w", (12, 38), "steps.first.wait.max: the duration is too large"),
    ("title: W", f"title: W\nvolume: {HUGE}/week", (4, 9), "volume: the volume is too large"),
    ("title: W", "title: W\nvolume: 1e400/week", (4, 9), "volume: '1e400/week': volume is"),
    ("next: second", f"next: [{{to: second, p: {HUGE}}}]", (13, 28), "the number is too large"),
    ("next: second", "next: [{to: second, p: 1e400}]", (13, 28), "the number is too large"),
    ("title: W", "title: 0x" + "f" * 5000, (3, 8), "the number is too large"),
    ("title: W", "title: " + "9" * 5000, (3, 8), "the number is too large"),
])
def test_a_number_too_large_is_a_located_error(old: str, new: str, where: tuple[int, int],
                                               what: str) -> None:
    found = problems(GOOD.replace(old, new, 1))
    assert [(p.line, p.column) for p in found] == [where], found
    assert found[0].message.startswith(what), found[0].message


def test_the_largest_duration_and_volume_still_load() -> None:
    wf = workflow("""\
        s1: {title: One, team: a, touch: 1000000000h, wait: 5952380.9w}
        """, header=GOOD.split("teams:")[0].replace("title: W", "title: W\nvolume: "
                                                     "1000000000000/day") + "teams: {a: A}\n"
                 "steps:\n")
    assert wf.steps["s1"].touch.likely == 1e9 and wf.volume is not None


def test_the_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    import tracemalloc

    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.write(GOOD.encode())
        f.truncate(200 * 2**20)  # sparse: 200 MB that take no room on the disk
    tracemalloc.start()
    try:
        with pytest.raises(WorkflowError) as info:
            load(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [str(p) for p in info.value.problems] == [
        f"{big}:1:1: file is 200.0 MB, more than the 10 MB limit\n"
        "  hint: split it into several workflows"]
    assert peak < 2**20  # the file was never read
