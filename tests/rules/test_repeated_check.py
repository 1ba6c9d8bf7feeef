from helpers import findings


def test_check_of_a_changed_artifact_is_fine() -> None:
    assert not findings("""\
        c1: {title: Check, team: a, kind: check, inputs: [doc], next: edit}
        edit: {title: Edit, team: a, inputs: [doc], outputs: [doc], next: c2}
        c2: {title: Check again, team: b, kind: check, inputs: [doc]}
        """, "repeated-check")


def test_check_reading_something_new_is_fine() -> None:
    assert not findings("""\
        c1: {title: Check, team: a, kind: check, inputs: [doc], next: c2}
        c2: {title: Check more, team: b, kind: approval, inputs: [doc, price]}
        """, "repeated-check")


def test_parallel_checks_do_not_reach_each_other() -> None:
    assert not findings("""\
        s0: {title: Start, team: a, next: [c1, c2]}
        c1: {title: Check, team: a, kind: check, inputs: [doc], next: end}
        c2: {title: Check too, team: b, kind: check, inputs: [doc], next: end}
        end: {title: End, team: a}
        """, "repeated-check")


def test_repeated_check_names_every_earlier_check() -> None:
    first, second = findings("""\
        c1: {title: Check, team: a, kind: check, inputs: [doc, price], next: work}
        work: {title: Work, team: a, inputs: [doc], outputs: [other], next: c2}
        c2: {title: Approve, team: b, kind: approval, inputs: [doc], next: c3}
        c3: {title: Sign off, team: c, kind: approval, inputs: [doc]}
        """, "repeated-check")
    assert (first.step, first.steps) == ("c2", ("c1", "c2"))
    assert (second.step, second.steps, second.level, second.algorithm) == (
        "c3", ("c1", "c2", "c3"), "warning", 2)


def test_first_repeat() -> None:
    found = findings("""\
        c1: {title: Check, team: a, kind: check, inputs: [doc], next: c2}
        c2: {title: Approve, team: b, kind: approval, inputs: [doc]}
        """, "repeated-check")
    assert [(f.step, f.steps) for f in found] == [("c2", ("c1", "c2"))]


def test_rework_edges_do_not_count_as_reaching() -> None:
    found = findings("""\
        c2: {title: Approve, team: b, kind: approval, inputs: [doc], next: c1}
        c1: {title: Check, team: a, kind: check, inputs: [doc],
             next: [{to: c2, p: 0.1}, {to: end, p: 0.9}]}
        end: {title: End, team: a}
        """, "repeated-check")
    # c2 -> c1 is a forward edge; c1 -> c2 is rework and does not make c2 a repeat.
    assert [(f.step, f.steps) for f in found] == [("c1", ("c2", "c1"))]
