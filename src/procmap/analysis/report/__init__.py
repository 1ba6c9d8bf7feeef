"""Renderers of an analysis run: text for people, JSON, SARIF and GitHub for machines."""

from __future__ import annotations

from collections.abc import Callable

from procmap.analysis.analyze import RunReport

FORMATS = ("text", "json", "sarif", "github")


def renderer(name: str) -> Callable[[RunReport], str]:
    if name == "json":
        from procmap.analysis.report.json_report import render
    elif name == "sarif":
        from procmap.analysis.report.sarif import render
    elif name == "github":
        from procmap.analysis.report.github import render
    else:
        from procmap.analysis.report.text import render
    return render
