import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.sms import LogSmsBackend
from incidents import services
from incidents.choices import Status
from incidents.models import Incident
from tests import factories
from tests.conftest import api_as
from tests.incidents.factories import report

pytestmark = pytest.mark.django_db


def test_the_admin_list_is_scoped_and_masks_the_reporters_phone(tree, monday, town_user):
    report(tree["grid_v1"], reporter_phone="13800138000")
    report(tree["grid_b1"])
    client = Client()
    client.force_login(town_user)
    response = client.get(reverse("admin:incidents_incident_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    detail = client.get(
        reverse("admin:incidents_incident_change", args=[Incident.objects.get(grid=tree["grid_v1"]).pk])
    )
    assert b"13800138000" not in detail.content and b"138****8000" in detail.content


def test_an_admin_action_goes_through_the_service_and_reports_refusals(tree, monday, district_admin):
    fresh = report(tree["grid_v1"])
    accepted = services.incident_accept(incident=report(tree["grid_v1"]), actor=district_admin)
    client = Client()
    client.force_login(district_admin)
    response = client.post(
        reverse("admin:incidents_incident_changelist"),
        {"action": "action_incident_accept_", "_selected_action": [fresh.pk, accepted.pk]},
        follow=True,
    )
    fresh.refresh_from_db()
    assert fresh.status == Status.ACCEPTED and fresh.events.filter(action="accept").count() == 1
    texts = [str(m) for m in response.context["messages"]]
    assert any(accepted.code in t or "已受理" in t for t in texts)


def test_the_reporter_gets_an_sms_when_the_report_is_accepted_and_closed(
    tree, monday, district_user, django_capture_on_commit_callbacks
):
    LogSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(tree["grid_v1"], reporter_phone="13900139000")
        incident = services.incident_accept(incident=incident, actor=district_user)
        incident = services.incident_dispatch(incident=incident, actor=district_user, area=tree["grid_v1"])
        incident = services.incident_start(incident=incident, actor=district_user)
        incident = services.incident_handle(incident=incident, actor=district_user, result="已处置")
        incident = services.incident_verify(incident=incident, actor=district_user)
        incident = services.incident_close(incident=incident, actor=district_user)
    texts = [text for phone, text in LogSmsBackend.sent if phone == "13900139000"]
    assert len(texts) == 2 and incident.tracking_code in texts[-1]


def test_escalation_notices_reach_the_in_app_inbox(tree, monday, grid_worker, town_user):
    incident = report(tree["grid_v1"])
    services.incident_escalate(incident=incident, actor=grid_worker, note="需镇街协调")
    inbox = api_as(town_user).get("/api/v1/notifications/?unread=1").data
    assert any(incident.code in n["title"] for n in inbox["results"])


@pytest.mark.django_db(transaction=True)
def test_two_api_calls_on_the_same_incident_at_once_one_succeeds_and_one_gets_409(tree, categories):
    users = [factories.UserFactory(role="district_staff", jurisdiction=tree["district"]) for _ in range(2)]
    incident = report(tree["grid_v1"])
    barrier = threading.Barrier(2)
    codes = []

    def call(user):
        try:
            client = api_as(user)
            barrier.wait()
            codes.append(client.post(f"/api/v1/incidents/{incident.pk}/accept/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    assert Incident.objects.get(pk=incident.pk).events.filter(action="accept").count() == 1
