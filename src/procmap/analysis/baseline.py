"""Baselines: adopt procmap on existing processes without fixing everything first.

`procmap analyze --write-baseline FILE` records the fingerprints of today's
findings; with `--baseline FILE` those findings are reported as known and do
not fail the run, while new ones do. Fingerprints ignore lines, so moving a
step keeps its findings known.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from procmap.analysis.analyze import RunReport
from procmap.analysis.fingerprint import fingerprints
from procmap.format.errors import Problem, WorkflowError
from procmap.format.files import open_regular
from procmap.format.yamlnodes import MAX_BYTES

FORMAT = "procmap-baseline"


def dumps(run: RunReport) -> str:
    """The baseline of `run`: one entry per finding, with what a reviewer needs to read it."""
    entries = sorted(
        ({"fingerprint": fp, "workflow": w.workflow.id, "rule": f.rule, "message": f.message}
         for w in run.workflows
         for f, fp in zip(w.findings, fingerprints(w.workflow.id, w.findings), strict=True)),
        key=lambda e: (e["workflow"], e["rule"], e["fingerprint"]))
    return json.dumps({FORMAT: 1, "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def read(path: Path) -> frozenset[str]:
    """The fingerprints of a baseline file; WorkflowError, located, when it is not one."""
    file = str(path)
    try:
        with open_regular(path) as f:
            data = json.loads(f.read(MAX_BYTES + 1))
    except OSError as e:
        raise WorkflowError([Problem(file, 1, 1, f"cannot read the baseline: {e.strerror}",
                                     "write one with procmap analyze --write-baseline FILE")]) \
            from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        line, column = getattr(e, "lineno", 1), getattr(e, "colno", 1)
        raise WorkflowError([Problem(file, line, column, f"not a baseline: invalid JSON ({e})",
                                     "write one with procmap analyze --write-baseline FILE")]) \
            from None
    except RecursionError:
        raise WorkflowError([Problem(file, 1, 1, "not a baseline: the JSON is nested too deeply",
                                     "write one with procmap analyze --write-baseline FILE")]) \
            from None
    entries = data.get("findings") if isinstance(data, dict) and data.get(FORMAT) == 1 else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise WorkflowError([Problem(file, 1, 1, f"not a baseline: expected {FORMAT}: 1 and "
                                     "findings with a fingerprint each",
                                     "write one with procmap analyze --write-baseline FILE")])
    return frozenset(e["fingerprint"] for e in entries)


def apply(run: RunReport, known: frozenset[str]) -> RunReport:
    """`run` with the findings whose fingerprints are in `known` marked as known."""
    return dataclasses.replace(run, workflows=tuple(
        dataclasses.replace(w, known=frozenset(
            i for i, fp in enumerate(fingerprints(w.workflow.id, w.findings)) if fp in known))
        for w in run.workflows))
