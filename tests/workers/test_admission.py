import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from core.errors import ConflictError
from tests import factories
from workers import selectors, services
from workers.choices import AdmissionStatus, AssignmentLevel, AssignmentStatus, Frequency
from workers.models import AdmissionItem, Duty, TaskAssignment, WorkloadOverride
from workers.tasks import expire_admission_items

from .factories import make_department, make_item

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 3, 17)


def test_an_item_moves_proposed_approved_published_revoked_with_an_event_each(district_user):
    item = make_item(status=AdmissionStatus.PROPOSED)
    services.admission_item_approve(item=item, actor=district_user)
    services.admission_item_publish(item=item, actor=district_user)
    services.admission_item_revoke(item=item, actor=district_user, reason="任务结束")
    assert list(item.events.values_list("status", flat=True)) == [
        "proposed",
        "approved",
        "published",
        "revoked",
    ]
    assert item.events.last().note == "任务结束"


def test_publishing_an_unapproved_item_is_a_conflict():
    item = make_item(status=AdmissionStatus.PROPOSED)
    with pytest.raises(ConflictError) as excinfo:
        services.admission_item_publish(item=item)
    assert excinfo.value.current_state == "proposed"


def test_a_duty_must_belong_to_the_item_s_role():
    duty = Duty.objects.get(number=6)  # mediator
    wrong_role = Duty.objects.get(number=7).role  # publicist
    with pytest.raises(ValidationError) as excinfo:
        services.admission_item_propose(
            department=make_department(),
            title="x",
            role=wrong_role,
            duty=duty,
            minutes_per_occurrence=30,
            frequency=Frequency.WEEKLY,
            valid_from=MONDAY,
        )
    assert "duty" in excinfo.value.message_dict


def test_a_temporary_item_needs_an_end_date():
    with pytest.raises(ValidationError):
        make_item(status=AdmissionStatus.PROPOSED, is_temporary=True, valid_until=None)


def test_weekly_minutes_follow_the_frequency():
    assert make_item(minutes=30, frequency=Frequency.DAILY).weekly_minutes == 150
    assert make_item(minutes=60, frequency=Frequency.WEEKLY).weekly_minutes == 60
    assert make_item(minutes=52 * 5, frequency=Frequency.YEARLY).weekly_minutes == 5


@pytest.mark.parametrize(
    "status", [AdmissionStatus.PROPOSED, AdmissionStatus.APPROVED, AdmissionStatus.REVOKED]
)
def test_assignment_from_an_unpublished_item_is_refused_as_not_admitted(workers, district_user, status):
    item = make_item(status=status)
    with pytest.raises(ValidationError) as excinfo:
        services.task_assign(item=item, worker=workers["v1"], actor=district_user)
    assert excinfo.value.error_dict["item"][0].code == "not_admitted"
    assert TaskAssignment.objects.count() == 0


def test_assignment_outside_the_item_s_validity_is_refused(workers, district_user):
    with time_machine.travel(dt.datetime(2025, 6, 1, tzinfo=dt.UTC)):
        item = make_item(valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2025, 12, 31))
    with pytest.raises(ValidationError, match="not admitted|未准入|不在准入"):
        services.task_assign(
            item=item, worker=workers["v1"], actor=district_user, start_date=dt.date(2026, 1, 5)
        )


def test_an_assignment_records_who_gave_it_from_which_level_and_department(workers, town_user):
    item = make_item(department=make_department("fire", "区消防救援大队"))
    assignment = services.task_assign(item=item, worker=workers["v1"], actor=town_user, start_date=MONDAY)
    assert assignment.assigned_by == town_user
    assert assignment.assigned_level == AssignmentLevel.TOWN
    assert assignment.department.code == "fire"
    assert assignment.grid == workers["v1"].grid


def test_an_assignment_by_a_department_liaison_is_credited_to_their_department(workers, tree):
    court = make_department("court", "区人民法院")
    liaison = factories.UserFactory(
        role=Role.DEPARTMENT_LIAISON, jurisdiction=tree["district"], department=court
    )
    assignment = services.task_assign(
        item=make_item(), worker=workers["v1"], actor=liaison, start_date=MONDAY
    )
    assert (assignment.assigned_level, assignment.department) == (AssignmentLevel.DISTRICT, court)


def test_weekly_workload_is_the_sum_of_the_assignments_running_that_week(workers, district_user):
    worker = workers["v1"]
    services.task_assign(item=make_item(minutes=60), worker=worker, actor=district_user, start_date=MONDAY)
    services.task_assign(
        item=make_item(minutes=90, frequency=Frequency.ONCE),
        worker=worker,
        actor=district_user,
        start_date=MONDAY + dt.timedelta(days=2),
    )
    assert selectors.workload_for(worker=worker, week_start=MONDAY).minutes == 150
    following = selectors.workload_for(worker=worker, week_start=MONDAY + dt.timedelta(days=7))
    assert following.minutes == 60  # the one-off counts only in its own week
    assert selectors.workload_for(worker=worker, week_start=MONDAY - dt.timedelta(days=7)).minutes == 0


def test_above_the_cap_an_assignment_is_refused_unless_overridden_with_a_reason(
    workers, district_user, settings
):
    worker = workers["v1"]  # part-time: cap 480 minutes a week
    assert selectors.cap_for(worker) == 480
    services.task_assign(item=make_item(minutes=400), worker=worker, actor=district_user, start_date=MONDAY)
    heavy = make_item(minutes=120, title="防汛巡查")
    with pytest.raises(ValidationError) as excinfo:
        services.task_assign(item=heavy, worker=worker, actor=district_user, start_date=MONDAY)
    assert excinfo.value.error_dict["worker"][0].code == "over_cap"
    assert "520" in " ".join(excinfo.value.messages) and "480" in " ".join(excinfo.value.messages)

    assignment = services.task_assign(
        item=heavy, worker=worker, actor=district_user, start_date=MONDAY, override_reason="汛期临时加派"
    )
    override = WorkloadOverride.objects.get(assignment=assignment)
    assert (override.authorised_by, override.reason, override.workload_minutes, override.cap_minutes) == (
        district_user,
        "汛期临时加派",
        520,
        480,
    )
    assert selectors.workload_for(worker=worker, week_start=MONDAY).over_cap


def test_a_user_without_the_override_permission_cannot_override(workers, village_staff):
    services.task_assign(
        item=make_item(minutes=450), worker=workers["v1"], actor=village_staff, start_date=MONDAY
    )
    with pytest.raises(PermissionDenied):
        services.task_assign(
            item=make_item(minutes=60),
            worker=workers["v1"],
            actor=village_staff,
            start_date=MONDAY,
            override_reason="我想加",
        )
    assert TaskAssignment.objects.count() == 1


def test_the_cap_is_checked_in_a_later_week_where_other_work_starts(workers, district_user):
    worker = workers["c1"]  # full-time: cap 1200
    services.task_assign(
        item=make_item(minutes=1150),
        worker=worker,
        actor=district_user,
        start_date=MONDAY + dt.timedelta(days=14),
    )
    with pytest.raises(ValidationError):
        services.task_assign(
            item=make_item(minutes=100), worker=worker, actor=district_user, start_date=MONDAY
        )


def test_flagged_workers_and_the_departments_that_assign_most(workers, district_user, town_user, outsider):
    fire = make_department("fire", "区消防救援大队")
    services.task_assign(
        item=make_item(minutes=470), worker=workers["v1"], actor=district_user, start_date=MONDAY
    )
    services.task_assign(
        item=make_item(minutes=30, department=fire),
        worker=workers["v1"],
        actor=district_user,
        start_date=MONDAY,
        override_reason="紧急",
    )
    services.task_assign(
        item=make_item(minutes=30, department=fire),
        worker=workers["c1"],
        actor=district_user,
        start_date=MONDAY,
    )
    flagged = selectors.flagged_workers(user=town_user, week_start=MONDAY + dt.timedelta(days=3))
    assert [(f.worker, f.minutes, f.cap) for f in flagged] == [(workers["v1"], 500, 480)]
    assert selectors.flagged_workers(user=outsider, week_start=MONDAY) == []
    top = selectors.top_assigning_departments(user=town_user)
    assert (top[0]["department__name"], top[0]["assignments"], top[0]["overrides"]) == (
        "区消防救援大队",
        2,
        1,
    )


def test_temporary_items_expire_by_the_beat_task_after_their_end_date(workers, district_user):
    with time_machine.travel(dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC)):
        item = make_item(valid_from=dt.date(2025, 7, 1), valid_until=dt.date(2025, 7, 31), is_temporary=True)
        lasting = make_item(valid_from=dt.date(2025, 7, 1))
        assignment = services.task_assign(item=item, worker=workers["v1"], actor=district_user)
        assert assignment.end_date == dt.date(2025, 7, 31)
    with time_machine.travel(dt.datetime(2025, 7, 31, 15, 59, tzinfo=dt.UTC)):  # 23:59 in Shanghai
        assert expire_admission_items.apply().get() == 0
    with time_machine.travel(dt.datetime(2025, 7, 31, 16, 1, tzinfo=dt.UTC)):  # 00:01 on 1 August
        assert expire_admission_items.apply().get() == 1
        assert expire_admission_items.apply().get() == 0
        item.refresh_from_db()
        assert item.status == AdmissionStatus.EXPIRED and item.expired_at is not None
        assert AdmissionItem.objects.get(pk=lasting.pk).status == AdmissionStatus.PUBLISHED
        assert TaskAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ENDED
        with pytest.raises(ValidationError, match="not admitted|未准入|不在准入"):
            services.task_assign(item=item, worker=workers["c1"], actor=district_user)


def test_revoking_an_item_ends_its_assignments(workers, district_user):
    item = make_item()
    assignment = services.task_assign(item=item, worker=workers["v1"], actor=district_user, start_date=MONDAY)
    with time_machine.travel(dt.datetime(2025, 4, 2, 4, tzinfo=dt.UTC)):
        services.admission_item_revoke(item=item, actor=district_user, reason="职能调整")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.end_date) == (AssignmentStatus.ENDED, dt.date(2025, 4, 2))
    assert selectors.workload_for(worker=workers["v1"], week_start=dt.date(2025, 4, 7)).minutes == 0


def test_the_expiry_task_is_on_the_beat_schedule():
    from enyang_grid.celery import app

    app.loader.import_default_modules()
    app.finalize()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "workers.tasks.expire_admission_items" in tasks
