"""`procmap track`: live cases against their workflows, with dates, risk and escalations.

    >>> import procmap, datetime
    >>> tracker = procmap.track("trackers/partners.csv", "workflows/",
    ...                         today=datetime.date(2026, 11, 23))
    >>> tracker.summary.escalations[0].need
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from procmap.analysis.analyze import analyze_paths
from procmap.config import Config
from procmap.format.errors import Problem, WorkflowError
from procmap.format.model import Workflow
from procmap.tracking.calendar import CALENDAR_DAYS, Calendar, PastLastDate
from procmap.tracking.cases import Case, read_cases
from procmap.tracking.forecast import Forecaster
from procmap.tracking.status import SEVERITY, Statuses, Summary, Tracked, summarise

# --fail-on: the least severe status that fails a run (exit 1), or never.
FAIL_ON = ("late", "blocked", "at-risk", "never")


@dataclass(frozen=True, slots=True)
class Tracker:
    file: str
    today: dt.date
    calendar: Calendar
    workflows: Mapping[str, Workflow]
    cases: tuple[Tracked, ...]  # in the order of the file
    summary: Summary
    problems: tuple[Problem, ...]  # bad rows, and workflows that did not load
    templates: Path | None = None  # the config's templates, over the shipped ones

    def exit_code(self, fail_on: str = "at-risk") -> int:
        """2 a bad row or workflow (the rest is still tracked); else 1 a case at or
        above `fail_on` (late > blocked > at-risk); else 0."""
        if self.problems:
            return 2
        if fail_on == "never":
            return 0
        worst = max((SEVERITY[t.status] for t in self.cases), default=0)
        return 1 if worst >= SEVERITY[fail_on] else 0


def track(cases: str | Path, workflows: str | Path | Iterable[str | Path],
          today: dt.date | None = None, config: Config | None = None,
          columns: Mapping[str, str] | None = None, seed: int = 0) -> Tracker:
    """Track the cases of a CSV or YAML file against the workflows under `workflows`.

    `columns` maps fields (case, workflow, step, entered, due, owner, blocker,
    started, finished) to column names, over those of the config. Raises
    WorkflowError when the cases file cannot be read at all; bad rows are
    `problems` and the other rows are still tracked."""
    config = config or Config()
    today = today or dt.date.today()
    paths = [workflows] if isinstance(workflows, (str, Path)) else list(workflows)
    run = analyze_paths(paths, config, seed, simulate=False)
    known = {r.workflow.id: r.workflow for r in run.workflows}
    calendar = config.calendar or CALENDAR_DAYS
    try:
        read, bad = read_cases(Path(cases), known, today, {**config.columns, **(columns or {})})
    except WorkflowError as e:
        raise WorkflowError([*run.errors, *e.problems]) from None
    statuses = Statuses(known, Forecaster(known, seed), calendar, today)
    tracked: list[Tracked] = []
    for case in read:
        try:
            tracked.append(statuses.track(case))
        except PastLastDate:
            bad.append(_past_last_date(str(cases), case))
    return Tracker(str(cases), today, calendar, known, tuple(tracked), summarise(tracked),
                   (*run.errors, *bad), config.templates)


def _past_last_date(file: str, case: Case) -> Problem:
    return Problem(file, case.row, 1, f"case {case.id!r}: its finish at step {case.step!r} "
                   f"of {case.workflow!r} falls after {dt.date.max}, the last date there is",
                   "check the waits and touch times of the workflow, and the date passed "
                   "to --today")
