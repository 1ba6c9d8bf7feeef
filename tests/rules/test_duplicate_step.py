
from helpers import findings, workflow
from procmap.analysis.graph import Flow


def test_different_titles_and_io() -> None:
    assert not findings("""\
        s1: {title: Review invoice, team: a, inputs: [x], outputs: [y], next: s2}
        s2: {title: Pay invoice, team: a, inputs: [y], outputs: [z]}
        """, "duplicate-step")


def test_same_title_in_other_teams_is_fine() -> None:
    assert not findings("""\
        s1: {title: Review, team: a, next: s2}
        s2: {title: Review, team: b}
        """, "duplicate-step")


def test_same_title_ignoring_case_punctuation_and_spaces() -> None:
    [f] = findings("""\
        s1: {title: Review the invoice, team: a, next: s2}
        s2: {title: "review  the-invoice!", team: a}
        """, "duplicate-step")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s2", ("s1", "s2"), "warning", 2)


def test_same_kind_inputs_and_outputs() -> None:
    [f] = findings("""\
        s1: {title: Check A, team: a, kind: check, inputs: [x, y], outputs: [ok], next: s2}
        s2: {title: Check B, team: a, kind: check, inputs: [y, x], outputs: [ok]}
        """, "duplicate-step")
    assert f.steps == ("s1", "s2")


def test_empty_io_lists_do_not_match() -> None:
    assert not findings("""\
        s1: {title: Check A, team: a, kind: check, inputs: [x], next: s2}
        s2: {title: Check B, team: a, kind: check, inputs: [x]}
        """, "duplicate-step")


def test_one_finding_per_pair() -> None:
    found = findings("""\
        s1: {title: Same, team: a, next: s2}
        s2: {title: Same, team: a, next: s3}
        s3: {title: Same, team: a}
        """, "duplicate-step")
    assert [f.steps for f in found] == [("s1", "s2"), ("s1", "s3"), ("s2", "s3")]


def test_alternatives_on_exclusive_branches_are_not_duplicates() -> None:
    assert not findings("""\
        s1: {title: Triage, team: a, kind: decision,
             next: [{to: s2, when: P1, p: 0.2}, {to: s3, when: P2, p: 0.8}]}
        s2: {title: Notify the customer, team: b, next: s4}
        s3: {title: Notify the customer, team: b, next: s4}
        s4: {title: Close, team: a}
        """, "duplicate-step")


def test_steps_on_two_parallel_branches_can_both_run() -> None:
    [f] = findings("""\
        s1: {title: Split, team: a, next: [s2, s3]}
        s2: {title: Notify the customer, team: b, next: s4}
        s3: {title: Notify the customer, team: b, next: s4}
        s4: {title: Close, team: a}
        """, "duplicate-step")
    assert (f.step, f.steps) == ("s3", ("s2", "s3"))


def test_alternatives_after_parallel_work_joins_are_not_duplicates() -> None:
    # Tracking and transit run side by side and join before the decision:
    # the decision runs once, so only one of its alternatives runs.
    assert not findings("""\
        s1: {title: Ship, team: a, next: [s2, s3]}
        s2: {title: Record tracking, team: a, next: s4}
        s3: {title: In transit, team: a, next: s4}
        s4: {title: Classify, team: b, kind: decision,
             next: [{to: s5, when: P1, p: 0.3}, {to: s6, when: P2, p: 0.7}]}
        s5: {title: Notify the customer, team: b, inputs: [p], outputs: [n], next: s7}
        s6: {title: Notify the customer, team: b, inputs: [p], outputs: [n], next: s7}
        s7: {title: Close, team: a}
        """, "duplicate-step")


def test_both_run_as_the_readme_says_after_a_parallel_join() -> None:
    # README, "Readings of the 1.1 spec": each pair, as the example there says.
    flow = Flow(workflow("""\
        split: {title: Split, team: a, next: [x, y]}
        x: {title: X, team: a, next: join}
        y: {title: Y, team: a, next: join}
        join: {title: Join, team: a, next: [{to: p1, p: 0.5}, {to: p2, p: 0.5}]}
        p1: {title: P1, team: a}
        p2: {title: P2, team: a}
        """))
    pairs = [("x", "y"), ("x", "p2"), ("y", "p1"), ("p1", "p2")]
    assert [flow.both_run(flow.index[a], flow.index[b]) for a, b in pairs] == [
        True, True, True, False]
