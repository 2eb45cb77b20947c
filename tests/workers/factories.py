"""Factories for the workers app: profiles are created through the service, as in production."""

import datetime as dt
import itertools

from accounts.models import Department
from core.pii import make_id_number
from grids.choices import GridType
from workers import services
from workers.choices import AdmissionStatus, Education, Employment, Frequency, Gender, WorkerCategory
from workers.models import AdmissionItem, Duty

_serial = itertools.count(1)

FITTING = {
    GridType.URBAN_COMMUNITY: (Employment.FULL_TIME, WorkerCategory.URBAN_COMMUNITY),
    GridType.RURAL_COMMUNITY: (Employment.FULL_TIME, WorkerCategory.RURAL_COMMUNITY),
    GridType.VILLAGE: (Employment.PART_TIME, WorkerCategory.VILLAGE),
}


def make_worker(grid, *, name: str = "", birth_date: dt.date = dt.date(1985, 6, 15), **attrs):
    n = next(_serial)
    employment, category = FITTING.get(grid.grid_type, (Employment.FULL_TIME, WorkerCategory.URBAN_COMMUNITY))
    attrs.setdefault("employment", employment)
    attrs.setdefault("category", category)
    attrs.setdefault("gender", Gender.FEMALE)
    attrs.setdefault("education", Education.SENIOR_VOCATIONAL)
    attrs.setdefault("id_number", make_id_number(birth_date, serial=n))
    attrs.setdefault("phone", f"138{n:08d}")
    attrs.setdefault("hire_date", dt.date(2020, 1, 1))
    return services.worker_create(name=name or f"网格员{n}", birth_date=birth_date, grid=grid, **attrs)


def make_department(code: str = "police", name: str = "区公安分局") -> Department:
    department, _ = Department.objects.get_or_create(code=code, defaults={"name": name})
    return department


def make_item(
    *,
    status: str = AdmissionStatus.PUBLISHED,
    duty_number: int = 2,
    minutes: int = 60,
    frequency: str = Frequency.WEEKLY,
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_until: dt.date | None = None,
    is_temporary: bool = False,
    department: Department | None = None,
    title: str = "出租房屋巡查",
) -> AdmissionItem:
    duty = Duty.objects.select_related("role").get(number=duty_number)
    item = services.admission_item_propose(
        department=department or make_department(),
        title=title,
        role=duty.role,
        duty=duty,
        minutes_per_occurrence=minutes,
        frequency=frequency,
        valid_from=valid_from,
        valid_until=valid_until,
        is_temporary=is_temporary,
    )
    if status in (AdmissionStatus.APPROVED, AdmissionStatus.PUBLISHED, AdmissionStatus.EXPIRED):
        item = services.admission_item_approve(item=item)
    if status == AdmissionStatus.PUBLISHED:
        item = services.admission_item_publish(item=item)
    if status == AdmissionStatus.REVOKED:
        item = services.admission_item_revoke(item=item, reason="不再需要")
    return item
