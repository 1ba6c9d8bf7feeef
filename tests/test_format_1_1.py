"""Format and analysis 1.1: external teams, records, inputs, loops that end
through a decision, runs per case and the figures built on them, each
checked against a hand calculation."""

from __future__ import annotations

import json

import pytest

from helpers import problems, report, workflow
from procmap.analysis.analyze import analyze
from procmap.analysis.graph import Flow
from procmap.format.loader import loads

# The example of workflow-format.md 1.1: review runs 1 / (1 - 0.5 * 0.5) times.
SPEC_LOOP = """\
review:
  title: Review
  team: a
  kind: decision
  touch: 1h
  next: [{to: done, when: ok, p: 0.5}, {to: fix, when: fix, p: 0.5}]
fix:
  title: Fix
  team: b
  touch: 2h
  next: [{to: review, when: again, p: 0.5}, {to: escalate, when: give up, p: 0.5}]
escalate: {title: Escalate, team: c, touch: 30m}
done: {title: Done, team: a}
"""


def test_visits_of_the_spec_example_are_exact() -> None:
    m = report(SPEC_LOOP).metrics
    assert {k: round(v, 4) for k, v in m.visits.items()} == {
        "review": 1.3333, "fix": 0.6667, "escalate": 0.3333, "done": 0.6667}


def test_expected_handoffs_and_touch_by_hand() -> None:
    m = report(SPEC_LOOP).metrics
    # review -> fix: 4/3 * 0.5; fix -> review: 2/3 * 0.5; fix -> escalate: 2/3 * 0.5
    # (review -> done stays in team a).
    assert m.expected_handoffs == pytest.approx(2 / 3 + 1 / 3 + 1 / 3)
    # 4/3 * 1h + 2/3 * 2h + 1/3 * 0.5h
    assert m.expected_touch_h == pytest.approx(4 / 3 + 4 / 3 + 1 / 6)
    # Per edge, as in 1.0: three edges between two teams.
    assert m.handoffs == 3


def test_the_simulation_agrees_with_the_exact_visits() -> None:
    flow = Flow(workflow(SPEC_LOOP))
    simulated = dict(zip(flow.workflow.steps, flow.simulation.visits, strict=True))
    assert simulated["review"] == pytest.approx(4 / 3, abs=0.1)
    assert simulated["fix"] == pytest.approx(2 / 3, abs=0.1)


def test_rework_message_gives_visits_of_the_loops_first_step() -> None:
    [rework] = [f for f in report(SPEC_LOOP).findings if f.rule == "rework"]
    assert "'review' runs 1.33 times per case" in rework.message


PARALLEL = """\
split: {title: Split, team: a, touch: 1h, next: [left, right]}
left: {title: Left, team: b, touch: 2h, next: join}
right: {title: Right, team: c, touch: 3h, next: join}
join: {title: Join, team: a, touch: 1h}
"""


def test_a_join_after_a_parallel_split_runs_once() -> None:
    m = report(PARALLEL).metrics
    assert dict(m.visits) == {"split": 1.0, "left": 1.0, "right": 1.0, "join": 1.0}
    assert m.expected_handoffs == pytest.approx(4.0)
    assert m.expected_touch_h == pytest.approx(7.0)


def test_a_parallel_split_that_no_case_reaches_leaves_visits_exact() -> None:
    # Found by fuzzing simplify: `stray` splits into two, but no case ever
    # runs it. Runs per case were simulated all the same, and the loops
    # around s0 ran out of the simulation's budget: the end s2 got 0.4 runs
    # per case, and the workflow 2.3 handoffs per case instead of 6.1.
    m = report("""\
        s0: {title: Check, team: a, next: [{to: s0, p: 0.34}, {to: s9, p: 0.33}, {to: s1, p: 0.33}]}
        s1: {title: Fix, team: a, next: s0}
        s2: {title: Done, team: a}
        s4: {title: Stray, team: a, next: [s0, s1]}
        s9: {title: Route, team: b, next: [{to: s0, p: 0.34}, {to: s1, p: 0.33}, {to: s2, p: 0.33}]}
        s11: {title: Other, team: a, next: s1}
        """).metrics
    # s0 runs v times: once, then again after itself (0.34), after s1 (0.33)
    # and after s9 (0.33 * 0.34 + 0.33 * 0.33 through s1): v = 1 + 0.8911 v.
    v = 1 / (1 - 0.34 - 0.33 - 0.33 * 0.67)
    assert m.visits["s0"] == pytest.approx(v)
    assert m.visits["s9"] == pytest.approx(0.33 * v)
    assert m.visits["s2"] == pytest.approx(1.0)
    assert (m.visits["s4"], m.visits["s11"]) == (0.0, 0.0)
    assert m.expected_handoffs == pytest.approx(0.33 * v + 0.33 * v)


def test_a_branch_taken_by_a_tenth_of_cases_weighs_a_tenth() -> None:
    m = report("""\
        intake: {title: Intake, team: a, kind: decision,
                 next: [{to: ship, p: 0.9}, {to: legal, when: unusual, p: 0.1}]}
        legal: {title: Legal review, team: b, next: ship}
        ship: {title: Ship, team: a}
        """).metrics
    assert (m.handoffs, m.expected_handoffs) == (2, pytest.approx(0.2))


EXTERNAL = """\
procmap: 1
id: ext
title: External
volume: 50/week
hours_per_week: 40
inputs: [order]
records: [crm-entry]
teams:
  ops: {name: Operations, staff: 2}
  customer: {name: Customer, external: true}
steps:
  take:
    title: Take the order
    team: ops
    touch: 30m
    inputs: [order]
    outputs: [crm-entry, install-kit]
    next: mount
  mount:
    title: Customer mounts the dish
    team: customer
    touch: 2h
    wait: 1d
    inputs: [install-kit]
    next: activate
  activate:
    title: Activate
    team: ops
    touch: 30m
"""


def test_external_teams_count_in_lead_time_not_in_our_touch_time() -> None:
    m = analyze(loads(EXTERNAL, "ext.yaml"), simulate=False).metrics
    assert m.lead_time_h == pytest.approx(0.5 + 26 + 0.5)
    assert m.touch_time_h == pytest.approx(1.0)
    assert m.pce == pytest.approx(1.0 / 27)
    assert m.expected_touch_h == pytest.approx(1.0)
    assert m.expected_handoffs == pytest.approx(2.0)


def test_load_by_hand() -> None:
    m = analyze(loads(EXTERNAL, "ext.yaml"), simulate=False).metrics
    ops = m.load["ops"]
    # 1 touch hour per case, 50 cases a week, 2 people of 40 h: 50 / 80.
    assert (ops.touch_h_per_case, ops.hours_per_period, ops.utilisation) == (
        pytest.approx(1.0), pytest.approx(50.0), pytest.approx(0.625))
    customer = m.load["customer"]
    assert (customer.touch_h_per_case, customer.hours_per_period, customer.utilisation) == (
        0.0, 0.0, None)


@pytest.mark.parametrize(("volume", "utilisation"), [
    ("10/day", 10 / 16), ("100/month", 100 / (80 * 52 / 12)), ("1000/year", 1000 / (80 * 52))])
def test_load_scales_the_working_week_to_the_volumes_period(volume: str,
                                                              utilisation: float) -> None:
    text = EXTERNAL.replace("50/week", volume)
    m = analyze(loads(text, "ext.yaml"), simulate=False).metrics
    assert m.load["ops"].utilisation == pytest.approx(utilisation)


def test_new_metrics_in_the_json_report() -> None:
    m = analyze(loads(EXTERNAL, "ext.yaml"), simulate=False).metrics.as_json()
    assert json.loads(json.dumps(m, allow_nan=False)) == m
    assert (m["visits"], m["expected_handoffs"], m["expected_touch_h"]) == (
        {"take": 1.0, "mount": 1.0, "activate": 1.0}, 2.0, 1.0)
    assert m["load"] == {
        "ops": {"touch_h_per_case": 1.0, "hours_per_period": 50.0, "utilisation": 0.625},
        "customer": {"touch_h_per_case": 0.0, "hours_per_period": 0.0, "utilisation": None}}


def test_no_durations_gives_no_pce() -> None:
    m = report("s1: {title: One, team: a}\n").metrics
    assert m.pce is None and m.as_json()["pce"] is None


# Loops (1.1): a loop ends through a decision anywhere on it.

def test_review_fix_back_to_review_loads_in_sop_order() -> None:
    w = workflow("""\
        review: {title: Review, team: a, kind: decision,
                 next: [{to: done, p: 0.8}, {to: fix, when: changes, p: 0.2}]}
        fix: {title: Fix, team: b, next: review}
        done: {title: Done, team: a}
        """)
    m = analyze(w, simulate=False).metrics
    assert (m.rework_edges, round(m.visits["review"], 4), round(m.visits["fix"], 4)) == (
        1, 1.25, 0.25)


def test_a_loop_no_decision_leaves_is_an_error_naming_its_steps() -> None:
    [p] = problems("""\
        procmap: 1
        id: w
        title: W
        teams: {a: A}
        steps:
          one: {title: One, team: a, next: [two, out]}
          two: {title: Two, team: a, next: three}
          three: {title: Three, team: a, next: two}
          out: {title: Out, team: a}
        """)
    assert (p.line, p.column) == (8, 40)
    assert p.message == ("steps.three.next: the loop never ends: no decision branch leads "
                         "out of 'two', 'three'")


def test_a_loop_left_only_by_a_parallel_branch_never_ends() -> None:
    [p] = problems("""\
        procmap: 1
        id: w
        title: W
        teams: {a: A}
        steps:
          one: {title: One, team: a, next: two}
          two: {title: Two, team: a, next: [one, out]}
          out: {title: Out, team: a}
        """)
    assert (p.line, p.column) == (7, 37) and "'one', 'two'" in p.message


def test_next_naming_one_step_twice_is_an_error() -> None:
    [p] = problems("""\
        procmap: 1
        id: w
        title: W
        teams: {a: A}
        steps:
          one: {title: One, team: a, next: [two, two]}
          two: {title: Two, team: a}
        """)
    assert (p.line, p.column, p.message) == (6, 42, "steps.one.next: 'two' is named twice")


def test_a_decision_naming_one_step_twice_is_an_error() -> None:
    [p] = problems("""\
        procmap: 1
        id: w
        title: W
        teams: {a: A}
        steps:
          one: {title: One, team: a, next: [{to: two, p: 0.5}, {to: two, p: 0.5}]}
          two: {title: Two, team: a}
        """)
    assert (p.line, p.column) == (6, 61) and "named twice" in p.message


def test_near_certain_loop_visits_are_exact_and_the_truncated_simulation_says_so() -> None:
    r = analyze(workflow("""\
        s1: {title: One, team: a, touch: 1h, next: [{to: s1, p: 0.999999}, {to: s2, p: 0.000001}]}
        s2: {title: Two, team: a}
        """))
    assert r.metrics.visits["s1"] == pytest.approx(1e6, rel=1e-6)
    assert r.metrics.simulated is not None and r.metrics.simulated.truncated
    assert r.metrics.as_json()["simulated"]["truncated"] is True  # type: ignore[index]
    [rework] = [f for f in r.findings if f.rule == "rework"]
    assert "runs 1000000.00 times per case" in rework.message


def test_text_report_leads_with_what_a_person_can_quote() -> None:
    from procmap.analysis.report.text import metrics_line

    r = analyze(workflow(PARALLEL), seed=0)
    assert metrics_line(r).splitlines() == [
        "simulated lead time mean 5.0 h, P50 5.0 h, P90 5.0 h; 4.00 handoffs per case, "
        "our touch 7.0 h per case",
        "    worst branch (critical path): lead time 5.0 h, touch 5.0 h, PCE 100.0%; 4 steps, "
        "3 teams, 4 handoff links, 2 ping-pong, 0 rework"]


def test_text_report_says_na_for_a_pce_it_cannot_compute() -> None:
    from procmap.analysis.report.text import metrics_line

    line = metrics_line(analyze(workflow("s1: {title: One, team: a}\n"), simulate=False))
    assert "PCE n/a;" in line and "0.0%" not in line


def test_the_examples_use_the_1_1_fields() -> None:
    from pathlib import Path

    from procmap.format.loader import load

    examples = Path(__file__).parent.parent / "workflows"
    order = analyze(load(examples / "order-to-activation.yaml"), simulate=False)
    assert order.workflow.is_external("customer-setup")
    assert "customer" not in {t for t, load in order.metrics.load.items()
                              if load.touch_h_per_case}
    assert any(f.rule == "overloaded-team" for f in order.findings)
    partner = analyze(load(examples / "partner-onboarding.yaml"), simulate=False)
    assert partner.workflow.is_external("partner-signs")
    assert not [f for f in partner.findings if f.rule == "unused-output" and f.step == "kyc-check"]


def test_the_sop_says_when_the_simulation_was_cut_short() -> None:
    from procmap.docs.sop import write_sop

    text = write_sop(analyze(workflow("""\
        s1: {title: One, team: a, touch: 1h, next: [{to: s1, p: 0.999999}, {to: s2, p: 0.000001}]}
        s2: {title: Two, team: a}
        """)))
    assert ("| Note | the simulation was cut short (loops ran past its budget): these lead "
            "times are too low |") in text
