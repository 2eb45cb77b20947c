"""Incidents in given states for dashboard tests, written in bulk (the figures only read rows)."""

import datetime as dt
import itertools

from grids.models import Area
from incidents.choices import Level, Satisfaction, Status
from incidents.models import Category, Incident
from incidents.seed import seed_reference

_numbers = itertools.count(1)


def categories() -> None:
    seed_reference()


def bulk_incidents(grid: Area, n: int, *, at: dt.datetime, code: str = "0102", **fields) -> list[Incident]:
    """`n` incidents reported in `grid` at `at` (handling deadline three days later unless given)."""
    grid = Area.objects.select_related("parent__parent").get(pk=grid.pk)
    category = Category.objects.get(code=code)
    rows = []
    for _ in range(n):
        number = next(_numbers)
        values = {
            "code": f"DB{number:08d}",
            "tracking_code": f"DBT{number:07d}",
            "source": "grid_worker",
            "category": category,
            "description": "测试事件",
            "grid": grid,
            "village": grid.parent,
            "town": grid.parent.parent,
            "reported_at": at,
            "accept_deadline": at + dt.timedelta(hours=2),
            "handle_deadline": at + dt.timedelta(days=3),
            "deadline": at + dt.timedelta(days=3),
            "latitude": grid.center_lat,
            "longitude": grid.center_lng,
            **fields,
        }
        rows.append(Incident(**values))
    return Incident.objects.bulk_create(rows)


def a_mix_of_incidents(grid: Area, *, now: dt.datetime, scale: int = 1) -> None:
    """Open, overdue, due today, carded, closed on time and late, evaluated: `scale` of each kind."""
    week_ago = now - dt.timedelta(days=7)
    bulk_incidents(grid, 2 * scale, at=now - dt.timedelta(hours=3), status=Status.ACCEPTED)  # open, not due
    bulk_incidents(
        grid,
        1 * scale,
        at=now - dt.timedelta(hours=20),
        status=Status.IN_PROGRESS,
        deadline=now + dt.timedelta(minutes=30),
    )  # due today
    bulk_incidents(
        grid,
        3 * scale,
        at=week_ago,
        status=Status.IN_PROGRESS,
        yellow_card=True,
        handle_deadline=now - dt.timedelta(days=4),
        deadline=now - dt.timedelta(days=4),
    )  # overdue
    bulk_incidents(
        grid,
        1 * scale,
        at=week_ago,
        status=Status.DISPATCHED,
        level=Level.TOWN,
        red_card=True,
        escalation_count=1,
        handle_deadline=now - dt.timedelta(days=1),
        deadline=now - dt.timedelta(days=1),
    )  # overdue, red card
    closed = {
        "status": Status.CLOSED,
        "closed_at": now - dt.timedelta(days=2),
        "handled_at_level": Level.GRID,
        "handle_deadline": now - dt.timedelta(days=4),
        "deadline": None,
    }
    bulk_incidents(grid, 4 * scale, at=week_ago, closed_on_time=True, **closed)
    bulk_incidents(
        grid, 1 * scale, at=week_ago, closed_on_time=False, **{**closed, "handled_at_level": Level.TOWN}
    )
    bulk_incidents(
        grid,
        2 * scale,
        at=week_ago,
        status=Status.EVALUATED,
        closed_on_time=True,
        closed_at=now - dt.timedelta(days=3),
        evaluated_at=now - dt.timedelta(days=2),
        satisfaction=Satisfaction.SATISFIED,
        handled_at_level=Level.GRID,
        handle_deadline=now - dt.timedelta(days=4),
        deadline=None,
    )
    bulk_incidents(
        grid,
        1 * scale,
        at=week_ago,
        status=Status.EVALUATED,
        closed_on_time=True,
        closed_at=now - dt.timedelta(days=3),
        evaluated_at=now - dt.timedelta(days=2),
        satisfaction=Satisfaction.UNSATISFIED,
        handled_at_level=Level.GRID,
        handle_deadline=now - dt.timedelta(days=4),
        deadline=None,
    )
