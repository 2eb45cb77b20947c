"""Every write to incidents: reporting, one service per transition of the closed loop, the deadline sweep.

Each transition locks the incident row (`select_for_update`), checks the current status (and, when the
caller passes it, the version it saw), changes the row, writes one immutable `IncidentEvent`, and queues
side effects on commit. A refused transition raises `ConflictError` naming the current status (HTTP 409).
"""

import logging
import math
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.errors import ConflictError
from core.notifications import notify
from core.pii import normalise, validate_phone
from core.sms import send_sms
from grids.choices import GRID_KINDS, TOWN_KINDS, AreaKind
from grids.models import Area

from . import conf, defaults
from .choices import (
    HANDLING_STATUSES,
    LEVEL_ORDER,
    OPEN_STATUSES,
    SEVERITY_RANK,
    WORKING_UNITS,
    Action,
    ExtensionStatus,
    Level,
    LimitUnit,
    PhotoStage,
    Satisfaction,
    Severity,
    Source,
    Status,
    Supervision,
    next_level,
)
from .models import (
    Category,
    ExtensionRequest,
    Incident,
    IncidentCodeCounter,
    IncidentEvent,
    IncidentPhoto,
    SupervisionRecord,
    TimeLimitPolicy,
)
from .photos import prepare_photo
from .worktime import TZ, WorkCalendar, load_calendar

logger = logging.getLogger("enyang_grid.incidents")

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- time limits -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    accept: tuple[Decimal, str]
    handle: tuple[Decimal, str]
    verify: tuple[Decimal, str]


def limits_for(*, category: Category, level: str) -> Limits:
    """The policy for (category, level); else its group's; else the DOMAIN §6 defaults."""
    for candidate in (category.pk, category.parent_id):
        if candidate is None:
            continue
        policy = TimeLimitPolicy.objects.filter(category_id=candidate, level=level).first()
        if policy is not None:
            return Limits(
                (policy.accept_amount, policy.accept_unit),
                (policy.handle_amount, policy.handle_unit),
                (policy.verify_amount, policy.verify_unit),
            )
    values = defaults.default_limits(urgent=category.urgent, level=level)
    return Limits(values["accept"], values["handle"], values["verify"])


def _start_step(
    incident: Incident, *, step: str, start, calendar: WorkCalendar, limits: Limits | None = None
):
    """Set the deadline of `step` (accept, handle, verify) from `start`, and the sweep's next moments."""
    limits = limits or limits_for(category=incident.category, level=incident.level)
    amount, unit = getattr(limits, step)
    deadline = calendar.add(start, float(amount), unit)
    setattr(incident, f"{step}_deadline", deadline)
    _arm(incident, start=start, deadline=deadline, working=unit in WORKING_UNITS, calendar=calendar)


def _arm(incident: Incident, *, start, deadline, working: bool, calendar: WorkCalendar) -> None:
    incident.deadline = deadline
    incident.stage_started_at = start
    incident.due_at = deadline
    incident.warn_at = calendar.point_at(start, deadline, conf.warning_fraction(), working=working)
    incident.warned_at = None


def _disarm(incident: Incident) -> None:
    incident.deadline = incident.due_at = incident.warn_at = None


# --- places and people -------------------------------------------------------------------------------------


def grid_for_point(*, latitude: float, longitude: float) -> Area | None:
    """The deepest active grid whose boundary contains the point (bounding boxes narrow it in SQL)."""
    from grids.geometry import contains_point

    candidates = (
        Area.objects.filter(
            kind__in=GRID_KINDS,
            is_active=True,
            min_lng__lte=longitude,
            max_lng__gte=longitude,
            min_lat__lte=latitude,
            max_lat__gte=latitude,
        )
        .exclude(boundary__isnull=True)
        .order_by("-level")
    )
    for area in candidates:
        if contains_point(area.boundary, longitude, latitude):
            return area
    return None


def _ancestor_of_kind(area: Area, kinds) -> Area | None:
    if area.kind in kinds:
        return area
    return area.get_ancestors().filter(kind__in=kinds).first()


def district_of(area: Area) -> Area:
    return area.get_root()


def level_area(incident: Incident, level: str) -> Area:
    if level == Level.GRID:
        return incident.grid
    if level == Level.TOWN:
        return incident.town or _ancestor_of_kind(incident.grid, TOWN_KINDS)
    return district_of(incident.grid)


def level_supervisors(incident: Incident, level: str):
    """Who answers for an incident at a level: the grid's workers and village staff; town staff; district staff."""
    users = User.objects.filter(is_active=True)
    if level == Level.GRID:
        grid_chain = [
            incident.grid_id,
            *incident.grid.get_ancestors().filter(kind__in=GRID_KINDS).values_list("pk", flat=True),
        ]
        return users.filter(
            Q(role=Role.GRID_WORKER, jurisdiction_id__in=grid_chain)
            | Q(role=Role.VILLAGE_STAFF, jurisdiction_id=incident.village_id)
        )
    if level == Level.TOWN:
        return users.filter(role=Role.TOWN_STAFF, jurisdiction_id=level_area(incident, Level.TOWN).pk)
    district = district_of(incident.grid)
    return users.filter(role=Role.DISTRICT_STAFF).filter(
        Q(jurisdiction_id=district.pk) | Q(jurisdiction__isnull=True)
    )


def handling_unit_users(incident: Incident):
    if incident.handling_department_id:
        return User.objects.filter(
            is_active=True, role=Role.DEPARTMENT_LIAISON, department_id=incident.handling_department_id
        )
    return level_supervisors(incident, incident.level)


def _level_of_area(area: Area) -> str:
    if area.kind in GRID_KINDS:
        return Level.GRID
    if area.kind in TOWN_KINDS:
        return Level.TOWN
    if area.kind == AreaKind.DISTRICT:
        return Level.DISTRICT
    raise ValidationError({"area": _("Dispatch to a grid, a town or a department.")})


def _next_code(day) -> str:
    table = IncidentCodeCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        number = cursor.fetchone()[0]
    return f"SJ{day:%Y%m%d}-{number:04d}"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _position in range(10))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    radius = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def possible_duplicates(
    *, category: Category, latitude: float | None, longitude: float | None, at=None, exclude_pk=None
) -> list[Incident]:
    """Open incidents of the same category within the radius (50 m) reported in the window (72 hours)."""
    if latitude is None or longitude is None:
        return []
    at = at or timezone.now()
    radius = conf.duplicate_radius_m()
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    window = timezone.timedelta(hours=conf.duplicate_window_hours())
    qs = Incident.objects.filter(
        category=category,
        status__in=OPEN_STATUSES,
        reported_at__gte=at - window,
        reported_at__lte=at,
        latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlng, longitude + dlng),
    ).order_by("reported_at")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    found = []
    for other in qs:
        meters = distance_m(latitude, longitude, other.latitude, other.longitude)
        if meters <= radius:
            other.distance_m = round(meters, 1)
            found.append(other)
    return found


# --- the event log and the lock ----------------------------------------------------------------------------


def _event(
    incident, *, actor, action, from_status, note="", at=None, from_level="", area=None, department=None
):
    return IncidentEvent.objects.create(
        incident=incident,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
        action=action,
        from_status=from_status,
        to_status=incident.status,
        from_level=from_level or incident.level,
        to_level=incident.level,
        area=area,
        department=department,
        note=note,
    )


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(f"incidents.{perm}"):
        raise PermissionDenied(_("You may not do this to incidents."))


def _lock(incident: Incident, actor, *, version: int | None = None) -> Incident:
    """The incident, re-read under a row lock, if the actor may see it; the version check catches stale pages."""
    qs = Incident.objects.select_for_update(of=("self",)).select_related("category", "grid")
    if actor is not None:
        qs = qs.visible_to(actor)
    fresh = qs.filter(pk=incident.pk).first()
    if fresh is None:
        raise PermissionDenied(_("This incident is outside your jurisdiction."))
    if version is not None and int(version) != fresh.version:
        raise ConflictError(
            _("Someone else changed this incident first; it is now %(state)s. Reload and try again.")
            % {"state": fresh.get_status_display()},
            current_state=fresh.status,
        )
    return fresh


def _expect(incident: Incident, allowed, action: str) -> None:
    if incident.status not in allowed:
        raise ConflictError(
            _("Cannot %(action)s this incident: it is %(state)s.")
            % {"action": Action(action).label, "state": incident.get_status_display()},
            current_state=incident.status,
        )


def _save(incident: Incident) -> None:
    incident.version += 1
    incident.save()


def _require_handler(actor, incident: Incident) -> None:
    """Handling steps belong to the handling unit (or a dispatcher acting for it)."""
    if actor is None or actor.has_perm("incidents.dispatch_incident"):
        return
    _require(actor, "handle_incident")
    if incident.handling_department_id and actor.department_id != incident.handling_department_id:
        raise PermissionDenied(_("This incident is handled by another unit."))
    if actor.role == Role.DEPARTMENT_LIAISON and actor.department_id != incident.handling_department_id:
        raise PermissionDenied(_("This incident is handled by another unit."))


def _inform_reporters(incident: Incident, *, title: str, sms: bool = False) -> None:
    """Tell the reporter, and the reporters of every duplicate merged into it, how the incident moves on."""
    affected = [incident, *Incident.objects.filter(duplicate_of=incident)]
    for item in affected:
        key = f"incident:{item.pk}:reporter:{incident.pk}:{incident.version}"
        if item.reporter_user_id:
            notify(
                recipient=item.reporter_user,
                title=title,
                body=item.code,
                url=f"/incidents/{item.pk}/",
                kind="incident",
                key=key,
            )
        if sms and item.reporter_phone:
            phone, text = item.reporter_phone, f"{title}（{_('tracking code')} {item.tracking_code}）"
            transaction.on_commit(lambda phone=phone, text=text: send_sms(phone, text))


def _notify_users(users, *, incident: Incident, title: str, key: str, sms: bool = False) -> int:
    count = 0
    for user in users:
        if notify(
            recipient=user,
            title=title,
            body=f"{incident.code} {incident.category} {incident.address}",
            url=f"/incidents/{incident.pk}/",
            kind="incident",
            key=f"{key}:{user.pk}",
            sms=sms,
        ):
            count += 1
    return count


def _queue_countdown(incident: Incident) -> None:
    """A deadline minutes away gets its own countdown task, queued after commit; the sweep is the safety net."""
    if incident.due_at is None:
        return
    seconds = (incident.due_at - timezone.now()).total_seconds()
    if seconds > conf.countdown_horizon_seconds():
        return
    pk, due_at = incident.pk, incident.due_at

    def _send():
        from .tasks import check_incident_deadline

        try:
            check_incident_deadline.apply_async(args=[pk], countdown=max(0, int(seconds) + 1))
        except Exception:  # the broker may be down: the deadline is on the row and the sweep will act
            logger.warning("countdown for incident %s (due %s) not queued; the sweep will act", pk, due_at)

    transaction.on_commit(_send)


# --- reporting ---------------------------------------------------------------------------------------------


def _initial_level(category: Category, severity: str) -> str:
    if category.direct_to_district:
        return Level.DISTRICT
    threshold = category.district_from_severity
    if threshold and SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity(threshold)]:
        return Level.DISTRICT
    return Level.GRID


def _validate_report(*, category, description, latitude, longitude, grid, severity, source, reporter_phone):
    errors = {}
    if category is None or not category.is_active:
        errors["category"] = _("Choose a category.")
    elif not category.parent_id and category.children.exists():
        errors["category"] = _("Choose a category within the group, not the group itself.")
    if len((description or "").strip()) < 5:
        errors["description"] = _("Describe what happened in at least 5 characters.")
    if severity not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    if source not in Source.values:
        errors["source"] = _("Unknown source.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["latitude"] = _("The position is not a valid latitude/longitude.")
    if grid is not None and grid.kind not in GRID_KINDS:
        errors["grid"] = _("Choose a grid.")
    if reporter_phone:
        try:
            validate_phone(reporter_phone)
        except ValidationError as exc:
            errors["reporter_phone"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)


def incident_report(
    *,
    source: str,
    category: Category,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    grid: Area | None = None,
    severity: str = Severity.GENERAL,
    reporter_user: User | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos=(),
    reported_at=None,
    calendar: WorkCalendar | None = None,
) -> Incident:
    """Record a new incident, routed to the grid containing the point (or the grid chosen).

    The returned incident carries `possible_duplicates`: open incidents of the same category nearby.
    """
    _validate_report(
        category=category,
        description=description,
        latitude=latitude,
        longitude=longitude,
        grid=grid,
        severity=severity,
        source=source,
        reporter_phone=reporter_phone,
    )
    if len(photos) > conf.photos_per_report():
        raise ValidationError({"photos": _("At most %(n)d photos.") % {"n": conf.photos_per_report()}})
    prepared = []
    for upload in photos:
        try:
            prepared.append(prepare_photo(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    if latitude is not None:
        routed = grid_for_point(latitude=latitude, longitude=longitude)
        grid = routed or grid
    if grid is None:
        raise ValidationError({"grid": _("Choose the grid, or pick a place inside a grid on the map.")})
    if not grid.is_active:
        raise ValidationError({"grid": _("This grid is retired.")})
    reported_at = reported_at or timezone.now()
    calendar = calendar or load_calendar()
    duplicates = possible_duplicates(
        category=category, latitude=latitude, longitude=longitude, at=reported_at
    )
    with transaction.atomic():
        level = _initial_level(category, severity)
        incident = Incident(
            code=_next_code(reported_at.astimezone(TZ).date()),
            tracking_code=new_tracking_code(),
            source=source,
            category=category,
            severity=severity,
            description=description.strip(),
            address=address.strip(),
            latitude=latitude,
            longitude=longitude,
            grid=grid,
            village=_ancestor_of_kind(grid, {AreaKind.COMMUNITY, AreaKind.VILLAGE}),
            town=_ancestor_of_kind(grid, TOWN_KINDS),
            status=Status.REPORTED,
            level=level,
            reporter_user=reporter_user,
            reporter_name=reporter_name.strip(),
            reporter_phone=normalise(reporter_phone),
            reported_at=reported_at,
        )
        incident.handling_area = level_area(incident, level)
        _start_step(incident, step="accept", start=reported_at, calendar=calendar)
        incident.save()
        for content in prepared:
            IncidentPhoto.objects.create(
                incident=incident, stage=PhotoStage.REPORT, image=content, uploaded_by=reporter_user
            )
        note = _("Direct to district.") if level == Level.DISTRICT else ""
        _event(incident, actor=reporter_user, action=Action.REPORT, from_status="", note=note, at=reported_at)
        _notify_users(
            handling_unit_users(incident),
            incident=incident,
            title=_("New incident %(code)s to accept") % {"code": incident.code},
            key=f"incident:{incident.pk}:reported",
            sms=level == Level.DISTRICT,
        )
        _queue_countdown(incident)
    incident.possible_duplicates = duplicates
    return incident


def incident_add_photo(*, incident: Incident, actor, upload, stage: str = PhotoStage.HANDLE) -> IncidentPhoto:
    content = prepare_photo(upload)
    with transaction.atomic():
        fresh = _lock(incident, actor)
        if fresh.photos.count() >= conf.photos_per_report() * 3:
            raise ValidationError({"photos": _("This incident has as many photos as it may have.")})
        return IncidentPhoto.objects.create(incident=fresh, stage=stage, image=content, uploaded_by=actor)


# --- the closed loop ---------------------------------------------------------------------------------------


def incident_accept(*, incident: Incident, actor, note: str = "", version: int | None = None) -> Incident:
    _require(actor, "dispatch_incident")
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, {Status.REPORTED}, Action.ACCEPT)
        now = timezone.now()
        fresh.status = Status.ACCEPTED
        fresh.accepted_at = now
        if fresh.accept_deadline and now > fresh.accept_deadline:
            fresh.was_overdue = True
        _start_step(fresh, step="handle", start=now, calendar=load_calendar())
        _save(fresh)
        _event(fresh, actor=actor, action=Action.ACCEPT, from_status=Status.REPORTED, note=note, at=now)
        _inform_reporters(
            fresh, title=_("Your report %(code)s was accepted") % {"code": fresh.code}, sms=True
        )
        _queue_countdown(fresh)
    return fresh


def incident_reject(*, incident: Incident, actor, note: str, version: int | None = None) -> Incident:
    _require(actor, "dispatch_incident")
    if not (note or "").strip():
        raise ValidationError({"note": _("Give the reason for not accepting the report.")})
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, {Status.REPORTED}, Action.REJECT)
        fresh.status = Status.REJECTED
        _disarm(fresh)
        _save(fresh)
        _event(fresh, actor=actor, action=Action.REJECT, from_status=Status.REPORTED, note=note)
        _inform_reporters(
            fresh, title=_("Your report %(code)s was not accepted") % {"code": fresh.code}, sms=True
        )
    return fresh


def incident_merge(
    *, incident: Incident, into: Incident, actor, note: str = "", version: int | None = None
) -> Incident:
    """Close a report as a duplicate of an open incident; its reporter then hears how that one goes."""
    _require(actor, "dispatch_incident")
    if incident.pk == into.pk:
        raise ValidationError({"into": _("An incident cannot be a duplicate of itself.")})
    with transaction.atomic():
        # Lock both rows in a fixed order, so two opposite merges cannot deadlock.
        first, second = sorted([incident, into], key=lambda i: i.pk)
        locked = {first.pk: _lock(first, actor), second.pk: _lock(second, actor)}
        fresh, target = locked[incident.pk], locked[into.pk]
        if version is not None and int(version) != fresh.version:
            raise ConflictError(_("Someone else changed this incident first."), current_state=fresh.status)
        _expect(fresh, {Status.REPORTED, Status.ACCEPTED}, Action.MERGE)
        if target.status not in OPEN_STATUSES or target.duplicate_of_id:
            raise ConflictError(
                _("Cannot merge into %(code)s: it is %(state)s.")
                % {"code": target.code, "state": target.get_status_display()},
                current_state=target.status,
            )
        from_status = fresh.status
        fresh.status = Status.MERGED
        fresh.duplicate_of = target
        _disarm(fresh)
        _save(fresh)
        _event(fresh, actor=actor, action=Action.MERGE, from_status=from_status, note=note or target.code)
        _event(target, actor=actor, action=Action.MERGE, from_status=target.status, note=fresh.code)
        title = _("Your report %(code)s is being handled together with %(target)s") % {
            "code": fresh.code,
            "target": target.code,
        }
        if fresh.reporter_user_id:
            notify(
                recipient=fresh.reporter_user, title=title, kind="incident", key=f"incident:{fresh.pk}:merged"
            )
        if fresh.reporter_phone:
            phone = fresh.reporter_phone
            transaction.on_commit(lambda: send_sms(phone, title))
    return fresh


def _check_dispatch_target(incident: Incident, actor, area: Area | None, department) -> str:
    if (area is None) == (department is None):
        raise ValidationError({"area": _("Dispatch to one grid, town or department.")})
    if department is not None:
        if not department.is_active:
            raise ValidationError({"department": _("This department is not active.")})
        return Level.DISTRICT
    level = _level_of_area(area)
    if level == Level.DISTRICT:
        return level
    if not area.is_active:
        raise ValidationError({"area": _("This area is retired.")})
    town = level_area(incident, Level.TOWN)
    if not (area.tree_id == town.tree_id and town.lft <= area.lft and area.rght <= town.rght):
        raise ValidationError({"area": _("Dispatch within the incident's town.")})
    if actor is not None and not Area.objects.visible_to(actor).filter(pk=area.pk).exists():
        raise ValidationError({"area": _("This area is outside your jurisdiction.")})
    return level


def _move_to_unit(fresh: Incident, *, area, department, level: str, now, calendar) -> None:
    level_changed = level != fresh.level
    fresh.level = level
    fresh.handling_department = department
    fresh.handling_area = area if area is not None else level_area(fresh, level)
    fresh.dispatched_at = now
    if level_changed or fresh.handle_deadline is None:
        _start_step(fresh, step="handle", start=now, calendar=calendar)


def incident_dispatch(
    *,
    incident: Incident,
    actor,
    area: Area | None = None,
    department=None,
    note: str = "",
    version: int | None = None,
) -> Incident:
    """Send an accepted incident to a grid, a town or a department; the level follows the unit."""
    _require(actor, "dispatch_incident")
    area = Area.objects.get(pk=area.pk) if area is not None else None  # fresh tree bounds
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, {Status.ACCEPTED}, Action.DISPATCH)
        level = _check_dispatch_target(fresh, actor, area, department)
        if level == Level.DISTRICT and department is None:
            area = district_of(fresh.grid)
        from_level = fresh.level
        now = timezone.now()
        fresh.status = Status.DISPATCHED
        _move_to_unit(fresh, area=area, department=department, level=level, now=now, calendar=load_calendar())
        _save(fresh)
        _event(
            fresh,
            actor=actor,
            action=Action.DISPATCH,
            from_status=Status.ACCEPTED,
            from_level=from_level,
            note=note,
            area=area if department is None else None,
            department=department,
            at=now,
        )
        _notify_users(
            handling_unit_users(fresh),
            incident=fresh,
            title=_("Incident %(code)s dispatched to you") % {"code": fresh.code},
            key=f"incident:{fresh.pk}:dispatch:{fresh.version}",
        )
        _inform_reporters(fresh, title=_("Your report %(code)s is being handled") % {"code": fresh.code})
        _queue_countdown(fresh)
    return fresh


def incident_start(*, incident: Incident, actor, note: str = "", version: int | None = None) -> Incident:
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _require_handler(actor, fresh)
        _expect(fresh, {Status.DISPATCHED, Status.REWORK}, Action.START)
        from_status = fresh.status
        fresh.status = Status.IN_PROGRESS
        _save(fresh)
        _event(fresh, actor=actor, action=Action.START, from_status=from_status, note=note)
    return fresh


def incident_handle(
    *, incident: Incident, actor, result: str, photos=(), version: int | None = None
) -> Incident:
    """The handling unit reports the incident handled; the dispatcher then verifies it."""
    if len((result or "").strip()) < 2:
        raise ValidationError({"result": _("Say how the incident was handled.")})
    prepared = []
    for upload in photos:
        try:
            prepared.append(prepare_photo(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _require_handler(actor, fresh)
        _expect(fresh, {Status.IN_PROGRESS}, Action.HANDLE)
        now = timezone.now()
        fresh.status = Status.HANDLED
        fresh.handled_at = now
        fresh.handled_at_level = fresh.level
        fresh.result = result.strip()
        if fresh.handle_deadline and now > fresh.handle_deadline:
            fresh.was_overdue = True
        _start_step(fresh, step="verify", start=now, calendar=load_calendar())
        _save(fresh)
        for content in prepared:
            IncidentPhoto.objects.create(
                incident=fresh, stage=PhotoStage.HANDLE, image=content, uploaded_by=actor
            )
        _event(fresh, actor=actor, action=Action.HANDLE, from_status=Status.IN_PROGRESS, note=result, at=now)
    return fresh


def incident_verify(*, incident: Incident, actor, note: str = "", version: int | None = None) -> Incident:
    _require(actor, "dispatch_incident")
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, {Status.HANDLED}, Action.VERIFY)
        fresh.status = Status.VERIFIED
        fresh.verified_at = timezone.now()
        _disarm(fresh)
        _save(fresh)
        _event(fresh, actor=actor, action=Action.VERIFY, from_status=Status.HANDLED, note=note)
    return fresh


def incident_rework(*, incident: Incident, actor, note: str, version: int | None = None) -> Incident:
    _require(actor, "dispatch_incident")
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what must be redone.")})
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, {Status.HANDLED}, Action.REWORK)
        now = timezone.now()
        fresh.status = Status.REWORK
        fresh.rework_count += 1
        fresh.handled_at = None
        _start_step(fresh, step="handle", start=now, calendar=load_calendar())
        _save(fresh)
        _event(fresh, actor=actor, action=Action.REWORK, from_status=Status.HANDLED, note=note, at=now)
        _notify_users(
            handling_unit_users(fresh),
            incident=fresh,
            title=_("Incident %(code)s sent back for rework") % {"code": fresh.code},
            key=f"incident:{fresh.pk}:rework:{fresh.version}",
        )
        _queue_countdown(fresh)
    return fresh


def incident_close(*, incident: Incident, actor, note: str = "", version: int | None = None) -> Incident:
    _require(actor, "dispatch_incident")
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, {Status.VERIFIED}, Action.CLOSE)
        fresh.status = Status.CLOSED
        fresh.closed_at = timezone.now()
        fresh.closed_on_time = not fresh.was_overdue
        _disarm(fresh)
        _save(fresh)
        _event(fresh, actor=actor, action=Action.CLOSE, from_status=Status.VERIFIED, note=note)
        _inform_reporters(
            fresh,
            title=_("Your report %(code)s is closed; tell us whether you are satisfied")
            % {"code": fresh.code},
            sms=True,
        )
    return fresh


def incident_evaluate(
    *, incident: Incident, actor=None, satisfaction: str, note: str = "", version: int | None = None
) -> Incident:
    """The reporter's satisfaction: recorded by staff (actor) or by the reporter on the public page (actor None)."""
    if actor is not None:
        _require(actor, "evaluate_incident")
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose satisfied, basically satisfied or not satisfied.")})
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, {Status.CLOSED}, Action.EVALUATE)
        fresh.status = Status.EVALUATED
        fresh.satisfaction = satisfaction
        fresh.evaluated_at = timezone.now()
        _save(fresh)
        _event(
            fresh,
            actor=actor,
            action=Action.EVALUATE,
            from_status=Status.CLOSED,
            note=f"{Satisfaction(satisfaction).label} {note}".strip(),
        )
    return fresh


# --- side steps --------------------------------------------------------------------------------------------


def incident_return(*, incident: Incident, actor, note: str, version: int | None = None) -> Incident:
    """The handling unit hands the incident back to whoever dispatched it (wrong unit, not its business)."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the incident is returned.")})
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _require_handler(actor, fresh)
        _expect(fresh, {Status.DISPATCHED, Status.IN_PROGRESS}, Action.RETURN)
        dispatch = (
            fresh.events.filter(action__in=[Action.DISPATCH, Action.ASSIGN_DOWN])
            .order_by("-at", "-id")
            .first()
        )
        from_status, from_level = fresh.status, fresh.level
        fresh.status = Status.ACCEPTED
        fresh.handling_department = None
        back_to = (dispatch.from_level if dispatch else "") or fresh.level
        fresh.level = back_to
        fresh.handling_area = level_area(fresh, back_to)
        if back_to != from_level:
            _start_step(fresh, step="handle", start=timezone.now(), calendar=load_calendar())
        _save(fresh)
        _event(
            fresh,
            actor=actor,
            action=Action.RETURN,
            from_status=from_status,
            from_level=from_level,
            note=note,
        )
        if dispatch and dispatch.actor_id:
            notify(
                recipient=dispatch.actor,
                title=_("Incident %(code)s was returned to you") % {"code": fresh.code},
                body=note,
                url=f"/incidents/{fresh.pk}/",
                kind="incident",
                key=f"incident:{fresh.pk}:returned:{fresh.version}",
            )
    return fresh


ESCALATABLE = {Status.REPORTED, *HANDLING_STATUSES}


def _escalate_fields(fresh: Incident, *, now, calendar) -> tuple[str, str]:
    """Move the incident one level up, with a fresh deadline there. Returns (from_status, from_level)."""
    from_status, from_level = fresh.status, fresh.level
    fresh.level = next_level(from_level)
    fresh.handling_area = level_area(fresh, fresh.level)
    fresh.handling_department = None
    fresh.escalation_count += 1
    if fresh.status == Status.REPORTED:
        _start_step(fresh, step="accept", start=now, calendar=calendar)
    else:
        # The new level decides who handles it: the incident waits for its dispatch there.
        fresh.status = Status.ACCEPTED
        _start_step(fresh, step="handle", start=now, calendar=calendar)
    return from_status, from_level


def _tell_supervisors_of_escalation(fresh: Incident, from_level: str, *, reason: str) -> None:
    users = {u.pk: u for u in level_supervisors(fresh, from_level)}
    users.update({u.pk: u for u in level_supervisors(fresh, fresh.level)})
    title = _("Incident %(code)s escalated from %(from)s to %(to)s (%(reason)s)") % {
        "code": fresh.code,
        "from": Level(from_level).label,
        "to": Level(fresh.level).label,
        "reason": reason,
    }
    _notify_users(
        users.values(),
        incident=fresh,
        title=title,
        key=f"incident:{fresh.pk}:escalated:{fresh.escalation_count}",
        sms=fresh.level == Level.DISTRICT,
    )


def incident_escalate(*, incident: Incident, actor, note: str, version: int | None = None) -> Incident:
    """Hand the incident up one level (beyond the unit's powers); the sweep does the same when time runs out."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the incident goes up a level.")})
    if not (actor.has_perm("incidents.dispatch_incident") or actor.has_perm("incidents.handle_incident")):
        raise PermissionDenied(_("You may not do this to incidents."))
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, ESCALATABLE, Action.ESCALATE)
        if fresh.level == Level.DISTRICT:
            raise ConflictError(_("The incident is already at district level."), current_state=fresh.status)
        now = timezone.now()
        from_status, from_level = _escalate_fields(fresh, now=now, calendar=load_calendar())
        _save(fresh)
        _event(
            fresh,
            actor=actor,
            action=Action.ESCALATE,
            from_status=from_status,
            from_level=from_level,
            note=note,
        )
        _tell_supervisors_of_escalation(fresh, from_level, reason=note)
        _queue_countdown(fresh)
    return fresh


def incident_assign_down(
    *, incident: Incident, actor, area: Area, note: str = "", version: int | None = None
) -> Incident:
    """交办: a town or the district hands the incident to a lower level (a town or a grid) to handle."""
    _require(actor, "dispatch_incident")
    area = Area.objects.get(pk=area.pk)  # fresh tree bounds
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, HANDLING_STATUSES, Action.ASSIGN_DOWN)
        level = _check_dispatch_target(fresh, actor, area, None)
        if LEVEL_ORDER.index(level) >= LEVEL_ORDER.index(fresh.level):
            raise ValidationError(
                {"area": _("Assign down to a lower level than the incident's current one.")}
            )
        from_status, from_level = fresh.status, fresh.level
        now = timezone.now()
        fresh.status = Status.DISPATCHED
        _move_to_unit(fresh, area=area, department=None, level=level, now=now, calendar=load_calendar())
        _save(fresh)
        _event(
            fresh,
            actor=actor,
            action=Action.ASSIGN_DOWN,
            from_status=from_status,
            from_level=from_level,
            note=note,
            area=area,
        )
        _notify_users(
            handling_unit_users(fresh),
            incident=fresh,
            title=_("Incident %(code)s assigned to you") % {"code": fresh.code},
            key=f"incident:{fresh.pk}:assign:{fresh.version}",
        )
        _queue_countdown(fresh)
    return fresh


def incident_request_extension(
    *, incident: Incident, actor, amount, reason: str, unit: str = LimitUnit.WORKING_DAYS
) -> ExtensionRequest:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why more time is needed.")})
    try:
        amount = Decimal(str(amount))
    except ArithmeticError as exc:
        raise ValidationError({"amount": _("Give the extra time as a number.")}) from exc
    if amount <= 0 or amount > 60:
        raise ValidationError({"amount": _("The extra time must be more than 0 and at most 60.")})
    if unit not in LimitUnit.values:
        raise ValidationError({"unit": _("Unknown unit of time.")})
    with transaction.atomic():
        fresh = _lock(incident, actor)
        _require_handler(actor, fresh)
        _expect(fresh, HANDLING_STATUSES, Action.EXTENSION_REQUEST)
        if fresh.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
            raise ConflictError(
                _("An extension request is already waiting for a decision."), current_state=fresh.status
            )
        request = ExtensionRequest.objects.create(
            incident=fresh, requested_by=actor, amount=amount, unit=unit, reason=reason.strip()
        )
        _save(fresh)
        _event(
            fresh,
            actor=actor,
            action=Action.EXTENSION_REQUEST,
            from_status=fresh.status,
            note=f"+{amount} {LimitUnit(unit).label}: {reason}",
        )
        _notify_users(
            level_supervisors(fresh, fresh.level),
            incident=fresh,
            title=_("Extension requested for incident %(code)s") % {"code": fresh.code},
            key=f"incident:{fresh.pk}:extension:{request.pk}",
        )
    return request


def incident_decide_extension(
    *, extension: ExtensionRequest, actor, approve: bool, note: str = ""
) -> ExtensionRequest:
    _require(actor, "dispatch_incident")
    with transaction.atomic():
        fresh = _lock(extension.incident, actor)
        request = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        if request.status != ExtensionStatus.REQUESTED:
            raise ConflictError(
                _("This extension request was already %(state)s.") % {"state": request.get_status_display()},
                current_state=fresh.status,
            )
        now = timezone.now()
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        request.decided_by, request.decided_at, request.decision_note = actor, now, note
        request.save()
        if approve:
            calendar = load_calendar()
            base = fresh.handle_deadline or now
            fresh.handle_deadline = calendar.add(base, float(request.amount), request.unit)
            fresh.extension_count += 1
            if fresh.status in HANDLING_STATUSES:
                _arm(
                    fresh,
                    start=fresh.stage_started_at or now,
                    deadline=fresh.handle_deadline,
                    working=request.unit in WORKING_UNITS,
                    calendar=calendar,
                )
                if fresh.warn_at and fresh.warn_at <= now:
                    fresh.warned_at = now  # already warned for this step: no second warning
                    fresh.warn_at = None
        _save(fresh)
        _event(
            fresh,
            actor=actor,
            action=Action.EXTENSION_APPROVE if approve else Action.EXTENSION_REFUSE,
            from_status=fresh.status,
            note=note,
        )
        if request.requested_by_id:
            notify(
                recipient=request.requested_by,
                title=(
                    _("Extension approved for %(code)s") if approve else _("Extension refused for %(code)s")
                )
                % {"code": fresh.code},
                body=note,
                kind="incident",
                key=f"incident:{fresh.pk}:extension-decided:{request.pk}",
            )
    return request


def incident_supervise(
    *, incident: Incident, actor, kind: str, note: str = "", version: int | None = None
) -> SupervisionRecord:
    """督办: a notice, yellow card or red card to the handling unit."""
    _require(actor, "supervise_incident")
    if kind not in Supervision.values:
        raise ValidationError({"kind": _("Choose notice, yellow card or red card.")})
    with transaction.atomic():
        fresh = _lock(incident, actor, version=version)
        _expect(fresh, OPEN_STATUSES, Action.SUPERVISE)
        record = _supervise(fresh, actor=actor, kind=kind, note=note, automatic=False)
    return record


def _supervise(fresh: Incident, *, actor, kind: str, note: str, automatic: bool) -> SupervisionRecord:
    record = SupervisionRecord.objects.create(
        incident=fresh, kind=kind, level=fresh.level, by=actor, automatic=automatic, note=note
    )
    if kind == Supervision.YELLOW:
        fresh.yellow_card = True
    if kind == Supervision.RED:
        fresh.red_card = True
    _save(fresh)
    _event(
        fresh,
        actor=actor,
        action=Action.SUPERVISE,
        from_status=fresh.status,
        note=f"{Supervision(kind).label} {note}".strip(),
    )
    users = {u.pk: u for u in handling_unit_users(fresh)}
    users.update({u.pk: u for u in level_supervisors(fresh, fresh.level)})
    _notify_users(
        users.values(),
        incident=fresh,
        title=_("%(kind)s: incident %(code)s") % {"kind": Supervision(kind).label, "code": fresh.code},
        key=f"incident:{fresh.pk}:supervise:{record.pk}",
        sms=kind == Supervision.RED,
    )
    return record


# --- the deadline sweep ------------------------------------------------------------------------------------


def _act_when_due(incident: Incident, *, now, calendar) -> str | None:
    """Escalate (or red-card at district, or yellow-card a late verification) one claimed incident.

    The final write is a compare-and-set on (version, due_at): if anyone changed the row since it was read,
    nothing happens, so two sweeps can never act twice on the same deadline.
    """
    old_version, old_due = incident.version, incident.due_at
    outcome = None
    from_status, from_level = incident.status, incident.level
    incident.was_overdue = True
    if incident.status == Status.HANDLED or incident.status == Status.VERIFIED:
        outcome = "late_verification"
        incident.due_at = None
    elif incident.level == Level.DISTRICT:
        outcome = "red_card"
        incident.red_card = True
        incident.due_at = None
    else:
        outcome = "escalated"
        from_status, from_level = _escalate_fields(incident, now=now, calendar=calendar)
    incident.version = old_version + 1
    fields = [
        "status",
        "level",
        "handling_area",
        "handling_department",
        "escalation_count",
        "accept_deadline",
        "handle_deadline",
        "deadline",
        "stage_started_at",
        "due_at",
        "warn_at",
        "warned_at",
        "was_overdue",
        "red_card",
        "yellow_card",
        "version",
    ]
    changed = Incident.objects.filter(pk=incident.pk, version=old_version, due_at=old_due).update(
        **{name: getattr(incident, name) for name in fields}, updated_at=now
    )
    if not changed:
        return None
    if outcome == "escalated":
        _event(
            incident,
            actor=None,
            action=Action.ESCALATE,
            from_status=from_status,
            from_level=from_level,
            note=_("Deadline %(deadline)s passed.")
            % {"deadline": timezone.localtime(old_due).strftime("%Y-%m-%d %H:%M")},
            at=now,
        )
        _tell_supervisors_of_escalation(incident, from_level, reason=_("overdue"))
    else:
        kind = Supervision.RED if outcome == "red_card" else Supervision.YELLOW
        record = SupervisionRecord.objects.create(
            incident=incident, kind=kind, level=incident.level, automatic=True, note=_("overdue")
        )
        if kind == Supervision.YELLOW:
            Incident.objects.filter(pk=incident.pk).update(yellow_card=True)
            incident.yellow_card = True
        _event(
            incident,
            actor=None,
            action=Action.OVERDUE,
            from_status=from_status,
            note=f"{Supervision(kind).label}: {timezone.localtime(old_due):%Y-%m-%d %H:%M}",
            at=now,
        )
        users = {u.pk: u for u in handling_unit_users(incident)}
        users.update({u.pk: u for u in level_supervisors(incident, incident.level)})
        _notify_users(
            users.values(),
            incident=incident,
            title=_("%(kind)s: incident %(code)s is overdue")
            % {"kind": Supervision(kind).label, "code": incident.code},
            key=f"incident:{incident.pk}:overdue:{record.pk}",
            sms=kind == Supervision.RED,
        )
    return outcome


def _warn_when_due(incident: Incident, *, now) -> bool:
    old_version, old_warn = incident.version, incident.warn_at
    changed = Incident.objects.filter(pk=incident.pk, version=old_version, warn_at=old_warn).update(
        warn_at=None, warned_at=now, version=old_version + 1, updated_at=now
    )
    if not changed:
        return False
    incident.version, incident.warn_at, incident.warned_at = old_version + 1, None, now
    _event(
        incident,
        actor=None,
        action=Action.WARN,
        from_status=incident.status,
        note=_("Deadline %(deadline)s")
        % {"deadline": timezone.localtime(incident.deadline).strftime("%Y-%m-%d %H:%M")}
        if incident.deadline
        else "",
        at=now,
    )
    users = {u.pk: u for u in handling_unit_users(incident)}
    users.update({u.pk: u for u in level_supervisors(incident, incident.level)})
    _notify_users(
        users.values(),
        incident=incident,
        title=_("Yellow warning: incident %(code)s has used 70%% of its time") % {"code": incident.code},
        key=f"incident:{incident.pk}:warn:{old_warn.isoformat()}",
    )
    return True


def _claim(field: str, *, now, pk=None):
    qs = Incident.objects.filter(**{f"{field}__lte": now, "status__in": OPEN_STATUSES})
    if pk is not None:
        qs = qs.filter(pk=pk)
    return (
        qs.select_for_update(skip_locked=True, of=("self",))
        .select_related("category", "grid")
        .order_by(field, "pk")
        .first()
    )


def deadline_sweep(*, now=None, limit: int | None = None, pk=None) -> dict:
    """Act on every overdue deadline and due warning, one incident per short transaction.

    Rows another sweep holds are skipped (SKIP LOCKED) and the write is a compare-and-set, so running the
    sweep twice, concurrently, or again after a crash escalates each incident exactly once.
    """
    limit = limit or conf.sweep_batch()
    calendar = load_calendar()
    pause = conf.sweep_pause_ms() / 1000
    counts = {"escalated": 0, "red_card": 0, "late_verification": 0, "warned": 0}
    for field in ("due_at", "warn_at"):
        for _round in range(limit):
            moment = now or timezone.now()
            with transaction.atomic():
                incident = _claim(field, now=moment, pk=pk)
                if incident is None:
                    break
                if field == "due_at":
                    outcome = _act_when_due(incident, now=moment, calendar=calendar)
                else:
                    outcome = "warned" if _warn_when_due(incident, now=moment) else None
                if outcome:
                    counts[outcome] += 1
                    if field == "due_at":
                        _queue_countdown(incident)
            if pause:
                time.sleep(pause)
    return counts
