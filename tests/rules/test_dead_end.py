from helpers import findings


def test_loop_with_an_exit_is_fine() -> None:
    assert not findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: a, next: [{to: s1, p: 0.2}, {to: s3, p: 0.8}]}
        s3: {title: Three, team: a}
        """, "dead-end")


def test_loop_without_exit() -> None:
    found = findings("""\
        s1: {title: One, team: a, next: [s2, s4]}
        s2: {title: Two, team: a, next: s3}
        s3: {title: Three, team: a, next: [{to: s2, p: 0.5}, {to: s3, p: 0.5}]}
        s4: {title: Four, team: a}
        """, "dead-end")
    assert [(f.step, f.steps, f.level, f.algorithm) for f in found] == [
        ("s2", ("s2",), "error", 3), ("s3", ("s3",), "error", 3)]
