from helpers import findings


def test_dependent_steps() -> None:
    assert not findings("""\
        s1: {title: One, team: a, outputs: [x], next: s2}
        s2: {title: Two, team: a, inputs: [x]}
        """, "serial-independent")


def test_steps_without_declared_artifacts_are_left_alone() -> None:
    assert not findings("""\
        s1: {title: One, team: a, outputs: [x], next: s2}
        s2: {title: Two, team: a}
        """, "serial-independent")


def test_gates_and_joins_are_left_alone() -> None:
    assert not findings("""\
        s1: {title: One, team: a, kind: check, inputs: [x], next: s2}
        s2: {title: Two, team: a, inputs: [y]}
        """, "serial-independent")
    assert not findings("""\
        s0: {title: Zero, team: a, next: [s1, s2]}
        s1: {title: One, team: a, outputs: [x], next: s2}
        s2: {title: Two, team: a, inputs: [y]}
        """, "serial-independent")


def test_independent_steps_in_series() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, outputs: [x], next: s2}
        s2: {title: Two, team: b, inputs: [y], outputs: [z]}
        """, "serial-independent")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s2", ("s1", "s2"), "info", 4)
