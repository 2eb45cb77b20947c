"""Reads of the area tree: scoped lists, paths and the coverage and size report (DOMAIN §3)."""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef
from shapely.strtree import STRtree

from . import geometry
from .choices import VILLAGE_KINDS, AreaKind
from .models import Area


def area_list(*, user, filters: dict | None = None):
    qs = Area.objects.visible_to(user).select_related("parent")
    filters = filters or {}
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("parent"):
        qs = qs.filter(parent_id=filters["parent"])
    return qs


def area_get_visible(*, user, pk) -> Area:
    return Area.objects.visible_to(user).get(pk=pk)


@dataclass
class CoverageReport:
    root: Area
    units_without_grid: list[Area] = field(default_factory=list)
    outside_parent: list[tuple[Area, Area]] = field(default_factory=list)
    overlapping: list[tuple[Area, Area, float]] = field(default_factory=list)
    size_outliers: list[dict] = field(default_factory=list)
    guidance: dict = field(default_factory=dict)
    grid_count: int = 0
    unit_count: int = 0

    @property
    def is_clean(self) -> bool:
        return not (self.units_without_grid or self.outside_parent or self.overlapping or self.size_outliers)


def size_problems(households, population, guidance=None) -> list[str]:
    """Why a grid is outside the guidance; empty when it meets it.

    The guidance is "100–300 households, or about 1,000–3,000 people": meeting either measure is enough,
    so a grid is listed only when every measure it has falls outside its range.
    """
    guidance = guidance or settings.GRID_SIZE_GUIDANCE
    (h_low, h_high), (p_low, p_high) = guidance["households"], guidance["population"]
    checks = []
    if households is not None:
        checks.append(
            None
            if h_low <= households <= h_high
            else ("households_low" if households < h_low else "households_high")
        )
    if population is not None:
        checks.append(
            None
            if p_low <= population <= p_high
            else ("population_low" if population < p_low else "population_high")
        )
    if not checks or None in checks:
        return []
    return checks


def effective_figures(grids) -> dict[int, tuple[int | None, int | None]]:
    """(households, population) per grid: the registry's counts where it holds records for the grid
    (registry.selectors.grid_figures), else the figures entered on the grid."""
    grids = list(grids)
    if apps.is_installed("registry"):
        from registry.selectors import grid_figures

        return {pk: (f.households, f.population) for pk, f in grid_figures(grids).items()}
    return {g.pk: (g.households, g.population) for g in grids}


def coverage_report(*, root: Area, guidance: dict | None = None) -> CoverageReport:
    """Villages without a level-1 grid, boundaries outside the parent, overlapping siblings, size outliers."""
    guidance = guidance or settings.GRID_SIZE_GUIDANCE
    root = Area.objects.get(pk=root.pk)  # fresh tree columns: an in-memory node goes stale on any insert
    report = CoverageReport(root=root, guidance=guidance)
    subtree = root.get_descendants(include_self=True).filter(is_active=True)

    has_grid = Area.objects.filter(parent=OuterRef("pk"), kind=AreaKind.GRID_L1, is_active=True)
    units = (
        subtree.filter(kind__in=VILLAGE_KINDS).annotate(has_grid=Exists(has_grid)).select_related("parent")
    )
    report.unit_count = units.count()
    report.units_without_grid = [u for u in units if not u.has_grid]

    nodes = list(
        subtree.only(
            "id",
            "parent_id",
            "kind",
            "code",
            "name",
            "boundary",
            "households",
            "population",
            "is_demo",
            "lft",
            "rght",
            "tree_id",
            "level",
        )
    )
    by_id = {n.pk: n for n in nodes}
    shapes = {n.pk: geometry.to_shape(n.boundary) for n in nodes if n.boundary}
    siblings: dict = {}
    for node in nodes:
        siblings.setdefault(node.parent_id, []).append(node)
        parent = by_id.get(node.parent_id)
        if parent is not None and node.pk in shapes and parent.pk in shapes:
            if not geometry.lies_inside(shapes[node.pk], shapes[parent.pk]):
                report.outside_parent.append((node, parent))
    for group in siblings.values():
        shaped = [n for n in group if n.pk in shapes]
        if len(shaped) < 2:
            continue
        tree = STRtree([shapes[n.pk] for n in shaped])
        for i, node in enumerate(shaped):
            for j in tree.query(shapes[node.pk]):
                if j <= i:
                    continue
                other = shaped[int(j)]
                area = geometry.overlap_area(shapes[node.pk], shapes[other.pk])
                if area > geometry.AREA_TOLERANCE:
                    report.overlapping.append((node, other, area))

    grids = [n for n in nodes if n.kind == AreaKind.GRID_L1]
    report.grid_count = len(grids)
    figures = effective_figures(grids)
    for grid in grids:
        households, population = figures[grid.pk]
        problems = size_problems(households, population, guidance)
        if problems:
            report.size_outliers.append(
                {
                    "area": grid,
                    "households": households,
                    "population": population,
                    "problems": problems,
                }
            )
    return report
