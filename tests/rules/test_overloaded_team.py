import pytest

from helpers import findings

HEADER = """\
procmap: 1
id: test
title: Test workflow
volume: {volume}
teams:
  a: {{name: Team A, staff: {staff}}}
  b: Team B
steps:
"""
STEPS = """\
s1: {title: One, team: a, touch: 30m, next: [{to: s2, p: 0.5}, {to: s3, p: 0.5}]}
s2: {title: Two, team: b, touch: 8h, next: s3}
s3: {title: Three, team: a, touch: 30m}
"""


def test_load_at_or_below_85_percent_is_fine() -> None:
    # 40 cases x 1 h = 40 h a week for 1 person of 40 h: 100%; with 2 people 50%.
    assert not findings(STEPS, "overloaded-team", HEADER.format(volume="40/week", staff=2))


def test_team_without_staff_or_volume_is_never_judged() -> None:
    assert not findings(STEPS, "overloaded-team",
                        HEADER.format(volume="4000/week", staff=1).replace(
                            "{name: Team A, staff: 1}", "Team A"))
    assert not findings(STEPS, "overloaded-team",
                        HEADER.format(volume="40/week", staff=1).replace("volume: 40/week\n",
                                                                         ""))


def test_overloaded_team_on_its_first_step_naming_all_its_steps() -> None:
    [f] = findings(STEPS, "overloaded-team", HEADER.format(volume="40/week", staff=1))
    assert (f.step, f.steps, f.level, f.algorithm, f.pos.line, f.pos.column) == (
        "s1", ("s1", "s3"), "warning", 4, 9, 3)
    assert f.message.startswith("team 'a' needs 40.0 hands-on hours per week for 40 cases, "
                                "100% of what 1 people at 40 h a week can give")


@pytest.mark.parametrize(("staff", "fires"), [(1.17, True), (1.18, False)])
def test_threshold_is_85_percent(staff: float, fires: bool) -> None:
    # 40 h / (staff x 40 h): 1.17 people -> 85.5%, 1.18 -> 84.7%.
    found = findings(STEPS, "overloaded-team", HEADER.format(volume="40/week", staff=staff))
    assert bool(found) == fires
