"""The report formats of `procmap analyze`: one module each, one registry.

Each module meets `ReportFormat`; the CLI's `--format` choices and their help
come from `FORMATS`, so a new format is a module and one line here.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from procmap.analysis.report import github, gitlab, json_report, junit, sarif, text

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport


class ReportFormat(Protocol):
    @property
    def HELP(self) -> str:
        """One line for `procmap analyze --help`."""

    def render(self, run: RunReport) -> str:
        """The whole report as text."""


FORMATS: MappingProxyType[str, ReportFormat] = MappingProxyType({
    "text": text,
    "json": json_report,
    "sarif": sarif,
    "github": github,
    "gitlab": gitlab,
    "junit": junit,
})


def help_text() -> str:
    return "; ".join(f"{name}: {module.HELP}" for name, module in FORMATS.items()) + "."
