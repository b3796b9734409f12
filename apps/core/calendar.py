"""The work calendar: which days are working days.

By default Monday to Saturday are working days and Sunday is not. Public holidays and
exceptions (a Sunday made a working day, a weekday off) are passed in as a mapping of
date to "is working"; the app that owns the list (sales keeps it as data an
administrator edits) builds the calendar. This module has no models, so ``core`` stays
free of migrations.
"""

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

SUNDAY = 6


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday to Saturday unless ``exceptions`` says otherwise for a date."""

    exceptions: Mapping[datetime.date, bool] = field(default_factory=dict)
    days_off: frozenset[int] = frozenset({SUNDAY})

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.exceptions:
            return bool(self.exceptions[day])
        return day.weekday() not in self.days_off

    def working_days(self, start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
        """Yield the working days from ``start`` to ``end``, both included."""
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += datetime.timedelta(days=1)

    def count_working_days(self, start: datetime.date, end: datetime.date) -> int:
        return sum(1 for _ in self.working_days(start, end))


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of ``day``'s month."""
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def week_start(day: datetime.date) -> datetime.date:
    """Return the Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())
