"""Run the rules and metrics on workflows: the library behind `procmap analyze`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from procmap.analysis.graph import Flow
from procmap.analysis.metrics import Metrics, measure
from procmap.analysis.rules import RULES, Finding, Rule, unused_waiver
from procmap.analysis.rules import automate_before_delete as abd
from procmap.config import Config
from procmap.format.discover import Skipped, discover
from procmap.format.errors import Problem, WorkflowError
from procmap.format.gcpause import paused
from procmap.format.loader import load, loads
from procmap.format.model import Workflow
from procmap.format.yamlnodes import MAX_BYTES


@dataclass(frozen=True, slots=True)
class WorkflowReport:
    workflow: Workflow
    metrics: Metrics
    findings: tuple[Finding, ...]
    # indices of findings in the baseline: reported as known, never failing
    known: frozenset[int] = frozenset()

    def new_findings(self) -> Iterator[Finding]:
        return (f for i, f in enumerate(self.findings) if i not in self.known)


@dataclass(frozen=True, slots=True)
class RunReport:
    workflows: tuple[WorkflowReport, ...]
    errors: tuple[Problem, ...]
    config: Config
    notes: tuple[str, ...] = ()  # what was passed over, e.g. a FIFO named like a workflow

    @property
    def exit_code(self) -> int:
        """0 clean, 1 a finding at or above the failing level, 2 an unreadable file."""
        if self.errors:
            return 2
        failing = any(self.config.fails(f.level) for w in self.workflows
                      for f in w.new_findings())
        return 1 if failing else 0


def _apply(findings: Iterable[Finding], flow: Flow, config: Config) -> list[Finding]:
    out = []
    for f in findings:
        level = config.levels.get(f.rule, f.level)
        if level == "off":
            continue
        # a step's waivers, or the workflow's for findings attached to no step
        step = flow.workflow.steps.get(f.step) if f.step else None
        waive = step.waive if step is not None else flow.workflow.waive if f.step is None \
            else {}
        if f.rule in waive:
            out.append(f.with_level("waived", waive[f.rule]))
        else:
            out.append(f.with_level(level))
    return out


def rule_findings(flow: Flow, config: Config, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """The findings of `rules`, each at its configured level or waived."""
    return [f for rule in rules for f in _apply(rule.check(flow), flow, config)]


def analyze(workflow: Workflow, config: Config | None = None, seed: int = 0,
            simulate: bool = True) -> WorkflowReport:
    """Metrics and findings of one loaded workflow."""
    with paused():
        return _analyze(Flow(workflow, seed), config or Config(), simulate)


def analyze_flow(flow: Flow, config: Config | None = None,
                 simulate: bool = True) -> WorkflowReport:
    """`analyze` of a workflow whose graph is at hand: simplify goes on using
    it, with what the rules worked out on it (dominators, ancestors)."""
    with paused():
        return _analyze(flow, config or Config(), simulate)


def _analyze(flow: Flow, config: Config, simulate: bool) -> WorkflowReport:
    workflow = flow.workflow
    found = rule_findings(flow, config)
    found.extend(_apply(abd.check_after(flow, found), flow, config))
    active = [r.id for r in RULES if config.levels.get(r.id, r.level) != "off"]
    found.extend(_apply(unused_waiver.check_after(flow, found, active), flow, config))
    found.sort(key=lambda f: (f.pos.line, f.pos.column, f.rule, f.steps))
    return WorkflowReport(workflow, measure(flow, flow.simulation if simulate else None),
                          tuple(found))


def _from_stdin(stdin: BinaryIO | None, name: str) -> Workflow:
    if stdin is None:
        raise WorkflowError([Problem(name, 1, 1, "- (standard input) is not readable here",
                                     "name a workflow file", "syntax")])
    data = stdin.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise WorkflowError([Problem(name, 1, 1, f"standard input is more than the "
                                     f"{MAX_BYTES // 2**20} MB limit",
                                     "split it into several workflows", "syntax")])
    return loads(data, name)


def analyze_paths(paths: Iterable[str | Path], config: Config | None = None, seed: int = 0,
                  simulate: bool = True,
                  progress: Callable[[Path], None] | None = None,
                  stdin: BinaryIO | None = None, stdin_name: str = "-") -> RunReport:
    """Load every workflow under `paths` and analyse those that load; `-` is
    one workflow read from `stdin`, named `stdin_name` in the report."""
    config = config or Config()
    exclude = config.exclude_patterns()
    reports: list[WorkflowReport] = []
    errors: list[Problem] = []
    notes: list[str] = []
    seen_ids: dict[str, Workflow] = {}
    for given in paths:
        given = Path(given)
        if str(given) == "-":
            files: Iterable[Path | Skipped] = [given]
        elif not given.exists():
            errors.append(Problem(str(given), 1, 1, "no such file or folder",
                                  "check the path", "syntax"))
            continue
        else:
            files = discover(given, exclude)
        found = 0
        for file in files:
            found += 1
            if isinstance(file, Skipped):
                notes.append(f"skipped {file.path}: {file.why}")
                continue
            if progress:
                progress(file)
            try:
                workflow = _from_stdin(stdin, stdin_name) if str(file) == "-" else load(file)
            except WorkflowError as e:
                errors.extend(e.problems)
                continue
            first = seen_ids.get(workflow.id)
            if first is not None:
                errors.append(Problem(
                    workflow.file, workflow.pos.line, workflow.pos.column,
                    f"duplicate workflow id '{workflow.id}': also the id of {first.file}"
                    f":{first.pos.line}", "workflow ids are unique in a repository: "
                    "rename one"))
                continue
            seen_ids[workflow.id] = workflow
            reports.append(analyze(workflow, config, seed, simulate))
        if not found and given.is_dir():
            # Said, not an error: a folder of workflows may be empty for now,
            # but a wrong path in CI would otherwise pass without a word.
            notes.append(f"no workflows in {given}: a workflow is a .yaml or .yml file "
                         "with `procmap: 1` at its top, outside what git and `exclude` ignore")
    return RunReport(tuple(reports), tuple(errors), config, tuple(notes))
