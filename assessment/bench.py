"""A year of generated records for the seeded district, and the schemes the benchmark computes.

The records are what a year of work leaves behind (incidents in their end state, duty logs, training
attendance, supervision checks), written with bulk inserts and a fixed random seed. They are marked: incident
codes start with `BY<year>`, so a second run finds them and generates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from grids.choices import AreaKind

from .choices import SchemeStatus, SubjectType
from .engine import area_index
from .models import Scheme, SupervisionCheck

INCIDENTS_PER_GRID = (40, 90)
DUTY_LOGS_PER_WORKER = (150, 350)
TRAINING_SESSIONS = 6
CHECKS_PER_SUBJECT = (0, 4)


def _moment(rng: random.Random, year: int) -> dt.datetime:
    start = dt.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
    return start + dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))


def generated(year: int) -> bool:
    from incidents.models import Incident

    return Incident.objects.filter(code__startswith=f"BY{year}").exists()


@transaction.atomic
def generate_year(year: int, *, seed: int = 7, stdout=None) -> dict[str, int]:
    """Incidents, duty logs, training and supervision checks for every active grid and worker of `year`."""
    from incidents.models import Category, Incident
    from incidents.seed import seed_reference
    from workers.models import Duty, TrainingAttendance, TrainingSession, Worker

    if generated(year):
        return {}
    rng = random.Random(seed + year)
    grid_of, town_of, areas = area_index()
    village_of = {a.pk: a.parent_id for a in areas.values() if a.kind == AreaKind.GRID_L1}
    grids = sorted(pk for pk, a in areas.items() if a.kind == AreaKind.GRID_L1)
    if not Category.objects.exists():
        seed_reference()
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    counts = {}

    incidents, n = [], 0
    for grid in grids:
        for _ in range(rng.randint(*INCIDENTS_PER_GRID)):
            n += 1
            reported = _moment(rng, year)
            roll = rng.random()
            status = (
                "closed"
                if roll < 0.6
                else "evaluated"
                if roll < 0.88
                else "rejected"
                if roll < 0.92
                else "in_progress"
            )
            closed = status in ("closed", "evaluated")
            handle_deadline = reported + dt.timedelta(days=rng.randint(3, 10))
            # About four in five cases close within their deadline.
            closed_at = reported + dt.timedelta(hours=rng.randint(4, 24 * 12)) if closed else None
            incidents.append(
                Incident(
                    code=f"BY{year}{n:07d}",
                    tracking_code=f"B{year % 100:02d}{n:07d}",
                    source="grid_worker",
                    category_id=rng.choice(categories),
                    description="生成的测试事件",
                    grid_id=grid,
                    village_id=village_of.get(grid),
                    town_id=town_of.get(grid),
                    status=status,
                    level="grid",
                    reported_at=reported,
                    handle_deadline=handle_deadline,
                    handled_at=closed_at - dt.timedelta(hours=2) if closed else None,
                    closed_at=closed_at,
                    evaluated_at=closed_at + dt.timedelta(days=1) if status == "evaluated" else None,
                    closed_on_time=closed_at <= handle_deadline if closed else None,
                    handled_at_level=rng.choices(["grid", "town", "district"], [75, 20, 5])[0]
                    if closed
                    else "",
                    satisfaction=rng.choices(["satisfied", "basically", "unsatisfied"], [70, 22, 8])[0]
                    if status == "evaluated"
                    else "",
                    rework_count=1 if closed and rng.random() < 0.06 else 0,
                    extension_count=1 if rng.random() < 0.08 else 0,
                )
            )
    Incident.objects.bulk_create(incidents, batch_size=2000)
    counts["incidents"] = len(incidents)

    duties = list(Duty.objects.values_list("pk", "role_id"))
    workers = list(
        Worker.objects.exclude(status="left").filter(grid__isnull=False).values_list("pk", "grid_id")
    )
    from workers.models import DutyLog

    logs = []
    for worker_id, grid_id in workers:
        for _ in range(rng.randint(*DUTY_LOGS_PER_WORKER)):
            duty_id, role_id = rng.choice(duties)
            logs.append(
                DutyLog(
                    worker_id=worker_id,
                    duty_id=duty_id,
                    role_id=role_id,
                    grid_id=grid_id,
                    occurred_at=_moment(rng, year),
                    note="生成的履职记录",
                )
            )
        if len(logs) >= 20000:
            DutyLog.objects.bulk_create(logs, batch_size=5000)
            counts["duty_logs"] = counts.get("duty_logs", 0) + len(logs)
            logs = []
    DutyLog.objects.bulk_create(logs, batch_size=5000)
    counts["duty_logs"] = counts.get("duty_logs", 0) + len(logs)

    sessions = [
        TrainingSession.objects.create(
            topic="event_reporting" if i % 2 else "dispute_resolution",
            title=f"{year} 年第 {i + 1} 期业务培训",
            held_on=dt.date(year, 2 * i + 1, 15),
        )
        for i in range(TRAINING_SESSIONS)
    ]
    TrainingAttendance.objects.bulk_create(
        [
            TrainingAttendance(session=s, worker_id=worker_id, attended=rng.random() < 0.85)
            for s in sessions
            for worker_id, _grid in workers
        ],
        batch_size=5000,
    )
    counts["training_attendance"] = len(sessions) * len(workers)

    inspector = (
        User.objects.filter(role__in=[Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF]).first()
        or User.objects.filter(is_superuser=True).first()
    )
    if inspector is None:
        inspector = User.objects.create(username="bench_inspector", role=Role.DISTRICT_STAFF)
    towns = sorted(pk for pk, a in areas.items() if a.kind in ("subdistrict", "town", "township"))
    checks = []

    def add_checks(subject_type, area_id, worker_id=None):
        for _ in range(rng.randint(*CHECKS_PER_SUBJECT)):
            points = Decimal(rng.choice([-10, -5, -3, -2, -1, 1, 2, 3]))
            checks.append(
                SupervisionCheck(
                    subject_type=subject_type,
                    area_id=area_id,
                    worker_id=worker_id,
                    inspector=inspector,
                    checked_on=_moment(rng, year).date(),
                    findings="生成的督导记录",
                    points=points,
                )
            )

    for worker_id, grid_id in workers:
        add_checks(SubjectType.WORKER, grid_id, worker_id)
    for grid in grids:
        add_checks(SubjectType.GRID, grid)
    for town in towns:
        add_checks(SubjectType.TOWN, town)
    SupervisionCheck.objects.bulk_create(checks, batch_size=5000)
    counts["supervision_checks"] = len(checks)
    if stdout:
        stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return counts


INCIDENT_INDICATORS = [
    ("closure", "结案率", 20, "closure_rate", {}),
    ("on_time", "按期结案率", 20, "on_time_closure_rate", {}),
    ("satisfaction", "满意率", 10, "satisfaction_rate", {}),
    ("grid_share", "小事不出网格", 5, "grid_resolution_share", {}),
]


def default_indicators(subject_type: str) -> list[dict]:
    rows = list(INCIDENT_INDICATORS)
    if subject_type == SubjectType.TOWN:
        rows += [
            ("rework", "返工率", 5, "rework_rate", {}),
            ("duty", "履职记录", 10, "duty_log_count", {}),
        ]
    else:
        rows += [("duty", "五大员履职", 15, "duty_logs_per_role", {"target_per_role": 24})]
    rows += [
        ("visits", "特殊人群走访", 10, "visits_done_ratio", {}),
        ("training", "培训出勤", 5, "training_attendance", {}),
        ("supervision", "日常督导", 15, "supervision_points", {}),
    ]
    return [
        {"code": code, "name": name, "weight": Decimal(weight), "formula": formula, "params": params}
        for code, name, weight, formula, params in rows
    ]


DEFAULT_PEER_GROUPS = {
    SubjectType.WORKER: [
        {"code": "full_time", "name": "专职网格员", "match_field": "employment", "match_value": "full_time"},
        {"code": "part_time", "name": "兼职网格员", "match_field": "employment", "match_value": "part_time"},
    ],
    SubjectType.GRID: [
        {
            "code": "urban",
            "name": "城市社区网格",
            "match_field": "grid_type",
            "match_value": "urban_community",
        },
        {
            "code": "rural",
            "name": "农村社区网格",
            "match_field": "grid_type",
            "match_value": "rural_community",
        },
        {"code": "village", "name": "村网格", "match_field": "grid_type", "match_value": "village"},
    ],
    SubjectType.TOWN: [
        {"code": "subdistrict", "name": "街道", "match_field": "area_kind", "match_value": "subdistrict"},
        {"code": "town", "name": "镇", "match_field": "area_kind", "match_value": "town"},
    ],
}
SCHEME_NAMES = {
    SubjectType.WORKER: "网格员年度考评",
    SubjectType.GRID: "网格年度考评",
    SubjectType.TOWN: "镇（街道）网格化服务管理年度考评",
}


def default_scheme(year: int, subject_type: str, actor=None) -> Scheme:
    """The year's scheme for a subject type: the one in force, or the default one created now."""
    from .services import scheme_create

    existing = (
        Scheme.objects.filter(year=year, subject_type=subject_type)
        .exclude(status=SchemeStatus.RETIRED)
        .first()
    )
    if existing is not None:
        return existing
    return scheme_create(
        year=year,
        subject_type=subject_type,
        name=SCHEME_NAMES[subject_type],
        indicators=default_indicators(subject_type),
        peer_groups=DEFAULT_PEER_GROUPS[subject_type],
        actor=actor,
    )
