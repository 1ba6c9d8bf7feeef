"""The standard operating procedure of a workflow, written from a template.

`context()` gathers what a template gets (docs/templates.md lists it);
`write_sop()` renders `sop.md.j2` with it (`procmap build` renders it and
the Confluence page `sop.storage.j2` from one context).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from procmap.analysis.analyze import WorkflowReport
from procmap.analysis.graph import Flow
from procmap.analysis.metrics import Metrics
from procmap.analysis.rules.base import LEVELS, Finding
from procmap.docs.markdown import Raw
from procmap.docs.templating import environment
from procmap.format.durations import short
from procmap.format.model import Step, Workflow
from procmap.render import layout, to_mermaid

REQUIREMENT_RULE = "requirement-owner"


@dataclass(frozen=True, slots=True)
class Branch:
    when: str | None
    p: float | None
    number: int  # the step it leads to
    title: str
    team: str | None  # the receiving team's name when the branch hands off


@dataclass(frozen=True, slots=True)
class StepView:
    number: int  # 1-based, in flow order
    step: Step
    team: str  # the owner team's name
    time: str  # "wait + touch", as in the diagram
    branches: tuple[Branch, ...]
    findings: tuple[Finding, ...]
    raci: tuple[str, ...]  # per team in `teams` order: "R" does it, "I" receives its handoff

    @property
    def choice(self) -> bool:
        """Cases take one of the branches (they carry p or when), not all of them."""
        return any(b.p is not None or b.when for b in self.branches)

    @property
    def handoffs(self) -> tuple[Branch, ...]:
        return tuple(b for b in self.branches if b.team is not None)


@dataclass(frozen=True, slots=True)
class Revision:
    file: str
    commit: str | None = None
    date: str | None = None  # commit date, YYYY-MM-DD
    modified: bool = False  # the file differs from that commit

    @property
    def short_commit(self) -> str | None:
        return self.commit[:10] if self.commit else None


@dataclass(frozen=True, slots=True)
class Sop:
    workflow: Workflow
    metrics: Metrics
    teams: tuple[str, ...]  # team names in `teams` order
    steps: tuple[StepView, ...]
    questions: tuple[Finding, ...]  # active findings, unowned requirements first
    mermaid: Raw
    revision: Revision
    # File names of the SVGs beside the SOP in a built library: one, or one a
    # page of a map too large for one.
    diagrams: tuple[str, ...] = ()

    @property
    def diagram(self) -> str | None:
        """The (first page's) SVG: what templates written before paging use."""
        return self.diagrams[0] if self.diagrams else None

    @property
    def start(self) -> StepView:
        return next(s for s in self.steps if s.step.id == self.workflow.start)

    @property
    def ends(self) -> tuple[StepView, ...]:
        return tuple(s for s in self.steps if not s.branches)


def revision(file: str) -> Revision:
    """The last commit of `file`, when git knows it; never the current time."""
    path = Path(file)
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%H %cs", "--", path.name],
                              cwd=path.parent, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not done.stdout.strip():
            return Revision(file)
        commit, date = done.stdout.split()
        status = subprocess.run(["git", "status", "--porcelain", "--", path.name],
                                cwd=path.parent, capture_output=True, text=True, check=False)
    except OSError:  # no git on the machine
        return Revision(file)
    return Revision(file, commit, date, bool(status.stdout.strip()))


def _question_order(f: Finding) -> tuple[bool, int, int, int, str]:
    return (f.rule != REQUIREMENT_RULE, f.algorithm, LEVELS.index(f.level), f.pos.line, f.rule)


def context(report: WorkflowReport, diagrams: tuple[str, ...] = (),
            mermaid: str | None = None) -> Sop:
    """What the template gets; `mermaid` saves laying the diagram out again."""
    workflow = report.workflow
    flow = Flow(workflow)
    number = {u: k + 1 for k, u in enumerate(flow.topo)}
    team_ids = list(workflow.teams)
    findings: dict[str, list[Finding]] = {}
    active = [f for f in report.findings if f.level in LEVELS]
    for f in active:
        if f.step:
            findings.setdefault(f.step, []).append(f)
    views = []
    for u in flow.topo:
        s = flow.steps[u]
        branches = tuple(
            Branch(flow.when[u, v], flow.p[u, v], number[v], flow.steps[v].title,
                   workflow.teams[flow.team(v)].name if flow.is_handoff(u, v) else None)
            for v in flow.succ[u])
        receivers = {flow.team(v) for v in flow.succ[u]} - {s.team}
        raci = tuple("R" if t == s.team else "I" if t in receivers else "" for t in team_ids)
        views.append(StepView(number[u], s, workflow.teams[s.team].name,
                              f"{short(s.wait.mean)} + {short(s.touch.mean)}", branches,
                              tuple(findings.get(s.id, ())), raci))
    return Sop(workflow, report.metrics, tuple(t.name for t in workflow.teams.values()),
               tuple(views), tuple(sorted(active, key=_question_order)),
               Raw(mermaid or to_mermaid(layout(report))), revision(workflow.file), diagrams)


def write_sop(report: WorkflowReport, templates: Path | None = None,
              diagrams: tuple[str, ...] = (), mermaid: str | None = None) -> str:
    """The SOP as markdown, from `sop.md.j2` (the user's, else the shipped one)."""
    template = environment(templates).get_template("sop.md.j2")
    return template.render(sop=context(report, diagrams, mermaid))

