import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import Role
from core.models import AuditLog
from core.pii import make_id_number
from grids.models import Area
from tests import factories
from workers import services
from workers.choices import AdmissionStatus
from workers.models import Duty, DutyLog, TaskAssignment, Worker
from workers.seed import REFERENCE_DATE

from .factories import make_department, make_item, make_worker

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 3, 17)


def test_the_worker_list_masks_id_and_phone_numbers(api_for, town_user, workers):
    response = api_for(town_user).get("/api/v1/workers/")
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.json()["results"]}
    assert set(rows) == {"张三", "李四"}
    full_id = workers["v1"].id_number
    assert rows["李四"]["id_number"] == full_id[:4] + "*" * 10 + full_id[-4:]
    assert rows["李四"]["phone"].count("*") == 4
    assert full_id not in response.content.decode()
    assert workers["v1"].phone not in response.content.decode()


def test_the_worker_list_needs_a_constant_number_of_queries(
    api_for, district_user, tree, django_assert_max_num_queries
):
    for _ in range(12):
        make_worker(tree["grid_v1"])
    with django_assert_max_num_queries(6):
        response = api_for(district_user).get("/api/v1/workers/")
    assert response.json()["count"] == 12


def test_a_worker_of_another_town_is_a_404(api_for, outsider, workers):
    client = api_for(outsider)
    assert client.get(f"/api/v1/workers/{workers['v1'].pk}/").status_code == 404
    assert client.get(f"/api/v1/workers/{workers['b1'].pk}/").status_code == 200
    assert client.get(f"/api/v1/workers/{workers['v1'].pk}/workload/").status_code == 404


def test_a_grid_worker_sees_only_their_own_grid(api_for, workers):
    user = services.worker_create_login(worker=workers["v1"], username="gwv1")
    names = [r["name"] for r in api_for(user).get("/api/v1/workers/").json()["results"]]
    assert names == ["李四"]


def test_reveal_through_the_api_is_refused_without_the_permission_and_recorded_with_it(
    api_for, town_user, district_admin, workers
):
    body = {"model": "workers.Worker", "id": workers["v1"].pk, "field": "id_number", "reason": "核对身份信息"}
    assert api_for(town_user).post("/api/v1/reveal/", body, format="json").status_code == 403
    response = api_for(district_admin).post("/api/v1/reveal/", body, format="json")
    assert response.json() == {"value": workers["v1"].id_number}
    entry = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (entry.actor, entry.field, entry.reason, entry.object_id) == (
        district_admin,
        "id_number",
        "核对身份信息",
        str(workers["v1"].pk),
    )


def test_creating_a_worker_through_the_api_validates_the_profile(api_for, town_user, tree):
    body = {
        "name": "赵六",
        "gender": "male",
        "birth_date": "1990-02-03",
        "education": "college",
        "employment": "full_time",
        "category": "village",
        "grid": tree["grid_v1"].pk,
        "id_number": make_id_number(dt.date(1990, 2, 3), serial=1),
        "phone": "13912345678",
    }
    response = api_for(town_user).post("/api/v1/workers/", body, format="json")
    assert response.status_code == 400 and "category" in response.json()
    body.update(employment="part_time")
    response = api_for(town_user).post("/api/v1/workers/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["id_number"].startswith("5119**")
    body.update(grid=tree["grid_b1"].pk, id_number=make_id_number(dt.date(1990, 2, 3), serial=3))
    assert api_for(town_user).post("/api/v1/workers/", body, format="json").status_code == 400


def test_the_stats_endpoint_reproduces_the_report_on_the_seed(api_for, db):
    call_command("seed_enyang", "--only", "grids", "accounts", "workers")
    district = Area.objects.get(code="511903")
    user = factories.UserFactory(role=Role.DISTRICT_STAFF, jurisdiction=district)
    response = api_for(user).get(f"/api/v1/workers/stats/?area={district.pk}&on={REFERENCE_DATE}")
    assert response.status_code == 200
    data = response.json()
    dims = {d["key"]: {r["value"]: (r["count"], r["percent"]) for r in d["rows"]} for d in data["dimensions"]}
    assert data["total"] == 385
    assert dims["education"] == {
        "junior_middle": (93, "24.16"),
        "senior_vocational": (182, "47.27"),
        "college": (110, "28.57"),
    }
    assert dims["age_band"] == {"up_to_30": (27, "7.01"), "31_40": (167, "43.38"), "41_plus": (191, "49.61")}
    assert dims["category"]["village"] == (209, "54.29")
    town = Area.objects.get(name="九镇")
    town_user = factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=town)
    assert api_for(town_user).get(f"/api/v1/workers/stats/?area={district.pk}").status_code == 404
    assert api_for(town_user).get("/api/v1/workers/stats/").json()["area"]["id"] == town.pk


def test_a_grid_worker_records_a_duty_log_through_the_api(api_for, workers):
    user = services.worker_create_login(worker=workers["v1"], username="gwv1")
    duty = Duty.objects.get(number=7)
    response = api_for(user).post(
        "/api/v1/duty-logs/", {"duty": duty.pk, "place": "村广场", "note": "法治宣传"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["role_name"] == "宣传员"
    response = api_for(user).post("/api/v1/duty-logs/", {"duty": duty.pk, "worker": workers["b1"].pk})
    assert response.status_code == 400  # another town's worker does not exist for this user
    assert DutyLog.objects.count() == 1


def test_the_duty_log_list_and_summary_are_scoped(
    api_for, workers, town_user, outsider, django_assert_max_num_queries
):
    for number in (1, 2, 6, 6):
        services.duty_log_create(worker=workers["v1"], duty=Duty.objects.get(number=number))
    with django_assert_max_num_queries(6):
        assert api_for(town_user).get("/api/v1/duty-logs/").json()["count"] == 4
    assert api_for(outsider).get("/api/v1/duty-logs/").json()["count"] == 0
    summary = api_for(town_user).get("/api/v1/duty-logs/summary/").json()
    assert summary["total"] == 4


def test_the_admission_lifecycle_through_the_api(api_for, district_user, workers):
    liaison = factories.UserFactory(
        role=Role.DEPARTMENT_LIAISON, jurisdiction=workers["v1"].grid.get_root(), department=make_department()
    )
    duty = Duty.objects.get(number=2)
    body = {
        "title": "出租房屋登记核查",
        "role": duty.role_id,
        "duty": duty.pk,
        "minutes_per_occurrence": 30,
        "frequency": "weekly",
        "valid_from": "2025-01-01",
    }
    response = api_for(liaison).post("/api/v1/admission-items/", body, format="json")
    assert response.status_code == 201, response.json()
    item_id = response.json()["id"]
    assert response.json()["department_name"] == "区公安分局"
    assert api_for(liaison).post(f"/api/v1/admission-items/{item_id}/approve/").status_code == 403
    staff = api_for(district_user)
    assert staff.post(f"/api/v1/admission-items/{item_id}/publish/").status_code == 409
    assign = {"item": item_id, "worker": workers["v1"].pk, "start_date": str(MONDAY)}
    response = staff.post("/api/v1/assignments/", assign, format="json")
    assert response.status_code == 400 and "未准入" in response.json()["item"][0]
    assert staff.post(f"/api/v1/admission-items/{item_id}/approve/").status_code == 200
    assert staff.post(f"/api/v1/admission-items/{item_id}/publish/").json()["status"] == "published"
    response = staff.post("/api/v1/assignments/", assign, format="json")
    assert response.status_code == 201
    assert response.json()["department_name"] == "区公安分局"
    detail = staff.get(f"/api/v1/admission-items/{item_id}/").json()
    assert [e["status"] for e in detail["events"]] == ["proposed", "approved", "published"]


def test_the_cap_and_its_override_through_the_api(api_for, district_user, workers):
    staff = api_for(district_user)
    big = make_item(minutes=470)
    small = make_item(minutes=30, title="防汛值守")
    staff.post(
        "/api/v1/assignments/", {"item": big.pk, "worker": workers["v1"].pk, "start_date": str(MONDAY)}
    )
    body = {"item": small.pk, "worker": workers["v1"].pk, "start_date": str(MONDAY)}
    response = staff.post("/api/v1/assignments/", body)
    assert response.status_code == 400 and "480" in response.json()["worker"][0]
    response = staff.post("/api/v1/assignments/", {**body, "override_reason": "汛期加派"})
    assert response.status_code == 201
    assert response.json()["override"]["reason"] == "汛期加派"
    flagged = staff.get(f"/api/v1/workers/flagged/?week={MONDAY}").json()
    assert [(f["name"], f["minutes"], f["cap"]) for f in flagged] == [("李四", 500, 480)]
    load = staff.get(f"/api/v1/workers/{workers['v1'].pk}/workload/?week={MONDAY}").json()
    assert load["over_cap"] is True
    top = staff.get("/api/v1/assignments/top-departments/").json()
    assert top[0]["assignments"] == 2


def test_the_assignment_list_needs_a_constant_number_of_queries(
    api_for, district_user, workers, django_assert_max_num_queries
):
    for i in range(6):
        services.task_assign(
            item=make_item(minutes=10, title=f"事项{i}"),
            worker=workers["c1"],
            actor=district_user,
            start_date=MONDAY,
        )
    with django_assert_max_num_queries(6):
        response = api_for(district_user).get("/api/v1/assignments/")
    assert response.json()["count"] == 6 == TaskAssignment.objects.count()


def test_training_attendance_through_the_api(api_for, district_user, outsider, workers, tree):
    staff = api_for(district_user)
    response = staff.post(
        "/api/v1/training-sessions/",
        {
            "topic": "identity_checks",
            "title": "身份核查培训",
            "held_on": "2025-04-01",
            "area": tree["district"].pk,
        },
    )
    assert response.status_code == 201
    session_id = response.json()["id"]
    for key in ("v1", "b1"):
        body = {"worker": workers[key].pk, "attended": True, "result": "passed", "score": "88.5"}
        assert staff.post(f"/api/v1/training-sessions/{session_id}/attendance/", body).status_code == 201
    rows = api_for(outsider).get(f"/api/v1/training-sessions/{session_id}/attendance/").json()
    assert [r["worker_name"] for r in rows] == ["王五"]


def test_an_admission_item_list_is_readable_by_every_signed_in_user(api_for, api, workers):
    make_item(status=AdmissionStatus.PUBLISHED)
    user = services.worker_create_login(worker=workers["v1"], username="gwv1")
    assert api_for(user).get("/api/v1/admission-items/").json()["count"] == 1
    assert api.get("/api/v1/admission-items/").status_code in (401, 403)
    assert Worker.objects.count() == 3


def test_a_duty_log_through_the_api_may_name_a_resident_the_user_can_see(api_for, workers, tree, town_user):
    from tests.registry.factories import ResidentFactory

    resident = ResidentFactory(grid=tree["grid_v1"])
    other = ResidentFactory(grid=tree["grid_b1"])
    duty = Duty.objects.get(number=5)
    client = api_for(town_user)
    body = {"worker": workers["v1"].pk, "duty": duty.pk, "resident": resident.pk}
    response = client.post("/api/v1/duty-logs/", body)
    assert response.status_code == 201, response.json()
    assert response.json()["resident"] == resident.pk
    assert client.post("/api/v1/duty-logs/", {**body, "resident": other.pk}).status_code == 404
    assert client.get(f"/api/v1/duty-logs/?resident={resident.pk}").json()["count"] == 1


def test_a_grid_worker_of_one_town_cannot_see_another_town_s_worker(api_for, workers):
    from django.test import Client

    user = services.worker_create_login(worker=workers["b1"], username="gwb1")
    assert api_for(user).get(f"/api/v1/workers/{workers['v1'].pk}/").status_code == 404
    client = Client()
    client.force_login(user)
    assert client.get(f"/workers/{workers['v1'].pk}/").status_code == 404
    assert client.get(f"/workers/{workers['b1'].pk}/").status_code == 200


def test_the_admission_list_needs_a_constant_number_of_queries(
    api_for, district_user, django_assert_max_num_queries
):
    for i in range(8):
        make_item(title=f"事项{i}")
    with django_assert_max_num_queries(5):
        response = api_for(district_user).get("/api/v1/admission-items/")
    assert response.json()["count"] == 8


def test_setting_a_worker_to_left_ends_the_assignments_and_a_second_leave_is_a_conflict(
    api_for, town_user, district_user, workers
):
    worker = workers["v1"]
    services.task_assign(item=make_item(), worker=worker, actor=district_user, start_date=MONDAY)
    client = api_for(town_user)
    response = client.patch(f"/api/v1/workers/{worker.pk}/", {"status": "left"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert not worker.grid_assignments.filter(end__isnull=True).exists()
    assert not worker.task_assignments.filter(status="active").exists()
    assert client.post(f"/api/v1/workers/{worker.pk}/leave/").status_code == 409


def test_a_worker_is_found_by_an_exact_id_or_phone_number_through_the_keyed_hash(
    api_for, town_user, outsider, workers
):
    worker = workers["v1"]
    client = api_for(town_user)
    found = client.get("/api/v1/workers/", {"id_number": worker.id_number.lower()}).json()["results"]
    assert [r["id"] for r in found] == [worker.pk]
    assert [r["id"] for r in client.get("/api/v1/workers/", {"phone": worker.phone}).json()["results"]] == [
        worker.pk
    ]
    assert api_for(outsider).get("/api/v1/workers/", {"id_number": worker.id_number}).json()["count"] == 0
