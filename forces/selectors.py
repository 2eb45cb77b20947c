"""Scoped reads of the forces app: who coordinates whom, open activations, after-action figures."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from grids.models import Area

from .choices import ActivationStatus, ForceKind, MemberStatus, TaskStatus
from .models import Activation, ActivationTask, DutyShift, ForceMember, GridLeader, Mobilisation


def member_list(*, user, filters: dict | None = None):
    filters = filters or {}
    qs = ForceMember.objects.visible_to(user).select_related("area", "department", "user")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("within"):
        qs = qs.attached_within(filters["within"])
    return qs


def _visible_area(user, area: Area) -> Area | None:
    return Area.objects.visible_to(user).filter(pk=area.pk).first()


def forces_by_kind(*, user, area: Area) -> dict[str, int]:
    """Active members attached within `area`, counted per force (every kind present, zeros included),
    plus "total". Empty counts when `area` is outside the user's jurisdiction."""
    counts = {kind.value: 0 for kind in ForceKind}
    area = _visible_area(user, area)  # read afresh, and None when out of scope
    if area is not None:
        rows = (
            ForceMember.objects.active()
            .attached_within(area)
            .order_by()
            .values("kind")
            .annotate(n=Count("pk"))
        )
        counts.update({row["kind"]: row["n"] for row in rows})
    counts["total"] = sum(counts.values())
    return counts


@dataclass
class GridForces:
    area: Area
    leader: GridLeader | None
    members: dict[str, list[ForceMember]] = field(default_factory=dict)
    subtree_counts: dict[str, int] = field(default_factory=dict)
    pending: int = 0


def grid_forces(*, user, area: Area) -> GridForces:
    """Who are this node's forces: its leader, the active members attached to it by kind, and counts for its
    whole subtree (DOMAIN §5: the level-1 leader coordinates standing and social members)."""
    area = Area.objects.visible_to(user).get(pk=area.pk)
    leader = GridLeader.objects.filter(area=area).select_related("member__user", "member__area").first()
    direct = (
        ForceMember.objects.active()
        .filter(
            Q(area=area)
            | Q(pk__in=ForceMember.extra_areas.through.objects.filter(area=area).values("forcemember"))
        )
        .select_related("department", "area")
        .order_by("subtype", "name")
    )
    members: dict[str, list[ForceMember]] = {kind.value: [] for kind in ForceKind}
    for member in direct:
        members[member.kind].append(member)
    pending = ForceMember.objects.filter(status=MemberStatus.PENDING).attached_within(area).count()
    return GridForces(
        area=area,
        leader=leader,
        members=members,
        subtree_counts=forces_by_kind(user=user, area=area),
        pending=pending,
    )


def pending_registrations(*, user):
    return (
        ForceMember.objects.visible_to(user)
        .filter(status=MemberStatus.PENDING)
        .select_related("area", "area__parent")
        .order_by("created_at")
    )


# --- activations -----------------------------------------------------------------------------------------


def activation_list(*, user, filters: dict | None = None):
    filters = filters or {}
    qs = Activation.objects.visible_to(user).select_related("area", "plan", "opened_by")
    for name in ("status", "emergency_type", "is_drill", "level"):
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{name: filters[name]})
    return qs


def open_activations(*, user, area: Area | None = None, include_drills: bool = False):
    """Open activations that cover any part of `area` (default: the user's jurisdiction), for a banner.

    Drills are left out unless asked for: a drill is not an emergency.
    """
    qs = Activation.objects.visible_to(user).open().select_related("area")
    node = area or getattr(user, "jurisdiction", None)
    if node is not None:
        qs = qs.overlapping(node)
    if not include_drills:
        qs = qs.emergencies()
    return qs.order_by("-opened_at")


def activation_counts(*, user, area: Area | None = None, since: dt.datetime | None = None) -> dict[str, int]:
    """Emergencies and drills counted apart: a drill never counts as an emergency."""
    qs = Activation.objects.visible_to(user)
    if area is not None:
        qs = qs.overlapping(area)
    if since is not None:
        qs = qs.filter(opened_at__gte=since)
    row = qs.aggregate(
        emergencies=Count("pk", filter=Q(is_drill=False)),
        open_emergencies=Count("pk", filter=Q(is_drill=False, status=ActivationStatus.OPEN)),
        drills=Count("pk", filter=Q(is_drill=True)),
    )
    return row


def mobilisations_for(*, user, activation: Activation):
    """The call-ups of an activation that this user may see (their own subtree of it)."""
    return (
        Mobilisation.objects.visible_to(user)
        .filter(activation=activation)
        .select_related("member", "member__area")
        .order_by("acknowledged_at", "member__name")
    )


def my_mobilisations(*, user):
    return (
        Mobilisation.objects.filter(member__user=user, activation__status=ActivationStatus.OPEN)
        .select_related("activation", "member")
        .order_by("-activation__opened_at")
    )


def my_tasks(*, user):
    return (
        ActivationTask.objects.filter(assignee__user=user, activation__status=ActivationStatus.OPEN)
        .select_related("activation", "area")
        .order_by("status", "created_at")
    )


def my_shifts(*, user):
    return (
        DutyShift.objects.filter(member__user=user, ends_at__gte=timezone.now())
        .select_related("activation")
        .order_by("starts_at")
    )


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (as PostgreSQL's percentile_cont and numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _household_counts(activation: Activation) -> tuple[int, int]:
    """Households linked (包保联系到户) to the called-up members, and those whose member acknowledged."""
    through = ForceMember.households.through
    mobs = Mobilisation.objects.filter(activation=activation)
    linked = through.objects.filter(forcemember__in=mobs.values("member")).values("household").distinct()
    covered = through.objects.filter(
        forcemember__in=mobs.filter(acknowledged_at__isnull=False).values("member")
    ).values("household")
    return linked.count(), covered.distinct().count()


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def activation_figures(*, activation: Activation) -> dict:
    """After-action figures: share mobilised, median and 90th-percentile time to acknowledge (seconds,
    from the call-up), households covered, tasks done. Ended activations keep the figures frozen."""
    mobs = Mobilisation.objects.filter(activation=activation)
    totals = mobs.aggregate(
        called=Count("pk"),
        notified=Count("pk", filter=Q(notified_at__isnull=False)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        leaders_told=Count("pk", filter=Q(leader_told_at__isnull=False)),
    )
    delays = [
        max((ack - notified).total_seconds(), 0.0)
        for notified, ack in mobs.filter(
            acknowledged_at__isnull=False, notified_at__isnull=False
        ).values_list("notified_at", "acknowledged_at")
    ]
    tasks = ActivationTask.objects.filter(activation=activation).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE))
    )
    linked, covered = _household_counts(activation)
    median, p90 = percentile(delays, 0.5), percentile(delays, 0.9)
    return {
        "members_called": totals["called"],
        "members_notified": totals["notified"],
        "members_acknowledged": totals["acknowledged"],
        "members_checked_in": totals["checked_in"],
        "members_reminded": totals["reminded"],
        "leaders_told": totals["leaders_told"],
        "share_mobilised": _ratio(totals["acknowledged"], totals["called"]),
        "ack_median_seconds": round(median, 1) if median is not None else None,
        "ack_p90_seconds": round(p90, 1) if p90 is not None else None,
        "households_linked": linked,
        "households_covered": covered,
        "share_households_covered": _ratio(covered, linked),
        "tasks_total": tasks["total"],
        "tasks_done": tasks["done"],
        "shifts": DutyShift.objects.filter(activation=activation).count(),
    }


def figures_for(activation: Activation) -> dict:
    """Frozen figures of an ended activation, live ones for an open activation."""
    if activation.status == ActivationStatus.ENDED and activation.figures:
        return activation.figures
    return activation_figures(activation=activation)
