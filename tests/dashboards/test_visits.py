"""Special- and care-group visits on the town dashboard and the grid worker's phone page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from registry import services as registry_services
from registry.choices import GroupType
from tests.registry.factories import ResidentFactory
from tests.workers.factories import make_worker
from workers import services as worker_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(mapped_tree):
    worker = make_worker(mapped_tree["grid_v1"], name="李四")
    worker_services.worker_create_login(worker=worker, username="lisi", password="Str0ng-Passw0rd!")
    worker.refresh_from_db()
    return worker


@pytest.fixture
def memberships(worker, mapped_tree):
    """Two people 李四 visits: one overdue since 2026-11-13, one due 2026-11-25; one in 乙镇."""
    with time_machine.travel(dt.datetime(2026, 10, 14, 2, 0, tzinfo=dt.UTC), tick=False):
        elderly = ResidentFactory(grid=mapped_tree["grid_v1"], name="赵老人")
        registry_services.membership_create(
            resident=elderly, group_type=GroupType.ELDERLY_ALONE, responsible=worker, visit_interval_days=30
        )
    with time_machine.travel(dt.datetime(2026, 10, 26, 2, 0, tzinfo=dt.UTC), tick=False):
        youth = ResidentFactory(grid=mapped_tree["grid_v1"], name="钱少年")
        registry_services.membership_create(
            resident=youth, group_type=GroupType.AT_RISK_YOUTH, responsible=worker, visit_interval_days=30
        )
        other = make_worker(mapped_tree["grid_b1"], name="王五")
        registry_services.membership_create(
            resident=ResidentFactory(grid=mapped_tree["grid_b1"], name="孙某"),
            group_type=GroupType.ELDERLY_ALONE,
            responsible=other,
            visit_interval_days=30,
        )


@time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)
def test_the_town_dashboard_counts_visits_due_overdue_and_done(api_for, town_user, memberships, mapped_tree):
    visits = (
        api_for(town_user)
        .get(reverse("api:dashboard-town", args=[mapped_tree["town_a"].pk]))
        .json()["visits"]
    )
    assert visits == {"due": 1, "overdue": 1, "done": 0, "members": 2}


@time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)
def test_a_grid_worker_sees_their_visits_due_soonest_first(client, worker, memberships):
    client.force_login(worker.user)
    response = client.get(reverse("dashboards:phone-visits"))
    visits = response.context["visits"]
    assert [(v["subject"], v["overdue"]) for v in visits] == [("赵老人", True), ("钱少年", False)]
    assert visits[0]["days_overdue"] == 10
    html = response.content.decode()
    assert "孙某" not in html and "赵老人" in html
