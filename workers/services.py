"""Every write of the workers app: keyword-only, validated, atomic; refusals are ValidationError (400),
ConflictError (409) or PermissionDenied (403)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core.audit import audit_record
from core.errors import ConflictError
from core.models import AuditLog
from core.pii import keyed_hash, normalise, validate_id_matches_birth_date, validate_id_number, validate_phone
from grids.choices import GRID_KINDS, TOWN_KINDS, VILLAGE_KINDS, AreaKind, GridType

from .choices import (
    CERTIFICATE_RANK,
    AdmissionStatus,
    AssignmentLevel,
    AssignmentStatus,
    CertificateLevel,
    Employment,
    Frequency,
    PoliticalStatus,
    TrainingResult,
    WorkerCategory,
    WorkerStatus,
)
from .models import (
    AdmissionItem,
    AdmissionItemEvent,
    Certificate,
    Duty,
    DutyLog,
    GridAssignment,
    ServiceRole,
    TaskAssignment,
    TrainingAttendance,
    TrainingSession,
    Worker,
    WorkloadOverride,
)

# The worker a grid of each type gets (DOMAIN §2): employment and category must agree with the grid.
GRID_TYPE_WORKER = {
    GridType.URBAN_COMMUNITY: (Employment.FULL_TIME, WorkerCategory.URBAN_COMMUNITY),
    GridType.RURAL_COMMUNITY: (Employment.FULL_TIME, WorkerCategory.RURAL_COMMUNITY),
    GridType.VILLAGE: (Employment.PART_TIME, WorkerCategory.VILLAGE),
}

WORKER_FIELDS = {
    "name",
    "gender",
    "birth_date",
    "political_status",
    "education",
    "phone",
    "id_number",
    "employment",
    "category",
    "hire_date",
    "certificate_level",
    "status",
}


# --- worker profiles -----------------------------------------------------------------------------------


def check_worker_fits_grid(*, employment: str, category: str, grid) -> None:
    """An urban-community grid gets a full-time urban-community worker, a village grid a part-time village
    worker, and so on; dedicated grids take any worker."""
    if grid is None:
        return
    if grid.kind not in GRID_KINDS:
        raise ValidationError({"grid": _("%(area)s is not a grid.") % {"area": grid.name}}, code="not_a_grid")
    expected = GRID_TYPE_WORKER.get(grid.grid_type)
    if expected is None or expected == (employment, category):
        return
    raise ValidationError(
        {
            "category": _(
                "%(grid)s is a %(grid_type)s: it needs a %(employment)s %(category)s, not a %(got_employment)s "
                "%(got_category)s."
            )
            % {
                "grid": grid.name,
                "grid_type": GridType(grid.grid_type).label,
                "employment": Employment(expected[0]).label,
                "category": WorkerCategory(expected[1]).label,
                "got_employment": Employment(employment).label
                if employment in Employment.values
                else employment,
                "got_category": WorkerCategory(category).label
                if category in WorkerCategory.values
                else category,
            }
        },
        code="category_mismatch",
    )


def validate_worker(worker: Worker) -> None:
    """All the checks on a profile, collected so the form or import shows every problem at once."""
    errors: dict[str, list] = {}

    def add(field, exc: ValidationError):
        errors.setdefault(field, []).extend(exc.error_list if hasattr(exc, "error_list") else [exc])

    worker.id_number = normalise(worker.id_number)
    worker.phone = normalise(worker.phone)
    try:
        worker.full_clean(exclude=["phone", "id_number", "grid", "user"])
    except ValidationError as exc:
        for field, items in exc.error_dict.items():
            errors.setdefault(field, []).extend(items)
    if worker.id_number:
        try:
            validate_id_number(worker.id_number)
            validate_id_matches_birth_date(worker.id_number, worker.birth_date)
        except ValidationError as exc:
            add("id_number", exc)
        else:
            duplicate = Worker.objects.filter(id_number_hash=keyed_hash(worker.id_number))
            if worker.pk:
                duplicate = duplicate.exclude(pk=worker.pk)
            if duplicate.exists():
                add(
                    "id_number",
                    ValidationError(_("A worker with this ID number already exists."), code="dup"),
                )
    try:
        validate_phone(worker.phone)
    except ValidationError as exc:
        add("phone", exc)
    if "employment" not in errors and "category" not in errors:
        try:
            check_worker_fits_grid(employment=worker.employment, category=worker.category, grid=worker.grid)
        except ValidationError as exc:
            for field, items in exc.error_dict.items():
                errors.setdefault(field, []).extend(items)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def worker_create(
    *,
    name: str,
    gender: str,
    birth_date: dt.date,
    education: str,
    employment: str,
    category: str,
    grid=None,
    political_status: str = PoliticalStatus.NON_MEMBER,
    phone: str = "",
    id_number: str = "",
    hire_date: dt.date | None = None,
    certificate_level: str = CertificateLevel.NONE,
    status: str = WorkerStatus.ACTIVE,
    user=None,
    actor=None,
) -> Worker:
    worker = Worker(
        name=name,
        gender=gender,
        birth_date=birth_date,
        education=education,
        employment=employment,
        category=category,
        grid=grid,
        political_status=political_status,
        phone=phone or "",
        id_number=id_number or "",
        hire_date=hire_date,
        certificate_level=certificate_level,
        status=status,
        user=user,
    )
    validate_worker(worker)
    worker.save()
    if grid is not None:
        GridAssignment.objects.create(
            worker=worker, grid=grid, start=hire_date or timezone.localdate(), created_by=_user_or_none(actor)
        )
    if actor is not None:
        audit_record(action=AuditLog.Action.CREATE, actor=actor, obj=worker)
    return worker


@transaction.atomic
def worker_update(*, worker: Worker, actor=None, **changes) -> Worker:
    unknown = set(changes) - WORKER_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    if changes.get("status") == WorkerStatus.LEFT:
        # Leaving is more than a status: assignments end and the sign-in is switched off.
        changes.pop("status")
        if changes:
            worker_update(worker=worker, actor=actor, **changes)
        if worker.status != WorkerStatus.LEFT:
            worker_leave(worker=worker, actor=actor)
        worker.refresh_from_db()
        return worker
    for field, value in changes.items():
        setattr(worker, field, value if value is not None or field == "hire_date" else "")
    validate_worker(worker)
    worker.save()
    if actor is not None:
        audit_record(action=AuditLog.Action.UPDATE, actor=actor, obj=worker)
    return worker


@transaction.atomic
def worker_assign_grid(*, worker: Worker, grid, start: dt.date | None = None, actor=None) -> GridAssignment:
    """Move the worker to `grid` from `start` on: the open assignment is closed the day before."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    start = start or timezone.localdate()
    if grid is None:
        raise ValidationError({"grid": _("Choose a grid.")})
    check_worker_fits_grid(employment=worker.employment, category=worker.category, grid=grid)
    current = worker.grid_assignments.filter(end__isnull=True).first()
    if current is not None:
        if current.grid_id == grid.pk:
            raise ConflictError(_("The worker already holds this grid."), current_state=grid.code)
        if start < current.start:
            raise ValidationError(
                {
                    "start": _("The new assignment cannot start before the current one (%(d)s).")
                    % {"d": current.start}
                }
            )
        if start == current.start:
            current.delete()  # a same-day correction replaces the open row instead of leaving a zero-day one
        else:
            current.end = start - dt.timedelta(days=1)
            current.save(update_fields=["end"])
    assignment = GridAssignment.objects.create(
        worker=worker, grid=grid, start=start, created_by=_user_or_none(actor)
    )
    worker.grid = grid
    worker.save(update_fields=["grid", "updated_at"])
    if worker.user_id:
        user = worker.user
        user.jurisdiction = grid
        user.save(update_fields=["jurisdiction"])
    return assignment


@transaction.atomic
def worker_leave(*, worker: Worker, on: dt.date | None = None, actor=None) -> Worker:
    """The worker leaves: grid assignment and open task assignments end, the sign-in is switched off."""
    on = on or timezone.localdate()
    updated = (
        Worker.objects.filter(pk=worker.pk).exclude(status=WorkerStatus.LEFT).update(status=WorkerStatus.LEFT)
    )
    if not updated:
        raise ConflictError(_("The worker has already left."), current_state=WorkerStatus.LEFT)
    worker.refresh_from_db()
    worker.grid_assignments.filter(end__isnull=True).update(end=on)
    worker.task_assignments.filter(status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.ENDED, end_date=on
    )
    if worker.user_id:
        worker.user.is_active = False
        worker.user.save(update_fields=["is_active"])
    if actor is not None:
        audit_record(action=AuditLog.Action.UPDATE, actor=actor, obj=worker, reason="left")
    return worker


@transaction.atomic
def worker_create_login(*, worker: Worker, username: str, password: str | None = None):
    """The worker's sign-in: role grid worker, jurisdiction their grid (unusable password unless given)."""
    from accounts.services import user_create

    if worker.user_id:
        raise ConflictError(_("This worker already has a sign-in."), current_state=worker.user.username)
    if worker.grid is None:
        raise ValidationError({"grid": _("Assign the worker to a grid before creating a sign-in.")})
    user = user_create(
        username=username,
        role=Role.GRID_WORKER,
        jurisdiction=worker.grid,
        password=password,
        display_name=worker.name,
    )
    worker.user = user
    worker.save(update_fields=["user", "updated_at"])
    return user


def _user_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- duty logs -------------------------------------------------------------------------------------------


def _grid_within(grid_id, root_id) -> bool:
    """Read from the database: tree columns held in memory go stale when the tree changes."""
    from grids.models import Area

    nodes = {a.pk: a for a in Area.objects.filter(pk__in=[grid_id, root_id]).only("tree_id", "lft", "rght")}
    node, root = nodes[grid_id], nodes[root_id]
    return node.tree_id == root.tree_id and root.lft <= node.lft and node.rght <= root.rght


@transaction.atomic
def duty_log_create(
    *,
    worker: Worker,
    duty: Duty,
    grid=None,
    occurred_at: dt.datetime | None = None,
    place: str = "",
    note: str = "",
    incident=None,
    resident=None,
    actor=None,
) -> DutyLog:
    """Record one piece of work; the role is the duty's. The grid is the worker's own (or one below it)."""
    if actor is not None and getattr(actor, "role", None) == Role.GRID_WORKER and not actor.is_superuser:
        if getattr(actor, "worker", None) is None or actor.worker.pk != worker.pk:
            raise PermissionDenied(_("A grid worker records only their own work."))
    if worker.status == WorkerStatus.LEFT:
        raise ValidationError({"worker": _("%(w)s has left and cannot record work.") % {"w": worker.name}})
    grid = grid or worker.grid
    if grid is None:
        raise ValidationError({"grid": _("The worker holds no grid: choose the grid the work was done in.")})
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("The time of the work cannot be in the future.")})
    if worker.grid_id is not None and not _grid_within(grid.pk, worker.grid_id):
        held = GridAssignment.objects.filter(
            worker=worker, grid=grid, start__lte=timezone.localdate(occurred_at)
        )
        held = held.exclude(end__lt=timezone.localdate(occurred_at))
        if not held.exists():
            raise ValidationError(
                {"grid": _("%(grid)s is not %(worker)s's grid.") % {"grid": grid.name, "worker": worker.name}}
            )
    log = DutyLog(
        worker=worker,
        duty=duty,
        role_id=duty.role_id,
        grid=grid,
        occurred_at=occurred_at,
        place=place or "",
        note=note or "",
        recorded_by=_user_or_none(actor),
    )
    # The incident and resident links exist once those apps are installed (added by a later migration).
    for field, value in (("incident", incident), ("resident", resident)):
        if value is not None:
            if not any(f.name == field for f in DutyLog._meta.get_fields()):
                raise ValidationError({field: _("Links to this kind of record are not available.")})
            setattr(log, field, value)
    log.full_clean(exclude=["worker", "duty", "role", "grid", "recorded_by"])
    log.save()
    return log


# --- task admission list -------------------------------------------------------------------------------


@transaction.atomic
def admission_item_propose(
    *,
    department,
    title: str,
    role: ServiceRole,
    duty: Duty,
    minutes_per_occurrence: int,
    frequency: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    is_temporary: bool = False,
    occurrences_per_period: int = 1,
    description: str = "",
    actor=None,
) -> AdmissionItem:
    """A department applies for an item of work to be put on the list (status proposed)."""
    errors = {}
    if duty.role_id != role.pk:
        errors["duty"] = _("Duty “%(duty)s” is counted under the %(right)s, not the %(wrong)s.") % {
            "duty": duty.name,
            "right": duty.role.name,
            "wrong": role.name,
        }
    if is_temporary and valid_until is None:
        errors["valid_until"] = _("A temporary item needs an end date: it expires by itself on that date.")
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("The end date is before the start date.")
    if not minutes_per_occurrence or minutes_per_occurrence < 1:
        errors["minutes_per_occurrence"] = _("Give the expected minutes per occurrence (at least 1).")
    if frequency not in Frequency.values:
        errors["frequency"] = _("Unknown frequency.")
    if errors:
        raise ValidationError(errors)
    item = AdmissionItem(
        department=department,
        title=title,
        description=description,
        role=role,
        duty=duty,
        minutes_per_occurrence=minutes_per_occurrence,
        frequency=frequency,
        occurrences_per_period=occurrences_per_period,
        valid_from=valid_from,
        valid_until=valid_until,
        is_temporary=is_temporary,
        proposed_by=_user_or_none(actor),
    )
    item.full_clean()
    item.save()
    AdmissionItemEvent.objects.create(item=item, status=AdmissionStatus.PROPOSED, actor=_user_or_none(actor))
    return item


def _transition(*, item: AdmissionItem, allowed_from: set[str], to: str, actor, note: str = "", **stamps):
    """Compare-and-set: only a row still in an allowed state moves, so two clicks change it once."""
    updated = AdmissionItem.objects.filter(pk=item.pk, status__in=allowed_from).update(
        status=to, updated_at=timezone.now(), **stamps
    )
    if not updated:
        current = AdmissionItem.objects.filter(pk=item.pk).values_list("status", flat=True).first()
        raise ConflictError(
            _("This item is %(current)s and cannot become %(to)s.")
            % {
                "current": AdmissionStatus(current).label if current else "?",
                "to": AdmissionStatus(to).label,
            },
            current_state=current,
        )
    AdmissionItemEvent.objects.create(item=item, status=to, actor=_user_or_none(actor), note=note)
    item.refresh_from_db()
    return item


@transaction.atomic
def admission_item_approve(*, item: AdmissionItem, actor=None, note: str = "") -> AdmissionItem:
    return _transition(
        item=item,
        allowed_from={AdmissionStatus.PROPOSED},
        to=AdmissionStatus.APPROVED,
        actor=actor,
        note=note,
        approved_at=timezone.now(),
    )


@transaction.atomic
def admission_item_publish(*, item: AdmissionItem, actor=None, note: str = "") -> AdmissionItem:
    if item.valid_until is not None and item.valid_until < timezone.localdate():
        raise ValidationError(
            {"valid_until": _("The item's validity has already ended: it cannot be published.")}
        )
    return _transition(
        item=item,
        allowed_from={AdmissionStatus.APPROVED},
        to=AdmissionStatus.PUBLISHED,
        actor=actor,
        note=note,
        published_at=timezone.now(),
    )


def _end_assignments_of(item: AdmissionItem, on: dt.date) -> int:
    """End the item's active assignments on `on`; one that had not started yet ends the day before its start,
    so it never counts."""
    active = TaskAssignment.objects.filter(item=item, status=AssignmentStatus.ACTIVE)
    active.filter(start_date__gt=on).update(
        status=AssignmentStatus.ENDED, end_date=F("start_date") - dt.timedelta(days=1)
    )
    running_past = active.filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
    running_past.update(status=AssignmentStatus.ENDED, end_date=on)
    return active.update(status=AssignmentStatus.ENDED)


@transaction.atomic
def admission_item_revoke(*, item: AdmissionItem, actor=None, reason: str = "") -> AdmissionItem:
    """Take an item off the list; its assignments end today."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the item.")})
    item = _transition(
        item=item,
        allowed_from={AdmissionStatus.PROPOSED, AdmissionStatus.APPROVED, AdmissionStatus.PUBLISHED},
        to=AdmissionStatus.REVOKED,
        actor=actor,
        note=reason,
        revoked_at=timezone.now(),
    )
    _end_assignments_of(item, timezone.localdate())
    return item


def admission_items_expire_due(*, today: dt.date | None = None) -> int:
    """Temporary items whose end date has passed expire by themselves (the beat task runs this).

    Each row is claimed with a conditional update, so a second or concurrent run expires nothing more.
    """
    today = today or timezone.localdate()
    expired = 0
    due = AdmissionItem.objects.filter(
        status=AdmissionStatus.PUBLISHED, is_temporary=True, valid_until__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            claimed = AdmissionItem.objects.filter(pk=pk, status=AdmissionStatus.PUBLISHED).update(
                status=AdmissionStatus.EXPIRED, expired_at=timezone.now(), updated_at=timezone.now()
            )
            if not claimed:
                continue
            item = AdmissionItem.objects.get(pk=pk)
            AdmissionItemEvent.objects.create(
                item=item, status=AdmissionStatus.EXPIRED, note=_("Expired at its end date.")
            )
            _end_assignments_of(item, item.valid_until)
            expired += 1
    return expired


# --- task assignments and workload -----------------------------------------------------------------------


def assignment_level_of(user) -> str:
    node = getattr(user, "jurisdiction", None)
    if node is None or node.kind == AreaKind.DISTRICT:
        return AssignmentLevel.DISTRICT
    if node.kind in TOWN_KINDS:
        return AssignmentLevel.TOWN
    if node.kind in VILLAGE_KINDS:
        return AssignmentLevel.VILLAGE
    return AssignmentLevel.GRID


def not_admitted(item: AdmissionItem, why: str) -> ValidationError:
    message = _(
        "“%(title)s” is not admitted: %(why)s Work can be assigned only from a published item of the task "
        "admission list."
    ) % {"title": item.title, "why": why}
    return ValidationError({"item": ValidationError(message, code="not_admitted")})


@transaction.atomic
def task_assign(
    *,
    item: AdmissionItem,
    worker: Worker,
    actor,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    note: str = "",
    department=None,
    override_reason: str = "",
) -> TaskAssignment:
    """Give work to a worker from a published admission item, within the weekly cap unless overridden."""
    from .selectors import cap_for, week_start_of, workload_peak

    item = AdmissionItem.objects.select_for_update().get(pk=item.pk)
    # Concurrent assignments to one worker are serialised on the worker row, so the cap holds.
    worker = Worker.objects.select_for_update(of=("self",)).select_related("grid").get(pk=worker.pk)
    start_date = start_date or timezone.localdate()
    if item.status != AdmissionStatus.PUBLISHED:
        raise not_admitted(item, _("its status is %(s)s.") % {"s": AdmissionStatus(item.status).label})
    if not item.is_valid_on(start_date):
        raise not_admitted(
            item,
            _("it is valid from %(a)s to %(b)s, not on %(d)s.")
            % {"a": item.valid_from, "b": item.valid_until or "…", "d": start_date},
        )
    if item.valid_until is not None and (end_date is None or end_date > item.valid_until):
        end_date = item.valid_until
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("The end date is before the start date.")})
    if worker.status != WorkerStatus.ACTIVE or worker.grid is None:
        raise ValidationError({"worker": _("%(w)s is not in post on a grid.") % {"w": worker.name}})

    cap = cap_for(worker)
    week, current = workload_peak(worker=worker, start=start_date, end=end_date)
    total = current + item.weekly_minutes
    override_reason = (override_reason or "").strip()
    if total > cap:
        if not override_reason:
            raise ValidationError(
                {
                    "worker": ValidationError(
                        _(
                            "%(w)s's workload in the week of %(week)s would be %(total)d minutes, above the cap of "
                            "%(cap)d for %(employment)s workers. An authorised user may override with a reason."
                        )
                        % {
                            "w": worker.name,
                            "week": week,
                            "total": total,
                            "cap": cap,
                            "employment": Employment(worker.employment).label,
                        },
                        code="over_cap",
                    )
                }
            )
        if actor is None or not actor.has_perm("workers.override_workload"):
            raise PermissionDenied(_("You may not assign work above the weekly cap."))
    assignment = TaskAssignment.objects.create(
        item=item,
        worker=worker,
        grid=worker.grid,
        assigned_by=_user_or_none(actor),
        assigned_level=assignment_level_of(actor),
        department=department or getattr(actor, "department", None) or item.department,
        start_date=start_date,
        end_date=end_date,
        weekly_minutes=item.weekly_minutes,
        note=note,
    )
    if total > cap:
        WorkloadOverride.objects.create(
            assignment=assignment,
            authorised_by=actor,
            reason=override_reason,
            week_start=week or week_start_of(start_date),
            workload_minutes=total,
            cap_minutes=cap,
        )
    return assignment


@transaction.atomic
def task_assignment_end(
    *, assignment: TaskAssignment, end_date: dt.date | None = None, actor=None
) -> TaskAssignment:
    end_date = end_date or timezone.localdate()
    if end_date < assignment.start_date:
        end_date = assignment.start_date
    updated = TaskAssignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.ENDED, end_date=end_date
    )
    if not updated:
        raise ConflictError(_("This assignment has already ended."), current_state=AssignmentStatus.ENDED)
    assignment.refresh_from_db()
    return assignment


# --- training and certificates --------------------------------------------------------------------------


@transaction.atomic
def training_session_create(
    *,
    topic: str,
    title: str,
    held_on: dt.date,
    area=None,
    hours=2,
    place: str = "",
    organiser: str = "",
    actor=None,
) -> TrainingSession:
    session = TrainingSession(
        topic=topic, title=title, held_on=held_on, area=area, hours=hours, place=place, organiser=organiser
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def training_attendance_record(
    *,
    session: TrainingSession,
    worker: Worker,
    attended: bool = True,
    result: str = TrainingResult.PENDING,
    score=None,
    note: str = "",
    actor=None,
) -> TrainingAttendance:
    """Record (or correct) one worker's attendance and result; absent workers have no passing result."""
    if not attended and result in (TrainingResult.PASSED, TrainingResult.EXCELLENT):
        raise ValidationError({"result": _("A worker who did not attend cannot have passed.")})
    attendance, _created = TrainingAttendance.objects.update_or_create(
        session=session,
        worker=worker,
        defaults={"attended": attended, "result": result, "score": score, "note": note},
    )
    attendance.full_clean()
    return attendance


@transaction.atomic
def certificate_record(
    *, worker: Worker, level: str, issued_on: dt.date, number: str = "", issuer: str = "", actor=None
) -> Certificate:
    """Record a certificate; the worker's level rises to it if it is higher."""
    if level == CertificateLevel.NONE or level not in CertificateLevel.values:
        raise ValidationError({"level": _("Choose the certificate level.")})
    certificate = Certificate(worker=worker, level=level, issued_on=issued_on, number=number, issuer=issuer)
    certificate.full_clean()
    certificate.save()
    if CERTIFICATE_RANK[level] > CERTIFICATE_RANK[CertificateLevel(worker.certificate_level)]:
        worker.certificate_level = level
        worker.save(update_fields=["certificate_level", "updated_at"])
    return certificate
