"""The tracker as markdown: a summary table, the escalations and a Mermaid gantt
per case, from the template `tracker.md.j2` (which `procmap build` also uses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procmap.tracking.status import STATUSES, Summary, Tracked, days

if TYPE_CHECKING:
    from procmap.tracking.tracker import Tracker

SUFFIX = ".md"
TEMPLATE = "tracker.md.j2"


@dataclass(frozen=True, slots=True)
class Row:
    """One case as the templates show it."""

    tracked: Tracked
    title: str  # the current step's title, or "done"
    in_step: str  # "6 d"
    usual: str
    gantt: str  # a Mermaid gantt chart, without the fence


@dataclass(frozen=True, slots=True)
class View:
    file: str
    today: str
    statuses: tuple[str, ...]
    summary: Summary
    rows: tuple[Row, ...]
    errors: tuple[str, ...]


def _label(value: str) -> str:
    from procmap.render.mermaid import text as mermaid_text

    # Entity codes keep ';' and '#' from ending the line; a task's name ends at ':'.
    return mermaid_text(value).replace(":", "#58;")


def _bar_end(start: dt.date, end: dt.date) -> dt.date:
    # A step done within its first day still shows as a day's bar, not as nothing.
    return max(end, start + dt.timedelta(days=1))


def gantt(t: Tracked, tracker: Tracker) -> str:
    """Steps done (from a history), the current step until its expected end, the
    likely steps after it, and the due date and forecast as milestones."""
    workflow = tracker.workflows[t.case.workflow]
    cal = tracker.calendar
    lines = ["gantt", f"  title {_label(t.case.id)}", "  dateFormat YYYY-MM-DD",
             "  axisFormat %m-%d"]
    if t.case.history:
        lines.append("  section Done")
        lines += [f"  {_label(workflow.steps[d.step].title)} :done, {d.started}, {d.finished}"
                  for d in t.case.history]
    if t.path:
        ahead = max(t.usual_d - min(t.in_step_d, t.usual_d), 0.0)
        end = cal.add(tracker.today, ahead)
        lines += ["  section Now", f"  {_label(workflow.steps[t.path[0]].title)} :active, "
                                   f"{t.case.entered}, {_bar_end(t.case.entered, end)}"]
        if len(t.path) > 1:
            lines.append("  section Ahead")
        for sid in t.path[1:]:
            start = end
            ahead += cal.working_days(workflow.steps[sid].hours)
            end = cal.add(tracker.today, ahead)
            lines.append(f"  {_label(workflow.steps[sid].title)} :{start}, "
                         f"{_bar_end(start, end)}")
        lines += ["  section Dates", f"  Expected :milestone, {t.forecast}, 0d",
                  f"  P90 :milestone, {t.forecast_p90}, 0d"]
    if t.case.due is not None:
        lines.append(f"  Due :milestone, crit, {t.case.due}, 0d")
    return "\n".join(lines)


def view(tracker: Tracker) -> View:
    rows = []
    for t in tracker.cases:
        step = t.case.step
        title = tracker.workflows[t.case.workflow].steps[step].title if step else "done"
        rows.append(Row(t, title, days(t.in_step_d), days(t.usual_d), gantt(t, tracker)))
    return View(tracker.file, str(tracker.today), STATUSES, tracker.summary, tuple(rows),
                tuple(f"{p.file}:{p.line}:{p.column}: {p.message}"
                      + (f" ({p.hint})" if p.hint else "") for p in tracker.problems))


def render(tracker: Tracker) -> str:
    from procmap.docs.templating import environment

    return environment(tracker.templates).get_template(TEMPLATE).render(tracker=view(tracker))
