"""Renderers of an analysis run: text for people, JSON, SARIF and GitHub for machines."""

from __future__ import annotations

from collections.abc import Callable

from procmap.analysis import RunReport

FORMATS = ("text", "json", "sarif", "github")


def renderer(name: str) -> Callable[[RunReport], str]:
    if name == "json":
        from procmap.report.json_report import render
    elif name == "sarif":
        from procmap.report.sarif import render
    elif name == "github":
        from procmap.report.github import render
    else:
        from procmap.report.text import render
    return render
