"""Every scoped read of the workers app: lists, workload, the workforce structure report, duty-log summaries
and the figures assessment computes from (training attendance, duty-log activity per role)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from core.scoping import subtree_filter

from . import conf
from .choices import (
    AgeBand,
    AssignmentLevel,
    CertificateLevel,
    Education,
    Frequency,
    Gender,
    PoliticalStatus,
    WorkerCategory,
    WorkerStatus,
    age_band,
)
from .models import Duty, DutyLog, ServiceRole, TaskAssignment, TrainingAttendance, Worker

# --- lists ---------------------------------------------------------------------------------------------


def worker_list(*, user, filters: dict | None = None) -> QuerySet[Worker]:
    filters = filters or {}
    qs = Worker.objects.visible_to(user).select_related("grid", "grid__parent", "user")
    if filters.get("within"):
        qs = qs.filter(subtree_filter(filters["within"], "grid"))
    for name in ("employment", "category", "status", "gender", "education", "political_status"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(grid__name__icontains=filters["q"]))
    return qs


def worker_get_visible(*, user, pk) -> Worker:
    return Worker.objects.visible_to(user).select_related("grid", "grid__parent", "user").get(pk=pk)


def duty_log_list(*, user, worker=None, grid=None, within=None) -> QuerySet[DutyLog]:
    qs = DutyLog.objects.visible_to(user).select_related("worker", "duty", "role", "grid", "recorded_by")
    if worker is not None:
        qs = qs.filter(worker=worker)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if within is not None:
        qs = qs.filter(subtree_filter(within, "grid"))
    return qs


# --- workload ------------------------------------------------------------------------------------------


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def cap_for(worker: Worker) -> int:
    return conf.WORKLOAD_CAP_MINUTES[worker.employment]


@dataclass(frozen=True)
class WorkerLoad:
    """A worker's expected minutes of admission-list work in one week, against their cap."""

    worker: Worker
    week_start: dt.date
    minutes: int
    cap: int

    @property
    def over_cap(self) -> bool:
        return self.minutes > self.cap

    @property
    def excess(self) -> int:
        return max(0, self.minutes - self.cap)

    @property
    def percent_of_cap(self) -> Decimal:
        return percent(self.minutes, self.cap)


def assignments_in_week(week_start: dt.date) -> Q:
    """Assignments that count in the week starting `week_start` (a one-off counts only in its start week)."""
    week_end = week_start + dt.timedelta(days=6)
    return (
        Q(start_date__lte=week_end)
        & (Q(end_date__isnull=True) | Q(end_date__gte=week_start))
        & (Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")))
        & (~Q(item__frequency=Frequency.ONCE) | Q(start_date__gte=week_start))
    )


def workload_for(*, worker: Worker, week_start: dt.date) -> WorkerLoad:
    """Weekly workload of one worker: the sum of the expected minutes of the assignments running that week."""
    week_start = week_start_of(week_start)
    minutes = (
        TaskAssignment.objects.filter(worker=worker)
        .filter(assignments_in_week(week_start))
        .aggregate(total=Sum("weekly_minutes"))["total"]
        or 0
    )
    return WorkerLoad(worker=worker, week_start=week_start, minutes=minutes, cap=cap_for(worker))


def workload_peak(*, worker: Worker, start: dt.date, end: dt.date | None) -> tuple[dt.date, int]:
    """The heaviest week a new assignment from `start` to `end` would join: its first week, or a later week in
    which another assignment starts."""
    weeks = {week_start_of(start)}
    later = TaskAssignment.objects.filter(worker=worker, start_date__gt=start)
    if end is not None:
        later = later.filter(start_date__lte=end)
    weeks.update(week_start_of(d) for d in later.values_list("start_date", flat=True))
    loads = [(week, workload_for(worker=worker, week_start=week).minutes) for week in sorted(weeks)]
    return max(loads, key=lambda pair: pair[1])


def workloads(*, workers: QuerySet[Worker], week_start: dt.date) -> list[WorkerLoad]:
    """Workload of many workers in two queries."""
    week_start = week_start_of(week_start)
    totals = dict(
        TaskAssignment.objects.filter(worker__in=workers.values("pk"))
        .filter(assignments_in_week(week_start))
        .order_by()
        .values("worker_id")
        .annotate(total=Sum("weekly_minutes"))
        .values_list("worker_id", "total")
    )
    return [
        WorkerLoad(worker=w, week_start=week_start, minutes=totals.get(w.pk, 0), cap=cap_for(w))
        for w in workers.select_related("grid")
    ]


def flagged_workers(*, user, week_start: dt.date | None = None, root=None) -> list[WorkerLoad]:
    """Workers above their weekly cap (overloaded), heaviest first, within what the user may see."""
    week_start = week_start_of(week_start or timezone.localdate())
    workers = Worker.objects.visible_to(user)
    if root is not None:
        workers = workers.filter(subtree_filter(root, "grid"))
    totals = dict(
        TaskAssignment.objects.filter(worker__in=workers.values("pk"))
        .filter(assignments_in_week(week_start))
        .order_by()
        .values("worker_id")
        .annotate(total=Sum("weekly_minutes"))
        .values_list("worker_id", "total")
    )
    candidates = workers.filter(pk__in=list(totals)).select_related("grid", "grid__parent")
    loads = [
        WorkerLoad(worker=w, week_start=week_start, minutes=totals[w.pk], cap=cap_for(w)) for w in candidates
    ]
    return sorted((load for load in loads if load.over_cap), key=lambda load: -load.minutes)


overloaded_workers = flagged_workers


def top_assigning_departments(
    *, user, root=None, since: dt.date | None = None, until: dt.date | None = None, limit: int = 10
) -> list[dict]:
    """Who gives grid workers the most work: assignments per department and level, with minutes a week."""
    qs = TaskAssignment.objects.visible_to(user)
    if root is not None:
        qs = qs.filter(subtree_filter(root, "grid"))
    if since is not None:
        qs = qs.filter(start_date__gte=since)
    if until is not None:
        qs = qs.filter(start_date__lte=until)
    rows = list(
        qs.order_by()
        .values("department_id", "department__name", "assigned_level")
        .annotate(
            assignments=Count("id"),
            workers=Count("worker_id", distinct=True),
            weekly_minutes=Sum("weekly_minutes"),
            overrides=Count("override"),
        )
        .order_by("-assignments", "-weekly_minutes")[:limit]
    )
    for row in rows:
        row["assigned_level_display"] = str(AssignmentLevel(row["assigned_level"]).label)
    return rows


# --- the workforce structure report (DOMAIN §2) --------------------------------------------------------


def percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class StructureRow:
    value: str
    label: str
    count: int
    percent: Decimal


@dataclass
class StructureDimension:
    key: str
    label: str
    rows: list[StructureRow] = field(default_factory=list)

    def count(self, value: str) -> int:
        return next((r.count for r in self.rows if r.value == value), 0)


@dataclass
class StructureReport:
    root: object
    on: dt.date
    total: int
    dimensions: list[StructureDimension]

    def dimension(self, key: str) -> StructureDimension:
        return next(d for d in self.dimensions if d.key == key)

    def as_dict(self) -> dict:
        return {
            "area": {"id": self.root.pk, "code": self.root.code, "name": self.root.name},
            "on": self.on.isoformat(),
            "total": self.total,
            "dimensions": [
                {
                    "key": d.key,
                    "label": str(d.label),
                    "rows": [
                        {
                            "value": r.value,
                            "label": str(r.label),
                            "count": r.count,
                            "percent": f"{r.percent:.2f}",
                        }
                        for r in d.rows
                    ],
                }
                for d in self.dimensions
            ],
        }


def structure_report(*, root, on: dt.date | None = None) -> StructureReport:
    """Counts and percentages (two decimals) of the workers in post in `root`'s subtree, by gender, political
    status, education, age band (ages on `on`), certificate level and category. One query."""
    from django.utils.translation import gettext_lazy as _

    on = on or timezone.localdate()
    rows = list(
        Worker.objects.filter(subtree_filter(root, "grid"), status=WorkerStatus.ACTIVE).values_list(
            "gender", "political_status", "education", "birth_date", "certificate_level", "category"
        )
    )
    total = len(rows)

    def age(born: dt.date) -> int:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    columns = {
        "gender": Counter(r[0] for r in rows),
        "political_status": Counter(r[1] for r in rows),
        "education": Counter(r[2] for r in rows),
        "age_band": Counter(age_band(age(r[3])) for r in rows),
        "certificate_level": Counter(r[4] for r in rows),
        "category": Counter(r[5] for r in rows),
    }
    spec = [
        ("gender", _("gender"), Gender),
        ("political_status", _("political status"), PoliticalStatus),
        ("education", _("education"), Education),
        ("age_band", _("age"), AgeBand),
        ("certificate_level", _("social-work certificate"), CertificateLevel),
        ("category", _("category"), WorkerCategory),
    ]
    dimensions = [
        StructureDimension(
            key=key,
            label=label,
            rows=[
                StructureRow(
                    value=value,
                    label=choice_label,
                    count=columns[key][value],
                    percent=percent(columns[key][value], total),
                )
                for value, choice_label in choices.choices
            ],
        )
        for key, label, choices in spec
    ]
    return StructureReport(root=root, on=on, total=total, dimensions=dimensions)


# --- duty logs: monthly summary and activity per role ---------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(following, dt.time.min, tzinfo=tz),
    )


def duty_log_monthly_summary(*, root, month: dt.date) -> dict:
    """Duty logs in one month under `root`, per role and per duty (every role and duty listed, zeros too)."""
    start, end = month_bounds(month)
    counts = {
        row["duty_id"]: row
        for row in DutyLog.objects.filter(
            subtree_filter(root, "grid"), occurred_at__gte=start, occurred_at__lt=end
        )
        .order_by()
        .values("duty_id")
        .annotate(logs=Count("id"), workers=Count("worker_id", distinct=True))
    }
    role_workers = dict(
        DutyLog.objects.filter(subtree_filter(root, "grid"), occurred_at__gte=start, occurred_at__lt=end)
        .order_by()
        .values("role_id")
        .annotate(workers=Count("worker_id", distinct=True))
        .values_list("role_id", "workers")
    )
    duties = list(Duty.objects.select_related("role"))
    roles = []
    for role in ServiceRole.objects.all():
        role_duties = [
            {
                "id": d.pk,
                "number": d.number,
                "name": d.name,
                "logs": counts.get(d.pk, {}).get("logs", 0),
                "workers": counts.get(d.pk, {}).get("workers", 0),
            }
            for d in duties
            if d.role_id == role.pk
        ]
        roles.append(
            {
                "id": role.pk,
                "code": role.code,
                "name": role.name,
                "logs": sum(d["logs"] for d in role_duties),
                "workers": role_workers.get(role.pk, 0),
                "duties": role_duties,
            }
        )
    return {
        "area": {"id": root.pk, "code": root.code, "name": root.name},
        "month": start.date().isoformat()[:7],
        "total": sum(r["logs"] for r in roles),
        "roles": roles,
    }


def duty_log_counts_by_role(
    *, start: dt.datetime, end: dt.datetime, worker: Worker | None = None, root=None
) -> dict[str, int]:
    """Duty logs per role code in [start, end), for one worker or a subtree (assessment: activity per role)."""
    qs = DutyLog.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if worker is not None:
        qs = qs.filter(worker=worker)
    if root is not None:
        qs = qs.filter(subtree_filter(root, "grid"))
    counts = dict(qs.order_by().values("role__code").annotate(n=Count("id")).values_list("role__code", "n"))
    return {code: counts.get(code, 0) for code in ServiceRole.objects.values_list("code", flat=True)}


def training_attendance(*, worker: Worker, start: dt.date, end: dt.date) -> dict:
    """Sessions a worker was invited to in [start, end], how many attended and passed (assessment input)."""
    qs = TrainingAttendance.objects.filter(
        worker=worker, session__held_on__gte=start, session__held_on__lte=end
    )
    figures = qs.aggregate(
        invited=Count("id"),
        attended=Count("id", filter=Q(attended=True)),
        passed=Count("id", filter=Q(result__in=["passed", "excellent"])),
    )
    figures["rate"] = percent(figures["attended"], figures["invited"])
    return figures


__all__ = [
    "WorkerLoad",
    "cap_for",
    "duty_log_counts_by_role",
    "duty_log_list",
    "duty_log_monthly_summary",
    "flagged_workers",
    "overloaded_workers",
    "structure_report",
    "top_assigning_departments",
    "training_attendance",
    "week_start_of",
    "worker_list",
    "workload_for",
    "workloads",
]
