from helpers import HEADER, findings


def test_input_made_by_an_earlier_step() -> None:
    assert not findings("""\
        s1: {title: One, team: a, outputs: [doc], next: s2}
        s2: {title: Two, team: a, inputs: [doc]}
        """, "missing-input")


def test_input_from_outside_the_process() -> None:
    assert not findings("s1: {title: One, team: a, inputs: [request]}\n", "missing-input",
                        header=HEADER.replace("steps:", "inputs: [request]\nsteps:"))


def test_input_made_only_by_a_later_step_on_a_loop_counts_as_made() -> None:
    assert not findings("""\
        s1: {title: One, team: a, inputs: [fix], next: s2}
        s2: {title: Two, team: a, outputs: [fix], next: [{to: s1, p: 0.2}, {to: s3, p: 0.8}]}
        s3: {title: Three, team: a}
        """, "missing-input")


def test_input_nothing_makes_one_finding_per_artifact() -> None:
    found = findings("""\
        s1: {title: One, team: a, outputs: [doc], next: s2}
        s2: {title: Two, team: b, inputs: [doc, memo, memo, note]}
        s3: {title: Three, team: a, outputs: [note]}
        """, "missing-input")
    assert [(f.step, f.steps, f.level, f.algorithm, f.pos.line, f.pos.column)
            for f in found] == [("s2", ("s2",), "warning", 1, 10, 3),
                                ("s2", ("s2",), "warning", 1, 10, 3)]
    assert ["'memo'" in found[0].message, "'note'" in found[1].message] == [True, True]


def test_a_step_in_another_branch_does_not_count() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, next: [{to: s2, p: 0.5}, {to: s3, p: 0.5}]}
        s2: {title: Two, team: a, outputs: [doc]}
        s3: {title: Three, team: a, inputs: [doc]}
        """, "missing-input")
    assert (f.step, f.pos.line) == ("s3", 11)
