"""The two commands on event logs, as library calls: `mine` and `compare_logs`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from procmap.format.errors import Problem, WorkflowError
from procmap.format.loader import loads, read
from procmap.mining.calibrate import DEFAULT_MIN_CASES
from procmap.mining.log import Issue, LogError, open_log
from procmap.printable import one_line


@dataclass(frozen=True, slots=True)
class Mined:
    workflow_yaml: str | None  # the discovered workflow, when asked for
    report: str | None  # the conformance report, or the calibration's, when a map was given
    notes: tuple[str, ...]  # what the reader should know: log issues, pruned edges
    calibrated: bytes | None = None  # the map with measured values, with calibrate


def mine(log_path: Path, mapping: Mapping[str, str], min_share: float, discover_map: bool,
         against: Path | None = None, fmt: str = "text", workflow_id: str | None = None,
         seed: int = 0, calibrate: bool = False,
         min_cases: int = DEFAULT_MIN_CASES) -> Mined:
    """Discover the as-is workflow, and check it against a map when one is given, or
    calibrate the map (its text with the measured values) instead of checking it.

    Raises LogError (an unusable log), DiscoveryError, and WorkflowError (a bad map).
    """
    from procmap.mining import conformance
    from procmap.mining.discover import discover, slug

    if workflow_id is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", workflow_id):
        raise LogError(f"--id {one_line(workflow_id)!r}: a workflow id is lower-case letters, "
                       "digits and dashes, starting with a letter or digit")
    if calibrate and against is None:
        raise LogError("--calibrate needs the map to calibrate: give it with --against")
    workflow = None
    data: bytes | None = None
    if against is not None:

        data = read(against, str(against))
        workflow = loads(data, str(against))  # a bad map stops before the log is read
    log = open_log(log_path, mapping)
    if calibrate:
        from procmap.mining import calibrate as calibration

        assert against is not None and data is not None
        done = calibration.calibrate(log, data, str(against), min_cases)
        if read(against, str(against)) != data:
            # The calibrated map may be written over it: an edit made meanwhile would be lost.
            raise WorkflowError([Problem(str(against), 1, 1, "the map changed while calibrate "
                                         "read the log: nothing written",
                                         "run the calibration again on the new version")])
        summary = calibration.as_json(done) if fmt == "json" else calibration.text(done)
        return Mined(None, summary, tuple(str(i) for i in done.issues), done.data)
    notes: list[str] = [str(i) for i in log.issues]
    text = None
    if discover_map:
        found = discover(log, min_share, workflow_id or slug(log_path.stem, set()))
        text = found.yaml
        notes += [n for n in found.notes]
        notes += [str(i) for i in found.issues if i not in log.issues]
    report = None
    if workflow is not None:
        checked = conformance.conformance(log, workflow, seed)
        report = conformance.as_json(checked) if fmt == "json" else conformance.text(checked)
    return Mined(text, report, tuple(notes))


def compare_logs(paths: Sequence[Path], mapping: Mapping[str, str], fmt: str = "text",
                 seed: int = 0) -> tuple[str, tuple[str, ...]]:
    """The A/B report of two logs, or of one log with a variant column, and the log issues."""
    from procmap.mining import abtest

    if not 1 <= len(paths) <= 2:
        raise LogError("give two logs (A then B), or one log with a variant column")
    issues: list[Issue] = []
    if len(paths) == 2:
        logs = [open_log(p, mapping) for p in paths]
        for log in logs:
            issues += log.issues
        names = [p.stem for p in paths]
        if names[0] == names[1]:
            names = ["A", "B"]
        a, b = abtest.per_case(logs[0]), abtest.per_case(logs[1])
    else:
        log = open_log(paths[0], mapping)
        issues += log.issues
        names = abtest.variants(log)
        if len(names) != 2:
            found = ", ".join(names) if names else "none"
            raise LogError(f"{paths[0]}: a variant column with exactly two values is needed "
                           f"(found: {found}); name it with --map COLUMN=variant, or give "
                           "two logs")
        a, b = abtest.per_case(log, names[0]), abtest.per_case(log, names[1])
    result = abtest.compare(names[0], a, names[1], b, seed)
    return abtest.FORMATS[fmt](result), tuple(str(i) for i in issues)
