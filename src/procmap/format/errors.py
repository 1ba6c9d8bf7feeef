"""Problems that stop a file from being read as a workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "syntax": the YAML itself; "schema": what the JSON Schema also rejects;
# "semantic": cross-references and arithmetic the schema cannot express.
Kind = Literal["syntax", "schema", "semantic"]


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    hint: str = ""
    kind: Kind = "semantic"

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class WorkflowError(Exception):
    """Raised when a file is not a valid workflow; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
