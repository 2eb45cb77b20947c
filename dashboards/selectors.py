"""Reads behind the town and district dashboards.

The page and `GET /api/v1/dashboards/...` both call these functions, so they always show the same
numbers. Each section takes its figures from the selectors of the app that owns the data (incidents,
workers, registry, forces); a section whose app is not there yet is simply absent. Every section runs a
fixed number of queries, whatever the number of incidents.
"""

from importlib import import_module

from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from core.scoping import subtree_filter
from grids.choices import GRID_KINDS, TOWN_KINDS, VILLAGE_KINDS, AreaKind
from grids.models import Area

from .periods import Period


def _optional(module_name: str):
    """The module, or None while the app that owns it has not been built yet."""
    try:
        return import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        return None


def _url(name: str, *args, query: str = "") -> str:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


# ---------------------------------------------------------------- towns


def dashboard_towns(*, user):
    """The towns whose dashboard the user may open: all 18 for district staff, their own for a town."""
    return Area.objects.visible_to(user).filter(kind__in=TOWN_KINDS, is_active=True).order_by("code")


def town_get(*, user, pk) -> Area:
    """A town the user may see; anything else (another town, a village, a missing id) is a 404."""
    town = dashboard_towns(user=user).filter(pk=pk).first()
    if town is None:
        raise Http404("no such town")
    return town


def default_town(*, user) -> Area | None:
    """The town a user lands on: their jurisdiction's town (or its first town for district staff)."""
    node = getattr(user, "jurisdiction", None)
    if node is None:
        return None
    if node.kind in TOWN_KINDS:
        return node
    if node.kind == AreaKind.DISTRICT:
        return dashboard_towns(user=user).first()
    return None


def town_units(*, town: Area) -> list[Area]:
    """The town's villages and communities, in code order."""
    return list(
        Area.objects.filter(subtree_filter(town), kind__in=VILLAGE_KINDS, is_active=True)
        .only("id", "name", "code", "kind", "is_demo", "lft", "rght", "tree_id")
        .order_by("code")
    )


def town_grids(*, town: Area) -> list[Area]:
    return list(
        Area.objects.filter(subtree_filter(town), kind=AreaKind.GRID_L1, is_active=True)
        .only("id", "name", "code", "kind", "is_demo", "parent_id", "center_lat", "center_lng")
        .order_by("code")
    )


def map_features(*, root: Area, kinds) -> dict:
    """A GeoJSON FeatureCollection of the active areas of `kinds` under `root` that have a boundary."""
    areas = (
        Area.objects.filter(subtree_filter(root), kind__in=list(kinds), is_active=True)
        .exclude(boundary__isnull=True)
        .only("id", "code", "name", "kind", "is_demo", "boundary")
        .order_by("code")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": a.boundary,
                "properties": {"id": a.pk, "code": a.code, "name": str(a), "kind": a.kind},
            }
            for a in areas
        ],
    }


def map_config(*, root: Area, tile_url: str, outline_kinds=()) -> dict:
    """What the map draws: the grid polygons (always, tiles or not), outlines, and which tiles (none if empty).

    The geometry travels with the page, so the map needs no second request and shows what the figures
    were computed on.
    """
    return {
        "grids": map_features(root=root, kinds=[AreaKind.GRID_L1]),
        "outlines": map_features(root=root, kinds=outline_kinds) if outline_kinds else None,
        "tile_url": tile_url,
        "bounds": (
            [[root.min_lat, root.min_lng], [root.max_lat, root.max_lng]] if root.min_lat is not None else None
        ),
    }


def grid_ids_by_town(towns) -> dict[int, int]:
    """grid id → town id for every level-1..3 grid under the given towns (one query)."""
    towns = list(towns)
    if not towns:
        return {}
    query = Q()
    for town in towns:
        query |= subtree_filter(town)
    mapping = {}
    for grid in Area.objects.filter(query, kind__in=GRID_KINDS).only("id", "tree_id", "lft", "rght"):
        for town in towns:
            if town.tree_id == grid.tree_id and town.lft < grid.lft and grid.rght < town.rght:
                mapping[grid.pk] = town.pk
                break
    return mapping


def town_dashboard(*, user, town: Area, period: Period, tile_url: str = "") -> dict:
    """Everything the town sub-centre dashboard shows, for `town` over `period`."""
    return {
        "area": {"id": town.pk, "name": town.name, "code": town.code},
        "period": {"start": period.first, "end": period.last},
        "map": map_config(root=town, tile_url=tile_url),
    }


def district_dashboard(*, user, period: Period, tile_url: str = "") -> dict:
    district = Area.objects.visible_to(user).filter(kind=AreaKind.DISTRICT).first()
    if district is None:
        raise Http404("no district in scope")
    towns = list(dashboard_towns(user=user))
    return {
        "area": {"id": district.pk, "name": district.name, "code": district.code},
        "period": {"start": period.first, "end": period.last},
        "map": map_config(root=district, tile_url=tile_url, outline_kinds=TOWN_KINDS),
        "towns": [{"id": t.pk, "name": t.name, "code": t.code} for t in towns],
    }
