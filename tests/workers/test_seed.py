import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from core.pii import id_number_birth_date
from grids.models import Area
from workers import selectors
from workers.models import GridAssignment, Worker
from workers.seed import DEMO_USERNAME, REFERENCE_DATE

pytestmark = pytest.mark.django_db

# DOMAIN §2, number for number (count, percent). The report prints 44.93% and 55.07% for 173 and 212 of 385;
# rounded to two decimals those are 44.94% (44.935…) and 55.06% (55.064…), which is what we show and test.
EXPECTED = {
    "gender": {"male": (173, "44.94"), "female": (212, "55.06")},
    "political_status": {"party_member": (209, "54.29"), "non_member": (176, "45.71")},
    "education": {
        "junior_middle": (93, "24.16"),
        "senior_vocational": (182, "47.27"),
        "college": (110, "28.57"),
    },
    "age_band": {"up_to_30": (27, "7.01"), "31_40": (167, "43.38"), "41_plus": (191, "49.61")},
    "certificate_level": {"junior": (24, "6.23"), "intermediate": (1, "0.26"), "senior": (0, "0.00")},
    "category": {
        "urban_community": (83, "21.56"),
        "rural_community": (93, "24.16"),
        "village": (209, "54.29"),
    },
}


@pytest.fixture
def seeded(db):
    call_command("seed_enyang", "--only", "grids", "accounts", "workers")
    return Area.objects.get(code="511903")


def test_the_seed_s_structure_report_equals_the_report_number_for_number(seeded):
    report = selectors.structure_report(root=seeded, on=REFERENCE_DATE)
    assert report.total == 385
    for key, expected in EXPECTED.items():
        rows = {r.value: (r.count, str(r.percent)) for r in report.dimension(key).rows}
        for value, figures in expected.items():
            assert rows[value] == figures, (key, value)


def test_one_worker_per_level_1_grid_with_a_consistent_id_number_and_a_sign_in(seeded):
    workers = list(Worker.objects.select_related("grid", "user"))
    assert len(workers) == 385
    assert len({w.grid_id for w in workers}) == 385
    assert all(w.grid.kind == "grid_l1" for w in workers)
    assert all(id_number_birth_date(w.id_number) == w.birth_date for w in workers)
    assert all((int(w.id_number[16]) % 2 == 1) == (w.gender == "male") for w in workers)
    usernames = {w.user.username for w in workers}
    assert DEMO_USERNAME in usernames
    assert sum(1 for u in usernames if u.startswith("gw")) == 384
    assert all(w.user.role == "grid_worker" and w.user.jurisdiction_id == w.grid_id for w in workers)
    assert User.objects.get(username=DEMO_USERNAME).has_usable_password()
    assert not User.objects.filter(username__startswith="gw").first().has_usable_password()
    assert GridAssignment.objects.filter(end__isnull=True).count() == 385


def test_a_second_seed_run_creates_nothing(seeded):
    before = (Worker.objects.count(), User.objects.count(), GridAssignment.objects.count())
    snapshot = list(Worker.objects.order_by("pk").values_list("pk", "name", "birth_date", "id_number_hash"))
    call_command("seed_enyang", "--only", "grids", "accounts", "workers")
    assert (Worker.objects.count(), User.objects.count(), GridAssignment.objects.count()) == before
    assert (
        list(Worker.objects.order_by("pk").values_list("pk", "name", "birth_date", "id_number_hash"))
        == snapshot
    )


def test_the_structure_of_a_subtree_has_percentages_of_its_own_total(seeded):
    town = Area.objects.get(name="登科街道")
    report = selectors.structure_report(root=town, on=REFERENCE_DATE)
    assert 0 < report.total < 385
    gender = report.dimension("gender")
    assert sum(r.count for r in gender.rows) == report.total
    assert abs(sum(r.percent for r in gender.rows) - Decimal(100)) <= Decimal("0.01")
    assert (
        selectors.structure_report(root=town, on=dt.date(2024, 1, 1)).dimension("category").count("village")
        > 0
    )


def test_the_seed_adds_a_demo_admission_list_with_two_overloaded_workers(seeded):
    from workers.models import AdmissionItem, DutyLog, TrainingAttendance, WorkloadOverride

    assert AdmissionItem.objects.filter(status="published").count() == 6
    assert AdmissionItem.objects.filter(status="proposed").count() == 1
    district_user = User.objects.get(username="district_staff")
    flagged = selectors.flagged_workers(user=district_user, week_start=timezone.localdate())
    assert len(flagged) == 2 and all(f.worker.employment == "part_time" for f in flagged)
    assert WorkloadOverride.objects.count() == 2
    assert DutyLog.objects.exists() and TrainingAttendance.objects.exists()
