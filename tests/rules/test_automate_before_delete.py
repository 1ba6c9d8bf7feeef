from helpers import findings, report
from procmap.config import Config


def test_automating_a_needed_step_is_fine() -> None:
    assert not findings("""\
        s1: {title: One, team: a, outputs: [x], automated: true, next: s2}
        s2: {title: Two, team: a, inputs: [x]}
        """, "automate-before-delete")


def test_automating_a_step_that_should_be_deleted() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, value: nva, automated: planned}
        """, "automate-before-delete")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s1", ("s1",), "error", 5)
    assert "nva-step" in f.message


def test_waived_step_two_finding_does_not_trigger() -> None:
    assert not findings("""\
        s1: {title: One, team: a, value: nva, automated: true,
             waive: {nva-step: "Regulator asks for it - Ann Lee"}}
        """, "automate-before-delete")


def test_rule_turned_off_does_not_trigger() -> None:
    r = report("s1: {title: One, team: a, value: nva, automated: true}\n",
               Config(levels={"nva-step": "off"}))
    assert not r.findings
