from helpers import findings


def test_reachable_steps_are_fine() -> None:
    assert not findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: a}
        """, "unreachable")


def test_step_the_start_never_reaches() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, next: s3}
        orphan: {title: Orphan, team: b, next: s3}
        s3: {title: Three, team: a}
        """, "unreachable")
    assert (f.step, f.steps, f.level, f.algorithm) == ("orphan", ("orphan",), "error", 2)
    assert f.pos.line == 10 and "can never happen" in f.message


def test_start_field_changes_what_is_reachable() -> None:
    found = findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: a}
        """, "unreachable", header=__import__("helpers").HEADER.replace(
        "steps:", "start: s2\nsteps:"))
    assert [f.step for f in found] == ["s1"]
