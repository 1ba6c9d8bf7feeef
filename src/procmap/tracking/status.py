"""Each case's dates and status, and what the cases say together.

Days are working days of the calendar (calendar days by default). A case
has one status, the most severe that applies:

- `late`: past its due date, or its expected finish is after it;
- `blocked`: someone wrote a blocker: nothing moves until it is cleared;
- `at-risk`: the P90 finish is after the due date;
- `on-track`: none of these (a case without a due date cannot be late);
- `done`: its history ended at an end step.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from procmap.format.model import Workflow
    from procmap.tracking.calendar import Calendar
    from procmap.tracking.cases import Case
    from procmap.tracking.forecast import Forecaster

Status = Literal["late", "blocked", "at-risk", "on-track", "done"]
# Most severe first: the order of escalations and of `--fail-on`.
STATUSES: tuple[Status, ...] = ("late", "blocked", "at-risk", "on-track", "done")
SEVERITY: Mapping[str, int] = {"late": 3, "blocked": 2, "at-risk": 1, "on-track": 0, "done": 0}
STUCK_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Tracked:
    case: Case
    status: Status
    team: str | None  # the name of the current step's team
    in_step_d: int  # days since the case entered its step
    usual_d: float  # the step's expected wait + touch, in days
    remaining_d: float  # expected days left from today
    remaining_p90_d: float
    forecast: dt.date  # expected finish
    forecast_p90: dt.date
    slack_d: int | None  # days from the P90 finish to the due date; negative: behind
    handoff: tuple[str, str] | None  # next step owned by another team, and that team's name
    path: tuple[str, ...]  # the likely steps left, the current one first
    need: str  # what is needed, for the escalation list

    @property
    def stuck(self) -> bool:
        return self.case.step is not None and self.in_step_d > self.usual_d


@dataclass(frozen=True, slots=True)
class Wip:
    workflow: str
    step: str
    team: str
    cases: int
    stuck: int  # of them, in the step longer than usual
    excess_d: float  # days beyond the usual, summed over the stuck ones


@dataclass(frozen=True, slots=True)
class Summary:
    counts: Mapping[str, int]  # status -> cases, every status listed
    steps: tuple[Wip, ...]  # work in progress per step, most cases first
    teams: tuple[tuple[str, int], ...]  # team name -> open cases, most first
    stuck: tuple[Wip, ...]  # the steps where cases are stuck most
    escalations: tuple[Tracked, ...]  # late, blocked and at-risk cases, worst first


def days(n: float) -> str:
    """A number of days as people read it: 6 d, 1.5 d."""
    return f"{n:.1f}".removesuffix(".0") + " d"


@dataclass(frozen=True, slots=True)
class _Step:
    """What every case at one step shares, in days of the calendar."""

    title: str
    team: str
    usual: float
    mean: float
    p90: float
    path: tuple[str, ...]
    handoff: tuple[str, str] | None


class Statuses:
    """Tracks cases on one day and calendar; what a step shares is worked out once."""

    def __init__(self, workflows: Mapping[str, Workflow], forecaster: Forecaster,
                 calendar: Calendar, today: dt.date) -> None:
        self.workflows, self.forecaster = workflows, forecaster
        self.calendar, self.today = calendar, today
        self._steps: dict[tuple[str, str], _Step] = {}

    def _step(self, workflow: str, step: str) -> _Step:
        key = (workflow, step)
        found = self._steps.get(key)
        if found is None:
            wf, cal = self.workflows[workflow], self.calendar
            outlook = self.forecaster.outlook(workflow, step)
            handoff = None
            if outlook.handoff is not None:
                handoff = (outlook.handoff[0], wf.teams[outlook.handoff[1]].name)
            found = self._steps[key] = _Step(
                wf.steps[step].title, wf.teams[wf.steps[step].team].name,
                cal.working_days(outlook.step_h), cal.working_days(outlook.mean_h),
                cal.working_days(outlook.p90_h), outlook.path, handoff)
        return found

    def track(self, case: Case) -> Tracked:
        calendar, today = self.calendar, self.today
        if case.step is None:
            return Tracked(case, "done", None, 0, 0.0, 0.0, 0.0, case.entered, case.entered,
                           None if case.due is None else _signed(calendar, case.entered,
                                                                 case.due),
                           None, (), "")
        step = self._step(case.workflow, case.step)
        in_step = calendar.between(case.entered, today)
        # The current step ends no earlier than today: time already spent in it counts
        # up to its usual length, and a case past it has at least the rest ahead.
        spent = min(in_step, step.usual)
        remaining = max(step.mean - spent, 0.0)
        remaining_p90 = max(step.p90 - spent, 0.0)
        forecast = calendar.add(today, remaining)
        forecast_p90 = calendar.add(today, remaining_p90)
        status: Status = "on-track"
        if case.due is not None and (today > case.due or forecast > case.due):
            status = "late"
        elif case.blocker:
            status = "blocked"
        elif case.due is not None and forecast_p90 > case.due:
            status = "at-risk"
        slack = None if case.due is None else _signed(calendar, forecast_p90, case.due)
        need = _need(case, status, step.title, step.team, forecast, forecast_p90, in_step,
                     step.usual, today)
        return Tracked(case, status, step.team, in_step, step.usual, remaining, remaining_p90,
                       forecast, forecast_p90, slack, step.handoff, step.path, need)


def _signed(calendar: Calendar, start: dt.date, end: dt.date) -> int:
    return calendar.between(start, end) if end >= start else -calendar.between(end, start)


def _need(case: Case, status: Status, title: str, team: str, forecast: dt.date,
          forecast_p90: dt.date, in_step: int, usual: float, today: dt.date) -> str:
    """What the case needs, for the person who escalates it."""
    due = case.due
    parts = []
    if status == "late" and due is not None:
        parts.append(f"past due {due}, expected {forecast}" if today > due
                     else f"expected {forecast}, after due {due}")
    if case.blocker:
        parts.append(f"unblock: {case.blocker}")
    if status == "at-risk" and due is not None:
        parts.append(f"P90 {forecast_p90} is after due {due}")
    if SEVERITY[status] > 0:
        parts.append(f"{title} ({team}) to finish")
    if in_step > usual:
        parts.append(f"stuck for {days(in_step)}, usually {days(usual)}")
    return "; ".join(parts)


def summarise(tracked: Iterable[Tracked]) -> Summary:
    cases = list(tracked)
    counts = Counter(t.status for t in cases)
    wip: dict[tuple[str, str], list[Tracked]] = {}
    for t in cases:
        if t.case.step is not None:
            wip.setdefault((t.case.workflow, t.case.step), []).append(t)
    steps = []
    for (workflow, step), here in wip.items():
        stuck = [t for t in here if t.stuck]
        steps.append(Wip(workflow, step, here[0].team or "", len(here), len(stuck),
                         sum(t.in_step_d - t.usual_d for t in stuck)))
    steps.sort(key=lambda w: (-w.cases, w.workflow, w.step))
    teams = Counter(t.team for t in cases if t.team is not None)
    stuck_most = sorted((w for w in steps if w.stuck),
                        key=lambda w: (-w.excess_d, -w.stuck, w.workflow, w.step))
    escalations = sorted(
        (t for t in cases if SEVERITY[t.status] > 0),
        key=lambda t: (-SEVERITY[t.status], t.slack_d if t.slack_d is not None else 1 << 30,
                       -(t.in_step_d - t.usual_d), t.case.id))
    return Summary({s: counts.get(s, 0) for s in STATUSES}, tuple(steps),
                   tuple(sorted(teams.items(), key=lambda kv: (-kv[1], kv[0]))),
                   tuple(stuck_most[:STUCK_SHOWN]), tuple(escalations))
