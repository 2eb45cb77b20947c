"""Grid workers on the dashboards (workload, duty logs, warnings) and on their phone pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from incidents.choices import Level, Status
from tests import factories
from tests.workers.factories import make_item, make_worker
from workers import services as worker_services
from workers.models import Duty, DutyLog

from .factories import bulk_incidents, categories

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def now():
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def worker(mapped_tree, now):
    """李四, part-time worker of 甲村第1网格, with a sign-in."""
    worker = make_worker(mapped_tree["grid_v1"], name="李四")
    worker_services.worker_create_login(worker=worker, username="lisi", password="Str0ng-Passw0rd!")
    worker.refresh_from_db()
    return worker


def test_the_town_dashboard_lists_each_workers_weekly_load_and_duty_logs(
    api_for, town_user, district_admin, worker, mapped_tree
):
    other = make_worker(mapped_tree["grid_c1"], name="张三")
    make_worker(mapped_tree["grid_b1"], name="王五")  # 乙镇: not on 甲镇's dashboard
    worker_services.task_assign(
        item=make_item(minutes=300), worker=worker, actor=district_admin, start_date=MONDAY
    )
    worker_services.task_assign(
        item=make_item(minutes=300, title="消防隐患排查"),
        worker=worker,
        actor=district_admin,
        start_date=MONDAY,
        override_reason="汛期临时加派",
    )
    duty = Duty.objects.get(number=1)
    for hours in (1, 2, 3):
        worker_services.duty_log_create(
            worker=worker, duty=duty, occurred_at=timezone.now() - dt.timedelta(hours=hours)
        )
    data = api_for(town_user).get(reverse("api:dashboard-town", args=[worker.grid.parent.parent_id])).json()
    rows = {row["name"]: row for row in data["workload"]}
    assert set(rows) == {"李四", "张三"}
    assert rows["李四"] == {
        "id": worker.pk,
        "name": "李四",
        "grid": "甲村第1网格",
        "minutes": 600,
        "cap": 480,
        "overloaded": True,
        "duty_logs": 3,
    }
    assert rows["张三"]["id"] == other.pk and rows["张三"]["minutes"] == 0
    assert data["workload"][0]["name"] == "李四"  # the overloaded first
    assert sum(data["charts"]["duty_roles"]["series"][0]["data"]) == 3


def test_the_district_warns_of_overloaded_workers_and_items_awaiting_approval(
    api_for, district_user, district_admin, worker
):
    for title in ("入户走访", "消防隐患排查"):
        worker_services.task_assign(
            item=make_item(minutes=300, title=title),
            worker=worker,
            actor=district_admin,
            start_date=MONDAY,
            override_reason="汛期临时加派",
        )
    make_item(status="proposed", title="环保巡查")
    warnings = api_for(district_user).get(reverse("api:dashboard-district")).json()["warnings"]
    kinds = [w["kind"] for w in warnings]
    assert kinds == ["overloaded", "admission_proposed"]
    assert "李四" in warnings[0]["text"] and "600" in warnings[0]["text"]


def test_a_grid_worker_lands_on_the_phone_pages(client, worker):
    client.force_login(worker.user)
    assert client.get(reverse("dashboards:home"))["Location"] == reverse("dashboards:phone-home")
    html = client.get(reverse("dashboards:phone-home")).content.decode()
    assert "李四" in html and reverse("dashboards:phone-report") in html


def test_a_grid_worker_writes_a_duty_log_from_the_phone_page(client, worker):
    client.force_login(worker.user)
    duty = Duty.objects.get(number=6)
    response = client.post(
        reverse("dashboards:phone-duty-log"),
        {"duty": duty.pk, "occurred_at": "2026-11-23T09:30", "place": "甲村3组", "note": "调解邻里纠纷"},
    )
    assert response.status_code == 302
    log = DutyLog.objects.get(worker=worker)
    assert (log.duty, log.grid_id, log.place, log.recorded_by) == (
        duty,
        worker.grid_id,
        "甲村3组",
        worker.user,
    )
    assert log.occurred_at == dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    assert "调解邻里纠纷" in client.get(reverse("dashboards:phone-duty-log")).content.decode()


def test_a_duty_log_in_the_future_is_refused_with_the_form_kept(client, worker):
    client.force_login(worker.user)
    duty = Duty.objects.get(number=1)
    response = client.post(
        reverse("dashboards:phone-duty-log"),
        {"duty": duty.pk, "occurred_at": "2026-11-30T09:30", "place": "甲村3组", "note": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["occurred_at"]
    assert 'value="甲村3组"' in response.content.decode()
    assert DutyLog.objects.count() == 0


def test_staff_without_a_worker_profile_have_no_duty_log_page(client, town_user, now):
    client.force_login(town_user)
    assert client.get(reverse("dashboards:phone-duty-log")).status_code == 404


def test_my_incidents_and_tasks_show_what_the_worker_handles_with_deadlines(client, district_admin, worker):
    categories()
    deadline = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    grid = worker.grid
    bulk_incidents(
        grid,
        1,
        at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC),
        status=Status.DISPATCHED,
        level=Level.GRID,
        handling_area=grid,
        deadline=deadline,
    )
    bulk_incidents(
        grid,
        1,
        at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC),
        status=Status.DISPATCHED,
        level=Level.TOWN,
        handling_area=grid.parent.parent,
    )  # the town handles it, not the worker
    worker_services.task_assign(
        item=make_item(minutes=60), worker=worker, actor=district_admin, start_date=MONDAY
    )
    client.force_login(worker.user)
    response = client.get(reverse("dashboards:phone-mine"))
    assert [i.level for i in response.context["handling"]] == [Level.GRID]
    assert [t.item.title for t in response.context["tasks"]] == ["出租房屋巡查"]
    html = response.content.decode()
    assert "11-24 18:00" in html  # the deadline in Asia/Shanghai


def test_a_grid_worker_may_not_open_a_town_dashboard(client, worker):
    client.force_login(worker.user)
    assert client.get(reverse("dashboards:town", args=[worker.grid.parent.parent_id])).status_code == 404


def test_village_staff_have_no_town_dashboard_to_land_on(client, mapped_tree, now):
    user = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=mapped_tree["village"])
    client.force_login(user)
    assert client.get(reverse("dashboards:home")).status_code == 404
