import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from core.models import Notification
from incidents import services
from incidents.choices import Action, Level, Status
from incidents.models import Incident, IncidentEvent, SupervisionRecord
from incidents.worktime import TZ, WorkCalendar
from tests import factories
from tests.incidents.factories import MONDAY_10, report

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def accepted(tree, district_user, **kwargs):
    incident = report(tree["grid_v1"], **kwargs)
    return services.incident_accept(incident=incident, actor=district_user)


def test_an_overdue_grid_incident_escalates_to_town_once_and_both_levels_are_told(
    tree, monday, district_user, grid_worker, town_user
):
    incident = accepted(tree, district_user)
    assert incident.handle_deadline == MONDAY_10.replace(day=26)
    monday.move_to(MONDAY_10.replace(day=26, minute=1))

    first = services.deadline_sweep()
    second = services.deadline_sweep()

    assert first["escalated"] == 1 and second["escalated"] == 0
    incident.refresh_from_db()
    assert incident.level == Level.TOWN and incident.handling_area == tree["town_a"]
    assert incident.escalation_count == 1 and incident.was_overdue
    # A new deadline at town level: 5 working days from now.
    assert incident.handle_deadline == MONDAY_10.replace(month=12, day=3, minute=1)
    assert IncidentEvent.objects.filter(incident=incident, action=Action.ESCALATE).count() == 1
    for user in (grid_worker, town_user):
        assert (
            Notification.objects.filter(
                recipient=user, key__contains=f"incident:{incident.pk}:escalated"
            ).count()
            == 1
        )


def test_escalation_goes_grid_town_district_then_a_red_card_each_exactly_once(tree, monday, district_user):
    incident = accepted(tree, district_user)
    for _ in range(4):
        incident.refresh_from_db()
        if incident.due_at is None:
            break
        monday.move_to(incident.due_at + dt.timedelta(seconds=1))
        services.deadline_sweep()
        services.deadline_sweep()
    incident.refresh_from_db()
    assert incident.level == Level.DISTRICT and incident.escalation_count == 2
    assert incident.red_card and incident.due_at is None
    events = list(
        incident.events.filter(action__in=[Action.ESCALATE, Action.OVERDUE]).values_list(
            "from_level", "to_level"
        )
    )
    assert events == [
        (Level.GRID, Level.TOWN),
        (Level.TOWN, Level.DISTRICT),
        (Level.DISTRICT, Level.DISTRICT),
    ]
    assert SupervisionRecord.objects.filter(incident=incident, kind="red", automatic=True).count() == 1


def test_an_unaccepted_report_escalates_when_its_acceptance_deadline_passes(tree, monday):
    incident = report(tree["grid_v1"])
    monday.move_to(MONDAY_10.replace(hour=12, minute=1))
    services.deadline_sweep()
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED and incident.level == Level.TOWN
    # 12:01 is in the lunch break: 2 working hours from 13:30.
    assert incident.accept_deadline == MONDAY_10.replace(hour=15, minute=30)


def test_a_direct_to_district_incident_gets_a_red_card_when_overdue_without_escalating(
    tree, monday, district_user
):
    incident = report(tree["grid_v1"], code="0301", description="发现一具尸体，疑似命案")
    monday.move_to(MONDAY_10.replace(minute=31))
    services.deadline_sweep()
    incident.refresh_from_db()
    assert incident.level == Level.DISTRICT and incident.escalation_count == 0 and incident.red_card


def test_the_yellow_warning_is_raised_at_70_percent_of_the_time_once(
    tree, monday, district_user, grid_worker
):
    incident = accepted(tree, district_user)
    # 3 working days = 21 h; 70% = 14 h 42 min of working time from Monday 10:00 → Wednesday 10:42.
    assert incident.warn_at == MONDAY_10.replace(day=25, minute=42)
    monday.move_to(MONDAY_10.replace(day=25, minute=41))
    assert services.deadline_sweep()["warned"] == 0
    monday.move_to(MONDAY_10.replace(day=25, minute=43))
    assert services.deadline_sweep()["warned"] == 1
    assert services.deadline_sweep()["warned"] == 0
    incident.refresh_from_db()
    assert incident.warned_at is not None and incident.level == Level.GRID
    assert (
        Notification.objects.filter(
            recipient=grid_worker, key__startswith=f"incident:{incident.pk}:warn"
        ).count()
        == 1
    )


def test_a_deadline_crosses_a_public_holiday_and_a_make_up_working_day(tree, categories, district_user):
    # Accepted Tuesday 30 September 2025 10:00: 1–8 October are holidays, Saturday 11 October is worked.
    with time_machine.travel(at(2025, 9, 30), tick=False) as traveller:
        incident = accepted(tree, district_user)
        assert incident.handle_deadline == at(2025, 10, 11)
        traveller.move_to(at(2025, 10, 8, 23))
        services.deadline_sweep()
        incident.refresh_from_db()
        assert incident.level == Level.GRID  # the holiday does not count
        traveller.move_to(at(2025, 10, 11, 10, 1))
        services.deadline_sweep()
        incident.refresh_from_db()
        assert incident.level == Level.TOWN


def test_a_late_verification_gets_a_yellow_card_not_an_escalation(tree, monday, district_user):
    incident = accepted(tree, district_user)
    incident = services.incident_dispatch(incident=incident, actor=district_user, area=tree["grid_v1"])
    incident = services.incident_start(incident=incident, actor=district_user)
    incident = services.incident_handle(incident=incident, actor=district_user, result="已处置")
    monday.move_to(incident.verify_deadline + dt.timedelta(minutes=1))
    services.deadline_sweep()
    incident.refresh_from_db()
    assert incident.yellow_card and incident.level == Level.GRID and incident.status == Status.HANDLED


def test_the_countdown_check_acts_only_on_its_incident_when_due(tree, monday, district_user):
    one = accepted(tree, district_user)
    other = accepted(tree, district_user)
    monday.move_to(MONDAY_10.replace(day=26, minute=1))
    services.deadline_sweep(pk=one.pk)
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.level == Level.TOWN and other.level == Level.GRID


@pytest.mark.django_db(transaction=True)
def test_sweeps_running_concurrently_escalate_each_incident_exactly_once(tree, categories):
    district_user = factories.UserFactory(role="district_staff", jurisdiction=tree["district"])
    with time_machine.travel(MONDAY_10, tick=False):
        incidents = [accepted(tree, district_user) for _ in range(12)]
    results = []
    barrier = threading.Barrier(4)

    def sweep():
        try:
            barrier.wait()
            results.append(services.deadline_sweep(now=MONDAY_10.replace(day=26, minute=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["escalated"] for r in results) == 12
    for incident in incidents:
        incident.refresh_from_db()
        assert incident.escalation_count == 1 and incident.level == Level.TOWN
        assert incident.events.filter(action=Action.ESCALATE).count() == 1


def test_an_acted_on_incident_is_not_touched_by_a_sweep_holding_a_stale_copy(tree, monday, district_user):
    incident = accepted(tree, district_user)
    monday.move_to(MONDAY_10.replace(day=26, minute=1))
    stale = Incident.objects.get(pk=incident.pk)
    services.deadline_sweep()
    # The compare-and-set refuses the stale copy: the version and the deadline have moved on.
    assert (
        services._act_when_due(stale, now=MONDAY_10.replace(day=26, minute=2), calendar=WorkCalendar())
        is None
    )
    incident.refresh_from_db()
    assert incident.escalation_count == 1
