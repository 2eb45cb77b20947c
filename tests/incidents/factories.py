"""Incidents for tests, created through the reporting service as in production."""

import datetime as dt

from incidents import services
from incidents.choices import Source
from incidents.models import Category
from incidents.worktime import TZ

# A Monday morning in office hours, far from holidays: most tests freeze time here.
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


def category(code: str = "0102") -> Category:
    return Category.objects.get(code=code)


def report(grid, *, code: str = "0102", reporter=None, **kwargs):
    kwargs.setdefault("description", "两户邻居因排水沟堵塞发生争执")
    kwargs.setdefault("source", Source.GRID_WORKER)
    return services.incident_report(category=category(code), grid=grid, reporter_user=reporter, **kwargs)
