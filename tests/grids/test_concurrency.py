"""Twenty creations at once, from threads with their own PostgreSQL connections, leave the tree sound."""

import threading

import pytest
from django.db import connection

from core.tree import verify_mptt
from grids import services
from grids.choices import AreaKind, GridType
from grids.models import Area
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_concurrent_creations_leave_verify_tree_clean():
    district = factories.make_district()
    towns = [factories.make_town(district, name=f"镇{i}") for i in range(2)]
    villages = [factories.make_village(t, name=f"村{t.pk}") for t in towns]
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def create(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            parent = Area.objects.get(pk=villages[i % 2].pk)  # each thread reads its own, soon stale, copy
            services.area_create(
                kind=AreaKind.GRID_L1, parent=parent, name=f"网格{i}", grid_type=GridType.VILLAGE
            )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert Area.objects.filter(kind=AreaKind.GRID_L1).count() == 20
    assert verify_mptt(Area) == []
    codes = list(Area.objects.filter(kind=AreaKind.GRID_L1).values_list("code", flat=True))
    assert len(set(codes)) == 20


def test_verify_tree_detects_corruption_and_rebuild_repairs_it(capsys):
    from django.core.management import CommandError, call_command

    district = factories.make_district()
    town = factories.make_town(district)
    factories.make_village(town)
    Area.objects.filter(pk=town.pk).update(rght=99)  # what a racing writer leaves behind
    assert verify_mptt(Area) != []
    with pytest.raises(CommandError, match="corrupt"):
        call_command("verify_tree")
    call_command("verify_tree", "--rebuild")
    assert verify_mptt(Area) == []
