"""Reference data of DOMAIN §6 (categories, time limits), demo incidents, and a fast generator of a year
of realistic incidents with their event logs for the benchmark and the assessment (bulk_create).

Generated incidents follow the same rules as the services: deadlines in working time on the calendar,
the event chain report → accept → dispatch → start → handle → verify → close → evaluate with side steps
(rejections, duplicates, escalations, rework, extensions), and the state they would be in at `now`.
"""

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from grids.choices import AreaKind
from grids.models import Area

from . import defaults
from .choices import (
    OPEN_STATUSES,
    WORKING_UNITS,
    Action,
    Level,
    Satisfaction,
    Source,
    Status,
)
from .models import Category, Incident, IncidentCodeCounter, IncidentEvent, TimeLimitPolicy
from .services import new_tracking_code
from .worktime import TZ, WorkCalendar, load_calendar

DEMO_DAYS = 90
DEMO_PER_GRID_PER_MONTH = 0.3
DEMO_SEED = 511903

# Share of reports per category group (livelihood services and disputes dominate in practice).
GROUP_WEIGHTS = {"01": 28, "02": 18, "03": 3, "04": 3, "05": 38, "06": 4, "99": 6}
SOURCE_WEIGHTS = {
    Source.GRID_WORKER: 62,
    Source.RESIDENT: 18,
    Source.HOTLINE: 12,
    Source.DEPARTMENT: 5,
    Source.FORCE_MEMBER: 3,
}
DESCRIPTIONS = {
    "01": ["邻里因排水问题发生争执", "家庭成员因赡养老人产生矛盾", "工资拖欠引发劳动纠纷", "宅基地边界争议"],
    "02": ["楼道堆放杂物堵塞消防通道", "电线私拉乱接存在隐患", "山坡有滑坡迹象", "无证经营小作坊安全隐患"],
    "03": ["有人情绪激动扬言报复", "多名群众计划集体上访", "村民聚集堵路"],
    "04": ["暴雨导致道路积水", "交通事故致道路拥堵", "疑似食物中毒多人送医"],
    "05": ["路灯损坏", "自来水管爆裂", "生活垃圾未及时清运", "道路坑洼影响通行", "占道经营", "停电未恢复"],
    "06": ["社区矫正对象失联", "严重精神障碍患者情绪异常"],
    "99": ["其他需要协调的问题"],
}


def seed_reference() -> int:
    created = 0
    for order, (group_code, group_name, kinds) in enumerate(defaults.CATEGORIES):
        group, was_created = Category.objects.get_or_create(
            code=group_code, defaults={"name": group_name, "sort_order": order}
        )
        created += was_created
        for sub_order, (code, name, flags) in enumerate(kinds):
            category, was_created = Category.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parent": group,
                    "sort_order": sub_order,
                    **defaults.category_flags(flags),
                },
            )
            created += was_created
            for level in Level.values:
                limits = defaults.default_limits(urgent=category.urgent, level=level)
                _, was_created = TimeLimitPolicy.objects.get_or_create(
                    category=category,
                    level=level,
                    defaults={
                        "accept_amount": limits["accept"][0],
                        "accept_unit": limits["accept"][1],
                        "handle_amount": limits["handle"][0],
                        "handle_unit": limits["handle"][1],
                        "verify_amount": limits["verify"][0],
                        "verify_unit": limits["verify"][1],
                    },
                )
                created += was_created
    return created


class _Generator:
    """Builds incidents and events in memory; `flush()` writes them with bulk_create."""

    def __init__(self, *, seed: int, now, is_demo: bool, calendar: WorkCalendar | None = None):
        self.rng = random.Random(seed)
        self.now = now
        self.is_demo = is_demo
        self.calendar = calendar or load_calendar()
        self.categories = list(
            Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent")
        )
        by_group = defaultdict(list)
        for category in self.categories:
            by_group[category.parent.code].append(category)
        self.by_group = dict(by_group)
        self.groups = [g for g in GROUP_WEIGHTS if g in self.by_group]
        self.group_weights = [GROUP_WEIGHTS[g] for g in self.groups]
        self.policies = {(p.category_id, p.level): p for p in TimeLimitPolicy.objects.all()}
        self.counters: dict[dt.date, int] = dict(IncidentCodeCounter.objects.values_list("day", "last"))
        self.touched: set[dt.date] = set()
        self.pending: list[tuple[Incident, list[IncidentEvent]]] = []
        self.used_tracking: set[str] = set()

    def limits(self, category, level):
        policy = self.policies.get((category.pk, level))
        if policy is not None:
            return {
                "accept": (float(policy.accept_amount), policy.accept_unit),
                "handle": (float(policy.handle_amount), policy.handle_unit),
                "verify": (float(policy.verify_amount), policy.verify_unit),
            }
        values = defaults.default_limits(urgent=category.urgent, level=level)
        return {k: (float(a), u) for k, (a, u) in values.items()}

    def code(self, moment) -> str:
        day = moment.astimezone(TZ).date()
        self.counters[day] = self.counters.get(day, 0) + 1
        self.touched.add(day)
        return f"SJ{day:%Y%m%d}-{self.counters[day]:04d}"

    def tracking(self) -> str:
        # From the secrets module, not the seeded generator: tracking codes must stay unguessable, and two
        # runs with the same seed must not produce the same codes.
        while True:
            value = new_tracking_code()
            if value not in self.used_tracking:
                self.used_tracking.add(value)
                return value

    def moment_in(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A report time, mostly in the daytime."""
        span = (end - start).total_seconds()
        moment = start + dt.timedelta(seconds=self.rng.random() * span)
        local = moment.astimezone(TZ)
        if self.rng.random() < 0.85 and not 8 <= local.hour < 20:
            local = local.replace(hour=self.rng.randint(8, 19))
        return min(local, end)

    def incident(self, *, grid: Area, village_id, town_id, district: Area, reported_at: dt.datetime):
        rng, cal = self.rng, self.calendar
        group = rng.choices(self.groups, weights=self.group_weights)[0]
        category = rng.choice(self.by_group[group])
        severity = "general"
        if group == "04" and rng.random() < 0.15:
            severity = "major"
        level = Level.GRID
        if category.direct_to_district or (category.district_from_severity and severity == "major"):
            level = Level.DISTRICT
        lng = lat = None
        if grid.min_lng is not None:
            lng = rng.uniform(grid.min_lng, grid.max_lng)
            lat = rng.uniform(grid.min_lat, grid.max_lat)
        incident = Incident(
            code=self.code(reported_at),
            tracking_code=self.tracking(),
            source=rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0],
            category=category,
            severity=severity,
            description=rng.choice(DESCRIPTIONS.get(group, DESCRIPTIONS["99"])),
            address=f"{grid.name}附近",
            latitude=lat,
            longitude=lng,
            grid=grid,
            village_id=village_id,
            town_id=town_id,
            level=level,
            reported_at=reported_at,
            is_demo=self.is_demo,
        )
        areas = {Level.GRID: grid.pk, Level.TOWN: town_id, Level.DISTRICT: district.pk}
        steps: list[tuple] = []  # (at, action, from_status, to_status, from_level, to_level, note)

        def step(at, action, from_status, to_status, note="", from_level=None):
            steps.append(
                (at, action, from_status, to_status, from_level or incident.level, incident.level, note)
            )

        limits = self.limits(category, level)
        incident.accept_deadline = cal.add(reported_at, *limits["accept"])
        step(reported_at, Action.REPORT, "", Status.REPORTED)
        fate = rng.random()
        accept_at = reported_at + dt.timedelta(minutes=rng.uniform(5, 150 if not category.urgent else 25))
        if rng.random() < 0.06:
            accept_at = incident.accept_deadline + dt.timedelta(minutes=rng.uniform(5, 240))
        if fate < 0.03:
            step(accept_at, Action.REJECT, Status.REPORTED, Status.REJECTED, "不属于受理范围")
            return self.finish(incident, steps, areas)
        if fate < 0.05:
            step(accept_at, Action.MERGE, Status.REPORTED, Status.MERGED, "重复上报")
            return self.finish(incident, steps, areas)
        incident.accepted_at = accept_at
        step(accept_at, Action.ACCEPT, Status.REPORTED, Status.ACCEPTED)
        # Where it ends up: most at the grid, some escalated (overdue or beyond the grid's powers).
        target = level
        roll = rng.random()
        if level == Level.GRID and roll < 0.10:
            target = Level.TOWN if roll < 0.075 else Level.DISTRICT
        start = accept_at
        limits = self.limits(category, incident.level)
        handle_deadline = cal.add(start, *limits["handle"])
        incident.handle_deadline = handle_deadline
        while incident.level != target:
            overdue = rng.random() < 0.5
            moment = handle_deadline if overdue else start + (handle_deadline - start) * rng.uniform(0.1, 0.6)
            moment += dt.timedelta(minutes=1)
            from_level = incident.level
            incident.level = Level.TOWN if from_level == Level.GRID else Level.DISTRICT
            incident.escalation_count += 1
            incident.was_overdue = incident.was_overdue or overdue
            step(
                moment,
                Action.ESCALATE,
                Status.ACCEPTED,
                Status.ACCEPTED,
                "超期上报" if overdue else "超出处置能力",
                from_level,
            )
            start = moment
            handle_deadline = cal.add(start, *self.limits(category, incident.level)["handle"])
        incident.handle_deadline = handle_deadline
        dispatch_at = start + dt.timedelta(minutes=rng.uniform(5, 90))
        incident.dispatched_at = dispatch_at
        step(dispatch_at, Action.DISPATCH, Status.ACCEPTED, Status.DISPATCHED)
        step(
            dispatch_at + dt.timedelta(minutes=rng.uniform(10, 240)),
            Action.START,
            Status.DISPATCHED,
            Status.IN_PROGRESS,
        )
        if rng.random() < 0.04:
            incident.extension_count = 1
            step(
                dispatch_at + dt.timedelta(hours=3),
                Action.EXTENSION_REQUEST,
                Status.IN_PROGRESS,
                Status.IN_PROGRESS,
                "需协调",
            )
            step(
                dispatch_at + dt.timedelta(hours=5),
                Action.EXTENSION_APPROVE,
                Status.IN_PROGRESS,
                Status.IN_PROGRESS,
            )
            handle_deadline = cal.add(handle_deadline, 2, "working_days")
        incident.handle_deadline = handle_deadline
        late = rng.random()
        if late < 0.05:  # the hard cases: weeks or months late
            handled_at = handle_deadline + dt.timedelta(days=rng.uniform(15, 90))
            incident.was_overdue = True
        elif late < 0.18:
            handled_at = handle_deadline + dt.timedelta(hours=rng.uniform(1, 72))
            incident.was_overdue = True
        else:
            handled_at = steps[-1][0] + (handle_deadline - steps[-1][0]) * rng.uniform(0.1, 0.95)
        step(handled_at, Action.HANDLE, Status.IN_PROGRESS, Status.HANDLED, "已处置")
        if rng.random() < 0.05:
            incident.rework_count = 1
            rework_at = handled_at + dt.timedelta(hours=rng.uniform(1, 8))
            step(rework_at, Action.REWORK, Status.HANDLED, Status.REWORK, "处置不到位")
            step(rework_at + dt.timedelta(hours=1), Action.START, Status.REWORK, Status.IN_PROGRESS)
            handled_at = rework_at + dt.timedelta(hours=rng.uniform(4, 30))
            step(handled_at, Action.HANDLE, Status.IN_PROGRESS, Status.HANDLED, "已重新处置")
        incident.handled_at = handled_at
        incident.handled_at_level = incident.level
        incident.verify_deadline = cal.add(handled_at, *self.limits(category, incident.level)["verify"])
        verified_at = handled_at + dt.timedelta(hours=rng.uniform(0.5, 20))
        step(verified_at, Action.VERIFY, Status.HANDLED, Status.VERIFIED)
        closed_at = verified_at + dt.timedelta(minutes=rng.uniform(5, 240))
        step(closed_at, Action.CLOSE, Status.VERIFIED, Status.CLOSED)
        if rng.random() < 0.7:
            satisfaction = rng.choices(list(Satisfaction.values), weights=[82, 13, 5])[0]
            step(
                closed_at + dt.timedelta(hours=rng.uniform(1, 48)),
                Action.EVALUATE,
                Status.CLOSED,
                Status.EVALUATED,
                str(Satisfaction(satisfaction).label),
            )
            incident.satisfaction = satisfaction
        return self.finish(incident, steps, areas)

    def finish(self, incident: Incident, steps, areas):
        """Cut the story at `now`: the incident is left in the state of its last step so far."""
        happened = [s for s in steps if s[0] <= self.now]
        incident.status = happened[-1][3]
        incident.level = happened[-1][5]
        for field, action in (
            ("accepted_at", Action.ACCEPT),
            ("dispatched_at", Action.DISPATCH),
            ("handled_at", Action.HANDLE),
            ("verified_at", Action.VERIFY),
            ("closed_at", Action.CLOSE),
            ("evaluated_at", Action.EVALUATE),
        ):
            times = [s[0] for s in happened if s[1] == action]
            setattr(incident, field, times[-1] if times else None)
        incident.escalation_count = sum(1 for s in happened if s[1] == Action.ESCALATE)
        incident.rework_count = sum(1 for s in happened if s[1] == Action.REWORK)
        incident.extension_count = sum(1 for s in happened if s[1] == Action.EXTENSION_APPROVE)
        if incident.satisfaction and incident.status != Status.EVALUATED:
            incident.satisfaction = ""
        if incident.handled_at is None:
            incident.handled_at_level = ""
        if incident.status in (Status.CLOSED, Status.EVALUATED):
            incident.closed_on_time = not incident.was_overdue
        incident.handling_area_id = areas[incident.level]
        self.arm(incident, happened[-1][0])
        self.pending.append((incident, happened))

    def arm(self, incident: Incident, since) -> None:
        if incident.status not in OPEN_STATUSES:
            incident.deadline = incident.due_at = incident.warn_at = None
            return
        if incident.status == Status.REPORTED:
            deadline = incident.accept_deadline
        elif incident.status in (Status.HANDLED, Status.VERIFIED):
            deadline = incident.verify_deadline if incident.status == Status.HANDLED else None
        else:
            deadline = incident.handle_deadline
        incident.deadline = deadline
        incident.stage_started_at = since
        if deadline is None:
            incident.due_at = incident.warn_at = None
            return
        working = self.limits(incident.category, incident.level)["handle"][1] in WORKING_UNITS
        incident.due_at = deadline
        warn = self.calendar.point_at(since, deadline, 0.7, working=working)
        if warn <= self.now:
            incident.warned_at, incident.warn_at = warn, None
        else:
            incident.warn_at = warn
        if deadline <= self.now:
            incident.was_overdue = True

    def flush(self) -> int:
        if not self.pending:
            return 0
        with transaction.atomic():
            Incident.objects.bulk_create([i for i, _ in self.pending], batch_size=1000)
            events = [
                IncidentEvent(
                    incident_id=incident.pk,
                    at=at,
                    action=action,
                    from_status=from_status,
                    to_status=to_status,
                    from_level=from_level,
                    to_level=to_level,
                    note=note,
                )
                for incident, steps in self.pending
                for at, action, from_status, to_status, from_level, to_level, note in steps
            ]
            IncidentEvent.objects.bulk_create(events, batch_size=5000)
            IncidentCodeCounter.objects.bulk_create(
                [IncidentCodeCounter(day=day, last=self.counters[day]) for day in sorted(self.touched)],
                update_conflicts=True,
                unique_fields=["day"],
                update_fields=["last"],
            )
            self.touched = set()
        count = len(self.pending)
        self.pending = []
        return count


def _grids_with_parents(grids=None):
    grids = list(
        grids
        if grids is not None
        else Area.objects.filter(kind=AreaKind.GRID_L1, is_active=True).order_by("code")
    )
    parents = {a.pk: a for a in Area.objects.filter(pk__in={g.parent_id for g in grids})}
    district = Area.objects.filter(kind=AreaKind.DISTRICT).order_by("tree_id").first()
    for grid in grids:
        village = parents.get(grid.parent_id)
        yield grid, grid.parent_id, village.parent_id if village else None, district


def generate(
    *,
    start: dt.datetime,
    end: dt.datetime,
    per_grid_per_month: float,
    seed: int,
    now=None,
    grids=None,
    is_demo: bool = False,
) -> int:
    """Bulk-create incidents reported between start and end (about `per_grid_per_month` per grid and month)."""
    now = now or timezone.now()
    generator = _Generator(seed=seed, now=now, is_demo=is_demo)
    months = max((end - start).total_seconds() / (30.44 * 86400), 0)
    created = 0
    for grid, village_id, town_id, district in _grids_with_parents(grids):
        expected = per_grid_per_month * months
        count = int(expected) + (1 if generator.rng.random() < expected - int(expected) else 0)
        for _ in range(count):
            reported_at = generator.moment_in(start, min(end, now))
            generator.incident(
                grid=grid, village_id=village_id, town_id=town_id, district=district, reported_at=reported_at
            )
        if len(generator.pending) >= 2000:
            created += generator.flush()
    return created + generator.flush()


def generate_year(*, year: int, per_grid_per_month: float, seed: int, now=None, grids=None) -> int:
    """A year of incidents across the district's grids, with their events, for the benchmark and assessment."""
    start = dt.datetime(year, 1, 1, tzinfo=TZ)
    end = dt.datetime(year + 1, 1, 1, tzinfo=TZ) - dt.timedelta(seconds=1)
    return generate(
        start=start, end=end, per_grid_per_month=per_grid_per_month, seed=seed, now=now, grids=grids
    )


def seed_demo(now=None) -> int:
    """A few hundred demo incidents over the last 90 days, once."""
    if Incident.objects.filter(is_demo=True).exists():
        return 0
    now = now or timezone.now()
    return generate(
        start=now - dt.timedelta(days=DEMO_DAYS),
        end=now,
        per_grid_per_month=DEMO_PER_GRID_PER_MONTH,
        seed=DEMO_SEED,
        now=now,
        is_demo=True,
    )


def seed(stdout=None) -> int:
    created = seed_reference()
    demo = seed_demo()
    if stdout:
        stdout.write(f"incidents: {created} reference row(s), {demo} demo incident(s) created")
    return created + demo
