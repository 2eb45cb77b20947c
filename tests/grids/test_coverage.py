import pytest

from grids import geometry, services
from grids.selectors import coverage_report, size_problems
from tests import factories

pytestmark = pytest.mark.django_db


def test_coverage_finds_a_village_without_a_grid(tree):
    lonely = factories.make_village(tree["town_b"], name="无网格村")
    report = coverage_report(root=tree["district"])
    assert [u.pk for u in report.units_without_grid] == [lonely.pk]


def test_coverage_finds_an_overlapping_pair_and_a_child_outside_its_parent(tree):
    services.area_update(area=tree["village"], boundary=geometry.rectangle(106.0, 31.0, 106.2, 31.2))
    services.area_update(area=tree["grid_v1"], boundary=geometry.rectangle(106.0, 31.0, 106.12, 31.2))
    second = factories.make_grid(tree["village"], boundary=geometry.rectangle(106.1, 31.0, 106.2, 31.2))
    neighbour = factories.make_grid(tree["village"], boundary=geometry.rectangle(106.19, 31.1, 106.3, 31.2))
    report = coverage_report(root=tree["town_a"])
    pairs = {frozenset((a.pk, b.pk)) for a, b, _ in report.overlapping}
    assert frozenset((tree["grid_v1"].pk, second.pk)) in pairs
    assert [a.pk for a, _ in report.outside_parent] == [neighbour.pk]


def test_neighbours_sharing_an_edge_do_not_overlap(tree):
    services.area_update(area=tree["grid_v1"], boundary=geometry.rectangle(106.0, 31.0, 106.1, 31.1))
    factories.make_grid(tree["village"], boundary=geometry.rectangle(106.1, 31.0, 106.2, 31.1))
    assert coverage_report(root=tree["village"]).overlapping == []


def test_size_guidance_flags_a_grid_only_when_no_measure_meets_it(settings):
    settings.GRID_SIZE_GUIDANCE = {"households": (100, 300), "population": (1000, 3000)}
    assert size_problems(200, 600) == []  # households fit
    assert size_problems(50, 1500) == []  # population fits
    assert size_problems(50, 150) == ["households_low", "population_low"]
    assert size_problems(400, None) == ["households_high"]


def test_size_outliers_are_listed_with_configurable_guidance(tree, settings):
    services.area_update(area=tree["grid_v1"], households=40, population=120)
    services.area_update(area=tree["grid_c1"], households=150, population=450)
    report = coverage_report(root=tree["district"])
    assert [o["area"].pk for o in report.size_outliers] == [tree["grid_v1"].pk]
    settings.GRID_SIZE_GUIDANCE = {"households": (10, 100), "population": (100, 300)}
    report = coverage_report(root=tree["district"])
    assert [o["area"].pk for o in report.size_outliers] == [tree["grid_c1"].pk]
