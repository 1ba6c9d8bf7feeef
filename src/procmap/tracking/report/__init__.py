"""Output formats of `procmap track`: one registry, every format one module.

Each module meets `Format` (as pre-commit's languages do): the CLI's
`--format` choices are the keys of FORMATS, so a new format is one module
and one line here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from procmap.tracking.report import csv_report, json_report, markdown, text

if TYPE_CHECKING:
    from procmap.tracking.tracker import Tracker


class Format(Protocol):
    SUFFIX: str  # the file suffix of the format

    def render(self, tracker: Tracker) -> str: ...


FORMATS: dict[str, Format] = {
    "text": text,
    "json": json_report,
    "csv": csv_report,
    "markdown": markdown,
}
