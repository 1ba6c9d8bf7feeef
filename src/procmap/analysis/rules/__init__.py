"""The rules of analysis.md, one module each, in the order of the spec's table."""

from __future__ import annotations

from procmap.analysis.rules import (
    automate_before_delete,
    dead_end,
    duplicate_step,
    missing_input,
    missing_output,
    nva_step,
    overloaded_team,
    ping_pong,
    redundant_edge,
    repeated_check,
    requirement_owner,
    rework,
    serial_independent,
    unreachable,
    unused_output,
    unused_waiver,
)
from procmap.analysis.rules.base import Finding, Rule

RULES: tuple[Rule, ...] = (
    unreachable.RULE,
    dead_end.RULE,
    missing_output.RULE,
    requirement_owner.RULE,
    duplicate_step.RULE,
    repeated_check.RULE,
    unused_output.RULE,
    nva_step.RULE,
    ping_pong.RULE,
    redundant_edge.RULE,
    rework.RULE,
    serial_independent.RULE,
    automate_before_delete.RULE,
    missing_input.RULE,
    overloaded_team.RULE,
    unused_waiver.RULE,
)
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
BY_ID = {r.id: r for r in RULES}

__all__ = ["BY_ID", "RULES", "RULE_IDS", "Finding", "Rule"]
