"""The workflow model: immutable, typed, and located in its file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Kind = Literal["task", "approval", "check", "decision", "wait", "end"]
Value = Literal["va", "bva", "nva"]
Automated = bool | Literal["planned"]


@dataclass(frozen=True, slots=True)
class Pos:
    file: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration in hours: fixed when low == likely == high."""

    low: float
    likely: float
    high: float

    @property
    def mean(self) -> float:
        """The expected value: the PERT mean (min + 4 likely + max) / 6."""
        if self.low == self.high:
            return self.likely
        return (self.low + 4 * self.likely + self.high) / 6

    @property
    def fixed(self) -> bool:
        return self.low == self.high


ZERO = Duration(0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Branch:
    to: str
    pos: Pos
    when: str | None = None
    p: float | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    why: str | None
    by: str | None


@dataclass(frozen=True, slots=True)
class Artifact:
    id: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    pos: Pos
    color: str | None = None
    # A party outside the company (customer, partner, regulator): its steps
    # count in lead time and handoffs but never in the company's effort.
    external: bool = False
    staff: float | None = None  # people who work this team's steps


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    index: int  # position in file order, from 0
    pos: Pos
    title: str
    team: str
    who: str | None = None
    kind: Kind = "task"
    touch: Duration = ZERO
    wait: Duration = ZERO
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    value: Value | None = None
    automated: Automated = False
    requirement: Requirement | None = None
    description: str | None = None
    instructions: tuple[str, ...] = ()
    next: tuple[Branch, ...] = ()
    waive: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def hours(self) -> float:
        """Expected `wait + touch`, the weight of the step in lead time."""
        return self.wait.mean + self.touch.mean

    @property
    def is_decision(self) -> bool:
        return any(b.p is not None for b in self.next)


@dataclass(frozen=True, slots=True)
class Volume:
    count: float
    period: Literal["day", "week", "month", "year"]


@dataclass(frozen=True, slots=True)
class Workflow:
    id: str
    title: str
    file: str
    pos: Pos
    teams: Mapping[str, Team]
    steps: Mapping[str, Step]  # in file order
    start: str
    owner: str | None = None
    description: str | None = None
    volume: Volume | None = None
    outputs: tuple[Artifact, ...] = ()
    tags: tuple[str, ...] = ()
    inputs: tuple[Artifact, ...] = ()  # come from outside the process
    records: tuple[Artifact, ...] = ()  # kept in a system of record: consumed by being kept
    hours_per_week: float = 40.0
    # rule id -> reason, for findings attached to no step; where each entry is
    waive: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    waive_at: Mapping[str, Pos] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def step_list(self) -> tuple[Step, ...]:
        return tuple(self.steps.values())

    def is_external(self, step: str) -> bool:
        """Whether the step belongs to a party outside the company."""
        team = self.teams.get(self.steps[step].team)
        return team is not None and team.external
