"""Records in their end state, for assessment tests: what a year of work left behind."""

import datetime as dt
import itertools

from django.utils import timezone

from incidents.models import Category, Incident
from incidents.seed import seed_reference
from workers import services as worker_services
from workers.models import Duty

_serial = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def make_incident(
    grid, *, reported_on: dt.date, status="closed", on_time=None, satisfaction="", level="grid"
):
    """An incident as the closed loop left it: closed (on time or late), still open, or rejected."""
    if not Category.objects.exists():
        seed_reference()
    n = next(_serial)
    closed = status in ("closed", "evaluated")
    reported = at(reported_on)
    return Incident.objects.create(
        code=f"T{n:08d}",
        tracking_code=f"T{n:08d}",
        source="grid_worker",
        category=Category.objects.filter(parent__isnull=False).order_by("code").first(),
        description="测试事件",
        grid=grid,
        status=status,
        reported_at=reported,
        handle_deadline=reported + dt.timedelta(days=5),
        handled_at=reported + dt.timedelta(days=2) if closed else None,
        closed_at=reported + dt.timedelta(days=3) if closed else None,
        evaluated_at=reported + dt.timedelta(days=4) if status == "evaluated" else None,
        closed_on_time=on_time if closed else None,
        handled_at_level=level if closed else "",
        satisfaction=satisfaction,
    )


def log_work(worker, role_code: str, times: int, day: dt.date):
    duty = Duty.objects.filter(role__code=role_code).order_by("number").first()
    return [
        worker_services.duty_log_create(worker=worker, duty=duty, occurred_at=at(day, 8 + i))
        for i in range(times)
    ]
