import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from core.errors import ConflictError
from core.models import Notification
from registry import services
from registry.choices import GroupCategory, GroupType, VisitStatus
from registry.selectors import visit_summary, visits_due
from registry.tasks import send_visit_reminders
from tests import factories
from tests.workers.factories import make_worker
from workers.services import worker_create_login

from .conftest import fresh
from .factories import ResidentFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)  # a Monday


def at(day: dt.date, hour: int = 9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def worker(tree):
    grid = tree["grid_v1"]
    grid.refresh_from_db()
    worker = make_worker(grid, name="李网格")
    worker_create_login(worker=worker, username="li_wangge")
    return worker


@pytest.fixture
def member(tree, worker):
    """A community-corrections subject in 甲村: visited weekly by default."""
    resident = ResidentFactory(grid=tree["grid_v1"], name="矫正对象甲", address="甲村2组5号")
    return services.membership_create(
        resident=resident, group_type=GroupType.COMMUNITY_CORRECTION, responsible=worker, start_date=START
    )


def test_each_group_has_a_default_visit_frequency_that_can_be_changed(tree, worker):
    resident = ResidentFactory(grid=tree["grid_v1"])
    elderly = services.membership_create(
        resident=resident, group_type=GroupType.ELDERLY_ALONE, responsible=worker, start_date=START
    )
    released = services.membership_create(
        resident=resident, group_type=GroupType.RELEASED_PRISONER, responsible=worker, start_date=START
    )
    assert (elderly.visit_interval_days, elderly.category) == (7, GroupCategory.CARE)
    assert (released.visit_interval_days, released.category) == (30, GroupCategory.SPECIAL)
    assert released.next_visit_due == START + dt.timedelta(days=30)
    services.membership_update(membership=released, visit_interval_days=14)
    released.refresh_from_db()
    assert released.next_visit_due == START + dt.timedelta(days=14)


def test_a_resident_is_in_a_group_once_at_a_time(tree, worker, member):
    with pytest.raises(ValidationError):
        services.membership_create(
            resident=member.resident, group_type=GroupType.COMMUNITY_CORRECTION, responsible=worker
        )


def test_the_responsible_worker_serves_the_residents_grid(tree):
    other_grid = tree["grid_b1"]
    other_grid.refresh_from_db()
    elsewhere = make_worker(other_grid, name="王外村")
    resident = ResidentFactory(grid=tree["grid_v1"])
    with pytest.raises(ValidationError) as excinfo:
        services.membership_create(resident=resident, group_type=GroupType.HARDSHIP, responsible=elsewhere)
    assert "responsible" in excinfo.value.message_dict


def test_a_visit_is_a_service_role_duty_log_and_moves_the_next_due_date(member, worker):
    with time_machine.travel(at(START + dt.timedelta(days=6)), tick=False):
        visit = services.visit_record(membership=member, finding="情况稳定")
    log = visit.duty_log
    assert (log.duty.number, log.role.code, log.worker, log.grid) == (
        5,
        "service",
        worker,
        member.resident.grid,
    )
    assert log.resident == member.resident
    assert visit.on_time and visit.due_date == START + dt.timedelta(days=7)
    member.refresh_from_db()
    assert member.next_visit_due == START + dt.timedelta(days=13)


def test_a_care_group_visit_counts_under_livelihood_services(tree, worker):
    resident = ResidentFactory(grid=tree["grid_v1"])
    membership = services.membership_create(
        resident=resident, group_type=GroupType.ELDERLY_ALONE, responsible=worker, start_date=START
    )
    with time_machine.travel(at(START + dt.timedelta(days=1)), tick=False):
        visit = services.visit_record(membership=membership)
    assert (visit.duty_log.duty.number, visit.duty_log.role.code) == (8, "service")


def test_an_ended_membership_takes_no_more_visits(member):
    with time_machine.travel(at(START + dt.timedelta(days=3)), tick=False):
        services.membership_end(membership=member, reason="矫正期满")
        with pytest.raises(ConflictError):
            services.visit_record(membership=member)
        with pytest.raises(ConflictError):
            services.membership_end(membership=member)


def test_visits_become_due_then_overdue_as_time_passes(member, district_user):
    due_date = START + dt.timedelta(days=7)

    def status_on(day):
        rows = list(visits_due(user=district_user, on=day))
        return [(r.pk, r.visit_status, r.days_overdue) for r in rows]

    assert status_on(due_date - dt.timedelta(days=4)) == []
    assert status_on(due_date - dt.timedelta(days=3)) == [(member.pk, VisitStatus.DUE, 0)]
    assert status_on(due_date) == [(member.pk, VisitStatus.DUE, 0)]
    assert status_on(due_date + dt.timedelta(days=2)) == [(member.pk, VisitStatus.OVERDUE, 2)]
    with time_machine.travel(at(due_date + dt.timedelta(days=2)), tick=False):
        assert member.status_on(timezone.localdate()) == VisitStatus.OVERDUE
        assert member.overdue
        assert visit_summary(user=district_user)["overdue"] == 1
        services.visit_record(membership=member)
        assert list(visits_due(user=district_user)) == []
        assert visit_summary(user=district_user) == {"due": 0, "overdue": 0, "done": 1, "members": 1}


def test_visits_due_are_scoped_to_the_jurisdiction(tree, member):
    outsider = fresh(factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"]))
    town = fresh(factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_a"]))
    late = START + dt.timedelta(days=30)
    assert list(visits_due(user=outsider, on=late)) == []
    assert [m.pk for m in visits_due(user=town, on=late)] == [member.pk]


def test_the_daily_task_reminds_the_worker_once_and_tells_village_staff_of_overdue_visits_once(
    tree, member, worker
):
    village_staff = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"])
    other_village = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village_b"])
    due_date = START + dt.timedelta(days=7)

    def notes(user, kind):
        return Notification.objects.filter(recipient=user, kind=kind).count()

    with time_machine.travel(at(due_date - dt.timedelta(days=4), 7), tick=False):
        assert send_visit_reminders() == {"due": 0, "overdue": 0}
    with time_machine.travel(at(due_date - dt.timedelta(days=2), 7), tick=False):
        assert send_visit_reminders() == {"due": 1, "overdue": 0}
        assert send_visit_reminders() == {"due": 0, "overdue": 0}
    with time_machine.travel(at(due_date, 7), tick=False):
        assert send_visit_reminders() == {"due": 0, "overdue": 0}
    for days_late in (1, 2, 5):
        with time_machine.travel(at(due_date + dt.timedelta(days=days_late), 7), tick=False):
            send_visit_reminders()
    assert notes(worker.user, "registry.visit_due") == 1
    assert notes(village_staff, "registry.visit_overdue") == 1
    assert notes(other_village, "registry.visit_overdue") == 0
    overdue_note = Notification.objects.get(recipient=village_staff)
    assert member.resident.name in overdue_note.title and worker.name in overdue_note.body

    # The next visit is a new one: it is reminded again, once.
    with time_machine.travel(at(due_date + dt.timedelta(days=5), 10), tick=False):
        services.visit_record(membership=member)
    member.refresh_from_db()
    with time_machine.travel(at(member.next_visit_due - dt.timedelta(days=1), 7), tick=False):
        assert send_visit_reminders() == {"due": 1, "overdue": 0}
        assert send_visit_reminders() == {"due": 0, "overdue": 0}
    assert notes(worker.user, "registry.visit_due") == 2


def test_the_reminder_is_not_sent_twice_even_if_the_claim_is_lost(member, worker):
    """The notification key is a second line: a sweep that lost its claim mark still sends nothing twice."""
    due_date = START + dt.timedelta(days=7)
    with time_machine.travel(at(due_date, 7), tick=False):
        send_visit_reminders()
        type(member).objects.filter(pk=member.pk).update(due_reminded_for=None)
        send_visit_reminders()
    assert Notification.objects.filter(recipient=worker.user, kind="registry.visit_due").count() == 1


def test_the_reminder_task_is_on_the_beat_schedule():
    from registry.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["registry.visit-reminders"]["task"] == "registry.tasks.send_visit_reminders"


def test_the_dashboards_read_visits_due_through_plain_names(tree, member, worker):
    from registry.selectors import visit_figures

    user = fresh(worker.user)
    overdue_day = START + dt.timedelta(days=9)
    (row,) = visits_due(user=user, on=overdue_day)
    assert (row.subject, row.group, row.due_on, row.grid, row.overdue) == (
        "矫正对象甲",
        member.get_group_type_display(),
        START + dt.timedelta(days=7),
        tree["grid_v1"],
        True,
    )
    assert visit_figures(user=user, on=overdue_day)["overdue"] == 1


def test_an_overdue_visit_with_nobody_to_tell_is_reported_once_staff_exist(tree, member):
    overdue_day = START + dt.timedelta(days=9)
    with time_machine.travel(at(overdue_day, 7), tick=False):
        assert send_visit_reminders()["overdue"] == 0
    town = factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_a"])
    with time_machine.travel(at(overdue_day + dt.timedelta(days=1), 7), tick=False):
        assert send_visit_reminders()["overdue"] == 1
        assert send_visit_reminders()["overdue"] == 0
    assert Notification.objects.filter(recipient=town, kind="registry.visit_overdue").count() == 1
