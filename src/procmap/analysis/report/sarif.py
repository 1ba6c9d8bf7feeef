"""SARIF 2.1.0 for code-scanning tools, GitHub code scanning among them.

What GitHub asks beyond the schema: URIs relative to the repository root
(`%SRCROOT%`, given in `originalUriBaseIds`) and percent-encoded;
`partialFingerprints` that survive line moves, so an alert stays one alert when
a step moves; `suppressions` on every result or on none; `help` on each rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from procmap import __version__
from procmap.analysis import ruledocs
from procmap.analysis.fingerprint import fingerprints
from procmap.analysis.report.uris import SRCROOT, artifact_location, repository_root, root_uri
from procmap.analysis.rules import RULES
from procmap.analysis.rules.base import ALGORITHM

if TYPE_CHECKING:
    from procmap.analysis.analyze import RunReport

HELP = "SARIF 2.1.0 (GitHub code scanning)"
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOMEPAGE = "https://procmap.dev"
FINGERPRINT = "procmapFinding/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note", "waived": "none"}


def _location(file: str, line: int, column: int, root: Path) -> dict[str, object]:
    return {"physicalLocation": {"artifactLocation": artifact_location(file, root),
                                 "region": {"startLine": line, "startColumn": column}}}


def as_dict(run: RunReport, root: Path | None = None) -> dict[str, object]:
    """The SARIF log; paths relative to `root` (default: the enclosing repository)."""
    root = root or repository_root()
    index = {r.id: i for i, r in enumerate(RULES)}
    rules = [{
        "id": r.id,
        "name": "".join(part.title() for part in r.id.split("-")),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": f"{r.summary} (Algorithm step {r.algorithm}: "
                                    f"{ALGORITHM[r.algorithm]})"},
        "help": {"text": ruledocs.plain(r), "markdown": ruledocs.body(r)},
        "helpUri": f"{HOMEPAGE}/rules#{r.id}",
        "defaultConfiguration": {"level": _LEVEL[r.level]},
        "properties": {"algorithm": r.algorithm, "tags": [ALGORITHM[r.algorithm]]},
    } for r in RULES]
    results = []
    for w in run.workflows:
        for f, fp in zip(w.findings, fingerprints(w.workflow.id, w.findings), strict=True):
            result: dict[str, object] = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _LEVEL[f.level],
                "message": {"text": f.message},
                "locations": [_location(f.pos.file, f.pos.line, f.pos.column, root)],
                "partialFingerprints": {FINGERPRINT: fp},
                "properties": {"workflow": w.workflow.id, "steps": list(f.steps),
                               "algorithm": f.algorithm},
            }
            # On every result: an empty list says "not suppressed" (SARIF 3.27.23).
            result["suppressions"] = [] if f.waiver is None else [
                {"kind": "inSource", "justification": f.waiver}]
            results.append(result)
    notifications = [{
        "level": "error",
        "message": {"text": f"{e.message} ({e.hint})" if e.hint else e.message},
        "locations": [_location(e.file, e.line, e.column, root)],
    } for e in run.errors]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "procmap", "version": __version__,
                                "informationUri": HOMEPAGE, "rules": rules}},
            "originalUriBaseIds": {SRCROOT: {"uri": root_uri(root)}},
            "invocations": [{"executionSuccessful": not run.errors,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }


def render(run: RunReport) -> str:
    # The loader refuses numbers that overflow; should one slip through, fail
    # rather than write NaN or Infinity, which are not JSON.
    return json.dumps(as_dict(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
