import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.errors import ConflictError
from core.models import Notification
from incidents import services
from incidents.choices import Action, Level, Satisfaction, Status
from incidents.models import Incident, IncidentEvent
from tests import factories
from tests.incidents.factories import MONDAY_10, report

pytestmark = pytest.mark.django_db


def test_the_whole_loop_from_report_to_evaluation(tree, monday, grid_worker, village_user):
    incident = report(
        tree["grid_v1"], reporter=grid_worker, reporter_phone="13800138000", reporter_name="张三"
    )
    assert incident.code.startswith("SJ20261123-")
    assert incident.status == Status.REPORTED and incident.level == Level.GRID
    assert incident.handling_area == tree["grid_v1"]
    assert incident.village == tree["village"] and incident.town == tree["town_a"]
    # Acceptance: 2 working hours.
    assert incident.accept_deadline == MONDAY_10.replace(hour=12)

    incident = services.incident_accept(incident=incident, actor=village_user)
    # Handling at grid level: 3 working days from acceptance.
    assert incident.handle_deadline == MONDAY_10.replace(day=26)
    incident = services.incident_dispatch(incident=incident, actor=village_user, area=tree["grid_v1"])
    incident = services.incident_start(incident=incident, actor=grid_worker)
    monday.shift(3600)
    incident = services.incident_handle(incident=incident, actor=grid_worker, result="已疏通排水沟，双方和解")
    incident = services.incident_verify(incident=incident, actor=village_user)
    incident = services.incident_close(incident=incident, actor=village_user)
    assert incident.closed_on_time is True and incident.handled_at_level == Level.GRID
    incident = services.incident_evaluate(
        incident=incident, actor=village_user, satisfaction=Satisfaction.SATISFIED
    )

    assert incident.status == Status.EVALUATED
    steps = list(incident.events.values_list("action", "from_status", "to_status"))
    assert steps == [
        (Action.REPORT, "", Status.REPORTED),
        (Action.ACCEPT, Status.REPORTED, Status.ACCEPTED),
        (Action.DISPATCH, Status.ACCEPTED, Status.DISPATCHED),
        (Action.START, Status.DISPATCHED, Status.IN_PROGRESS),
        (Action.HANDLE, Status.IN_PROGRESS, Status.HANDLED),
        (Action.VERIFY, Status.HANDLED, Status.VERIFIED),
        (Action.CLOSE, Status.VERIFIED, Status.CLOSED),
        (Action.EVALUATE, Status.CLOSED, Status.EVALUATED),
    ]
    assert all(e.actor_id for e in incident.events.all())
    assert Notification.objects.filter(recipient=grid_worker, title__contains=incident.code).exists()


def test_the_reporters_phone_and_name_are_stored_encrypted(tree, monday):
    incident = report(tree["grid_v1"], reporter_phone="13800138000", reporter_name="张三")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_phone, reporter_name FROM incidents_incident WHERE id = %s", [incident.pk]
        )
        phone, name = cursor.fetchone()
    assert "13800138000" not in phone and "张三" not in name
    assert Incident.objects.get(pk=incident.pk).reporter_phone == "13800138000"
    assert Incident.objects.filter(reporter_phone_hash=incident.reporter_phone_hash).count() == 1


TRANSITIONS = {
    "accept": lambda i, u, t: services.incident_accept(incident=i, actor=u),
    "reject": lambda i, u, t: services.incident_reject(incident=i, actor=u, note="不属于受理范围"),
    "dispatch": lambda i, u, t: services.incident_dispatch(incident=i, actor=u, area=t["grid_v1"]),
    "start": lambda i, u, t: services.incident_start(incident=i, actor=u),
    "handle": lambda i, u, t: services.incident_handle(incident=i, actor=u, result="已处置"),
    "verify": lambda i, u, t: services.incident_verify(incident=i, actor=u),
    "rework": lambda i, u, t: services.incident_rework(incident=i, actor=u, note="照片不清楚"),
    "close": lambda i, u, t: services.incident_close(incident=i, actor=u),
    "evaluate": lambda i, u, t: services.incident_evaluate(incident=i, actor=u, satisfaction="satisfied"),
    "return": lambda i, u, t: services.incident_return(incident=i, actor=u, note="不属于本网格"),
    "assign_down": lambda i, u, t: services.incident_assign_down(incident=i, actor=u, area=t["grid_v1"]),
}
# The statuses from which each transition is allowed; from every other status it is refused.
ALLOWED_FROM = {
    "accept": {Status.REPORTED},
    "reject": {Status.REPORTED},
    "dispatch": {Status.ACCEPTED},
    "start": {Status.DISPATCHED, Status.REWORK},
    "handle": {Status.IN_PROGRESS},
    "verify": {Status.HANDLED},
    "rework": {Status.HANDLED},
    "close": {Status.VERIFIED},
    "evaluate": {Status.CLOSED},
    "return": {Status.DISPATCHED, Status.IN_PROGRESS},
    "assign_down": {Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REWORK},
}
PATH = ["accept", "dispatch", "start", "handle", "verify", "close", "evaluate"]
STATUS_AFTER = {
    Status.REPORTED: [],
    Status.ACCEPTED: PATH[:1],
    Status.DISPATCHED: PATH[:2],
    Status.IN_PROGRESS: PATH[:3],
    Status.HANDLED: PATH[:4],
    Status.VERIFIED: PATH[:5],
    Status.CLOSED: PATH[:6],
    Status.EVALUATED: PATH[:7],
    Status.REWORK: [*PATH[:4], "rework"],
    Status.REJECTED: ["reject"],
}


@pytest.mark.parametrize("status", list(STATUS_AFTER))
def test_every_transition_from_a_status_that_does_not_allow_it_is_refused_naming_the_status(
    tree, monday, district_user, status
):
    incident = report(tree["grid_v1"])
    for step in STATUS_AFTER[status]:
        incident = TRANSITIONS[step](incident, district_user, tree)
    assert incident.status == status
    for name, transition in TRANSITIONS.items():
        if status in ALLOWED_FROM[name]:
            continue
        events_before = IncidentEvent.objects.filter(incident=incident).count()
        with pytest.raises(ConflictError) as excinfo:
            transition(incident, district_user, tree)
        assert excinfo.value.current_state == status
        assert str(Status(status).label) in str(excinfo.value.message)
        assert IncidentEvent.objects.filter(incident=incident).count() == events_before
        assert Incident.objects.get(pk=incident.pk).status == status


def test_a_stale_version_is_refused_as_a_conflict(tree, monday, district_user):
    incident = report(tree["grid_v1"])
    seen = incident.version
    services.incident_supervise(incident=incident, actor=district_user, kind="normal", note="请尽快处理")
    with pytest.raises(ConflictError):
        services.incident_accept(incident=incident, actor=district_user, version=seen)


@pytest.mark.django_db(transaction=True)
def test_two_users_accepting_at_once_one_succeeds_and_the_other_gets_a_conflict(
    tree, categories, district_user
):
    other = factories.UserFactory(role="district_staff", jurisdiction=tree["district"])
    incident = report(tree["grid_v1"])
    barrier = threading.Barrier(2)
    results = []

    def act(user):
        try:
            barrier.wait()
            services.incident_accept(incident=incident, actor=user, note=user.username)
            results.append("ok")
        except ConflictError as exc:
            results.append(exc.current_state)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in (district_user, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [Status.ACCEPTED, "ok"]
    assert IncidentEvent.objects.filter(incident=incident, action=Action.ACCEPT).count() == 1
    assert Incident.objects.get(pk=incident.pk).version == 2


def test_an_outsider_cannot_act_on_an_incident_outside_their_town(tree, monday, outsider):
    incident = report(tree["grid_v1"])
    with pytest.raises(PermissionDenied):
        services.incident_accept(incident=incident, actor=outsider)


def test_a_grid_worker_cannot_dispatch(tree, monday, grid_worker):
    incident = report(tree["grid_v1"])
    with pytest.raises(PermissionDenied):
        services.incident_accept(incident=incident, actor=grid_worker)


def test_a_direct_to_district_category_starts_at_district_level_and_tells_district_staff(
    tree, monday, district_user
):
    incident = report(tree["grid_v1"], code="0303", description="村民聚集堵路，约五十人")
    assert incident.level == Level.DISTRICT
    assert incident.handling_area == tree["district"]
    # Urgent: 30 calendar minutes to accept.
    assert incident.accept_deadline == MONDAY_10.replace(minute=30)
    assert Notification.objects.filter(recipient=district_user, title__contains=incident.code).exists()


def test_an_emergency_goes_direct_to_district_from_severity_ii(tree, monday):
    general = report(tree["grid_v1"], code="0401", description="山体小面积滑坡", severity="general")
    major = report(tree["grid_v1"], code="0401", description="山体大面积滑坡", severity="major")
    assert general.level == Level.GRID and major.level == Level.DISTRICT


def test_a_report_near_an_open_one_of_the_same_category_is_offered_as_a_duplicate_and_merged(
    tree, monday, district_user, grid_worker
):
    resident = factories.UserFactory(role="grid_worker", jurisdiction=tree["grid_v1"])
    first = report(tree["grid_v1"], latitude=31.8, longitude=106.6, reporter=grid_worker)
    monday.shift(3600)
    # ~30 m north-east: offered as a duplicate; ~200 m away or another category: not.
    second = report(
        tree["grid_v1"], latitude=31.8002, longitude=106.6002, reporter=resident, reporter_phone="13900139000"
    )
    far = report(tree["grid_v1"], latitude=31.802, longitude=106.6)
    other_kind = report(tree["grid_v1"], code="0203", latitude=31.8, longitude=106.6)
    assert [d.pk for d in second.possible_duplicates] == [first.pk]
    assert second.possible_duplicates[0].distance_m < 50
    assert far.possible_duplicates == [] and other_kind.possible_duplicates == []

    merged = services.incident_merge(incident=second, into=first, actor=district_user)
    assert merged.status == Status.MERGED and merged.duplicate_of == first
    assert Notification.objects.filter(recipient=resident, key=f"incident:{second.pk}:merged").exists()
    # Every reporter hears how the surviving incident goes on.
    services.incident_accept(incident=first, actor=district_user)
    assert Notification.objects.filter(recipient=resident, title__contains=first.code).exists()
    assert Notification.objects.filter(recipient=grid_worker, title__contains=first.code).exists()


def test_a_report_older_than_the_duplicate_window_is_not_offered(tree, monday):
    report(tree["grid_v1"], latitude=31.8, longitude=106.6)
    monday.shift(73 * 3600)
    assert report(tree["grid_v1"], latitude=31.8, longitude=106.6).possible_duplicates == []


def test_a_point_inside_a_grid_boundary_routes_the_report_to_that_grid(tree, monday):
    from grids import geometry
    from grids.services import area_update

    area_update(area=tree["grid_b1"], boundary=geometry.rectangle(106.5, 31.5, 106.6, 31.6))
    incident = report(tree["grid_v1"], latitude=31.55, longitude=106.55)
    assert incident.grid == tree["grid_b1"] and incident.town == tree["town_b"]


def test_invalid_reports_say_what_is_wrong_and_save_nothing(tree, monday):
    with pytest.raises(ValidationError) as excinfo:
        report(tree["grid_v1"], description="短", reporter_phone="123", latitude=95.0, longitude=10.0)
    assert set(excinfo.value.message_dict) == {"description", "reporter_phone", "latitude"}
    assert Incident.objects.count() == 0


def test_dispatch_to_a_department_moves_the_incident_to_district_level_and_the_liaison_sees_it(
    tree, monday, district_user, liaison, department
):
    incident = report(tree["grid_v1"])
    assert not Incident.objects.visible_to(liaison).exists()
    services.incident_accept(incident=incident, actor=district_user)
    incident = services.incident_dispatch(incident=incident, actor=district_user, department=department)
    assert incident.level == Level.DISTRICT and incident.handling_department == department
    assert incident.handle_deadline == MONDAY_10.replace(month=12, day=7)  # 10 working days
    assert list(Incident.objects.visible_to(liaison)) == [incident]
    services.incident_start(incident=incident, actor=liaison)
    # Returned by the department: the liaison still sees what was once dispatched to them.
    incident = services.incident_return(incident=incident, actor=liaison, note="不属于公安职责")
    assert incident.status == Status.ACCEPTED and incident.handling_department is None
    assert incident.level == Level.GRID
    assert list(Incident.objects.visible_to(liaison)) == [incident]


def test_a_liaison_of_another_department_cannot_handle(tree, monday, district_user, department):
    incident = report(tree["grid_v1"])
    services.incident_accept(incident=incident, actor=district_user)
    services.incident_dispatch(incident=incident, actor=district_user, department=department)
    stranger = factories.UserFactory(
        role="department_liaison",
        jurisdiction=tree["district"],
        department=factories.DepartmentFactory(code="court"),
    )
    with pytest.raises(PermissionDenied):
        services.incident_start(incident=incident, actor=stranger)


def test_manual_escalation_and_assignment_down(tree, monday, grid_worker, town_user, district_user):
    incident = report(tree["grid_v1"])
    incident = services.incident_escalate(incident=incident, actor=grid_worker, note="超出网格处置能力")
    assert incident.level == Level.TOWN and incident.handling_area == tree["town_a"]
    assert incident.escalation_count == 1
    assert Notification.objects.filter(recipient=town_user, title__contains=incident.code).exists()
    incident = services.incident_accept(incident=incident, actor=town_user)
    incident = services.incident_assign_down(
        incident=incident, actor=town_user, area=tree["grid_v1"], note="交网格员处理"
    )
    assert incident.status == Status.DISPATCHED and incident.level == Level.GRID
    with pytest.raises(ValidationError):
        services.incident_assign_down(incident=incident, actor=district_user, area=tree["town_a"])


def test_extension_requested_then_approved_moves_the_handling_deadline(
    tree, monday, grid_worker, village_user
):
    incident = report(tree["grid_v1"])
    services.incident_accept(incident=incident, actor=village_user)
    incident = services.incident_dispatch(incident=incident, actor=village_user, area=tree["grid_v1"])
    before = incident.handle_deadline
    request = services.incident_request_extension(
        incident=incident, actor=grid_worker, amount=2, reason="等待鉴定结果"
    )
    with pytest.raises(ConflictError):
        services.incident_request_extension(incident=incident, actor=grid_worker, amount=1, reason="再次申请")
    services.incident_decide_extension(extension=request, actor=village_user, approve=True)
    incident.refresh_from_db()
    # Thursday 26th + 2 working days = Monday 30th (the weekend does not count).
    assert before == MONDAY_10.replace(day=26)
    assert incident.handle_deadline == MONDAY_10.replace(day=30)
    assert incident.due_at == incident.handle_deadline and incident.extension_count == 1
    with pytest.raises(ConflictError):
        services.incident_decide_extension(extension=request, actor=village_user, approve=False)


def test_supervision_cards_are_recorded_and_the_unit_is_told(tree, monday, district_user, grid_worker):
    incident = report(tree["grid_v1"])
    services.incident_supervise(incident=incident, actor=district_user, kind="yellow", note="群众反映强烈")
    incident.refresh_from_db()
    assert incident.yellow_card and not incident.red_card
    assert incident.supervisions.get().kind == "yellow"
    assert Notification.objects.filter(recipient=grid_worker, title__contains=incident.code).exists()


def test_rework_sends_the_incident_back_and_counts(tree, monday, district_user):
    incident = report(tree["grid_v1"])
    for step in ["accept", "dispatch", "start", "handle", "rework", "start", "handle", "verify", "close"]:
        incident = TRANSITIONS[step](incident, district_user, tree)
    assert incident.rework_count == 1 and incident.status == Status.CLOSED


def test_events_are_never_changed_or_deleted(tree, monday):
    event = report(tree["grid_v1"]).events.get()
    event.note = "篡改"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
