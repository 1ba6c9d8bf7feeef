"""`procmap simplify`: valid, never worse, in the Algorithm's order, minimal diffs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from helpers import HEADER, write
from procmap.cli import main
from procmap.format.errors import WorkflowError
from procmap.format.loader import loads
from procmap.simplify.simplify import Options, Simplified, simplify
from strategies import workflows

# A decision between s2 and s3, which the tests complete.
DECIDE = """\
s1:
  title: Decide
  team: a
  touch: 1h
  next: [{to: s2, when: "yes", p: 0.6}, {to: s3, when: "no", p: 0.4}]
"""
EXAMPLES = sorted((Path(__file__).parent.parent / "workflows").glob("*.yaml"))


def run(steps: str, options: Options | None = None, header: str = HEADER) -> Simplified:
    text = header + textwrap.indent(textwrap.dedent(steps), "  ")
    return simplify(text, "t.yaml", options)


def no_worse(result: Simplified) -> None:
    loads(result.text, "after.yaml")  # the output always loads
    b, a = result.before.metrics, result.after.metrics
    assert a.lead_time_h <= b.lead_time_h + 1e-9
    assert a.handoffs <= b.handoffs


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_get_simpler_and_stay_valid(path: Path) -> None:
    text = path.read_text()
    result = simplify(text, str(path))
    no_worse(result)
    b, a = result.before.metrics, result.after.metrics
    assert a.steps < b.steps and a.handoffs < b.handoffs and a.lead_time_h < b.lead_time_h
    order = [c.algorithm for c in result.changes]
    assert order == sorted(order), "the Algorithm runs in its order"
    deleted = {c.step for c in result.changes if c.action == "delete"}
    automated = {c.step for c in result.changes if c.action == "automate"}
    assert deleted and not deleted & automated, "never automate a deleted step"
    assert all(c.rule for c in result.changes if c.action in ("delete", "fold", "question"))
    # every kept change says what it saves
    assert all(c.lead_h > 0 or c.handoffs > 0 or c.touch_h >= 0 for c in result.changes)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_unchanged_parts_keep_their_bytes(path: Path) -> None:
    text = path.read_text()
    assert simplify(text, str(path), Options(frozenset({5}))).text == text
    after = simplify(text, str(path)).text
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert all(c in after.splitlines() for c in comments)
    assert after.splitlines()[:3] == text.splitlines()[:3]


def test_delete_reconnects_and_keeps_probabilities_summing_to_1() -> None:
    result = run(DECIDE + textwrap.dedent("""\
        s2: {title: Copy, team: b, touch: 1h, wait: 1d, value: nva, next: s4}
        s3: {title: Other, team: a, touch: 1h, next: s4}
        s4: {title: End, team: a, touch: 1h}
        """))
    no_worse(result)
    after = loads(result.text, "a.yaml")
    assert "s2" not in after.steps
    branches = {b.to: b.p for b in after.steps["s1"].next}
    assert branches == {"s4": 0.6, "s3": 0.4}
    assert next(c.action for c in result.changes if c.applied) == "delete"


def test_merging_branches_to_one_step_leaves_no_decision() -> None:
    result = run(DECIDE + textwrap.dedent("""\
        s2: {title: Copy, team: a, touch: 1h, wait: 1d, value: nva, next: s4}
        s3: {title: Copy two, team: a, touch: 1h, wait: 1d, value: nva, next: s4}
        s4: {title: End, team: a, touch: 1h}
        """), Options(frozenset({2})))
    after = loads(result.text, "a.yaml")
    assert [(b.to, b.p, b.when) for b in after.steps["s1"].next] == [("s4", None, None)]


def test_keep_and_waivers_protect_steps() -> None:
    steps = """\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2: {title: Two, team: a, touch: 1h, wait: 1d, value: nva, next: s3,
             waive: {nva-step: "Contract clause 7 - Ann Lee"}}
        s3: {title: Three, team: a, touch: 1h, wait: 1d, value: nva, next: s4}
        s4: {title: Four, team: a, touch: 1h}
        """
    result = run(steps)
    after = loads(result.text, "a.yaml")
    assert "s2" in after.steps and "s3" not in after.steps
    kept = run(steps, Options(keep=frozenset({"s3"})))
    assert "s3" in loads(kept.text, "a.yaml").steps


def test_ping_pong_fold_respects_the_threshold() -> None:
    steps = """\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2: {title: Stamp, team: b, touch: 20m, wait: 1h, next: s3}
        s3: {title: Three, team: a, touch: 1h, wait: 1h}
        """
    folded = loads(run(steps).text, "a.yaml")
    assert folded.steps["s2"].team == "a"
    strict = loads(run(steps, Options(fold_max_h=0.25)).text, "a.yaml")
    assert strict.steps["s2"].team == "b"


def test_consecutive_steps_of_one_team_merge_when_nothing_is_waited_for() -> None:
    result = run("""\
        s1: {title: Fill form, team: a, touch: 1h, inputs: [x], outputs: [y], next: s2}
        s2: {title: Send form, team: a, touch: 20m, inputs: [y], outputs: [z], next: s3}
        s3: {title: Read form, team: b, touch: 1h, wait: 1d, inputs: [z]}
        """, Options(frozenset({3})))
    after = loads(result.text, "a.yaml")
    merged = after.steps["s1"]
    assert "s2" not in after.steps and merged.title == "Fill form; send form"
    assert merged.touch.mean == pytest.approx(80 / 60) and "touch: 80m" in result.text
    assert merged.inputs == ("x",) and merged.outputs == ("y", "z")
    assert [b.to for b in merged.next] == ["s3"]


def test_only_selected_steps_of_the_algorithm() -> None:
    steps = """\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2: {title: Two, team: a, touch: 1h, kind: check, value: nva, next: s3}
        s3: {title: Three, team: a, touch: 1h}
        """
    questions = run(steps, Options(frozenset({1})))
    assert {c.action for c in questions.changes} == {"question"}
    assert "procmap: question this requirement" in questions.text
    assert "s2:" in questions.text


def test_serial_independent_steps_run_side_by_side() -> None:
    result = run("""\
        s1: {title: Start, team: a, touch: 1h, outputs: [x], next: s2}
        s2: {title: Left, team: a, touch: 1h, wait: 1d, inputs: [x], outputs: [y], next: s3}
        s3: {title: Right, team: a, touch: 1h, wait: 2d, inputs: [x], outputs: [z], next: s4}
        s4: {title: End, team: a, touch: 1h, inputs: [y, z]}
        """, Options(frozenset({4})))
    no_worse(result)
    assert [c.action for c in result.changes] == ["parallel"]
    after = loads(result.text, "a.yaml")
    assert {b.to for b in after.steps["s1"].next} == {"s2", "s3"}
    assert result.after.metrics.lead_time_h < result.before.metrics.lead_time_h


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_random_workflows_stay_valid_and_never_get_worse(doc: dict[str, object]) -> None:
    try:
        loads(json.dumps(doc), "fuzz.yaml")
    except WorkflowError:
        return
    no_worse(simplify(json.dumps(doc), "fuzz.yaml"))


def test_cli_writes_the_workflow_and_prints_the_log(runner: CliRunner) -> None:
    src = Path(__file__).parent.parent / "workflows" / "billing-dispute.yaml"
    write("before.yaml", src.read_text())
    result = runner.invoke(main, ["simplify", "before.yaml", "-o", "after.yaml"])
    assert result.exit_code == 0, result.output
    assert "2 delete" in result.output and "steps 12 -> " in result.output
    loads(Path("after.yaml").read_text(), "after.yaml")
    logged = runner.invoke(main, ["simplify", "before.yaml", "-o", "a2.yaml", "--log", "json"])
    changes = json.loads(logged.output)
    assert {"algorithm", "rule", "step", "action", "saves"} <= set(changes[0])


def test_cli_rejects_bad_options_and_bad_files(runner: CliRunner) -> None:
    write("w.yaml", HEADER + "  s1: {title: One, team: a}\n")
    assert runner.invoke(main, ["simplify", "w.yaml", "--only", "7"]).exit_code == 2
    assert runner.invoke(main, ["simplify", "w.yaml", "--keep", "nope"]).exit_code == 2
    assert runner.invoke(main, ["simplify", "w.yaml", "--fold-max", "5"]).exit_code == 2
    result = runner.invoke(main, ["simplify", "w.yaml", "--fold-max", "1h\n"])
    assert result.exit_code == 2 and "--fold-max" in result.output, result.output
    write("bad.yaml", HEADER + "  s1: {title: One, team: zz}\n")
    result = runner.invoke(main, ["simplify", "bad.yaml", "-o", "out.yaml"])
    assert result.exit_code == 2 and "bad.yaml:" in result.output
    assert not Path("out.yaml").exists()
