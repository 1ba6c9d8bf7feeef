"""GitLab Code Quality: findings shown on the merge request's diff.

The format is a JSON list of issues, each with a description, a check name, a
fingerprint GitLab compares between the two branches, a severity and a
location (docs.gitlab.com/ci/testing/code_quality, "Code Quality report
format"). GitLab has no place for a waived finding: those are left out.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from procmap.analysis.fingerprint import fingerprints
from procmap.analysis.report.uris import relative_path

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport

HELP = "GitLab Code Quality JSON (merge request widget)"
_SEVERITY = {"error": "critical", "warning": "major", "info": "info"}


def _issue(check: str, description: str, fingerprint: str, severity: str, file: str,
           line: int) -> dict[str, object]:
    return {"type": "issue", "check_name": check, "description": description,
            "categories": ["Complexity"], "fingerprint": fingerprint, "severity": severity,
            "location": {"path": relative_path(file), "lines": {"begin": line}}}


def as_list(run: RunReport) -> list[dict[str, object]]:
    out = []
    for e in run.errors:
        key = "\0".join(("invalid-workflow", e.file, e.message))
        out.append(_issue("invalid-workflow", f"{e.message} ({e.hint})" if e.hint else e.message,
                          hashlib.sha256(key.encode()).hexdigest()[:32], "blocker",
                          e.file, e.line))
    for w in run.workflows:
        for f, fp in zip(w.findings, fingerprints(w.workflow.id, w.findings), strict=True):
            if f.level in _SEVERITY:
                out.append(_issue(f.rule, f.message, fp, _SEVERITY[f.level], f.pos.file,
                                  f.pos.line))
    return out


def render(run: RunReport) -> str:
    return json.dumps(as_list(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
