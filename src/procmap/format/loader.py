"""Read a workflow file into the model, or say exactly what is wrong and where."""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from procmap.format import durations
from procmap.format.errors import Problem, WorkflowError
from procmap.format.files import NotAFile, open_regular
from procmap.format.gcpause import paused
from procmap.format.model import (
    ZERO,
    Artifact,
    Branch,
    Duration,
    Pos,
    Requirement,
    Step,
    Team,
    Volume,
    Workflow,
)
from procmap.format.validate import Validator
from procmap.format.yamlnodes import (
    MAX_BYTES,
    Mapping,
    Node,
    Scalar,
    Sequence,
    YamlError,
    compose,
)

P_TOLERANCE = 0.001


@cache
def _validator() -> Validator:
    from procmap.analysis.rules import RULE_IDS
    from procmap.format.schema import workflow_schema

    return Validator(workflow_schema(RULE_IDS))


def load(path: str | Path, name: str | None = None) -> Workflow:
    """Load one workflow file; raise WorkflowError listing every problem."""
    file = name or str(path)
    return loads(read(path, file), file)


def read(path: str | Path, file: str) -> bytes:
    """The bytes of a workflow file; raise WorkflowError when it cannot be read."""
    try:
        with open_regular(path) as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_BYTES:
                raise WorkflowError([Problem(
                    file, 1, 1, f"file is {size / 2**20:.1f} MB, more than the "
                    f"{MAX_BYTES // 2**20} MB limit", "split it into several workflows",
                    "syntax")])
            # A file that grows meanwhile is still read no further than the limit.
            data = f.read(MAX_BYTES + 1)
    except NotAFile as e:
        raise WorkflowError([Problem(file, 1, 1, f"cannot read {e.kind}: procmap reads "
                                     "workflows from files", "name a YAML file", "syntax")]) \
            from None
    except OSError as e:
        raise WorkflowError([Problem(file, 1, 1, f"cannot read the file: {e.strerror}",
                                     "check the path and its permissions", "syntax")]) from None
    return data


def loads(data: bytes | str, file: str = "<text>") -> Workflow:
    """Load a workflow from YAML text; `file` names it in messages."""
    return loads_nodes(data, file)[0]


def loads_nodes(data: bytes | str, file: str = "<text>") -> tuple[Workflow, Mapping]:
    """The workflow, and the YAML nodes it was built from (with their places
    in the text, for an editor of the text not to read it again)."""
    with paused():
        return _loads(data, file)


def _loads(data: bytes | str, file: str) -> tuple[Workflow, Mapping]:
    try:
        root = compose(data)
    except YamlError as e:
        raise WorkflowError([Problem(file, e.line, e.column, e.message, e.hint, "syntax")]) \
            from None
    if root is None:
        raise WorkflowError([Problem(file, 1, 1, "the file is empty",
                                     "a workflow starts with 'procmap: 1'", "schema")])
    violations = _validator().validate(root)
    if violations:
        raise WorkflowError([Problem(file, v.line, v.column, v.message, v.hint, "schema")
                             for v in violations])
    assert isinstance(root, Mapping)
    return _Builder(file).build(root), root


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node.value)  # type: ignore[union-attr]


def _strings(node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    assert isinstance(node, Sequence)
    return tuple(str(item.value) for item in node.items)  # type: ignore[union-attr]


def _hint(name: str, known: Iterable[str], what: str) -> str:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known {what}: {', '.join(known)}" if known else f"declare the {what[:-1]} first"


class _Builder:
    """Builds the model from nodes that already passed the schema."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def pos(self, node: Node) -> Pos:
        return Pos(self.file, node.line, node.column)

    def problem(self, node: Node, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.file, node.line, node.column, message, hint))

    def build(self, root: Mapping) -> Workflow:
        teams = {}
        teams_node = root.get("teams")
        assert isinstance(teams_node, Mapping)
        for key, value in teams_node.items:
            tid = str(key.value)
            if isinstance(value, Mapping):
                external, staff = value.get("external"), value.get("staff")
                teams[tid] = Team(tid, str(_text(value.get("name"))), self.pos(key),
                                  _text(value.get("color")),
                                  external=bool(external is not None and external.value),  # type: ignore[union-attr]
                                  staff=None if staff is None else float(staff.value))  # type: ignore[union-attr, arg-type]
            else:
                teams[tid] = Team(tid, str(_text(value)), self.pos(key))
        steps_node = root.get("steps")
        assert isinstance(steps_node, Mapping)
        ids = steps_node.keys
        steps = {}
        for index, (key, value) in enumerate(steps_node.items):
            assert isinstance(value, Mapping)
            steps[str(key.value)] = self.step(index, key, value, teams, ids)
        start_node = root.get("start")
        start = str(steps_node.items[0][0].value)
        if start_node is not None:
            start = str(_text(start_node))
            if start not in steps:
                self.problem(start_node, f"start: unknown step '{start}'",
                             _hint(start, ids, "steps"))
        volume = None
        volume_node = root.get("volume")
        if volume_node is not None:
            count, period = str(_text(volume_node)).split("/")
            volume = Volume(float(count), period)  # type: ignore[arg-type]
            if volume.count > durations.MAX_VOLUME:
                self.problem(volume_node, "volume: the volume is too large",
                             f"a volume is at most {durations.MAX_VOLUME:,.0f} cases per "
                             "period: check the number")
        hours_node = root.get("hours_per_week")
        waive_node = root.get("waive")
        waive_items = waive_node.items if isinstance(waive_node, Mapping) else []
        workflow = Workflow(
            id=str(_text(root.get("id"))),
            title=str(_text(root.get("title"))),
            file=self.file,
            pos=self.pos(root.key("id") or root),
            teams=MappingProxyType(teams),
            steps=MappingProxyType(steps),
            start=start,
            owner=_text(root.get("owner")),
            description=_text(root.get("description")),
            volume=volume,
            outputs=self.artifacts(root.get("outputs")),
            tags=_strings(root.get("tags")),
            inputs=self.artifacts(root.get("inputs")),
            records=self.artifacts(root.get("records")),
            hours_per_week=40.0 if hours_node is None else float(hours_node.value),  # type: ignore[union-attr, arg-type]
            waive=MappingProxyType({str(k.value): str(_text(v)) for k, v in waive_items}),
            waive_at=MappingProxyType({str(k.value): self.pos(k) for k, _ in waive_items}),
        )
        if not self.problems:
            self.check_rework(workflow)
        if self.problems:
            raise WorkflowError(sorted(self.problems, key=lambda p: (p.line, p.column)))
        return workflow

    def artifacts(self, node: Node | None) -> tuple[Artifact, ...]:
        items = node.items if isinstance(node, Sequence) else ()
        return tuple(Artifact(str(n.value), self.pos(n)) for n in items)  # type: ignore[union-attr]

    def step(self, index: int, key: Scalar, node: Mapping, teams: dict[str, Team],
             ids: dict[str, int]) -> Step:
        sid = str(key.value)
        team_node = node.get("team")
        assert team_node is not None
        team = str(_text(team_node))
        if team not in teams:
            self.problem(team_node, f"steps.{sid}.team: unknown team '{team}'",
                         _hint(team, teams, "teams"))
        requirement = None
        req = node.get("requirement")
        if isinstance(req, Mapping):
            requirement = Requirement(_text(req.get("why")), _text(req.get("by")))
        waive_node = node.get("waive")
        waive = {}
        if isinstance(waive_node, Mapping):
            waive = {str(k.value): str(v.value) for k, v in waive_node.items}  # type: ignore[union-attr]
        automated: Any = False
        auto_node = node.get("automated")
        if isinstance(auto_node, Scalar):
            automated = auto_node.value
        return Step(
            id=sid,
            index=index,
            pos=self.pos(key),
            title=str(_text(node.get("title"))),
            team=team,
            who=_text(node.get("who")),
            kind=_text(node.get("kind")) or "task",  # type: ignore[arg-type]
            touch=self.duration(node.get("touch"), f"steps.{sid}.touch"),
            wait=self.duration(node.get("wait"), f"steps.{sid}.wait"),
            inputs=_strings(node.get("inputs")),
            outputs=_strings(node.get("outputs")),
            systems=_strings(node.get("systems")),
            value=_text(node.get("value")),  # type: ignore[arg-type]
            automated=automated,
            requirement=requirement,
            description=_text(node.get("description")),
            instructions=_strings(node.get("instructions")),
            next=self.branches(sid, node.get("next"), ids),
            waive=MappingProxyType(waive),
        )

    def duration(self, node: Node | None, where: str) -> Duration:
        if node is None:
            return ZERO
        if isinstance(node, Scalar):
            h = self.hours(node, where)
            return Duration(h, h, h)
        assert isinstance(node, Mapping)
        known = len(self.problems)
        low, likely, high = (self.hours(node.get(k), f"{where}.{k}")
                             for k in ("min", "likely", "max"))
        if len(self.problems) > known:
            return ZERO  # a bound too large: its order against the others means nothing
        if low > likely:
            self.problem(node.get("likely") or node, f"{where}: min is more than likely",
                         "a range needs min <= likely <= max")
        elif likely > high:
            self.problem(node.get("max") or node, f"{where}: likely is more than max",
                         "a range needs min <= likely <= max")
        return Duration(low, likely, high)

    def hours(self, node: Node | None, where: str) -> float:
        assert isinstance(node, Scalar)
        h = durations.hours(str(node.value))
        if h > durations.MAX_HOURS:
            self.problem(node, f"{where}: the duration is too large",
                         f"a duration is at most {durations.MAX_HOURS:,.0f} hours (about "
                         "114,000 years): check the number")
        return h

    def branches(self, sid: str, node: Node | None, ids: dict[str, int]) -> tuple[Branch, ...]:
        if node is None:
            return ()
        items = node.items if isinstance(node, Sequence) else [node]
        out: list[Branch] = []
        for item in items:
            if isinstance(item, Mapping):
                to_node = item.get("to")
                assert isinstance(to_node, Scalar)
                p_node = item.get("p")
                p = None if p_node is None else float(p_node.value)  # type: ignore[union-attr, arg-type]
                branch = Branch(str(to_node.value), self.pos(to_node),
                                _text(item.get("when")), p)
            else:
                assert isinstance(item, Scalar)
                to_node = item
                branch = Branch(str(item.value), self.pos(item))
            if branch.to not in ids:
                self.problem(to_node, f"steps.{sid}.next: unknown step '{branch.to}'",
                             _hint(branch.to, ids, "steps"))
            elif any(b.to == branch.to for b in out):
                self.problem(to_node, f"steps.{sid}.next: '{branch.to}' is named twice",
                             "name each following step once; a decision gives each "
                             "outcome its own step")
            out.append(branch)
        given = [b for b in out if b.p is not None]
        missing = [b for b in out if b.p is None]
        total = math.fsum(b.p for b in given)  # type: ignore[misc]
        if given and len(missing) == 1 and total < 1 - P_TOLERANCE:
            # The spec's own example gives p on the rework branch only: the one
            # branch without p is the default way and takes the rest.
            default = missing[0]
            out[out.index(default)] = Branch(default.to, default.pos, default.when, 1 - total)
        elif given and missing:
            self.problems.append(Problem(
                self.file, missing[0].pos.line, missing[0].pos.column,
                f"steps.{sid}.next: branch to '{missing[0].to}' has no p while others of "
                "this step do", "give p on every branch of a decision (one branch without "
                "p takes the rest), or on none (parallel work)"))
        elif given and abs(total - 1) > P_TOLERANCE:
            first = given[0]
            self.problems.append(Problem(
                self.file, first.pos.line, first.pos.column,
                f"steps.{sid}.next: the p values sum to {total:g}, not 1",
                "the shares of a decision's branches must add up to 1"))
        return tuple(out)

    def check_rework(self, workflow: Workflow) -> None:
        # A loop needs an edge back to an earlier (or the same) step; the
        # search for loops runs only when there is one.
        index = {sid: i for i, sid in enumerate(workflow.steps)}
        if not any(index[b.to] <= step.index for step in workflow.steps.values()
                   for b in step.next):
            return
        from procmap.analysis.graph import endless_loops

        for (source, target), members in endless_loops(workflow):
            branch = next(b for b in workflow.steps[source].next if b.to == target)
            names = ", ".join(f"'{m}'" for m in members)
            self.problems.append(Problem(
                self.file, branch.pos.line, branch.pos.column,
                f"steps.{source}.next: the loop never ends: no decision branch leads out "
                f"of {names}", "give a decision on the loop a branch out of it, such as "
                "{to: next-step, when: approved, p: 0.8} beside the way back"))
