"""Every scoped read of incidents, and the figures pages, the API and the assessment share (DOMAIN §7).

Periods are dates in Asia/Shanghai, both ends included. "Due" cases are those whose handling deadline
falls in the period (rejected and merged reports are not cases); the closure rates divide by them, as the
published bulletins do (911 closed of 972 due = 93.72%).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from grids.models import Area

from .choices import DONE_STATUSES, HANDLING_STATUSES, OPEN_STATUSES, Level, Satisfaction, Status
from .defaults import DISPUTES_GROUP
from .models import Incident, IncidentEvent
from .worktime import TZ


def _bounds(start: dt.date | None, end: dt.date | None):
    lower = dt.datetime.combine(start, dt.time.min, TZ) if start else None
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, TZ) if end else None
    return lower, upper


def _in(field: str, lower, upper) -> Q:
    q = Q(**{f"{field}__isnull": False})
    if lower is not None:
        q &= Q(**{f"{field}__gte": lower})
    if upper is not None:
        q &= Q(**{f"{field}__lt": upper})
    return q


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with two decimals (half up), or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def incident_scope(*, user, area: Area | None = None):
    """What the user may see, narrowed to the subtree of `area` when given."""
    qs = Incident.objects.visible_to(user)
    if area is not None:
        qs = qs.within(area)
    return qs


def incident_list(*, user, area: Area | None = None, filters: dict | None = None):
    qs = incident_scope(user=user, area=area).select_related(
        "category", "category__parent", "grid", "town", "village", "handling_area", "handling_department"
    )
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(
            status__in=filters["status"] if isinstance(filters["status"], list) else [filters["status"]]
        )
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())
    return qs


ROLE_LEVEL = {
    "grid_worker": Level.GRID,
    "village_staff": Level.GRID,
    "town_staff": Level.TOWN,
    "district_staff": Level.DISTRICT,
    "district_admin": Level.DISTRICT,
    "department_liaison": Level.DISTRICT,
}
DISPATCHER_WAITING = [Status.REPORTED, Status.ACCEPTED, Status.HANDLED, Status.VERIFIED]
HANDLER_WAITING = [Status.DISPATCHED, Status.IN_PROGRESS, Status.REWORK]


def incident_todo(*, user):
    """What waits for this user: steps for dispatchers at their level, work for the handling unit."""
    level = ROLE_LEVEL.get(getattr(user, "role", ""), None)
    wanted = Q(pk__in=[])
    if user.has_perm("incidents.dispatch_incident") and level:
        wanted |= Q(level=level, status__in=DISPATCHER_WAITING)
    if user.has_perm("incidents.handle_incident"):
        if user.department_id:
            wanted |= Q(handling_department_id=user.department_id, status__in=HANDLER_WAITING)
        if getattr(user, "role", "") == "grid_worker":
            wanted |= Q(level=Level.GRID, handling_department__isnull=True, status__in=HANDLER_WAITING)
        elif user.jurisdiction_id:
            # Staff handle what was dispatched to their own unit (a town to itself, say), not their grids' work.
            wanted |= Q(
                handling_area_id=user.jurisdiction_id,
                handling_department__isnull=True,
                status__in=HANDLER_WAITING,
            )
    return incident_list(user=user).filter(wanted).order_by("deadline")


def incident_get_visible(*, user, pk) -> Incident:
    return incident_list(user=user).get(pk=pk)


def incident_available_actions(*, incident: Incident, user) -> list[str]:
    """The transitions the incident's state allows and the user's role permits (what the page offers)."""
    status = incident.status
    dispatcher = user.has_perm("incidents.dispatch_incident")
    handler = dispatcher or user.has_perm("incidents.handle_incident")
    rules = [
        ("accept", dispatcher and status == Status.REPORTED),
        ("reject", dispatcher and status == Status.REPORTED),
        ("merge", dispatcher and status in (Status.REPORTED, Status.ACCEPTED)),
        ("dispatch", dispatcher and status == Status.ACCEPTED),
        ("start", handler and status in (Status.DISPATCHED, Status.REWORK)),
        ("handle", handler and status == Status.IN_PROGRESS),
        ("verify", dispatcher and status == Status.HANDLED),
        ("rework", dispatcher and status == Status.HANDLED),
        ("close", dispatcher and status == Status.VERIFIED),
        ("evaluate", user.has_perm("incidents.evaluate_incident") and status == Status.CLOSED),
        ("return", handler and status in (Status.DISPATCHED, Status.IN_PROGRESS)),
        (
            "escalate",
            handler
            and incident.level != Level.DISTRICT
            and (status == Status.REPORTED or status in HANDLING_STATUSES),
        ),
        ("assign_down", dispatcher and incident.level != Level.GRID and status in HANDLING_STATUSES),
        ("request_extension", handler and status in HANDLING_STATUSES),
        ("supervise", user.has_perm("incidents.supervise_incident") and status in OPEN_STATUSES),
    ]
    return [name for name, allowed in rules if allowed]


def incident_events(*, incident: Incident):
    return incident.events.select_related("actor", "area", "department").order_by("at", "id")


def incident_figures(
    *, user, area: Area | None = None, start: dt.date | None = None, end: dt.date | None = None, now=None
) -> dict:
    """All the incident figures for the user's scope (or `area`'s subtree) and a period, in one query."""
    now = now or timezone.now()
    lower, upper = _bounds(start, end)
    today_lower, today_upper = _bounds(now.astimezone(TZ).date(), now.astimezone(TZ).date())
    reported = _in("reported_at", lower, upper)
    closed = _in("closed_at", lower, upper) & Q(status__in=DONE_STATUSES)
    handled = _in("handled_at", lower, upper)
    evaluated = _in("evaluated_at", lower, upper) & Q(status=Status.EVALUATED)
    due = _in("handle_deadline", lower, upper) & ~Q(status__in=[Status.REJECTED, Status.MERGED])
    # A case counts as closed for the period only if it was closed by the period's end.
    closed_by_end = Q(status__in=DONE_STATUSES) & _in("closed_at", None, upper)
    open_now = Q(status__in=OPEN_STATUSES)
    disputes = Q(category__parent__code=DISPUTES_GROUP) | Q(category__code=DISPUTES_GROUP)
    handling_time = ExpressionWrapper(F("handled_at") - F("reported_at"), output_field=DurationField())

    row = incident_scope(user=user, area=area).aggregate(
        reported=Count("pk", filter=reported),
        closed=Count("pk", filter=closed),
        open=Count("pk", filter=open_now),
        overdue=Count("pk", filter=open_now & Q(deadline__lt=now)),
        due_today=Count("pk", filter=open_now & Q(deadline__gte=today_lower, deadline__lt=today_upper)),
        warned=Count("pk", filter=open_now & Q(warned_at__isnull=False)),
        yellow_cards=Count("pk", filter=reported & Q(yellow_card=True)),
        red_cards=Count("pk", filter=reported & Q(red_card=True)),
        due=Count("pk", filter=due),
        due_closed=Count("pk", filter=due & closed_by_end),
        due_closed_on_time=Count("pk", filter=due & closed_by_end & Q(closed_on_time=True)),
        due_extended=Count("pk", filter=due & Q(extension_count__gt=0)),
        accepted=Count("pk", filter=reported & Q(accepted_at__isnull=False)),
        accepted_on_time=Count("pk", filter=reported & Q(accepted_at__lte=F("accept_deadline"))),
        handled=Count("pk", filter=handled),
        handled_on_time=Count("pk", filter=handled & Q(handled_at__lte=F("handle_deadline"))),
        reworked=Count("pk", filter=handled & Q(rework_count__gt=0)),
        average_handling=Avg(handling_time, filter=handled),
        evaluated=Count("pk", filter=evaluated),
        satisfied=Count("pk", filter=evaluated & Q(satisfaction=Satisfaction.SATISFIED)),
        basically_satisfied=Count("pk", filter=evaluated & Q(satisfaction=Satisfaction.BASICALLY)),
        closed_at_grid=Count("pk", filter=closed & Q(handled_at_level=Level.GRID)),
        closed_disputes=Count("pk", filter=closed & disputes),
        disputes_below_district=Count("pk", filter=closed & disputes & ~Q(handled_at_level=Level.DISTRICT)),
        escalated=Count("pk", filter=reported & Q(escalation_count__gt=0)),
        escalations=Sum("escalation_count", filter=reported),
        direct_to_district=Count("pk", filter=reported & Q(category__direct_to_district=True)),
    )
    row["escalations"] = row["escalations"] or 0
    average = row.pop("average_handling")
    row["average_handling_hours"] = round(average.total_seconds() / 3600, 1) if average is not None else None
    row.update(
        closure_rate=rate(row["due_closed"], row["due"]),
        on_time_closure_rate=rate(row["due_closed_on_time"], row["due"]),
        acceptance_on_time_rate=rate(row["accepted_on_time"], row["accepted"]),
        handling_on_time_rate=rate(row["handled_on_time"], row["handled"]),
        rework_rate=rate(row["reworked"], row["handled"]),
        extension_rate=rate(row["due_extended"], row["due"]),
        satisfaction_rate=rate(row["satisfied"] + row["basically_satisfied"], row["evaluated"]),
        grid_share=rate(row["closed_at_grid"], row["closed"]),
        disputes_below_district_rate=rate(row["disputes_below_district"], row["closed_disputes"]),
        start=start,
        end=end,
    )
    return row


BREAKDOWNS = {
    "category": ("category_id", "category__code", "category__name"),
    "group": ("category__parent_id", "category__parent__code", "category__parent__name"),
    "town": ("town_id", "town__code", "town__name"),
    "village": ("village_id", "village__code", "village__name"),
    "grid": ("grid_id", "grid__code", "grid__name"),
    "level": ("level", "level", "level"),
    "status": ("status", "status", "status"),
    "source": ("source", "source", "source"),
}


def incident_breakdown(
    *,
    user,
    by: str,
    area: Area | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now=None,
) -> list[dict]:
    """Reported, closed, open and overdue counts per category, group, town, village, grid, level or status."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    now = now or timezone.now()
    key, code, name = BREAKDOWNS[by]
    lower, upper = _bounds(start, end)
    reported = _in("reported_at", lower, upper)
    open_now = Q(status__in=OPEN_STATUSES)
    rows = (
        incident_scope(user=user, area=area)
        .values(key, code, name)
        .annotate(
            reported=Count("pk", filter=reported),
            closed=Count("pk", filter=_in("closed_at", lower, upper) & Q(status__in=DONE_STATUSES)),
            open=Count("pk", filter=open_now),
            overdue=Count("pk", filter=open_now & Q(deadline__lt=now)),
        )
        .order_by(code)
    )
    return [
        {
            "key": r[key],
            "code": r[code],
            "name": r[name],
            "reported": r["reported"],
            "closed": r["closed"],
            "open": r["open"],
            "overdue": r["overdue"],
        }
        for r in rows
        if r["reported"] or r["closed"] or r["open"]
    ]


def incident_daily(*, user, start: dt.date, end: dt.date, area: Area | None = None) -> list[dict]:
    """Reports and closures per day from start to end (every day listed, zeros included)."""
    lower, upper = _bounds(start, end)
    scope = incident_scope(user=user, area=area)
    reported = dict(
        scope.filter(reported_at__gte=lower, reported_at__lt=upper)
        .annotate(day=TruncDate("reported_at", tzinfo=TZ))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    closed = dict(
        scope.filter(closed_at__gte=lower, closed_at__lt=upper, status__in=DONE_STATUSES)
        .annotate(day=TruncDate("closed_at", tzinfo=TZ))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days = []
    day = start
    while day <= end:
        days.append({"date": day, "reported": reported.get(day, 0), "closed": closed.get(day, 0)})
        day += dt.timedelta(days=1)
    return days


def incident_public_status(*, tracking_code: str) -> dict | None:
    """What anyone holding the tracking code may see: the steps, with no names, phones or notes."""
    incident = (
        Incident.objects.select_related("category", "category__parent", "duplicate_of")
        .filter(tracking_code=(tracking_code or "").strip().upper())
        .first()
    )
    if incident is None:
        return None
    followed = (
        incident.duplicate_of if incident.status == Status.MERGED and incident.duplicate_of else incident
    )
    steps = [
        {"at": e.at, "action": e.get_action_display(), "status": e.get_to_status_display()}
        for e in IncidentEvent.objects.filter(incident__in={incident.pk, followed.pk})
        .exclude(action__in=["warn", "overdue", "supervise"])
        .order_by("at", "id")
    ]
    return {
        "incident": incident,
        "tracking_code": incident.tracking_code,
        "category": str(incident.category),
        "status": followed.status,
        "status_display": followed.get_status_display(),
        "merged": followed.pk != incident.pk,
        "reported_at": incident.reported_at,
        "closed_at": followed.closed_at,
        "can_evaluate": incident.status == Status.CLOSED,
        "steps": steps,
    }
