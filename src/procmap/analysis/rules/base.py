"""What a rule is and what it reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from procmap.analysis.graph import Flow
from procmap.analysis.rules.fixes import Proposal
from procmap.format.model import Pos

Level = Literal["error", "warning", "info"]
LEVELS: tuple[str, ...] = ("error", "warning", "info")
ALGORITHM = {1: "question", 2: "delete", 3: "simplify", 4: "accelerate", 5: "automate"}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    level: str  # error, warning, info, or "waived"
    algorithm: int
    step: str | None
    steps: tuple[str, ...]
    message: str
    pos: Pos
    waiver: str | None = None  # the reason given in `waive`

    def with_level(self, level: str, waiver: str | None = None) -> Finding:
        return Finding(self.rule, level, self.algorithm, self.step, self.steps, self.message,
                       self.pos, waiver)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule": self.rule, "level": self.level, "algorithm": self.algorithm,
            "step": self.step, "steps": list(self.steps), "message": self.message,
            "file": self.pos.file, "line": self.pos.line, "column": self.pos.column,
        }
        if self.waiver is not None:
            out["waiver"] = self.waiver
        return out


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    algorithm: int
    summary: str
    check: Callable[[Flow], Iterable[Finding]]
    # The changes it proposes for its (active) findings; `procmap simplify`
    # weighs and applies them, so a new rule with a fix needs no edit there.
    propose: Callable[[Flow, Sequence[Finding]], Iterable[Proposal]] | None = None

    def at(self, flow: Flow, step: int, steps: Iterable[int], message: str) -> Finding:
        """A finding attached to `step` (an index in file order)."""
        s = flow.steps[step]
        return Finding(self.id, self.level, self.algorithm, s.id,
                       tuple(flow.steps[i].id for i in steps), message, s.pos)
