"""The tracker as CSV, to import back into a spreadsheet.

The first columns are those `procmap track` reads, under their default
names, so the output is itself a tracker (a history comes out as the current
state). Rows that could not be tracked follow, with status `error`, no case
id and the problem in `need`: they stay visible after an import.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procmap.tracking.tracker import Tracker

SUFFIX = ".csv"
COLUMNS = ("case", "workflow", "step", "entered", "due", "owner", "blocker", "status", "team",
           "days_in_step", "usual_days", "forecast", "forecast_p90", "slack_days",
           "next_handoff", "next_team", "need")


# A cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets: text from the tracker (an owner, a blocker) could run one
# when the CSV is imported. A leading apostrophe makes it text; procmap's
# reader drops it again, so the CSV still reads back as a tracker.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """The value as a spreadsheet shows it as text, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _number(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def render(tracker: Tracker) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for t in tracker.cases:
        c = t.case
        # A finished case is written at its last step, where it ended.
        step = c.step or (c.history[-1].step if c.history else "")
        writer.writerow([cell(v) for v in (
            c.id, c.workflow, step, c.entered, c.due or "", c.owner or "", c.blocker or "",
            t.status, t.team or "", t.in_step_d, _number(t.usual_d), t.forecast,
            t.forecast_p90, "" if t.slack_d is None else t.slack_d,
            t.handoff[0] if t.handoff else "", t.handoff[1] if t.handoff else "", t.need)])
    for p in tracker.problems:
        writer.writerow(["", "", "", "", "", "", "", "error", "", "", "", "", "", "", "", "",
                         cell(f"{p.file}:{p.line}:{p.column}: {p.message}")])
    return out.getvalue()
