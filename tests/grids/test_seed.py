import pytest
from django.core.management import call_command
from django.db.models import Count

from core.tree import verify_mptt
from grids.choices import AreaKind
from grids.models import Area
from grids.selectors import coverage_report

pytestmark = pytest.mark.django_db


def counts():
    by_kind = dict(Area.objects.order_by().values_list("kind").annotate(n=Count("id")))
    by_type = dict(
        Area.objects.filter(kind=AreaKind.GRID_L1).order_by().values_list("grid_type").annotate(n=Count("id"))
    )
    return by_kind, by_type


def test_seed_reproduces_the_report_and_a_second_run_changes_nothing():
    call_command("seed_enyang", "--only", "grids", "accounts")
    by_kind, by_type = counts()
    assert by_kind[AreaKind.DISTRICT] == 1
    assert Area.objects.get(kind=AreaKind.DISTRICT).code == "511903"
    assert (by_kind[AreaKind.SUBDISTRICT], by_kind[AreaKind.TOWN]) == (3, 15)
    assert (by_kind[AreaKind.COMMUNITY], by_kind[AreaKind.VILLAGE]) == (86, 223)
    assert by_kind[AreaKind.GRID_L1] == 385
    assert by_type == {"urban_community": 83, "rural_community": 93, "village": 209}
    assert by_kind[AreaKind.GRID_L2] > 0 and by_kind[AreaKind.GRID_L3] > 0
    assert set(Area.objects.filter(kind__in=["subdistrict", "town"]).values_list("name", flat=True)) >= {
        "登科街道",
        "九镇",
    }
    assert not Area.objects.filter(kind="town", is_demo=True).exists()
    assert Area.objects.filter(kind="village", is_demo=True).count() == 223
    assert verify_mptt(Area) == []

    snapshot = list(Area.objects.order_by("code").values_list("code", "name", "lft", "rght", "updated_at"))
    call_command("seed_enyang", "--only", "grids", "accounts")
    assert (
        list(Area.objects.order_by("code").values_list("code", "name", "lft", "rght", "updated_at"))
        == snapshot
    )


def test_seeded_coverage_shows_the_14_villages_without_a_grid_and_no_overlaps():
    call_command("seed_enyang", "--only", "grids")
    report = coverage_report(root=Area.objects.get(code="511903"))
    assert len(report.units_without_grid) == 223 - 209
    assert all(u.kind == AreaKind.VILLAGE for u in report.units_without_grid)
    assert report.overlapping == []
    assert report.outside_parent == []
    assert 0 < len(report.size_outliers) < 40
