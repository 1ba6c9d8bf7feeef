from helpers import findings


def test_forward_only() -> None:
    assert not findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: a}
        """, "rework")


def test_later_step_before_in_file_but_not_on_a_cycle_is_not_rework() -> None:
    assert not findings("""\
        s1: {title: One, team: a, next: s3}
        s2: {title: Two, team: a}
        s3: {title: Three, team: a, next: s2}
        """, "rework")


def test_rework_edge_gives_p_and_expected_repeats() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: a, next: [{to: s1, p: 0.2}, {to: s3, p: 0.8}]}
        s3: {title: Three, team: a}
        """, "rework")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s2", ("s2", "s1"), "warning", 3)
    assert "20%" in f.message and "1.25 times" in f.message
