"""Problems that stop a file from being read as a workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from procmap.printable import one_line

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
        text = f"{one_line(self.file)}:{self.line}:{self.column}: {one_line(self.message)}"
        return f"{text}\n  hint: {one_line(self.hint)}" if self.hint else text


class WorkflowError(Exception):
    """Raised when a file is not a valid workflow; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
