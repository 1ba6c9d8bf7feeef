"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning among them)."""

from __future__ import annotations

import json
from pathlib import PurePath

from procmap import __version__
from procmap.analysis.analyze import RunReport
from procmap.analysis.rules import RULES
from procmap.analysis.rules.base import ALGORITHM

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note", "waived": "none"}


def _uri(file: str) -> str:
    return PurePath(file).as_posix()


def _location(file: str, line: int, column: int) -> dict[str, object]:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(file)},
                                 "region": {"startLine": line, "startColumn": column}}}


def as_dict(run: RunReport) -> dict[str, object]:
    index = {r.id: i for i, r in enumerate(RULES)}
    rules = [{
        "id": r.id,
        "name": "".join(part.title() for part in r.id.split("-")),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": f"{r.summary} (Algorithm step {r.algorithm}: "
                                    f"{ALGORITHM[r.algorithm]})"},
        "defaultConfiguration": {"level": _LEVEL[r.level]},
        "properties": {"algorithm": r.algorithm, "tags": [ALGORITHM[r.algorithm]]},
    } for r in RULES]
    results = []
    for w in run.workflows:
        for f in w.findings:
            result: dict[str, object] = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _LEVEL[f.level],
                "message": {"text": f.message},
                "locations": [_location(f.pos.file, f.pos.line, f.pos.column)],
                "properties": {"workflow": w.workflow.id, "steps": list(f.steps),
                               "algorithm": f.algorithm},
            }
            if f.waiver is not None:
                result["suppressions"] = [{"kind": "inSource", "justification": f.waiver}]
            results.append(result)
    notifications = [{
        "level": "error",
        "message": {"text": f"{e.message} ({e.hint})" if e.hint else e.message},
        "locations": [_location(e.file, e.line, e.column)],
    } for e in run.errors]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "procmap", "version": __version__,
                                "informationUri": "https://procmap.dev", "rules": rules}},
            "invocations": [{"executionSuccessful": not run.errors,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }


def render(run: RunReport) -> str:
    # The loader refuses numbers that overflow; should one slip through, fail
    # rather than write NaN or Infinity, which are not JSON.
    return json.dumps(as_dict(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
