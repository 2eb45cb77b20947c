"""Scoped reads of the registry, and the grid figures the size report uses (DOMAIN §8)."""

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, DateField, Q, Value, When
from django.utils import timezone

from core.pii import keyed_hash
from grids.models import Area

from . import conf
from .choices import ResidentStatus, VisitStatus
from .models import Building, GroupMembership, House, Household, Organisation, Resident, Visit


def resident_list(*, user, filters: dict | None = None):
    filters = filters or {}
    qs = Resident.objects.visible_to(user).select_related("grid", "household")
    if filters.get("grid"):
        qs = qs.within(filters["grid"])
    if filters.get("q"):
        q = filters["q"].strip()
        digest = keyed_hash(q)
        # An ID or phone number is found through its keyed hash; anything else matches the name.
        qs = qs.filter(Q(name__icontains=q) | Q(id_number_hash=digest) | Q(phone_hash=digest))
    for name in ("residence_type", "status", "gender"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    return qs


def household_list(*, user, filters: dict | None = None):
    filters = filters or {}
    qs = (
        Household.objects.visible_to(user)
        .select_related("grid", "head")
        .annotate(member_count=Count("members", filter=Q(members__status=ResidentStatus.ACTIVE)))
    )
    if filters.get("grid"):
        qs = qs.within(filters["grid"])
    if filters.get("q"):
        qs = qs.filter(Q(address__icontains=filters["q"]) | Q(number=filters["q"]))
    return qs


def building_list(*, user):
    return Building.objects.visible_to(user).select_related("grid").annotate(house_count=Count("houses"))


def house_list(*, user, rented: bool | None = None):
    qs = House.objects.visible_to(user).select_related("grid", "building", "owner")
    if rented is not None:
        qs = qs.filter(is_rented=rented)
    return qs


def organisation_list(*, user, kind: str = ""):
    qs = Organisation.objects.visible_to(user).select_related("grid")
    return qs.filter(kind=kind) if kind else qs


# --- grid figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridFigures:
    """A grid's households and population, and where each figure comes from ("registry" or "entered")."""

    households: int | None
    population: int | None
    households_source: str
    population_source: str


def _counts_by_node(model, nodes, extra: Q | None = None) -> dict[int, int]:
    """Rows of `model` whose grid lies in each node's subtree, in two queries whatever the number of nodes."""
    if not nodes:
        return {}
    tree_ids = {n.tree_id for n in nodes}
    qs = model.objects.filter(grid__tree_id__in=tree_ids)
    if extra is not None:
        qs = qs.filter(extra)
    per_grid = qs.order_by().values("grid__tree_id", "grid__lft").annotate(n=Count("id"))
    by_tree: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in per_grid:
        by_tree[row["grid__tree_id"]].append((row["grid__lft"], row["n"]))
    prefix: dict[int, tuple[list[int], list[int]]] = {}
    for tree_id, rows in by_tree.items():
        rows.sort()
        lefts, sums, total = [], [0], 0
        for lft, n in rows:
            lefts.append(lft)
            total += n
            sums.append(total)
        prefix[tree_id] = (lefts, sums)
    result = {}
    for node in nodes:
        lefts, sums = prefix.get(node.tree_id, ([], [0]))
        lo, hi = bisect_left(lefts, node.lft), bisect_right(lefts, node.rght)
        result[node.pk] = sums[hi] - sums[lo]
    return result


def grid_figures(grids) -> dict[int, GridFigures]:
    """Households and population per grid: counted from the registry (the grid and the grids below it) when
    it holds records there, otherwise the figures entered on the grid."""
    grids = list(grids)
    households = _counts_by_node(Household, grids)
    population = _counts_by_node(Resident, grids, Q(status=ResidentStatus.ACTIVE))
    figures = {}
    for grid in grids:
        h, p = households.get(grid.pk, 0), population.get(grid.pk, 0)
        figures[grid.pk] = GridFigures(
            households=h if h else grid.households,
            population=p if p else grid.population,
            households_source="registry" if h else "entered",
            population_source="registry" if p else "entered",
        )
    return figures


def grid_figures_for(grid: Area) -> GridFigures:
    return grid_figures([grid])[grid.pk]


# --- special and care groups: visits due and overdue -------------------------------------------------------


def membership_list(*, user, area=None, filters: dict | None = None):
    """Group memberships the user may see (special-group membership is sensitive: view permission needed)."""
    if not user.has_perm("registry.view_groupmembership"):
        return GroupMembership.objects.none()
    qs = GroupMembership.objects.visible_to(user).select_related("resident__grid", "responsible")
    if area is not None:
        qs = qs.within(area)
    filters = filters or {}
    for name in ("group_type", "category"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("open"):
        qs = qs.filter(end_date__isnull=True)
    return qs


def visits_due(*, user, area=None, on: dt.date | None = None):
    """Open memberships whose next visit is due (within the lead days) or overdue on `on`, soonest first.

    Each row carries `visit_status` ("due" or "overdue") and `days_overdue` (0 when not yet overdue).
    """
    on = on or timezone.localdate()
    horizon = on + dt.timedelta(days=conf.VISIT_DUE_LEAD_DAYS)
    return (
        membership_list(user=user, area=area)
        .filter(end_date__isnull=True, next_visit_due__lte=horizon)
        .annotate(
            visit_status=Case(
                When(next_visit_due__lt=on, then=Value(VisitStatus.OVERDUE)),
                default=Value(VisitStatus.DUE),
                output_field=CharField(),
            ),
            # The day computed for: `days_overdue` on the model counts from it (portable to SQLite too).
            as_of=Value(on, output_field=DateField()),
        )
        .order_by("next_visit_due", "id")
    )


def visit_summary(
    *, user, area=None, on: dt.date | None = None, since: dt.date | None = None
) -> dict[str, int]:
    """Counts for dashboards: visits due, overdue, and done since `since` (default: the last 30 days)."""
    on = on or timezone.localdate()
    since = since or on - dt.timedelta(days=30)
    due = visits_due(user=user, area=area, on=on).order_by().values("visit_status").annotate(n=Count("id"))
    counts = {VisitStatus.DUE.value: 0, VisitStatus.OVERDUE.value: 0}
    counts.update({row["visit_status"]: row["n"] for row in due})
    visits = visit_list(user=user, area=area).filter(visited_at__date__gte=since, visited_at__date__lte=on)
    counts["done"] = visits.count()
    counts["members"] = membership_list(user=user, area=area, filters={"open": True}).count()
    return counts


def visit_figures(*, user, area=None, on: dt.date | None = None) -> dict[str, int]:
    """Visits due, overdue and done (last 30 days) for the dashboards: `visit_summary` under its name there."""
    return visit_summary(user=user, area=area, on=on)


def visit_list(*, user, area=None, membership=None):
    if not user.has_perm("registry.view_visit"):
        return Visit.objects.none()
    qs = Visit.objects.visible_to(user).select_related("membership__resident", "worker")
    if area is not None:
        qs = qs.within(area)
    if membership is not None:
        qs = qs.filter(membership=membership)
    return qs
