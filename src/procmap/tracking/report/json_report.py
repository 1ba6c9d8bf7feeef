"""The tracker as JSON, for scripts and dashboards."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from procmap import __version__

if TYPE_CHECKING:
    from procmap.tracking.status import Tracked
    from procmap.tracking.tracker import Tracker

SUFFIX = ".json"


def _case(t: Tracked) -> dict[str, object]:
    c = t.case
    return {
        "case": c.id, "workflow": c.workflow, "step": c.step, "entered": str(c.entered),
        "due": None if c.due is None else str(c.due), "owner": c.owner, "blocker": c.blocker,
        "row": c.row, "status": t.status, "team": t.team, "days_in_step": t.in_step_d,
        "usual_days": round(t.usual_d, 2), "remaining_days": round(t.remaining_d, 2),
        "remaining_p90_days": round(t.remaining_p90_d, 2), "forecast": str(t.forecast),
        "forecast_p90": str(t.forecast_p90), "slack_days": t.slack_d,
        "next_handoff": None if t.handoff is None else {"step": t.handoff[0],
                                                         "team": t.handoff[1]},
        "path": list(t.path), "need": t.need,
        "history": [{"step": d.step, "started": str(d.started), "finished": str(d.finished)}
                    for d in c.history],
    }


def as_dict(tracker: Tracker) -> dict[str, object]:
    s = tracker.summary
    cal = tracker.calendar
    return {
        "procmap": __version__, "file": tracker.file, "today": str(tracker.today),
        "calendar": {"days": list(cal.days), "hours": cal.hours,
                     "holidays": [str(d) for d in cal.holidays]},
        "counts": dict(s.counts),
        "cases": [_case(t) for t in tracker.cases],
        "escalations": [{"case": t.case.id, "status": t.status, "owner": t.case.owner,
                         "need": t.need} for t in s.escalations],
        "wip": {"teams": dict(s.teams),
                "steps": [{"workflow": w.workflow, "step": w.step, "team": w.team,
                           "cases": w.cases, "stuck": w.stuck} for w in s.steps]},
        "stuck": [{"workflow": w.workflow, "step": w.step, "stuck": w.stuck,
                   "excess_days": round(w.excess_d, 2)} for w in s.stuck],
        "errors": [{"file": p.file, "row": p.line, "column": p.column, "message": p.message,
                    "hint": p.hint} for p in tracker.problems],
    }


def render(tracker: Tracker) -> str:
    return json.dumps(as_dict(tracker), indent=2, ensure_ascii=False) + "\n"
