import time

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from accounts.models import User
from core.pii import keyed_hash, validate_id_number
from registry import seed as registry_seed
from registry.choices import ResidenceType, VisitStatus
from registry.models import GroupMembership, House, Household, Organisation, Resident, Visit
from registry.selectors import grid_figures, visits_due

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_seed_gives_about_ten_thousand_residents_with_visits_due_and_overdue_and_runs_once():
    call_command("seed_enyang", "--only", "grids", "accounts", "workers")
    started = time.monotonic()
    totals = registry_seed.seed()
    elapsed = time.monotonic() - started

    assert Resident.objects.count() == totals["residents"]
    assert 9_900 <= totals["residents"] <= 10_100
    assert Resident.objects.values("grid").distinct().count() == len(registry_seed.PLAN)
    assert 2_500 < Household.objects.count() < 5_000
    assert Resident.objects.filter(residence_type=ResidenceType.FLOATING).count() > 500
    assert House.objects.filter(is_rented=True).exclude(tenants=None).exists()
    assert Organisation.objects.values("kind").distinct().count() == 4
    # Heads are members of their households; every household has one.
    assert not Household.objects.filter(head__isnull=True).exists()
    assert not Household.objects.exclude(head__household=F("pk")).exists()

    # Protected values read back in plain text (encrypted once, not twice) and are found by their hash.
    sample = Resident.objects.order_by("?")[:50]
    for resident in sample:
        validate_id_number(resident.id_number)
        assert Resident.objects.get(id_number_hash=keyed_hash(resident.id_number)) == resident

    district = User.objects.get(username="district_staff")
    statuses = {m.visit_status for m in visits_due(user=district)}
    assert statuses == {VisitStatus.DUE, VisitStatus.OVERDUE}
    assert GroupMembership.objects.count() >= 100
    assert Visit.objects.count() > GroupMembership.objects.count()
    assert Visit.objects.filter(duty_log__duty__role__code="service").count() == Visit.objects.count()
    assert not Visit.objects.exclude(duty_log__resident=F("membership__resident")).exists()

    grids = list(
        {r.grid for r in Resident.objects.select_related("grid").distinct("grid_id").order_by("grid_id")}
    )
    figures = grid_figures(grids)
    assert all(f.population_source == "registry" for f in figures.values())
    assert sum(f.population for f in figures.values()) == Resident.objects.count()

    assert elapsed < 60, f"the registry seed took {elapsed:.1f}s"
    snapshot = (Resident.objects.count(), Household.objects.count(), Visit.objects.count())
    assert registry_seed.seed() == {}
    assert (Resident.objects.count(), Household.objects.count(), Visit.objects.count()) == snapshot
    print(f"registry seed: {totals} in {elapsed:.1f}s")  # noqa: T201


def test_no_resident_is_seeded_twice_by_id_number():
    call_command("seed_enyang", "--only", "grids", "accounts", "workers", "registry")
    duplicates = Resident.objects.values("id_number_hash").annotate(n=Count("id")).filter(n__gt=1).count()
    assert duplicates == 0
