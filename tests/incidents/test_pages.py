import pytest
from django.test import Client
from django.urls import reverse

from grids import geometry
from grids.services import area_update
from incidents import services
from incidents.choices import Status
from incidents.models import Incident
from tests.incidents.factories import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def bounded(tree):
    area_update(area=tree["grid_v1"], boundary=geometry.rectangle(106.5, 31.7, 106.7, 31.9))
    return tree


def public_post(client, **overrides):
    data = {
        "category": "",
        "description": "路灯坏了一个多月，晚上很黑",
        "latitude": "31.8",
        "longitude": "106.6",
        "address": "甲村村委会门口",
        "reporter_phone": "13800138000",
    }
    data.update(overrides)
    return client.post(reverse("incidents:public-report"), data)


def test_the_public_page_needs_no_login_and_is_phone_sized(categories):
    response = Client().get(reverse("incidents:public-report"))
    assert response.status_code == 200
    assert b'name="viewport"' in response.content and b"csrfmiddlewaretoken" in response.content


def test_a_public_report_gives_a_tracking_code_and_a_status_page_without_personal_data(bounded, monday):
    from incidents.models import Category

    client = Client()
    response = public_post(client, category=Category.objects.get(code="0502").pk)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (
        incident.source == "resident"
        and incident.grid == bounded["grid_v1"]
        and incident.reporter_user is None
    )
    done = client.get(response["Location"])
    assert incident.tracking_code.encode() in done.content

    status = client.get(reverse("incidents:public-status", args=[incident.tracking_code]))
    assert status.status_code == 200
    for secret in ("13800138000", "138****8000", "甲村村委会门口", incident.code):
        assert secret.encode() not in status.content
    assert "已上报".encode() in status.content


def test_every_invalid_field_gets_a_message_and_the_form_keeps_what_was_typed(bounded, monday):
    response = public_post(Client(), category="", description="坏", latitude="", reporter_phone="12")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"category", "description", "latitude", "reporter_phone"} or set(errors) >= {
        "category",
        "description",
        "latitude",
    }
    assert "甲村村委会门口".encode() in response.content  # the address typed is still there
    assert not Incident.objects.exists()


def test_a_point_outside_every_grid_is_refused_with_a_clear_message(bounded, monday):
    from incidents.models import Category

    response = public_post(
        Client(), category=Category.objects.get(code="0502").pk, latitude="40.0", longitude="116.4"
    )
    assert response.status_code == 200
    assert "latitude" in response.context["form"].errors


def test_public_submissions_are_rate_limited_per_client(bounded, monday, settings):
    from incidents.models import Category

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public_report": "2/hour", "anon": "100/minute"},
    }
    client = Client()
    category = Category.objects.get(code="0502").pk
    assert public_post(client, category=category).status_code == 302
    assert public_post(client, category=category).status_code == 302
    assert public_post(client, category=category).status_code == 429
    assert Incident.objects.count() == 2


def test_the_public_page_refuses_a_post_without_the_csrf_token(bounded, monday):
    client = Client(enforce_csrf_checks=True)
    assert public_post(client).status_code == 403


def test_the_reporter_evaluates_on_the_status_page(bounded, monday, district_user):
    incident = report(bounded["grid_v1"])
    for step in ("accept", "dispatch", "start", "handle", "verify", "close"):
        kwargs = {"area": bounded["grid_v1"]} if step == "dispatch" else {}
        if step == "handle":
            kwargs["result"] = "已修复"
        incident = getattr(services, f"incident_{step}")(incident=incident, actor=district_user, **kwargs)
    client = Client()
    url = reverse("incidents:public-status", args=[incident.tracking_code])
    assert client.post(url, {"satisfaction": "satisfied"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.EVALUATED and incident.satisfaction == "satisfied"


def test_a_grid_worker_reports_from_the_phone_page_and_acts_on_the_detail_page(
    tree, monday, grid_worker, village_user
):
    from incidents.models import Category

    client = Client()
    client.force_login(grid_worker)
    page = client.get(reverse("incidents:report"))
    assert page.status_code == 200
    response = client.post(
        reverse("incidents:report"),
        {
            "category": Category.objects.get(code="0102").pk,
            "severity": "general",
            "description": "邻里因宅基地边界争吵",
            "grid": tree["grid_v1"].pk,
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and incident.reporter_user == grid_worker

    staff = Client()
    staff.force_login(village_user)
    assert staff.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    staff.post(reverse("incidents:act", args=[incident.pk, "accept"]), {"version": incident.version})
    incident.refresh_from_db()
    assert incident.status == Status.ACCEPTED
    # A second click with the old version: a clear conflict message, nothing changes.
    response = staff.post(reverse("incidents:act", args=[incident.pk, "accept"]), {"version": 1}, follow=True)
    assert incident.events.count() == 2
    assert any(
        "重新" in str(m) or "Reload" in str(m) or "已受理" in str(m) for m in response.context["messages"]
    )


def test_the_list_page_is_scoped(tree, monday, town_user):
    report(tree["grid_v1"])
    report(tree["grid_b1"])
    client = Client()
    client.force_login(town_user)
    response = client.get(reverse("incidents:list"))
    assert len(response.context["page"].object_list) == 1


def test_the_detail_page_offers_only_what_the_state_and_the_role_allow(
    tree, monday, grid_worker, village_user
):
    from incidents import selectors

    incident = report(tree["grid_v1"])
    assert selectors.incident_available_actions(incident=incident, user=village_user) == [
        "accept",
        "reject",
        "merge",
        "escalate",
    ]
    assert selectors.incident_available_actions(incident=incident, user=grid_worker) == ["escalate"]
    client = Client()
    client.force_login(grid_worker)
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert reverse("incidents:act", args=[incident.pk, "escalate"]) in page
    assert reverse("incidents:act", args=[incident.pk, "accept"]) not in page
