"""Every write to the area tree goes through these functions, under the tree lock (core.tree)."""

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from core.tree import tree_lock

from .choices import CODE_SEGMENT_RANGES, GRID_KINDS, AreaKind
from .models import Area

EDITABLE_FIELDS = {
    "name",
    "urban_rural_class",
    "grid_type",
    "households",
    "population",
    "area_km2",
    "boundary",
    "leader",
    "is_active",
    "is_demo",
}


def next_code(*, parent: Area, kind: str) -> str:
    """The next free code under `parent`; retired codes count as taken, so a code is never reused."""
    low, high = CODE_SEGMENT_RANGES[kind]
    siblings = Area.objects.filter(parent=parent, kind__in=_same_segment_kinds(kind))
    used = [int(_segment(c, kind)) for c in siblings.values_list("code", flat=True)]
    used = [u for u in used if low <= u <= high]
    segment = (max(used) + 1) if used else low
    if segment > high:
        raise ValidationError({"code": _("No free code left under %(parent)s.") % {"parent": parent.name}})
    if kind in (AreaKind.SUBDISTRICT, AreaKind.TOWN, AreaKind.TOWNSHIP):
        return f"{parent.code[:6]}{segment:03d}000"
    if kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE):
        return f"{parent.code[:9]}{segment:03d}"
    return f"{parent.code}{segment:03d}"


def _same_segment_kinds(kind: str) -> list[str]:
    return (
        [k for k, rng in CODE_SEGMENT_RANGES.items() if rng == CODE_SEGMENT_RANGES[kind]]
        if kind not in GRID_KINDS
        else [kind]
    )


def _segment(code: str, kind: str) -> str:
    if kind in (AreaKind.SUBDISTRICT, AreaKind.TOWN, AreaKind.TOWNSHIP):
        return code[6:9]
    return code[-3:]


def _fresh(area: Area | None) -> Area | None:
    # Inside the lock, re-read the node: a stale lft/rght in memory is how MPTT trees get corrupted.
    return Area.objects.get(pk=area.pk) if area is not None else None


def _save_validated(area: Area) -> Area:
    area.full_clean(exclude=["lft", "rght", "tree_id", "level"])
    area.sync_geometry_fields()
    area.save()
    return area


def area_create(*, kind: str, name: str, parent: Area | None = None, code: str = "", **attrs) -> Area:
    unknown = set(attrs) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    with tree_lock():
        parent = _fresh(parent)
        area = Area(kind=kind, name=name, parent=parent, code=code, **attrs)
        if parent is not None and area.kind in GRID_KINDS and not area.grid_type and parent.is_grid:
            area.grid_type = parent.grid_type
        if not code and parent is not None and kind in CODE_SEGMENT_RANGES:
            from .models import check_parent_kind

            check_parent_kind(kind, parent)
            area.code = next_code(parent=parent, kind=kind)
        return _save_validated(area)


def area_update(*, area: Area, **changes) -> Area:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({k: _("This field cannot be changed here.") for k in unknown})
    with tree_lock():
        area = Area.objects.select_for_update().get(pk=area.pk)
        for field, value in changes.items():
            setattr(area, field, value)
        return _save_validated(area)


def area_move(*, area: Area, new_parent: Area) -> Area:
    """Move a node (and its subtree) under another parent; its code stays, since codes are never reused."""
    with tree_lock():
        area = Area.objects.get(pk=area.pk)
        new_parent = _fresh(new_parent)
        if new_parent.pk == area.pk or new_parent.is_descendant_of(area):
            raise ValidationError(
                {"parent": _("Rule: a node cannot be moved under itself or one of its descendants.")},
                code="cycle",
            )
        from .models import check_parent_kind

        check_parent_kind(area.kind, new_parent)
        area.move_to(new_parent, position="last-child")
        return Area.objects.get(pk=area.pk)


def area_retire(*, area: Area) -> Area:
    """Retire a node and its subtree. Nodes are never deleted, so their codes are never reused."""
    with tree_lock():
        area = Area.objects.get(pk=area.pk)
        area.get_descendants(include_self=True).update(is_active=False)
        area.refresh_from_db()
        return area


def tree_rebuild() -> None:
    with tree_lock():
        Area.objects.rebuild()


def max_tree_id() -> int:
    return Area.objects.aggregate(m=Max("tree_id"))["m"] or 0
