import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from workers import selectors, services
from workers.models import Duty, DutyLog, ServiceRole

pytestmark = pytest.mark.django_db


def test_the_five_roles_and_eight_duties_are_reference_data_with_the_duty_role_mapping():
    assert list(ServiceRole.objects.values_list("name", flat=True)) == [
        "信息员",
        "调解员",
        "协管员",
        "宣传员",
        "服务员",
    ]
    mapping = dict(Duty.objects.values_list("number", "role__code"))
    assert mapping == {
        1: "information",
        2: "co_manager",
        3: "information",
        4: "information",
        5: "service",
        6: "mediator",
        7: "publicist",
        8: "service",
    }


def test_a_duty_log_takes_the_role_of_its_duty_and_the_worker_s_grid(workers, tree):
    duty = Duty.objects.get(number=6)
    log = services.duty_log_create(worker=workers["v1"], duty=duty, place="村委会", note="邻里纠纷调解")
    assert (log.role.code, log.grid) == ("mediator", tree["grid_v1"])
    assert log.occurred_at <= timezone.now()


def test_a_duty_log_in_a_grid_below_the_worker_s_grid_is_accepted_and_elsewhere_refused(workers, tree):
    from tests.factories import make_grid

    level2 = make_grid(tree["grid_v1"])
    duty = Duty.objects.get(number=1)
    assert services.duty_log_create(worker=workers["v1"], duty=duty, grid=level2).grid == level2
    with pytest.raises(ValidationError):
        services.duty_log_create(worker=workers["v1"], duty=duty, grid=tree["grid_b1"])


def test_a_duty_log_cannot_be_in_the_future(workers):
    with pytest.raises(ValidationError):
        services.duty_log_create(
            worker=workers["v1"],
            duty=Duty.objects.get(number=1),
            occurred_at=timezone.now() + dt.timedelta(days=1),
        )


def test_a_grid_worker_records_only_their_own_work(workers):
    user = services.worker_create_login(worker=workers["v1"], username="gwv1")
    duty = Duty.objects.get(number=7)
    assert services.duty_log_create(worker=workers["v1"], duty=duty, actor=user).recorded_by == user
    with pytest.raises(PermissionDenied):
        services.duty_log_create(worker=workers["b1"], duty=duty, actor=user)


def test_the_monthly_summary_counts_per_role_and_duty_for_a_subtree(workers, tree):
    with time_machine.travel(dt.datetime(2025, 3, 20, 2, tzinfo=dt.UTC)):
        for number, worker in [(6, "v1"), (6, "v1"), (5, "c1"), (8, "b1"), (1, "v1")]:
            services.duty_log_create(worker=workers[worker], duty=Duty.objects.get(number=number))
        services.duty_log_create(
            worker=workers["v1"],
            duty=Duty.objects.get(number=6),
            occurred_at=dt.datetime(2025, 2, 28, 23, 30, tzinfo=timezone.get_current_timezone()),
        )
    summary = selectors.duty_log_monthly_summary(root=tree["town_a"], month=dt.date(2025, 3, 1))
    by_role = {r["code"]: r for r in summary["roles"]}
    assert summary["total"] == 4
    assert by_role["mediator"]["logs"] == 2 and by_role["mediator"]["workers"] == 1
    assert by_role["service"]["logs"] == 1  # 乙镇's livelihood visit is outside 甲镇
    assert by_role["information"]["duties"][0]["logs"] == 1
    assert len(summary["roles"]) == 5 and sum(len(r["duties"]) for r in summary["roles"]) == 8


def test_activity_per_role_is_counted_for_assessment(workers):
    start = timezone.now() - dt.timedelta(days=1)
    services.duty_log_create(worker=workers["v1"], duty=Duty.objects.get(number=7))
    counts = selectors.duty_log_counts_by_role(
        start=start, end=timezone.now() + dt.timedelta(minutes=1), worker=workers["v1"]
    )
    assert counts == {"information": 0, "mediator": 0, "co_manager": 0, "publicist": 1, "service": 0}


def test_duty_logs_are_scoped_to_the_user_s_subtree(workers, town_user, outsider):
    services.duty_log_create(worker=workers["v1"], duty=Duty.objects.get(number=1))
    assert DutyLog.objects.visible_to(town_user).count() == 1
    assert DutyLog.objects.visible_to(outsider).count() == 0
    assert (
        DutyLog.objects.visible_to(factories.UserFactory(jurisdiction=None, role="town_staff")).count() == 0
    )


def test_a_duty_log_can_concern_an_incident(workers, tree):
    from incidents.seed import seed_reference
    from tests.incidents.factories import report

    seed_reference()
    incident = report(tree["grid_v1"])
    log = services.duty_log_create(worker=workers["v1"], duty=Duty.objects.get(number=6), incident=incident)
    assert incident.duty_logs.get() == log
