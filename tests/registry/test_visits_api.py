import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from registry import services
from registry.choices import GroupType
from registry.models import GroupMembership, Visit
from tests import factories
from tests.workers.factories import make_worker
from workers.models import DutyLog
from workers.services import worker_create_login

from .conftest import fresh
from .factories import ResidentFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)
MEMBERSHIPS = "/api/v1/registry/memberships/"


def at(day, hour=9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def worker(tree):
    grid = tree["grid_v1"]
    grid.refresh_from_db()
    worker = make_worker(grid, name="李网格")
    worker_create_login(worker=worker, username="li_wangge")
    return worker


@pytest.fixture
def members(tree, worker):
    rows = []
    for i, group in enumerate(
        [GroupType.DRUG_USER, GroupType.ELDERLY_ALONE, GroupType.SEVERE_MENTAL_DISORDER]
    ):
        resident = ResidentFactory(grid=tree["grid_v1"], name=f"对象{i}")
        rows.append(
            services.membership_create(
                resident=resident, group_type=group, responsible=worker, start_date=START
            )
        )
    return rows


def test_a_worker_records_a_visit_through_the_api_as_a_duty_log(worker, members, api_for):
    user = fresh(worker.user)
    with time_machine.travel(at(START + dt.timedelta(days=5)), tick=False):
        response = api_for(user).post(
            f"{MEMBERSHIPS}{members[1].pk}/visits/", {"method": "phone", "finding": "身体良好"}, format="json"
        )
    assert response.status_code == 201, response.data
    visit = Visit.objects.get(pk=response.data["id"])
    assert DutyLog.objects.get(pk=response.data["duty_log"]).recorded_by == user
    assert visit.worker == worker and visit.method == "phone"


def test_visits_due_list_marks_due_and_overdue(
    tree, members, district_user, api_for, django_assert_max_num_queries
):
    on = START + dt.timedelta(days=13)  # elderly (7 days) overdue, mental disorder (14 days) due
    with django_assert_max_num_queries(8):
        response = api_for(district_user).get("/api/v1/registry/visits-due/", {"on": on.isoformat()})
    assert response.status_code == 200
    rows = {r["resident_name"]: (r["visit_status"], r["days_overdue"]) for r in response.data["results"]}
    assert rows == {"对象1": ("overdue", 6), "对象2": ("due", 0)}
    summary = api_for(district_user).get("/api/v1/registry/visits-due/summary/", {"on": on.isoformat()})
    assert (summary.data["due"], summary.data["overdue"], summary.data["members"]) == (1, 1, 3)


def test_memberships_outside_the_jurisdiction_are_404(tree, members, api_for):
    outsider = fresh(factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"]))
    client = api_for(outsider)
    assert client.get(f"{MEMBERSHIPS}{members[0].pk}/").status_code == 404
    assert client.post(f"{MEMBERSHIPS}{members[0].pk}/visits/", {}, format="json").status_code == 404
    assert client.get(MEMBERSHIPS).data["count"] == 0
    page = Client()
    page.force_login(outsider)
    assert page.get(f"/registry/memberships/{members[0].pk}/").status_code == 404


def test_special_group_membership_is_hidden_from_integrators(tree, members, api_for):
    integrator = factories.UserFactory(role=Role.INTEGRATOR, jurisdiction=tree["district"])
    assert api_for(integrator).get(MEMBERSHIPS).status_code == 403


def test_ending_twice_is_a_conflict(members, district_user, api_for):
    client = api_for(district_user)
    url = f"{MEMBERSHIPS}{members[0].pk}/end/"
    assert client.post(url, {"reason": "戒断三年"}, format="json").status_code == 200
    again = client.post(url, {}, format="json")
    assert again.status_code == 409 and again.data["current_state"] == "ended"
    assert client.post(f"{MEMBERSHIPS}{members[0].pk}/visits/", {}, format="json").status_code == 409


def test_creating_a_membership_takes_the_default_frequency(tree, worker, district_user, api_for):
    resident = ResidentFactory(grid=tree["grid_v1"])
    response = api_for(district_user).post(
        MEMBERSHIPS,
        {
            "resident": resident.pk,
            "group_type": "at_risk_youth",
            "responsible": worker.pk,
            "start_date": "2026-03-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert (response.data["visit_interval_days"], response.data["next_visit_due"]) == (30, "2026-03-31")
    changed = api_for(district_user).patch(
        f"{MEMBERSHIPS}{response.data['id']}/", {"visit_interval_days": 10}, format="json"
    )
    assert changed.data["next_visit_due"] == "2026-03-11"


def test_the_visit_pages_work_for_the_worker_on_a_phone(worker, members):
    client = Client()
    client.force_login(fresh(worker.user))
    with time_machine.travel(at(START + dt.timedelta(days=10)), tick=False):
        due = client.get("/registry/visits/due/?mine=1")
        assert due.status_code == 200 and "对象1" in due.content.decode()
        posted = client.post(
            f"/registry/memberships/{members[1].pk}/",
            {"method": "home", "finding": "已送药", "visited_at": ""},
        )
        assert posted.status_code == 302
        assert client.get("/registry/memberships/").status_code == 200
        assert client.get(f"/registry/memberships/{members[1].pk}/").status_code == 200
    assert Visit.objects.filter(membership=members[1]).count() == 1


def test_the_admin_creates_a_membership_through_the_service(tree, worker, district_admin):
    resident = ResidentFactory(grid=tree["grid_v1"])
    client = Client()
    client.force_login(district_admin)
    response = client.post(
        "/admin/registry/groupmembership/add/",
        {
            "resident": resident.pk,
            "group_type": "vagrant",
            "start_date": "2026-03-01",
            "responsible": worker.pk,
            "visit_interval_days": "",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = GroupMembership.objects.get(resident=resident)
    assert (membership.visit_interval_days, membership.category) == (30, "special")
    assert client.get("/admin/registry/groupmembership/").status_code == 200
    assert client.get("/admin/registry/visit/").status_code == 200


def test_membership_and_visit_lists_do_not_grow_in_queries(
    tree, worker, district_user, api_for, django_assert_max_num_queries
):
    client = api_for(district_user)
    for i in range(12):
        resident = ResidentFactory(grid=tree["grid_v1"], name=f"多{i}")
        membership = services.membership_create(
            resident=resident, group_type=GroupType.HARDSHIP, responsible=worker, start_date=START
        )
        with time_machine.travel(at(START + dt.timedelta(days=1)), tick=False):
            services.visit_record(membership=membership)
    with django_assert_max_num_queries(8):
        assert client.get(MEMBERSHIPS).data["count"] == 12
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/registry/visits/").data["count"] == 12
