from helpers import findings


def test_value_added_steps() -> None:
    assert not findings("""\
        s1: {title: One, team: a, value: va, next: s2}
        s2: {title: Two, team: a, value: bva}
        """, "nva-step")


def test_nva_step() -> None:
    [f] = findings("s1: {title: One, team: a, value: nva}\n", "nva-step")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s1", ("s1",), "info", 2)
