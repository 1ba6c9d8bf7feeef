from helpers import findings


def test_parallel_branches_are_not_redundant() -> None:
    assert not findings("""\
        s1: {title: One, team: a, next: [s2, s3]}
        s2: {title: Two, team: a, next: s4}
        s3: {title: Three, team: a, next: s4}
        s4: {title: Four, team: a}
        """, "redundant-edge")


def test_decision_branches_are_not_redundant() -> None:
    assert not findings("""\
        s1: {title: One, team: a, next: [{to: s2, p: 0.5}, {to: s3, p: 0.5}]}
        s2: {title: Two, team: a, next: s3}
        s3: {title: Three, team: a}
        """, "redundant-edge")


def test_shortcut_edge() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, next: [s2, s3]}
        s2: {title: Two, team: a, next: s3}
        s3: {title: Three, team: a}
        """, "redundant-edge")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s1", ("s1", "s3"), "info", 3)
