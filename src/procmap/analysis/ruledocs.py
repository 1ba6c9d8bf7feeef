"""Rule documentation kept in one place: each rule module's docstring.

The docstring's first line names the rule; the rest says when it fires, why
it matters, what to do, and shows an example that fires and one that does
not. docs/rules.md (`procmap rules --markdown`) and SARIF's rule `help` are
made from it, and the tests run the examples.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterable

from procmap.analysis.rules import RULES
from procmap.analysis.rules.base import ALGORITHM, Rule

HEADER = """\
# procmap rules

Each rule has an id, a default level and the step of the Algorithm it serves.
Levels change in `.procmap.yaml` (`rules: {id: error|warning|info|off}`); a step
keeps a finding on purpose with `waive: {id: "reason - Person Name"}`.
Examples show the `steps:` of a workflow (teams omitted).

<!-- Made by `procmap rules --markdown > docs/rules.md` from the docstrings of
     src/procmap/analysis/rules/*.py: edit those, not this file. -->
"""


def body(rule: Rule) -> str:
    """The rule's documentation in markdown: its module docstring past the first line."""
    doc = inspect.getdoc(sys.modules[rule.check.__module__]) or ""
    return doc.partition("\n")[2].strip()


def plain(rule: Rule) -> str:
    """The documentation as plain text (SARIF's help.text): no emphasis marks."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", body(rule))


def section(rule: Rule) -> str:
    return (f"## `{rule.id}`\n\n**{rule.level}**, Algorithm step {rule.algorithm} "
            f"({ALGORITHM[rule.algorithm]}).\n\n{body(rule)}\n")


def markdown(rules: Iterable[Rule] = RULES) -> str:
    """The whole of docs/rules.md."""
    return HEADER + "".join("\n" + section(r) for r in rules)
