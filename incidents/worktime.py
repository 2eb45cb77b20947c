"""Working-time arithmetic on the official Chinese calendar (Asia/Shanghai).

A working day is one the `chinesecalendar` package calls a workday (public holidays off, make-up working
days on), unless an admin override says otherwise; years the package does not cover fall back to
Monday–Friday plus the overrides. Working time runs only inside the office periods of a working day
(`incidents.conf.working_periods`, 09:00–12:00 and 13:30–17:30 by default), so "3 working days" is
3 × 7 working hours: from Monday 10:00 it ends on Thursday 10:00, and a holiday in between pushes it on.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

from . import conf
from .choices import LimitUnit

TZ = ZoneInfo("Asia/Shanghai")
# No time limit spans more than this many calendar days; the bound keeps a bad calendar from looping.
MAX_SPAN_DAYS = 3 * 366


def package_says_workday(day: dt.date) -> bool | None:
    """The official answer for `day`, or None when the package has no data for that year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class WorkCalendar:
    def __init__(self, overrides: dict[dt.date, bool] | None = None, periods=None):
        self.overrides = dict(overrides or {})
        self.periods = periods or conf.working_periods()
        self._cache: dict[dt.date, bool] = {}

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day not in self._cache:
            official = package_says_workday(day)
            self._cache[day] = official if official is not None else day.weekday() < 5
        return self._cache[day]

    @property
    def minutes_per_day(self) -> int:
        return sum(
            (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).seconds // 60
            for start, end in self.periods
        )

    def _windows(self, day: dt.date):
        if not self.is_working_day(day):
            return
        for start, end in self.periods:
            yield dt.datetime.combine(day, start, TZ), dt.datetime.combine(day, end, TZ)

    def add_working_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The moment when `minutes` of working time have passed after `start`."""
        if minutes <= 0:
            return start
        remaining = dt.timedelta(minutes=minutes)
        local = start.astimezone(TZ)
        day = local.date()
        for _ in range(MAX_SPAN_DAYS):
            for window_start, window_end in self._windows(day):
                begin = max(window_start, local)
                if begin >= window_end:
                    continue
                available = window_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("time limit too long for the working calendar")

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working minutes in [start, end); 0 when end is not after start."""
        if end <= start:
            return 0.0
        total = dt.timedelta()
        local_start, local_end = start.astimezone(TZ), end.astimezone(TZ)
        day = local_start.date()
        while day <= local_end.date():
            for window_start, window_end in self._windows(day):
                begin, finish = max(window_start, local_start), min(window_end, local_end)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60

    def add(self, start: dt.datetime, amount: float, unit: str) -> dt.datetime:
        """`start` plus a time limit expressed as (amount, unit), working or calendar time."""
        if unit == LimitUnit.MINUTES:
            return start + dt.timedelta(minutes=amount)
        if unit == LimitUnit.HOURS:
            return start + dt.timedelta(hours=amount)
        if unit == LimitUnit.DAYS:
            return start + dt.timedelta(days=amount)
        if unit == LimitUnit.WORKING_HOURS:
            return self.add_working_minutes(start, amount * 60)
        if unit == LimitUnit.WORKING_DAYS:
            return self.add_working_minutes(start, amount * self.minutes_per_day)
        raise ValueError(f"unknown time-limit unit {unit!r}")

    def point_at(
        self, start: dt.datetime, end: dt.datetime, fraction: float, *, working: bool
    ) -> dt.datetime:
        """The moment when `fraction` of the time from `start` to `end` has been used (the yellow warning)."""
        if end <= start:
            return end
        if not working:
            return start + (end - start) * fraction
        used = self.working_minutes_between(start, end) * fraction
        return min(self.add_working_minutes(start, used), end)


def load_calendar() -> WorkCalendar:
    """The calendar with the admin overrides from the database (a small table, read in one query)."""
    from .models import WorkCalendarOverride

    return WorkCalendar(dict(WorkCalendarOverride.objects.values_list("date", "is_working_day")))
