"""Every write to the registry: keyword-only, validated in full, atomic."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError
from core.pii import keyed_hash

from . import conf
from .choices import GroupCategory, GroupType, Relation, VisitMethod, group_category
from .models import Building, GroupMembership, House, Household, Organisation, Resident, Visit

RESIDENT_FIELDS = {
    "grid",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number",
    "phone",
    "residence_type",
    "household",
    "relation_to_head",
    "address",
    "registered_address",
    "moved_in_on",
    "status",
    "note",
}
HOUSEHOLD_FIELDS = {"grid", "number", "address", "residence_type", "house", "note"}
BUILDING_FIELDS = {"grid", "name", "address", "kind", "floors", "longitude", "latitude"}
HOUSE_FIELDS = {"grid", "building", "number", "address", "owner", "owner_name", "floor_area_m2", "is_rented"}
ORGANISATION_FIELDS = {
    "grid",
    "name",
    "kind",
    "credit_code",
    "address",
    "contact_name",
    "contact_phone",
    "employees",
    "building",
}


def _check_fields(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})


def _save(obj, data: dict, allowed: set[str]):
    _check_fields(data, allowed)
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def resident_find_by_id_number(id_number: str) -> Resident | None:
    """The one resident with this ID number, found through the keyed hash (whoever asks)."""
    digest = keyed_hash(id_number)
    return Resident.objects.filter(id_number_hash=digest).first() if digest else None


@transaction.atomic
def resident_create(**data) -> Resident:
    resident = _save(Resident(), data, RESIDENT_FIELDS)
    if resident.household_id and resident.relation_to_head == Relation.HEAD:
        _make_head(resident.household, resident)
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, **data) -> Resident:
    previous_household = resident.household_id
    resident = _save(resident, data, RESIDENT_FIELDS)
    if previous_household and previous_household != resident.household_id:
        Household.objects.filter(pk=previous_household, head=resident).update(head=None)
    if resident.household_id and resident.relation_to_head == Relation.HEAD:
        _make_head(resident.household, resident)
    return resident


def _make_head(household: Household, resident: Resident) -> None:
    old = household.head_id
    if old and old != resident.pk:
        Resident.objects.filter(pk=old, relation_to_head=Relation.HEAD).update(
            relation_to_head=Relation.OTHER
        )
    if old != resident.pk:
        household.head = resident
        household.save(update_fields=["head", "updated_at"])


@transaction.atomic
def household_create(
    *, members: list[Resident] | None = None, head: Resident | None = None, **data
) -> Household:
    household = _save(Household(), data, HOUSEHOLD_FIELDS)
    for member in members or []:
        household_add_member(household=household, resident=member)
    if head is not None:
        household_set_head(household=household, resident=head)
    return household


@transaction.atomic
def household_update(*, household: Household, **data) -> Household:
    if "grid" in data and data["grid"] != household.grid and household.members.exists():
        raise ValidationError(
            {"grid": _("Move the members first: a household and its members live in the same grid.")}
        )
    return _save(household, data, HOUSEHOLD_FIELDS)


@transaction.atomic
def household_add_member(*, household: Household, resident: Resident, relation: str = "") -> Resident:
    if resident.grid_id != household.grid_id:
        raise ValidationError({"household": _("A household member lives in the household's grid.")})
    if resident.household_id and resident.household_id != household.pk:
        Household.objects.filter(pk=resident.household_id, head=resident).update(head=None)
    resident.household = household
    if relation:
        resident.relation_to_head = relation
    resident.save(update_fields=["household", "relation_to_head", "updated_at"])
    if resident.relation_to_head == Relation.HEAD:
        _make_head(household, resident)
    return resident


@transaction.atomic
def household_remove_member(*, household: Household, resident: Resident) -> Resident:
    if resident.household_id != household.pk:
        raise ValidationError({"resident": _("This person is not a member of the household.")})
    if household.head_id == resident.pk:
        household.head = None
        household.save(update_fields=["head", "updated_at"])
    resident.household = None
    resident.relation_to_head = ""
    resident.save(update_fields=["household", "relation_to_head", "updated_at"])
    return resident


@transaction.atomic
def household_set_head(*, household: Household, resident: Resident) -> Household:
    if resident.household_id != household.pk:
        raise ValidationError({"head": _("The head of household must be one of its members.")})
    resident.relation_to_head = Relation.HEAD
    resident.save(update_fields=["relation_to_head", "updated_at"])
    _make_head(household, resident)
    return household


@transaction.atomic
def building_create(**data) -> Building:
    return _save(Building(), data, BUILDING_FIELDS)


@transaction.atomic
def building_update(*, building: Building, **data) -> Building:
    return _save(building, data, BUILDING_FIELDS)


@transaction.atomic
def house_create(*, tenants: list[Resident] | None = None, **data) -> House:
    house = _save(House(), data, HOUSE_FIELDS)
    if tenants:
        house_set_tenants(house=house, tenants=tenants)
    return house


@transaction.atomic
def house_update(*, house: House, tenants: list[Resident] | None = None, **data) -> House:
    house = _save(house, data, HOUSE_FIELDS)
    if tenants is not None:
        house_set_tenants(house=house, tenants=tenants)
    return house


@transaction.atomic
def house_set_tenants(*, house: House, tenants: list[Resident]) -> House:
    """Tenants live in rented housing: listing them flags the house as rented."""
    if tenants and not house.is_rented:
        house.is_rented = True
        house.save(update_fields=["is_rented", "updated_at"])
    house.tenants.set(tenants)
    return house


@transaction.atomic
def organisation_create(**data) -> Organisation:
    return _save(Organisation(), data, ORGANISATION_FIELDS)


@transaction.atomic
def organisation_update(*, organisation: Organisation, **data) -> Organisation:
    return _save(organisation, data, ORGANISATION_FIELDS)


# --- special and care groups, visits ----------------------------------------------------------------------


def _in_subtree(node, root) -> bool:
    return node.tree_id == root.tree_id and root.lft <= node.lft and node.rght <= root.rght


def check_responsible(worker, resident: Resident) -> None:
    from workers.choices import WorkerStatus

    if worker.status == WorkerStatus.LEFT:
        raise ValidationError({"responsible": _("%(w)s has left.") % {"w": worker.name}})
    if worker.grid is None or not _in_subtree(resident.grid, worker.grid):
        raise ValidationError(
            {
                "responsible": _("%(w)s does not serve %(grid)s, where %(r)s lives.")
                % {"w": worker.name, "grid": resident.grid.name, "r": resident.name}
            }
        )


def _last_visit_day(membership: GroupMembership) -> dt.date | None:
    if membership.pk is None:
        return None
    last = membership.visits.order_by("-visited_at").values_list("visited_at", flat=True).first()
    return timezone.localdate(last) if last else None


def _schedule_next(membership: GroupMembership) -> None:
    """The next visit is due one interval after the last visit (or after the start, before any visit)."""
    base = _last_visit_day(membership) or membership.start_date
    membership.next_visit_due = base + dt.timedelta(days=membership.visit_interval_days)


@transaction.atomic
def membership_create(
    *,
    resident: Resident,
    group_type: str,
    responsible,
    start_date: dt.date | None = None,
    visit_interval_days: int | None = None,
    note: str = "",
) -> GroupMembership:
    membership = membership_build(
        resident=resident,
        group_type=group_type,
        responsible=responsible,
        start_date=start_date,
        visit_interval_days=visit_interval_days,
        note=note,
    )
    membership.save()
    return membership


def membership_build(
    *,
    resident: Resident,
    group_type: str,
    responsible,
    start_date: dt.date | None = None,
    visit_interval_days: int | None = None,
    note: str = "",
) -> GroupMembership:
    """A validated, unsaved membership: what membership_create saves (forms use it to check first)."""
    if group_type not in GroupType.values:
        raise ValidationError({"group_type": _("Unknown group.")})
    check_responsible(responsible, resident)
    membership = GroupMembership(
        resident=resident,
        group_type=group_type,
        category=group_category(group_type),
        responsible=responsible,
        start_date=start_date or timezone.localdate(),
        visit_interval_days=visit_interval_days or conf.default_visit_interval(group_type),
        note=note,
    )
    _schedule_next(membership)
    membership.full_clean()
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: GroupMembership,
    responsible=None,
    visit_interval_days: int | None = None,
    note: str | None = None,
) -> GroupMembership:
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_open:
        raise ConflictError(_("This membership has ended."), current_state="ended")
    if responsible is not None:
        check_responsible(responsible, membership.resident)
        membership.responsible = responsible
    if visit_interval_days is not None:
        membership.visit_interval_days = visit_interval_days
        _schedule_next(membership)
    if note is not None:
        membership.note = note
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_end(
    *, membership: GroupMembership, end_date: dt.date | None = None, reason: str = ""
) -> GroupMembership:
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_open:
        raise ConflictError(_("This membership has already ended."), current_state="ended")
    end_date = end_date or timezone.localdate()
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _("A membership cannot end before it starts.")})
    membership.end_date = end_date
    membership.end_reason = reason
    membership.next_visit_due = None
    membership.save(update_fields=["end_date", "end_reason", "next_visit_due", "updated_at"])
    return membership


def visit_duty(membership: GroupMembership):
    """Special groups are duty 5, care groups duty 8; both are counted under the service role."""
    from workers.models import Duty

    return Duty.objects.select_related("role").get(
        code="special_groups" if membership.category == GroupCategory.SPECIAL else "livelihood"
    )


@transaction.atomic
def visit_record(
    *,
    membership: GroupMembership,
    worker=None,
    visited_at: dt.datetime | None = None,
    method: str = VisitMethod.HOME,
    finding: str = "",
    needs_follow_up: bool = False,
    actor=None,
) -> Visit:
    """Record a visit: a duty log of the service role, then the visit, then the next due date."""
    from workers.services import duty_log_create

    membership = (
        GroupMembership.objects.select_for_update().select_related("resident__grid").get(pk=membership.pk)
    )
    if not membership.is_open:
        raise ConflictError(_("This membership has ended: no more visits are due."), current_state="ended")
    worker = worker or membership.responsible
    visited_at = visited_at or timezone.now()
    if timezone.localdate(visited_at) < membership.start_date:
        raise ValidationError({"visited_at": _("The visit is before the membership started.")})
    if method not in VisitMethod.values:
        raise ValidationError({"method": _("Unknown way of visiting.")})
    resident = membership.resident
    log = duty_log_create(
        worker=worker,
        duty=visit_duty(membership),
        grid=resident.grid,
        occurred_at=visited_at,
        place=resident.address,
        note=f"{membership.get_group_type_display()}：{resident.name}。{finding}".strip(),
        actor=actor,
        resident=resident,
    )
    visit = Visit.objects.create(
        membership=membership,
        duty_log=log,
        worker=worker,
        visited_at=visited_at,
        method=method,
        due_date=membership.next_visit_due,
        finding=finding,
        needs_follow_up=needs_follow_up,
    )
    _schedule_next(membership)
    membership.save(update_fields=["next_visit_due", "updated_at"])
    return visit


def _village_staff_for(grid):
    """Village staff whose jurisdiction covers the grid; the town sub-centre when the village has none."""
    from accounts.models import Role, User

    covering = User.objects.filter(
        is_active=True,
        jurisdiction__tree_id=grid.tree_id,
        jurisdiction__lft__lte=grid.lft,
        jurisdiction__rght__gte=grid.rght,
    )
    staff = list(covering.filter(role=Role.VILLAGE_STAFF))
    return staff or list(covering.filter(role=Role.TOWN_STAFF))


def visit_reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind responsible workers of visits due soon and tell village staff of visits overdue, once per visit.

    Each membership is claimed with a compare-and-set update on the due date it is reminded for, so running
    the sweep twice, or two sweeps at once, sends nothing twice; the notification keys hold the same line.
    """
    from core.notifications import notify

    today = today or timezone.localdate()
    sent = {"due": 0, "overdue": 0}
    open_memberships = GroupMembership.objects.filter(end_date__isnull=True, next_visit_due__isnull=False)

    due = open_memberships.filter(
        next_visit_due__lte=today + dt.timedelta(days=conf.VISIT_DUE_LEAD_DAYS)
    ).exclude(due_reminded_for=F("next_visit_due"))
    for membership in due.select_related("resident__grid", "responsible__user").iterator(chunk_size=500):
        if membership.responsible.user is None:
            continue  # no sign-in yet: left unclaimed, so the reminder goes out once the worker has one
        with transaction.atomic():
            claimed = (
                GroupMembership.objects.filter(pk=membership.pk, next_visit_due=membership.next_visit_due)
                .exclude(due_reminded_for=membership.next_visit_due)
                .update(due_reminded_for=membership.next_visit_due)
            )
            if not claimed:
                continue
            recipient = membership.responsible.user
            note = notify(
                recipient=recipient,
                kind="registry.visit_due",
                key=f"registry.visit-due:{membership.pk}:{membership.next_visit_due:%Y-%m-%d}",
                title=_("Visit due: %(name)s (%(group)s) by %(date)s")
                % {
                    "name": membership.resident.name,
                    "group": membership.get_group_type_display(),
                    "date": f"{membership.next_visit_due:%Y-%m-%d}",
                },
                body=_("%(grid)s · %(address)s")
                % {"grid": membership.resident.grid.name, "address": membership.resident.address},
                url=reverse("registry:membership-detail", args=[membership.pk]),
            )
            sent["due"] += note is not None

    overdue = open_memberships.filter(next_visit_due__lt=today).exclude(
        overdue_reported_for=F("next_visit_due")
    )
    for membership in overdue.select_related("resident__grid", "responsible").iterator(chunk_size=500):
        recipients = _village_staff_for(membership.resident.grid)
        if not recipients:
            continue  # nobody to tell yet: left unclaimed, so staff added later still hear of it
        with transaction.atomic():
            claimed = (
                GroupMembership.objects.filter(pk=membership.pk, next_visit_due=membership.next_visit_due)
                .exclude(overdue_reported_for=membership.next_visit_due)
                .update(overdue_reported_for=membership.next_visit_due)
            )
            if not claimed:
                continue
            days = (today - membership.next_visit_due).days
            for recipient in recipients:
                note = notify(
                    recipient=recipient,
                    kind="registry.visit_overdue",
                    key=f"registry.visit-overdue:{membership.pk}:{membership.next_visit_due:%Y-%m-%d}",
                    title=_("Visit overdue by %(days)d day(s): %(name)s (%(group)s)")
                    % {
                        "days": days,
                        "name": membership.resident.name,
                        "group": membership.get_group_type_display(),
                    },
                    body=_("Due %(date)s; responsible worker %(worker)s; %(grid)s.")
                    % {
                        "date": f"{membership.next_visit_due:%Y-%m-%d}",
                        "worker": membership.responsible.name,
                        "grid": membership.resident.grid.name,
                    },
                    url=reverse("registry:membership-detail", args=[membership.pk]),
                )
                sent["overdue"] += note is not None
    return sent
