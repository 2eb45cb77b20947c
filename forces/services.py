"""Every write of the forces app: members, grid leaders, plans, activations, mobilisation, rosters, tasks."""

import datetime as dt
import zlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import DISTRICT_ROLES, Role
from core.errors import ConflictError
from core.notifications import notify
from core.pii import validate_phone
from core.scoping import subtree_filter, user_sees_all
from core.sms import send_sms
from grids import services as grid_services
from grids.choices import GRID_KINDS, TOWN_KINDS, VILLAGE_KINDS, AreaKind, GridType
from grids.models import Area

from . import conf
from .choices import (
    DEPARTMENT_SUBTYPES,
    KIND_OF_SUBTYPE,
    ActivationStatus,
    EmergencyType,
    ForceKind,
    ForceSubtype,
    MemberStatus,
    TaskStatus,
)
from .models import (
    Activation,
    ActivationTask,
    DutyShift,
    EmergencyPlan,
    ForceMember,
    GridLeader,
    Mobilisation,
    PlanAttachment,
)

MEMBER_FIELDS = {
    "name",
    "subtype",
    "organisation",
    "department",
    "phone",
    "area",
    "user",
    "note",
    "ref",
}
ACTIVATING_ROLES = DISTRICT_ROLES | {Role.TOWN_STAFF}
REVIEWING_ROLES = DISTRICT_ROLES | {Role.TOWN_STAFF, Role.VILLAGE_STAFF}


# --- helpers ---------------------------------------------------------------------------------------------


def in_scope(user, area: Area) -> bool:
    if user is None:
        return True  # system actions (seed, tasks)
    if user_sees_all(user):
        return True
    if user.jurisdiction_id is None:
        return False
    # Both nodes are read afresh: tree columns held in memory go stale as soon as the tree changes.
    rows = {
        pk: (tree_id, lft, rght)
        for pk, tree_id, lft, rght in Area.objects.filter(pk__in=[user.jurisdiction_id, area.pk]).values_list(
            "pk", "tree_id", "lft", "rght"
        )
    }
    node, target = rows.get(user.jurisdiction_id), rows.get(area.pk)
    return bool(node and target and node[0] == target[0] and node[1] <= target[1] and target[2] <= node[2])


def _require_scope(user, area: Area) -> None:
    if not in_scope(user, area):
        raise PermissionDenied(_("%(area)s is outside your jurisdiction.") % {"area": area.name})


def _ancestor_of_kind(area: Area, kinds) -> Area | None:
    if area.kind in kinds:
        return area
    return area.get_ancestors().filter(kind__in=kinds).order_by("-level").first()


def _within(area: Area, root: Area) -> bool:
    return area.tree_id == root.tree_id and root.lft <= area.lft and area.rght <= root.rght


def _lock(name: str) -> None:
    """A transaction-level advisory lock: serialises check-then-insert sections across processes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"enyang_grid.forces.{name}".encode())]
            )


# --- members ---------------------------------------------------------------------------------------------


def check_member(member: ForceMember) -> None:
    errors: dict[str, str] = {}
    expected_kind = KIND_OF_SUBTYPE.get(member.subtype)
    if expected_kind is None:
        errors["subtype"] = _("Choose a sub-type.")
    elif member.kind and member.kind != expected_kind:
        errors["subtype"] = _("A %(subtype)s belongs to the %(expected)s, not the %(kind)s.") % {
            "subtype": ForceSubtype(member.subtype).label,
            "expected": ForceKind(expected_kind).label,
            "kind": ForceKind(member.kind).label,
        }
    else:
        member.kind = expected_kind
    if not (member.name or "").strip():
        errors["name"] = _("Enter the member's name.")
    if not member.phone:
        errors["phone"] = _("Enter a contact phone: mobilisation is sent by SMS.")
    else:
        try:
            validate_phone(member.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if member.subtype in DEPARTMENT_SUBTYPES and member.department_id is None:
        errors["department"] = _("Staff sent by a district department must name their department.")
    area = member.area if member.area_id else None
    if area is None:
        errors["area"] = _("Choose the node this member is attached to.")
    elif member.kind == ForceKind.EMBEDDED and not (
        area.kind == AreaKind.GRID_L1 and area.grid_type == GridType.URBAN_COMMUNITY
    ):
        errors["area"] = _(
            "Embedded department staff attach to urban-community level-1 grids; %(area)s is a %(kind)s."
        ) % {"area": area.name, "kind": area.get_kind_display()}
    elif member.kind == ForceKind.SOCIAL and area.kind not in GRID_KINDS:
        errors["area"] = _("Social-force members attach to the grid where they are.")
    elif member.kind == ForceKind.EMERGENCY and area.kind not in GRID_KINDS | VILLAGE_KINDS:
        errors["area"] = _("Emergency members attach to a village, a community or a grid.")
    elif (
        member.subtype == ForceSubtype.TOWN_CADRE and area.kind not in TOWN_KINDS | VILLAGE_KINDS | GRID_KINDS
    ):
        errors["area"] = _("A town cadre attaches to a town, a village they link to, or a grid.")
    elif member.subtype in (ForceSubtype.VILLAGE_CADRE, ForceSubtype.GROUP_LEADER) and (
        area.kind not in VILLAGE_KINDS | GRID_KINDS
    ):
        errors["area"] = _("A village cadre or group leader attaches to a village, a community or a grid.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_create(
    *,
    name: str,
    subtype: str,
    area: Area,
    phone: str,
    kind: str = "",
    organisation: str = "",
    department=None,
    extra_areas: Iterable[Area] = (),
    user=None,
    note: str = "",
    ref: str = "",
    status: str = MemberStatus.ACTIVE,
    self_registered: bool = False,
    actor=None,
) -> ForceMember:
    if area is not None:
        _require_scope(actor, area)
    member = ForceMember(
        name=name.strip(),
        kind=kind,
        subtype=subtype,
        area=area,
        phone=phone,
        organisation=organisation,
        department=department,
        user=user,
        note=note,
        ref=ref,
        status=status,
        self_registered=self_registered,
    )
    check_member(member)
    member.save()
    if extra_areas:
        member.extra_areas.set(extra_areas)
    return member


@transaction.atomic
def member_update(*, member: ForceMember, actor=None, extra_areas: Iterable[Area] | None = None, **changes):
    unknown = set(changes) - MEMBER_FIELDS
    if unknown:
        raise ValidationError({k: _("This field cannot be changed here.") for k in unknown})
    member = ForceMember.objects.select_for_update().get(pk=member.pk)
    for field, value in changes.items():
        setattr(member, field, value)
    if "subtype" in changes:
        member.kind = ""
    _require_scope(actor, member.area)
    check_member(member)
    if member.led_grids.exists():
        for leadership in member.led_grids.select_related("area"):
            _check_leader_pairing(leadership.area, member)
    member.save()
    if extra_areas is not None:
        member.extra_areas.set(extra_areas)
    for leadership in member.led_grids.select_related("area"):
        _sync_area_leader(leadership.area, member)
    return member


def member_register(
    *, name: str, subtype: str, area: Area, phone: str, organisation: str = "", note: str = ""
) -> ForceMember:
    """A social-force member registers themselves on the public page; village staff approve them."""
    if KIND_OF_SUBTYPE.get(subtype) != ForceKind.SOCIAL:
        raise ValidationError({"subtype": _("Only social-force members can register themselves.")})
    member = member_create(
        name=name,
        subtype=subtype,
        area=area,
        phone=phone,
        organisation=organisation,
        note=note,
        status=MemberStatus.PENDING,
        self_registered=True,
    )
    return member


def _review(member: ForceMember, actor, new_status: str, note: str = "") -> ForceMember:
    if actor is not None and not actor.has_role(*REVIEWING_ROLES):
        raise PermissionDenied(_("Only village, town or district staff review registrations."))
    with transaction.atomic():
        member = ForceMember.objects.select_for_update().select_related("area").get(pk=member.pk)
        _require_scope(actor, member.area)
        if member.status != MemberStatus.PENDING:
            raise ConflictError(
                _("This registration is not awaiting approval (it is %(status)s).")
                % {"status": member.get_status_display()},
                current_state=member.status,
            )
        member.status = new_status
        member.reviewed_by = actor
        member.reviewed_at = timezone.now()
        if note:
            member.note = f"{member.note}\n{note}".strip()
        member.save(update_fields=["status", "reviewed_by", "reviewed_at", "note", "updated_at"])
    return member


def member_approve(*, member: ForceMember, actor) -> ForceMember:
    return _review(member, actor, MemberStatus.ACTIVE)


def member_reject(*, member: ForceMember, actor, reason: str = "") -> ForceMember:
    return _review(member, actor, MemberStatus.REJECTED, reason)


@transaction.atomic
def member_retire(*, member: ForceMember, actor=None) -> ForceMember:
    member = ForceMember.objects.select_for_update().get(pk=member.pk)
    _require_scope(actor, member.area)
    if member.status == MemberStatus.RETIRED:
        raise ConflictError(_("This member is already retired."), current_state=member.status)
    if member.led_grids.exists():
        raise ConflictError(
            _("This member leads %(grids)s: assign another leader first.")
            % {"grids": "、".join(g.area.name for g in member.led_grids.select_related("area"))},
            current_state=member.status,
        )
    member.status = MemberStatus.RETIRED
    member.save(update_fields=["status", "updated_at"])
    return member


@transaction.atomic
def member_link_households(
    *, member: ForceMember, add: Iterable = (), remove: Iterable = (), actor=None
) -> ForceMember:
    """Link an emergency member to households (包保联系到户) where they serve, or unlink them."""
    from registry.models import Household

    member = ForceMember.objects.select_for_update().select_related("area").get(pk=member.pk)
    _require_scope(actor, member.area)
    add_ids = {getattr(h, "pk", h) for h in add}
    if add_ids and member.kind != ForceKind.EMERGENCY:
        raise ValidationError({"households": _("Only emergency-force members are linked to households.")})
    if add_ids:
        served = subtree_filter(member.area, "grid")
        for extra in member.extra_areas.all():
            served |= subtree_filter(extra, "grid")
        inside = set(Household.objects.filter(pk__in=add_ids).filter(served).values_list("pk", flat=True))
        outside = Household.objects.filter(pk__in=add_ids - inside)
        if len(inside) != len(add_ids):
            raise ValidationError(
                {
                    "households": _("%(households)s lie outside the places %(name)s serves.")
                    % {"households": "、".join(str(h) for h in outside) or "?", "name": member.name}
                }
            )
        member.households.add(*inside)
    remove_ids = {getattr(h, "pk", h) for h in remove}
    if remove_ids:
        member.households.remove(*remove_ids)
    return member


# --- grid leaders ----------------------------------------------------------------------------------------


def _check_leader_pairing(area: Area, member: ForceMember) -> None:
    """Level-1 grid leader = a town cadre of the same town; level-2 leader = a cadre of the same village."""
    if area.kind == AreaKind.GRID_L1:
        wanted, unit_kinds = ForceSubtype.TOWN_CADRE, TOWN_KINDS
        rule = _("Rule: a level-1 grid's leader is a town cadre (the cadre linked to the village)")
    elif area.kind == AreaKind.GRID_L2:
        wanted, unit_kinds = ForceSubtype.VILLAGE_CADRE, VILLAGE_KINDS
        rule = _("Rule: a level-2 grid's leader is a village or community cadre")
    else:
        raise ValidationError(
            {
                "area": _("Only level-1 and level-2 grids have a grid leader; %(area)s is a %(kind)s.")
                % {"area": area.name, "kind": area.get_kind_display()}
            }
        )
    if member.subtype != wanted:
        raise ValidationError(
            {
                "member": _("%(rule)s; %(name)s is a %(subtype)s.")
                % {"rule": rule, "name": member.name, "subtype": member.get_subtype_display()}
            }
        )
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError({"member": _("%(name)s is not an active member.") % {"name": member.name}})
    grid_unit = _ancestor_of_kind(area, unit_kinds)
    member_unit = _ancestor_of_kind(member.area, unit_kinds)
    if grid_unit is None or member_unit is None or grid_unit.pk != member_unit.pk:
        raise ValidationError(
            {
                "member": _("%(rule)s of %(unit)s; %(name)s belongs to %(other)s.")
                % {
                    "rule": rule,
                    "unit": grid_unit.name if grid_unit else "—",
                    "name": member.name,
                    "other": member_unit.name if member_unit else member.area.name,
                }
            }
        )


def _sync_area_leader(area: Area, member: ForceMember | None) -> None:
    # grids.Area.leader (a user) mirrors the assignment, so grid pages and dashboards show it.
    user = member.user if member is not None else None
    if Area.objects.filter(pk=area.pk).values_list("leader_id", flat=True).first() != (
        user.pk if user else None
    ):
        grid_services.area_update(area=area, leader=user)


@transaction.atomic
def grid_leader_assign(*, area: Area, member: ForceMember, actor=None) -> GridLeader:
    area = Area.objects.get(pk=area.pk)
    member = ForceMember.objects.select_related("area").get(pk=member.pk)
    _require_scope(actor, area)
    _check_leader_pairing(area, member)
    leadership, _created = GridLeader.objects.update_or_create(
        area=area, defaults={"member": member, "assigned_by": actor}
    )
    _sync_area_leader(area, member)
    return leadership


@transaction.atomic
def grid_leader_remove(*, area: Area, actor=None) -> None:
    _require_scope(actor, area)
    deleted, _rows = GridLeader.objects.filter(area=area).delete()
    if not deleted:
        raise ConflictError(_("%(area)s has no grid leader.") % {"area": area.name})
    _sync_area_leader(area, None)


def leader_for(member: ForceMember) -> GridLeader | None:
    """The nearest grid leader above a member: their level-2 grid's, else their level-1 grid's."""
    path = member.area.get_ancestors(include_self=True).filter(kind__in=GRID_KINDS)
    return (
        GridLeader.objects.filter(area__in=path)
        .select_related("member__user", "area")
        .order_by("-area__level")
        .first()
    )


# --- plans -----------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, name: str, emergency_type: str, area: Area, summary: str = "", actor=None
) -> EmergencyPlan:
    _require_scope(actor, area)
    plan = EmergencyPlan(name=name, emergency_type=emergency_type, area=area, summary=summary)
    plan.full_clean()
    plan.save()
    return plan


def plan_attach(*, plan: EmergencyPlan, file, title: str = "", actor=None) -> PlanAttachment:
    _require_scope(actor, plan.area)
    attachment = PlanAttachment(plan=plan, file=file, title=title or getattr(file, "name", ""))
    attachment.full_clean()
    attachment.save()
    return attachment


# --- activations -----------------------------------------------------------------------------------------


def _check_activator(actor, area: Area) -> None:
    if actor is None:
        return
    if not actor.has_role(*ACTIVATING_ROLES):
        raise PermissionDenied(_("Only district or town staff activate emergency mode."))
    _require_scope(actor, area)


def activation_precheck(*, actor, area: Area, emergency_type: str, is_drill: bool) -> None:
    """May `actor` activate this type for `area` now? Raises otherwise (the admin form asks this first)."""
    _check_activator(actor, area)
    clash = (
        Activation.objects.open()
        .filter(emergency_type=emergency_type, is_drill=is_drill)
        .overlapping(area)
        .select_related("area")
        .first()
    )
    if clash is not None:
        raise ConflictError(
            _(
                "A %(type)s %(what)s is already open for an overlapping area: “%(title)s” (%(area)s, "
                "since %(since)s). End it before opening another."
            )
            % {
                "type": clash.get_emergency_type_display(),
                "what": _("drill") if clash.is_drill else _("emergency"),
                "title": clash.title,
                "area": clash.area.name,
                "since": timezone.localtime(clash.opened_at).strftime("%Y-%m-%d %H:%M"),
            },
            current_state=ActivationStatus.OPEN,
        )


def activation_open(
    *,
    area: Area,
    emergency_type: str,
    level: str,
    actor,
    title: str = "",
    plan: EmergencyPlan | None = None,
    is_drill: bool = False,
    description: str = "",
    remind_after_minutes: int | None = None,
    leader_after_minutes: int | None = None,
) -> Activation:
    """Switch a subtree to emergency mode (or start a drill) and call up every emergency member in it.

    Only one activation of a type may be open over any part of a subtree. Drills are checked against
    drills only: a drill under way must never hold up a real emergency.
    """
    from .tasks import send_mobilisation_notices

    remind = conf.REMIND_AFTER_MINUTES if remind_after_minutes is None else remind_after_minutes
    leader = conf.LEADER_AFTER_MINUTES if leader_after_minutes is None else leader_after_minutes
    if leader <= remind:
        raise ValidationError(
            {
                "leader_after_minutes": _(
                    "The leader is told after the reminder: give more minutes than for it."
                )
            }
        )
    with transaction.atomic():
        # The overlap check and the insert must not interleave with another activation of the same type.
        _lock(f"activation.{emergency_type}.{bool(is_drill)}")
        area = Area.objects.get(pk=area.pk)
        activation_precheck(actor=actor, area=area, emergency_type=emergency_type, is_drill=is_drill)
        if plan is not None and plan.emergency_type != emergency_type:
            raise ValidationError({"plan": _("This plan is for another type of emergency.")})
        now = timezone.now()
        activation = Activation(
            title=title
            or _("%(area)s %(type)s %(what)s")
            % {
                "area": area.name,
                "type": EmergencyType(emergency_type).label,
                "what": _("drill") if is_drill else _("emergency response"),
            },
            emergency_type=emergency_type,
            level=level,
            is_drill=is_drill,
            area=area,
            plan=plan,
            description=description,
            remind_after_minutes=remind,
            leader_after_minutes=leader,
            opened_by=actor,
            opened_at=now,
        )
        activation.full_clean()
        activation.save()
        members = ForceMember.objects.active().filter(kind=ForceKind.EMERGENCY).attached_within(area)
        Mobilisation.objects.bulk_create(
            [
                Mobilisation(activation=activation, member_id=pk)
                for pk in members.values_list("pk", flat=True)
            ],
            batch_size=1000,
        )
        # robust: a broker outage must not fail the activation; the sweep sends what was not queued.
        transaction.on_commit(lambda: send_mobilisation_notices.delay(activation.pk), robust=True)
    return activation


def _member_url(mobilisation: Mobilisation) -> str:
    return reverse("forces:mobilisation-token", args=[mobilisation.token])


def _tell_member(mobilisation: Mobilisation, *, title: str, body: str, key: str) -> None:
    """In-app (and SMS) for members with an account; SMS only, with their own link, for the others."""
    member = mobilisation.member
    url = _member_url(mobilisation)
    if member.user_id is not None and member.user.is_active:
        has_phone = bool(member.user.phone)
        notify(recipient=member.user, title=title, body=body, url=url, kind="forces", key=key, sms=has_phone)
        if has_phone:
            return
    phone, text = member.phone, f"{title} {body} {url}".strip()
    transaction.on_commit(lambda: send_sms(phone, text))


def mobilisation_send_notices(*, activation: Activation | None = None, now: dt.datetime | None = None) -> int:
    """Send the call-up to members not yet notified; each row is claimed once, so each is told once."""
    now = now or timezone.now()
    pending = Mobilisation.objects.filter(notified_at__isnull=True, activation__status=ActivationStatus.OPEN)
    if activation is not None:
        pending = pending.filter(activation=activation)
    by_activation: dict[int, list[int]] = {}
    for pk, activation_id in pending.values_list("pk", "activation_id"):
        by_activation.setdefault(activation_id, []).append(pk)
    sent = 0
    for act in Activation.objects.filter(pk__in=by_activation):
        title = _("[%(what)s] %(title)s: please acknowledge") % {
            "what": _("Drill") if act.is_drill else _("Emergency"),
            "title": act.title,
        }
        body = _("%(type)s, %(level)s. Acknowledge and check in on the phone page.") % {
            "type": act.get_emergency_type_display(),
            "level": act.get_level_display(),
        }
        due = {
            "notified_at": now,
            "remind_due_at": now + dt.timedelta(minutes=act.remind_after_minutes),
            "leader_due_at": now + dt.timedelta(minutes=act.leader_after_minutes),
        }
        rows = Mobilisation.objects.filter(pk__in=by_activation[act.pk]).select_related("member__user")
        for mob in rows:
            with transaction.atomic():
                # Compare-and-set: whoever flips notified_at from NULL sends; a concurrent sweep sends nothing.
                if not Mobilisation.objects.filter(pk=mob.pk, notified_at__isnull=True).update(**due):
                    continue
                mob.activation = act
                _tell_member(mob, title=title, body=body, key=f"forces:mobilise:{mob.pk}")
                sent += 1
    return sent


def mobilisation_send_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind members silent past their reminder time, then tell their leader; each at most once."""
    now = now or timezone.now()
    counts = {"reminded": 0, "leaders_told": 0}
    open_silent = Mobilisation.objects.filter(
        activation__status=ActivationStatus.OPEN, acknowledged_at__isnull=True
    )
    for pk in list(
        open_silent.filter(reminded_at__isnull=True, remind_due_at__lte=now).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            if not Mobilisation.objects.filter(
                pk=pk, reminded_at__isnull=True, acknowledged_at__isnull=True
            ).update(reminded_at=now):
                continue
            mob = Mobilisation.objects.select_related("activation", "member__user").get(pk=pk)
            _tell_member(
                mob,
                title=_("Reminder: %(title)s is waiting for your acknowledgement")
                % {"title": mob.activation.title},
                body=_("Acknowledge on the phone page as soon as you can."),
                key=f"forces:remind:{pk}",
            )
            counts["reminded"] += 1
    for pk in list(
        open_silent.filter(leader_told_at__isnull=True, leader_due_at__lte=now).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            if not Mobilisation.objects.filter(
                pk=pk, leader_told_at__isnull=True, acknowledged_at__isnull=True
            ).update(leader_told_at=now):
                continue
            mob = Mobilisation.objects.select_related("activation__opened_by", "member__area").get(pk=pk)
            _tell_leader(mob)
            counts["leaders_told"] += 1
    return counts


def _tell_leader(mob: Mobilisation) -> None:
    act, member = mob.activation, mob.member
    title = _("%(name)s has not acknowledged %(title)s") % {"name": member.name, "title": act.title}
    body = _("Called up %(minutes)d minutes ago and reminded; please reach them.") % {
        "minutes": act.leader_after_minutes
    }
    key = f"forces:leader:{mob.pk}"
    url = reverse("forces:activation-detail", args=[act.pk])
    leadership = leader_for(member)
    if leadership is not None and leadership.member.user_id and leadership.member.user.is_active:
        notify(
            recipient=leadership.member.user,
            title=title,
            body=body,
            url=url,
            kind="forces",
            key=key,
            sms=True,
        )
        if leadership.member.user.phone:
            return
    if leadership is not None:
        phone, text = leadership.member.phone, f"{title} {body}"
        transaction.on_commit(lambda: send_sms(phone, text))
        return
    # No grid leader above this member: whoever activated is told instead, so nobody falls through.
    notify(recipient=act.opened_by, title=title, body=body, url=url, kind="forces", key=key, sms=True)


def _open_mobilisation(mobilisation: Mobilisation) -> Mobilisation:
    mob = Mobilisation.objects.select_for_update().select_related("activation").get(pk=mobilisation.pk)
    if mob.activation.status != ActivationStatus.OPEN:
        raise ConflictError(_("This activation has ended."), current_state=mob.activation.status)
    return mob


def _check_responder(mob: Mobilisation, actor) -> None:
    # The member themself, or staff responsible for them (e.g. recording a phoned-in answer).
    if actor is None or mob.member.user_id == actor.pk:
        return
    if actor.has_perm("forces.change_mobilisation") and in_scope(actor, mob.member.area):
        return
    raise PermissionDenied(_("Only the member or staff responsible for them can answer this call-up."))


@transaction.atomic
def mobilisation_acknowledge(*, mobilisation: Mobilisation, actor=None) -> Mobilisation:
    mob = _open_mobilisation(mobilisation)
    _check_responder(mob, actor)
    if mob.acknowledged_at is not None:
        raise ConflictError(
            _("Already acknowledged at %(time)s.")
            % {"time": timezone.localtime(mob.acknowledged_at).strftime("%H:%M")},
            current_state="acknowledged",
        )
    now = timezone.now()
    mob.acknowledged_at = now
    mob.notified_at = mob.notified_at or now
    mob.save(update_fields=["acknowledged_at", "notified_at"])
    return mob


@transaction.atomic
def mobilisation_check_in(
    *,
    mobilisation: Mobilisation,
    actor=None,
    note: str = "",
    lng: float | None = None,
    lat: float | None = None,
) -> Mobilisation:
    mob = _open_mobilisation(mobilisation)
    _check_responder(mob, actor)
    if mob.checked_in_at is not None:
        raise ConflictError(
            _("Already checked in at %(time)s.")
            % {"time": timezone.localtime(mob.checked_in_at).strftime("%H:%M")},
            current_state="checked_in",
        )
    if (lng is None) != (lat is None):
        raise ValidationError({"lat": _("Give both longitude and latitude, or neither.")})
    now = timezone.now()
    mob.checked_in_at = now
    mob.acknowledged_at = mob.acknowledged_at or now  # arriving is the clearest acknowledgement
    mob.notified_at = mob.notified_at or now
    mob.check_in_note, mob.check_in_lng, mob.check_in_lat = note[:200], lng, lat
    mob.save()
    return mob


def activation_end(*, activation: Activation, actor) -> Activation:
    from .selectors import activation_figures

    with transaction.atomic():
        act = Activation.objects.select_for_update().select_related("area").get(pk=activation.pk)
        _check_activator(actor, act.area)
        if act.status != ActivationStatus.OPEN:
            raise ConflictError(_("This activation has already ended."), current_state=act.status)
        act.status = ActivationStatus.ENDED
        act.ended_at = timezone.now()
        act.ended_by = actor
        act.figures = activation_figures(activation=act)
        act.save(update_fields=["status", "ended_at", "ended_by", "figures", "updated_at"])
    return act


# --- duty roster and tasks -------------------------------------------------------------------------------


def _open_activation(activation: Activation, actor) -> Activation:
    act = Activation.objects.select_related("area").get(pk=activation.pk)
    if act.status != ActivationStatus.OPEN:
        raise ConflictError(_("This activation has ended."), current_state=act.status)
    return act


@transaction.atomic
def shift_create(
    *,
    activation: Activation,
    member: ForceMember,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    post: str = "",
    actor=None,
) -> DutyShift:
    act = _open_activation(activation, actor)
    member = ForceMember.objects.select_related("area").get(pk=member.pk)
    _require_scope(actor, member.area)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A shift ends after it starts.")})
    if (
        member.status != MemberStatus.ACTIVE
        or not ForceMember.objects.attached_within(act.area).filter(pk=member.pk).exists()
    ):
        raise ValidationError(
            {
                "member": _("%(name)s is not an active member inside this activation's area.")
                % {"name": member.name}
            }
        )
    _lock(f"shift.{member.pk}")
    clash = DutyShift.objects.filter(member=member, starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if clash is not None:
        raise ValidationError(
            {
                "starts_at": _("%(name)s is already on duty then (%(shift)s).")
                % {"name": member.name, "shift": clash}
            }
        )
    return DutyShift.objects.create(
        activation=act, member=member, starts_at=starts_at, ends_at=ends_at, post=post
    )


@transaction.atomic
def task_assign(
    *,
    activation: Activation,
    kind: str,
    title: str,
    assignee: ForceMember,
    area: Area | None = None,
    actor=None,
) -> ActivationTask:
    act = _open_activation(activation, actor)
    assignee = ForceMember.objects.select_related("area").get(pk=assignee.pk)
    area = area or assignee.area
    _require_scope(actor, area)
    if not _within(area, act.area):
        raise ValidationError({"area": _("The task's place lies outside this activation's area.")})
    if (
        assignee.status != MemberStatus.ACTIVE
        or not ForceMember.objects.attached_within(act.area).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError(
            {
                "assignee": _("%(name)s is not an active member inside this activation's area.")
                % {"name": assignee.name}
            }
        )
    task = ActivationTask(
        activation=act, kind=kind, title=title, area=area, assignee=assignee, assigned_by=actor
    )
    task.full_clean()
    task.save()
    if assignee.user_id:
        notify(
            recipient=assignee.user,
            title=_("New task: %(title)s") % {"title": title},
            body=act.title,
            url=reverse("forces:my"),
            kind="forces",
            key=f"forces:task:{task.pk}",
        )
    return task


@transaction.atomic
def task_done(*, task: ActivationTask, note: str = "", actor=None) -> ActivationTask:
    task = ActivationTask.objects.select_for_update().select_related("assignee", "activation").get(pk=task.pk)
    if actor is not None and task.assignee.user_id != actor.pk:
        if not (actor.has_perm("forces.change_activationtask") and in_scope(actor, task.area)):
            raise PermissionDenied(
                _("Only the assignee or staff responsible for them can mark this task done.")
            )
    if task.status == TaskStatus.DONE:
        raise ConflictError(_("This task is already done."), current_state=task.status)
    task.status = TaskStatus.DONE
    task.done_at = timezone.now()
    task.done_note = note
    task.save(update_fields=["status", "done_at", "done_note", "updated_at"])
    return task
