"""Metrics on small workflows computed by hand."""

import pytest

from helpers import workflow
from procmap.analysis.graph import Flow
from procmap.analysis.metrics import measure
from procmap.analysis.simulate import simulate

# s1 (a, 1h+1h) -> s2 (b, 2h wait + 1h) -> s3 (a, 30m)   handoffs 2, one bounce
#                \-> s4 (c, 10h)        -/
LINE = """\
    s1: {title: One, team: a, wait: 1h, touch: 1h, next: [s2, s4]}
    s2: {title: Two, team: b, wait: 2h, touch: 1h, next: s3}
    s4: {title: Four, team: c, touch: {min: 6h, likely: 9h, max: 18h}, next: s3}
    s3: {title: Three, team: a, touch: 30m}
    """


def metrics(steps: str):
    return measure(Flow(workflow(steps)))


def test_counts() -> None:
    m = metrics(LINE)
    assert (m.steps, m.teams, m.handoffs, m.ping_pong, m.rework_edges) == (4, 3, 4, 2, 0)


def test_lead_time_takes_the_longest_branch_with_pert_means() -> None:
    m = metrics(LINE)
    # s4's PERT mean: (6 + 36 + 18) / 6 = 10 h; 2 + 10 + 0.5 = 12.5 h.
    assert m.lead_time_h == pytest.approx(12.5)
    assert m.critical_path == ("s1", "s4", "s3")
    assert m.touch_time_h == pytest.approx(1 + 10 + 0.5)
    assert m.pce == pytest.approx(11.5 / 12.5)


def test_tie_goes_to_the_path_first_in_file_order() -> None:
    m = metrics("""\
        s1: {title: One, team: a, touch: 1h, next: [s3, s2]}
        s2: {title: Two, team: a, touch: 2h, next: s4}
        s3: {title: Three, team: a, wait: 1h, touch: 1h, next: s4}
        s4: {title: Four, team: a}
        """)
    assert m.lead_time_h == pytest.approx(3)
    assert m.critical_path == ("s1", "s2", "s4")
    assert m.touch_time_h == pytest.approx(3)


def test_rework_edges_are_left_out_of_lead_time_but_counted() -> None:
    m = metrics("""\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2: {title: Two, team: b, wait: 1d, touch: 1h, next: [{to: s1, p: 0.5}, {to: s3, p: 0.5}]}
        s3: {title: Three, team: a, touch: 1h}
        """)
    assert (m.rework_edges, m.handoffs, m.ping_pong) == (1, 3, 3)
    assert m.lead_time_h == pytest.approx(27)
    assert m.critical_path == ("s1", "s2", "s3")


def test_lead_time_goes_to_an_end_not_a_dead_end() -> None:
    m = metrics("""\
        s1: {title: One, team: a, touch: 1h, next: [s2, s3]}
        s2: {title: Loop, team: a, wait: 9d, next: [{to: s2, p: 0.5}, {to: s4, p: 0.5}]}
        s4: {title: Back, team: a, next: [{to: s2, p: 0.5}, {to: s4, p: 0.5}]}
        s3: {title: End, team: a, touch: 1h}
        """)
    assert m.critical_path == ("s1", "s3")
    assert m.lead_time_h == pytest.approx(2)


def test_zero_lead_time_has_no_pce() -> None:
    # Issue 12: 0/0 is not 0%: a PCE that cannot be computed is None ("n/a").
    m = metrics("s1: {title: One, team: a}\n")
    assert (m.lead_time_h, m.pce, m.critical_path) == (0, None, ("s1",))


def test_simulation_of_fixed_durations_equals_lead_time() -> None:
    flow = Flow(workflow("""\
        s1: {title: One, team: a, wait: 1h, touch: 1h, next: [s2, s4]}
        s2: {title: Two, team: b, wait: 2h, touch: 1h, next: s3}
        s4: {title: Four, team: c, touch: 10h, next: s3}
        s3: {title: Three, team: a, touch: 30m}
        """))
    s = simulate(flow)
    assert (s.mean_h, s.p50_h, s.p90_h) == pytest.approx((12.5, 12.5, 12.5))


def test_simulation_does_not_wait_for_branches_not_taken() -> None:
    flow = Flow(workflow("""\
        s1: {title: One, team: a, next: [{to: fast, p: 0.5}, {to: slow, p: 0.5}]}
        fast: {title: Fast, team: a, touch: 1h, next: s3}
        slow: {title: Slow, team: a, touch: 11h, next: s3}
        s3: {title: Three, team: a}
        """))
    s = simulate(flow, cases=4000)
    assert s.mean_h == pytest.approx(6, abs=0.4)
    assert s.p90_h == pytest.approx(11)
    assert measure(Flow(flow.workflow)).lead_time_h == pytest.approx(11)


def test_simulated_rework_repeats_the_loop() -> None:
    flow = Flow(workflow("""\
        s1: {title: One, team: a, touch: 1h, next: s2}
        s2: {title: Two, team: a, touch: 1h, next: [{to: s1, p: 0.5}, {to: s3, p: 0.5}]}
        s3: {title: Three, team: a, touch: 1h}
        """))
    s = simulate(flow, cases=4000)
    # The loop (2 h) runs 1 / (1 - 0.5) = 2 times on average, then s3.
    assert s.mean_h == pytest.approx(5, abs=0.2)
    assert s.p50_h in (3.0, 5.0)


def test_simulated_ranges_are_triangular() -> None:
    flow = Flow(workflow("s1: {title: One, team: a, touch: {min: 0h, likely: 3h, max: 6h}}\n"))
    s = simulate(flow, cases=4000)
    assert s.mean_h == pytest.approx(3, abs=0.15)
    assert s.p90_h == pytest.approx(6 - 6 * (0.1 / 2) ** 0.5, abs=0.2)


def test_simulation_is_repeatable_and_seeded() -> None:
    flow = Flow(workflow(LINE))
    assert simulate(flow, seed=7) == simulate(flow, seed=7)
    assert simulate(flow, seed=7) != simulate(flow, seed=8)
