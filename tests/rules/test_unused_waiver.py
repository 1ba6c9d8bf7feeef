from types import MappingProxyType

from helpers import HEADER, findings, report
from procmap.config import Config


def test_a_used_waiver_is_quiet() -> None:
    assert not findings("""\
        s1: {title: One, team: a, value: nva, waive: {nva-step: "kept - Ann Lee"}}
        """, "unused-waiver")


def test_a_waiver_that_waives_nothing() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, next: s2}
        s2: {title: Two, team: a, waive: {nva-step: "kept - Ann Lee"}}
        """, "unused-waiver")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s2", ("s2",), "warning", 1)
    assert (f.pos.line, f.pos.column) == (10, 3)
    assert f.message == ("'s2' waives nva-step, which finds nothing here: delete the waiver, "
                         "or it will hide the finding should it come back.")


def test_waivers_of_rules_turned_off_are_passed_over() -> None:
    config = Config(levels=MappingProxyType({"nva-step": "off"}))
    found = report("""\
        s1: {title: One, team: a, waive: {nva-step: "kept - Ann Lee"}}
        """, config).findings
    assert [f.rule for f in found] == []


def test_a_waiver_of_unused_waiver_keeps_the_others_quiet() -> None:
    [f] = findings("""\
        s1: {title: One, team: a, waive: {nva-step: "kept - Ann Lee", unused-waiver: "soon - Bo"}}
        """, "unused-waiver")
    assert (f.level, f.waiver) == ("waived", "soon - Bo")


def test_the_workflow_level_waive() -> None:
    header = HEADER.replace("steps:\n", "outputs: [report]\nwaive:\n  missing-output: "
                            "\"the report is mailed by hand - Ann Lee\"\n  rework: \"x - Bo\"\n"
                            "steps:\n")
    found = report("s1: {title: One, team: a}\n", header=header).findings
    [missing, unused] = found
    assert (missing.rule, missing.level, missing.waiver) == (
        "missing-output", "waived", "the report is mailed by hand - Ann Lee")
    assert (unused.rule, unused.step, unused.steps, unused.pos.line, unused.pos.column) == (
        "unused-waiver", None, (), 11, 3)
    assert unused.message.startswith("the workflow waives rework, which finds nothing here")


def test_the_workflow_level_waive_leaves_step_findings_alone() -> None:
    header = HEADER.replace("steps:\n", "waive: {nva-step: \"not here - Bo\"}\nsteps:\n")
    found = report("s1: {title: One, team: a, value: nva}\n", header=header).findings
    assert sorted((f.rule, f.level) for f in found) == [("nva-step", "info"),
                                                         ("unused-waiver", "warning")]
