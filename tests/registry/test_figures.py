import pytest

from grids import services as grid_services
from grids.models import Area
from grids.selectors import coverage_report
from registry.choices import ResidentStatus
from registry.selectors import grid_figures
from tests import factories

from .factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def test_grid_figures_come_from_the_registry_where_it_has_records_and_from_the_grid_otherwise(tree):
    counted, entered = tree["grid_v1"], tree["grid_b1"]
    grid_services.area_update(area=counted, households=999, population=9999)
    grid_services.area_update(area=entered, households=150, population=1500)
    counted.refresh_from_db()
    entered.refresh_from_db()
    # Records in a level-2 grid count for its level-1 grid too; people who moved out do not count.
    level2 = factories.make_grid(counted)
    HouseholdFactory.create_batch(2, grid=counted)
    HouseholdFactory(grid=level2)
    ResidentFactory.create_batch(4, grid=counted)
    ResidentFactory.create_batch(2, grid=level2)
    ResidentFactory(grid=counted, status=ResidentStatus.MOVED_OUT)

    figures = grid_figures([counted, entered, level2])

    assert (figures[counted.pk].households, figures[counted.pk].population) == (3, 6)
    assert figures[counted.pk].population_source == "registry"
    assert (figures[level2.pk].households, figures[level2.pk].population) == (1, 2)
    assert (figures[entered.pk].households, figures[entered.pk].population) == (150, 1500)
    assert figures[entered.pk].households_source == "entered"


def test_grid_figures_take_three_queries_whatever_the_number_of_grids(tree, django_assert_max_num_queries):
    grids = [tree["grid_v1"], tree["grid_b1"], tree["grid_c1"]]
    for grid in grids:
        ResidentFactory(grid=grid)
    with django_assert_max_num_queries(2):
        grid_figures(grids)


def test_the_size_report_uses_the_registry_counts(tree):
    grid = tree["grid_v1"]
    # Entered figures within the guidance; the registry shows only five people in two households.
    grid_services.area_update(area=grid, households=200, population=2000)
    district = Area.objects.get(pk=tree["district"].pk)
    report = coverage_report(root=district)
    assert report.grid_count == 3
    assert grid not in [o["area"] for o in report.size_outliers]

    HouseholdFactory.create_batch(2, grid=grid)
    ResidentFactory.create_batch(5, grid=grid)
    report = coverage_report(root=district)
    outlier = next(o for o in report.size_outliers if o["area"] == grid)
    assert (outlier["households"], outlier["population"]) == (2, 5)
    assert outlier["problems"] == ["households_low", "population_low"]
