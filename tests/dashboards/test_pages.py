"""Dashboard pages and their API: scope, period filter, forces and emergencies (without a browser)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from forces import services as force_services
from forces.choices import EmergencyLevel, EmergencyType, ForceSubtype
from tests import factories
from tests.forces.factories import make_member

pytestmark = pytest.mark.django_db


def town_url(town, **query):
    url = reverse("dashboards:town", args=[town.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def api_url(town, **query):
    url = reverse("api:dashboard-town", args=[town.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_town_user_lands_on_their_own_towns_dashboard(client, town_user, tree):
    client.force_login(town_user)
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response["Location"] == town_url(tree["town_a"])


def test_district_staff_land_on_the_district_dashboard_and_may_open_any_town(client, district_user, tree):
    client.force_login(district_user)
    assert client.get(reverse("dashboards:home"))["Location"] == reverse("dashboards:district")
    for town in (tree["town_a"], tree["town_b"]):
        response = client.get(town_url(town))
        assert response.status_code == 200
        assert town.name in response.content.decode()


def test_another_towns_dashboard_is_a_404_for_page_and_api(client, town_user, api_for, tree):
    client.force_login(town_user)
    assert client.get(town_url(tree["town_b"])).status_code == 404
    assert api_for(town_user).get(api_url(tree["town_b"])).status_code == 404


def test_a_village_or_grid_id_is_not_a_town_dashboard(client, district_user, tree):
    client.force_login(district_user)
    assert client.get(town_url(tree["village"])).status_code == 404
    assert client.get(town_url(tree["grid_c1"])).status_code == 404


def test_village_staff_and_town_staff_cannot_open_the_district_dashboard(client, api_for, town_user, tree):
    village_user = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"])
    for user in (town_user, village_user):
        client.force_login(user)
        assert client.get(reverse("dashboards:district")).status_code == 404
        assert api_for(user).get(reverse("api:dashboard-district")).status_code == 403
    assert client.get(town_url(tree["town_a"])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, api, tree):
    response = client.get(town_url(tree["town_a"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api.get(api_url(tree["town_a"])).status_code in (401, 403)


@time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_period_defaults_to_the_last_30_days_in_shanghai_time(api_for, town_user, tree):
    data = api_for(town_user).get(api_url(tree["town_a"])).json()
    assert data["period"] == {"start": "2026-05-17", "end": "2026-06-15"}


def test_a_bad_period_is_a_400_in_the_api_and_a_message_on_the_page(client, api_for, town_user, tree):
    response = api_for(town_user).get(api_url(tree["town_a"], start="2026-06-10", end="2026-06-01"))
    assert response.status_code == 400
    assert "start" in response.json()
    assert api_for(town_user).get(api_url(tree["town_a"], start="yesterday")).status_code == 400
    client.force_login(town_user)
    response = client.get(town_url(tree["town_a"], start="2026-06-10", end="2026-06-01"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_forces_by_kind_and_an_open_emergency_show_on_the_town_dashboard(client, api_for, town_user, tree):
    make_member(tree["grid_c1"], subtype=ForceSubtype.PARTY_MEMBER)
    make_member(tree["grid_v1"], subtype=ForceSubtype.PARTY_MEMBER)
    make_member(tree["grid_b1"], subtype=ForceSubtype.PARTY_MEMBER)  # the other town
    district_admin = factories.UserFactory(role=Role.DISTRICT_ADMIN, jurisdiction=tree["district"])
    force_services.activation_open(
        area=tree["town_a"],
        emergency_type=EmergencyType.FLOOD,
        level=EmergencyLevel.III,
        actor=district_admin,
        title="甲镇防汛",
    )
    data = api_for(town_user).get(api_url(tree["town_a"])).json()
    emergency = {row["kind"]: row["count"] for row in data["forces"]}["emergency"]
    assert emergency == 2
    assert [e["name"] for e in data["emergencies"]] == ["甲镇防汛"]

    client.force_login(town_user)
    html = client.get(town_url(tree["town_a"])).content.decode()
    assert 'class="banner emergency"' in html and "甲镇防汛" in html
    # The other town has no emergency banner.
    other = factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"])
    assert api_for(other).get(api_url(tree["town_b"])).json()["emergencies"] == []


def test_pages_are_chinese_by_default_and_english_after_switching(client, town_user, tree):
    client.force_login(town_user)
    html = client.get(town_url(tree["town_a"])).content.decode()
    assert "甲镇分中心看板" in html and 'lang="zh-hans"' in html
    client.post(reverse("set_language"), {"language": "en", "next": town_url(tree["town_a"])})
    html = client.get(town_url(tree["town_a"])).content.decode()
    assert "甲镇 sub-centre dashboard" in html and 'lang="en"' in html
    phone = client.get(reverse("dashboards:phone-home")).content.decode()
    assert "Report an incident" in phone
