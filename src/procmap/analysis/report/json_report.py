"""The JSON report of analysis.md."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from procmap import __version__

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport

HELP = "metrics and findings as JSON, for scripts"


def as_dict(run: RunReport) -> dict[str, object]:
    return {
        "procmap": __version__,
        "workflows": [
            {
                "id": w.workflow.id,
                "title": w.workflow.title,
                "file": w.workflow.file,
                "metrics": w.metrics.as_json(),
                "findings": [{**f.as_json(), **({"known": True} if i in w.known else {})}
                             for i, f in enumerate(w.findings)],
            }
            for w in run.workflows
        ],
        "errors": [
            {"file": e.file, "line": e.line, "column": e.column, "message": e.message,
             "hint": e.hint}
            for e in run.errors
        ],
    }


def render(run: RunReport) -> str:
    # The loader refuses numbers that overflow; should one slip through, fail
    # rather than write NaN or Infinity, which are not JSON.
    return json.dumps(as_dict(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
