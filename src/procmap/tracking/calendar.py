"""Business calendar: which days count, and how workflow hours become dates.

A workflow's `d` is a day of the process (24 h); on a business calendar it
is one working day, and the hours left over (touch time) are working hours.
The default calendar counts every day, 24 hours each: calendar days.
Dates are whole days (the hour a case moved is not known): time is counted
from the start of a day, so 15 minutes left ends today and one day left
ends on the next working day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PastLastDate(ValueError):
    """A date after 9999-12-31, which a Python date cannot hold: a workflow's
    waits (up to 114,000 years) or a --today near the end of the calendar."""


@dataclass(frozen=True, slots=True)
class Calendar:
    days: tuple[str, ...] = DAY_NAMES  # working days of the week
    hours: float = 24.0  # working hours in one working day
    holidays: tuple[dt.date, ...] = ()
    # np.busdaycalendar, made on first use: listing the CLI's formats needs no numpy
    _numpy: Any = field(default=None, init=False, repr=False, compare=False)
    # Answers already given: 100,000 cases ask about a few hundred distinct dates.
    _memo: dict[tuple[str, dt.date, Any], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def _busdays(self) -> Any:
        if self._numpy is None:
            import numpy as np

            mask = [name in self.days for name in DAY_NAMES]
            object.__setattr__(self, "_numpy", np.busdaycalendar(
                weekmask=mask, holidays=[np.datetime64(d, "D") for d in self.holidays]))
        return self._numpy

    def working_days(self, hours: float) -> float:
        """Workflow hours as working days: whole 24 h days are days, the rest
        working hours."""
        whole = math.floor(hours / 24 + 1e-9)
        return whole + max(hours - 24 * whole, 0.0) / self.hours

    def add(self, day: dt.date, working_days: float) -> dt.date:
        """The working day in which `working_days` from the start of `day` run out."""
        n = max(math.floor(working_days + 1e-9), 0)
        key = ("add", day, n)
        if key not in self._memo:
            import numpy as np

            out = np.busday_offset(np.datetime64(day, "D"), n, roll="forward",
                                   busdaycal=self._busdays())
            if out > np.datetime64(dt.date.max, "D"):
                raise PastLastDate(f"{n} working days from {day} fall after {dt.date.max}")
            self._memo[key] = out.astype(dt.date)
        result: dt.date = self._memo[key]
        return result

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`."""
        if end <= start:
            return 0
        key = ("between", start, end)
        if key not in self._memo:
            import numpy as np

            # numpy's days go past 9999-12-31, where the day after `end` may fall
            self._memo[key] = int(np.busday_count(
                np.datetime64(start, "D") + 1, np.datetime64(end, "D") + 1,
                busdaycal=self._busdays()))
        result: int = self._memo[key]
        return result


CALENDAR_DAYS = Calendar()
