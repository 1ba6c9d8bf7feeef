"""Small builders shared by the tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from procmap.analysis.analyze import WorkflowReport, analyze
from procmap.analysis.rules.base import Finding
from procmap.config import Config
from procmap.format.errors import Problem, WorkflowError
from procmap.format.loader import loads
from procmap.format.model import Workflow

CLEAN = """\
procmap: 1
id: clean
title: Clean
teams: {a: A}
steps:
  s1: {title: One, team: a, touch: 1h, next: s2}
  s2: {title: Two, team: a, touch: 2h}
"""
HEADER = """\
procmap: 1
id: test
title: Test workflow
teams:
  a: Team A
  b: Team B
  c: Team C
steps:
"""


def workflow(steps: str, header: str = HEADER) -> Workflow:
    """A workflow from the indented text of its `steps` (dedented, then indented)."""
    return loads(header + textwrap.indent(textwrap.dedent(steps), "  "), "test.yaml")


def report(steps: str, config: Config | None = None, header: str = HEADER) -> WorkflowReport:
    return analyze(workflow(steps, header), config, simulate=False)


def findings(steps: str, rule: str, header: str = HEADER) -> list[Finding]:
    return [f for f in report(steps, header=header).findings if f.rule == rule]


def problems(text: str) -> list[Problem]:
    """The load problems of a whole document (it must fail to load)."""
    try:
        loads(textwrap.dedent(text), "bad.yaml")
    except WorkflowError as e:
        return e.problems
    raise AssertionError("the document loaded without error")


def write(name: str, text: str) -> str:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(text)
    return name
