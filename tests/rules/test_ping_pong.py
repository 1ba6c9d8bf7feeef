from helpers import HEADER, findings


def test_handoffs_without_return() -> None:
    assert not findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: b, next: s3}
        s3: {title: Three, team: c}
        """, "ping-pong")


def test_bounce_through_another_team() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: b, next: s3}
        s3: {title: Three, team: a}
        """, "ping-pong")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s2", ("s1", "s2", "s3"), "warning", 3)


def test_rework_loop_bounces_both_ways_and_a_equals_c() -> None:
    found = findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: b, next: [{to: s1, p: 0.3}, {to: s3, p: 0.7}]}
        s3: {title: Three, team: c}
        """, "ping-pong")
    assert sorted(f.steps for f in found) == [("s1", "s2", "s1"), ("s2", "s1", "s2")]


EXTERNAL = HEADER.replace("  c: Team C", "  c: {name: Customer, external: true}")


def test_customer_us_customer_is_service_not_ping_pong() -> None:
    assert not findings("""\
        s1: {title: Ask, team: c, next: s2}
        s2: {title: Answer, team: a, next: s3}
        s3: {title: Read the answer, team: c}
        """, "ping-pong", header=EXTERNAL)


def test_us_customer_us_stays_a_ping_pong() -> None:
    [f] = findings("""\
        s1: {title: Ask for documents, team: a, next: s2}
        s2: {title: Send documents, team: c, next: s3}
        s3: {title: Check documents, team: a}
        """, "ping-pong", header=EXTERNAL)
    assert (f.step, f.steps, f.pos.line) == ("s2", ("s1", "s2", "s3"), 10)
