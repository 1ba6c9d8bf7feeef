import pytest

from helpers import HEADER, findings


def test_gate_with_a_named_person() -> None:
    assert not findings("""\
        s1: {title: Approve, team: a, kind: approval, requirement: {why: Risk, by: Ann Lee}}
        """, "requirement-owner")


def test_tasks_need_no_requirement() -> None:
    assert not findings("s1: {title: Do, team: a}\n", "requirement-owner")


@pytest.mark.parametrize("requirement", ["", ", requirement: {why: Risk}",
                                         ", requirement: {why: Risk, by: '  '}"])
def test_gate_without_owner(requirement: str) -> None:
    [f] = findings(f"s1: {{title: Check, team: a, kind: check{requirement}}}\n",
                   "requirement-owner")
    assert (f.step, f.steps, f.level, f.algorithm) == ("s1", ("s1",), "warning", 1)
    assert "no named person" in f.message


@pytest.mark.parametrize("by", ["a", "Team B", "team c"])
def test_gate_owned_by_a_team(by: str) -> None:
    [f] = findings(f"s1: {{title: Check, team: a, kind: approval, requirement: {{by: {by}}}}}\n",
                   "requirement-owner")
    assert "a team, not a person" in f.message


def test_external_teams_gates_are_skipped() -> None:
    assert not findings("s1: {title: Approve the quote, team: c, kind: approval}\n",
                        "requirement-owner",
                        header=HEADER.replace("  c: Team C",
                                              "  c: {name: Customer, external: true}"))
