"""The town dashboard's figures: the incidents app's selector, the API, the page and the lists agree,
and the number of queries does not grow with the number of incidents."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import selectors
from dashboards.periods import period_from
from incidents.selectors import incident_figures
from incidents.worktime import TZ

from .factories import a_mix_of_incidents, categories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # a Monday morning


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def incidents(mapped_tree, now):
    categories()
    a_mix_of_incidents(mapped_tree["grid_v1"], now=now)
    a_mix_of_incidents(mapped_tree["grid_c1"], now=now)
    a_mix_of_incidents(mapped_tree["grid_b1"], now=now, scale=3)  # the other town: must not count
    return mapped_tree


def test_the_cards_are_the_incidents_figures_of_the_town_and_period(api_for, town_user, incidents):
    data = api_for(town_user).get(reverse("api:dashboard-town", args=[incidents["town_a"].pk])).json()
    figures = data["figures"]
    assert figures == {
        "reported": 30,
        "open": 14,
        "overdue": 8,
        "due_today": 2,
        "yellow_cards": 6,
        "red_cards": 2,
        # due = handling deadline in the period: 8 overdue + 16 closed/evaluated (+ 6 opened 3h/20h ago: not yet)
        "on_time_rate": 58.33,
        "satisfaction_rate": 66.67,
        "grid_level_share": 87.5,
    }
    expected = incident_figures(
        user=town_user, area=incidents["town_a"], start=NOW.date() - dt.timedelta(days=29), end=NOW.date()
    )
    assert Decimal(str(figures["on_time_rate"])) == expected["on_time_closure_rate"]
    assert figures["open"] == expected["open"] and figures["overdue"] == expected["overdue"]


def test_the_page_shows_the_same_numbers_as_the_api(client, api_for, town_user, incidents):
    url_args = [incidents["town_a"].pk]
    api = api_for(town_user).get(reverse("api:dashboard-town", args=url_args)).json()
    client.force_login(town_user)
    html = client.get(reverse("dashboards:town", args=url_args)).content.decode()
    shown = dict(re.findall(r'id="card-(\w+)".*?data-value="([^"]*)"', html, re.S))
    assert list(shown) == [card["key"] for card in api["cards"]]
    for card in api["cards"]:
        value = shown[card["key"]]
        assert (Decimal(value) if value else None) == (
            Decimal(str(card["value"])) if card["value"] is not None else None
        ), card["key"]


def test_every_card_links_to_a_list_exactly_as_long_as_the_card_says(client, town_user, incidents):
    client.force_login(town_user)
    data = selectors.town_dashboard(user=town_user, town=incidents["town_a"], period=period_from({}), now=NOW)
    counts = {
        "due": 24,  # behind the on-time rate
        "evaluated": 6,  # behind satisfaction
        "closed": 16,  # behind the grid-level share
    }
    for card in data["cards"]:
        response = client.get(card["url"])
        assert response.status_code == 200
        expected = card["value"] if card["format"] == "count" else counts[response.context["set_key"]]
        assert response.context["count"] == expected, card["key"]


def test_a_period_before_the_incidents_shows_none_reported_but_what_is_open_now(
    api_for, town_user, incidents
):
    url = reverse("api:dashboard-town", args=[incidents["town_a"].pk]) + "?start=2026-01-01&end=2026-01-31"
    figures = api_for(town_user).get(url).json()["figures"]
    assert figures["reported"] == 0 and figures["on_time_rate"] is None
    assert figures["open"] == 14  # "open now" does not depend on the period


def test_the_charts_count_the_towns_reports_by_day_category_village_and_grid(api_for, town_user, incidents):
    charts = (
        api_for(town_user).get(reverse("api:dashboard-town", args=[incidents["town_a"].pk])).json()["charts"]
    )
    flow = charts["flow"]
    assert len(flow["x"]) == 30 and flow["x"][-1] == "2026-11-23"
    assert sum(flow["series"][0]["data"]) == 30
    assert sum(flow["series"][1]["data"]) == 16
    assert sum(p["value"] for p in charts["category"]["series"][0]["data"]) == 30
    assert sorted(charts["unit"]["x"]) == ["甲村", "甲社区"]
    assert charts["grid"]["series"][0]["data"] == [15, 15]


def test_the_overdue_list_and_the_map_show_only_the_towns_open_incidents(api_for, town_user, incidents):
    data = api_for(town_user).get(reverse("api:dashboard-town", args=[incidents["town_a"].pk])).json()
    assert len(data["overdue"]) == 8
    deadlines = [row["deadline"] for row in data["overdue"]]
    assert deadlines == sorted(deadlines)
    assert len(data["map"]["incidents"]) == 14
    assert {g["id"]: g["open"] for g in data["map"]["grid_counts"]} == {
        incidents["grid_v1"].pk: 7,
        incidents["grid_c1"].pk: 7,
    }
    assert len(data["map"]["grids"]["features"]) == 2


def _queries(client, url) -> int:
    cache.clear()  # count the cold path: nothing kept from the previous render
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_town_dashboards_queries_do_not_grow_with_the_incidents(client, town_user, mapped_tree, now):
    categories()
    client.force_login(town_user)
    url = reverse("dashboards:town", args=[mapped_tree["town_a"].pk])
    api = reverse("api:dashboard-town", args=[mapped_tree["town_a"].pk])
    a_mix_of_incidents(mapped_tree["grid_v1"], now=now)
    few, few_api = _queries(client, url), _queries(client, api)
    a_mix_of_incidents(mapped_tree["grid_v1"], now=now, scale=10)
    a_mix_of_incidents(mapped_tree["grid_c1"], now=now, scale=10)
    assert _queries(client, url) == few
    assert _queries(client, api) == few_api
    assert few <= 40


def test_the_district_dashboards_queries_do_not_grow_with_the_incidents(
    client, district_user, mapped_tree, now
):
    categories()
    client.force_login(district_user)
    url = reverse("dashboards:district")
    a_mix_of_incidents(mapped_tree["grid_v1"], now=now)
    few = _queries(client, url)
    a_mix_of_incidents(mapped_tree["grid_b1"], now=now, scale=10)
    a_mix_of_incidents(mapped_tree["grid_c1"], now=now, scale=10)
    assert _queries(client, url) == few


def test_slow_sections_are_kept_a_minute_but_incident_figures_are_always_live(
    client, api_for, town_user, mapped_tree, now
):
    categories()
    client.force_login(town_user)
    url = reverse("dashboards:town", args=[mapped_tree["town_a"].pk])
    cold = _queries(client, url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) < cold
    a_mix_of_incidents(mapped_tree["grid_v1"], now=now)
    api = reverse("api:dashboard-town", args=[mapped_tree["town_a"].pk])
    assert api_for(town_user).get(api).json()["figures"]["reported"] == 15


def test_the_district_ranking_shows_each_towns_own_incident_figures(api_for, district_user, incidents):
    data = api_for(district_user).get(reverse("api:dashboard-district")).json()
    rows = {row["id"]: row["figures"] for row in data["ranking"]}
    for key in ("town_a", "town_b"):
        town = incidents[key]
        expected = selectors.town_dashboard(user=district_user, town=town, period=period_from({}), now=NOW)
        assert rows[town.pk] == pytest.approx(
            {k: (float(v) if v is not None else None) for k, v in expected["figures"].items()}
        ), key
    assert rows[incidents["town_b"].pk]["reported"] == 45


def test_escalations_and_red_cards_show_in_the_town_chart_and_todays_district_list(
    api_for, town_user, district_user, mapped_tree, now
):
    from incidents.choices import Action, Level, Status, Supervision
    from incidents.models import IncidentEvent, SupervisionRecord

    from .factories import bulk_incidents

    categories()
    [escalated] = bulk_incidents(
        mapped_tree["grid_v1"],
        1,
        at=now - dt.timedelta(days=5),
        status=Status.DISPATCHED,
        level=Level.TOWN,
        escalation_count=1,
        red_card=True,
    )
    bulk_incidents(mapped_tree["grid_v1"], 3, at=now - dt.timedelta(days=5), status=Status.DISPATCHED)
    IncidentEvent.objects.create(
        incident=escalated,
        at=now - dt.timedelta(hours=1),
        action=Action.ESCALATE,
        from_status=Status.DISPATCHED,
        to_status=Status.DISPATCHED,
        from_level=Level.GRID,
        to_level=Level.TOWN,
    )
    IncidentEvent.objects.create(  # two days ago: in the chart, not in today's list
        incident=escalated,
        at=now - dt.timedelta(days=2),
        action=Action.ESCALATE,
        from_status=Status.DISPATCHED,
        to_status=Status.DISPATCHED,
        from_level=Level.GRID,
        to_level=Level.TOWN,
    )
    SupervisionRecord.objects.create(
        incident=escalated, kind=Supervision.RED, level=Level.TOWN, automatic=True
    )

    town = api_for(town_user).get(reverse("api:dashboard-town", args=[mapped_tree["town_a"].pk])).json()
    assert sum(town["charts"]["escalations"]["series"][0]["data"]) == 2
    assert town["charts"]["escalations"]["series"][0]["data"][-1] == 1

    today = api_for(district_user).get(reverse("api:dashboard-district")).json()["escalations_today"]
    assert sorted(row["kind"] for row in today) == ["escalation", "red_card"]
    assert {row["code"] for row in today} == {escalated.code}
    assert all(row["town"] == "甲镇" for row in today)
