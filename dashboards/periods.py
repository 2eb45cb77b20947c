"""The dashboards' date range: whole days in Asia/Shanghai, turned into aware datetimes for queries."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 2


@dataclass(frozen=True)
class Period:
    """From the start of `first` to the end of `last` (both included), local time."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """Exclusive upper bound: midnight after the last day."""
        return timezone.make_aware(dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range(self.days)]

    def as_query(self) -> str:
        return f"start={self.first.isoformat()}&end={self.last.isoformat()}"


def today() -> dt.date:
    return timezone.localdate()


def period_from(params) -> Period:
    """The period asked for in `params` (`start`, `end` as YYYY-MM-DD); the last 30 days by default."""
    last = _parse(params.get("end"), "end") or today()
    first = _parse(params.get("start"), "start") or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValidationError({"start": _("The start date is after the end date.")})
    if (last - first).days >= MAX_DAYS:
        raise ValidationError({"start": _("Choose a period of at most two years.")})
    return Period(first, last)


def _parse(value, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({name: _("Enter a date as YYYY-MM-DD.")}) from exc
