"""The tracker for people on a terminal: escalations first, then every case."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procmap.printable import one_line as safe
from procmap.tracking.calendar import CALENDAR_DAYS
from procmap.tracking.status import days

if TYPE_CHECKING:
    from procmap.tracking.tracker import Tracker

SUFFIX = ".txt"


def calendar_note(tracker: Tracker) -> str:
    cal = tracker.calendar
    if cal == CALENDAR_DAYS:
        return "calendar days"
    holidays = f", {len(cal.holidays)} holidays" if cal.holidays else ""
    return f"working days ({'/'.join(cal.days)}, {cal.hours:g} h{holidays})"


def render(tracker: Tracker) -> str:
    s = tracker.summary
    lines = [f"{safe(tracker.file)}: {len(tracker.cases)} cases on {tracker.today}, "
             f"days are {calendar_note(tracker)}",
             ", ".join(f"{n} {status}" for status, n in s.counts.items() if n) or "no cases"]
    if s.escalations:
        lines += ["", "Escalate, worst first:"]
        lines += [f"  {n}. {safe(t.case.id)} [{t.status}] {safe(t.case.owner or 'no owner')}: "
                  f"{safe(t.need)}" for n, t in enumerate(s.escalations, 1)]
    lines += ["", "Cases:"]
    for t in tracker.cases:
        c = t.case
        if c.step is None:
            lines.append(f"  {safe(c.id)} [done] {c.workflow}, finished {c.entered}")
            continue
        due = f", due {c.due}" if c.due else ""
        handoff = f"; next handoff {t.handoff[0]} -> {safe(t.handoff[1])}" if t.handoff else ""
        lines.append(f"  {safe(c.id)} [{t.status}] {c.workflow} at {c.step} "
                     f"({safe(t.team)}) for {days(t.in_step_d)}, usually {days(t.usual_d)}; "
                     f"expected {t.forecast}, P90 {t.forecast_p90}{due}{handoff}")
    if s.teams:
        lines += ["", "Work in progress per team: "
                  + ", ".join(f"{safe(team)} {n}" for team, n in s.teams)]
    if s.steps:
        lines += ["Work in progress per step: "
                  + ", ".join(f"{w.workflow}/{w.step} {w.cases}" for w in s.steps)]
    if s.stuck:
        lines += ["Stuck most: " + ", ".join(
            f"{w.workflow}/{w.step} ({w.stuck} stuck, {days(w.excess_d)} over)"
            for w in s.stuck)]
    if tracker.problems:
        lines += ["", f"{len(tracker.problems)} rows or files not tracked:"]
        for p in tracker.problems:
            lines.append(f"  {safe(p.file)}:{p.line}:{p.column}: {safe(p.message)}")
            lines += [f"    hint: {safe(p.hint)}"] if p.hint else []
    return "\n".join(lines) + "\n"
