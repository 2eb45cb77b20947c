"""The dashboards and phone pages in a real Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Category, Incident

from .conftest import screenshot, sign_in
from .factories import a_mix_of_incidents, categories

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def card_values(page) -> dict:
    values = page.eval_on_selector_all(
        "#cards .figure", "cards => cards.map(c => [c.dataset.key, c.querySelector('.value').dataset.value])"
    )
    return {key: (Decimal(value) if value else None) for key, value in values}


def api_figures(page, live_server, town) -> dict:
    response = page.request.get(live_server.url + reverse("api:dashboard-town", args=[town.pk]))
    assert response.ok
    return {k: (Decimal(str(v)) if v is not None else None) for k, v in response.json()["figures"].items()}


def test_town_dashboard_cards_equal_the_api_and_its_chart_and_map_are_drawn(
    desktop, live_server, town_user, mapped_tree
):
    categories()
    a_mix_of_incidents(mapped_tree["grid_v1"], now=timezone.now())
    a_mix_of_incidents(mapped_tree["grid_b1"], now=timezone.now(), scale=2)  # 乙镇: not on this dashboard

    sign_in(desktop, live_server, town_user, next_url=reverse("dashboards:home"))
    town = mapped_tree["town_a"]
    assert desktop.url.endswith(reverse("dashboards:town", args=[town.pk]))
    desktop.wait_for_selector("#map[data-ready='1']")
    desktop.wait_for_selector("#chart-flow[data-ready='1']")

    shown = card_values(desktop)
    assert shown == api_figures(desktop, live_server, town)
    assert shown["reported"] == 15 and shown["overdue"] == 4

    # The reports-per-day chart is drawn (SVG paths) and plots what the API says.
    assert desktop.locator("#chart-flow svg path").count() > 2
    plotted = desktop.evaluate(
        "enyangDashboard.charts.flow.getOption().series[0].data.reduce((a, b) => a + b, 0)"
    )
    assert plotted == 15
    assert desktop.locator("#chart-category svg path").count() >= 1

    # The map: 甲镇's two grid polygons (no tiles configured), and a dot per open incident with a place.
    assert desktop.locator("#map path.grid-shape").count() == 2
    assert desktop.locator("#map path.incident-dot").count() == 7
    assert desktop.locator("#map img.leaflet-tile").count() == 0
    assert desktop.outside_requests == []
    screenshot(desktop, "town-dashboard")


def test_a_grid_worker_reports_from_a_375px_phone_and_it_appears_on_the_town_dashboard(
    phone, desktop, live_server, grid_worker, town_user, mapped_tree
):
    categories()
    town = mapped_tree["town_a"]
    sign_in(phone, live_server, grid_worker, next_url=reverse("dashboards:home"))
    assert phone.url.endswith(reverse("dashboards:phone-home"))
    phone.click("#go-report")
    phone.wait_for_selector("#report-form")
    # Usable at 375 px: nothing wider than the screen, big enough controls.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    submit = phone.locator("#report-form button[type=submit]").bounding_box()
    assert submit["width"] >= 300 and submit["height"] >= 40

    neighbours = Category.objects.get(code="0102")  # disputes · neighbours
    phone.select_option("#id_category", value=str(neighbours.pk))
    phone.fill("#id_description", "3组路口两户因排水沟堵塞发生争执，需调解")
    phone.fill("#id_address", "甲村3组路口")
    phone.click("#locate")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    screenshot(phone, "phone-report")
    with phone.expect_navigation():
        phone.click("#report-form button[type=submit]")
    assert phone.url.endswith(reverse("dashboards:phone-mine"))
    incident = Incident.objects.get(reporter_user=grid_worker)
    assert incident.grid_id == mapped_tree["grid_v1"].pk  # routed by the phone's position
    assert incident.code in phone.inner_text(".messages")
    assert incident.code in phone.inner_text("#reported")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    sign_in(desktop, live_server, town_user)
    desktop.goto(live_server.url + reverse("dashboards:town", args=[town.pk]))
    desktop.wait_for_selector("#map[data-ready='1']")
    assert card_values(desktop)["reported"] == 1
    assert card_values(desktop)["open"] == 1
    assert desktop.locator("#map path.incident-dot").count() == 1
    desktop.goto(live_server.url + desktop.get_attribute("#card-reported", "href"))
    assert incident.code in desktop.inner_text("#incident-list")


def test_town_user_cannot_open_another_towns_dashboard(desktop, live_server, town_user, mapped_tree):
    sign_in(desktop, live_server, town_user)
    response = desktop.goto(live_server.url + reverse("dashboards:town", args=[mapped_tree["town_b"].pk]))
    assert response.status == 404
    response = desktop.goto(live_server.url + reverse("api:dashboard-town", args=[mapped_tree["town_b"].pk]))
    assert response.status == 404
    response = desktop.goto(live_server.url + reverse("dashboards:district"))
    assert response.status == 404


def test_the_district_ranking_sorts_by_a_figure_when_its_heading_is_clicked(
    desktop, live_server, district_user, mapped_tree
):
    categories()
    a_mix_of_incidents(mapped_tree["grid_b1"], now=timezone.now(), scale=2)
    a_mix_of_incidents(mapped_tree["grid_v1"], now=timezone.now() - dt.timedelta(hours=1))
    sign_in(desktop, live_server, district_user, next_url=reverse("dashboards:home"))
    assert desktop.url.endswith(reverse("dashboards:district"))
    desktop.wait_for_selector("#map[data-ready='1']")
    assert desktop.locator("#map path.grid-shape").count() == 3
    assert desktop.locator("#map path.outline-shape").count() == 2

    def towns():
        return desktop.eval_on_selector_all(
            "#ranking-table tbody tr td:first-child", "c => c.map(x => x.innerText)"
        )

    desktop.click("#ranking-table th[data-key='reported']")
    assert towns() == ["乙镇", "甲镇"]
    desktop.click("#ranking-table th[data-key='reported']")
    assert towns() == ["甲镇", "乙镇"]
    screenshot(desktop, "district-dashboard")


def test_every_phone_page_fits_375px_and_a_duty_log_can_be_written(phone, live_server, mapped_tree):
    from importlib import import_module

    from django.apps import apps

    from tests.workers.factories import make_worker
    from workers import services as worker_services
    from workers.models import DutyLog

    categories()
    # The browser tests run on a flushed database: put the roles and duties back as their migration does.
    import_module("workers.migrations.0002_roles_and_duties").load(apps, None)
    worker = make_worker(mapped_tree["grid_v1"], name="李四")
    user = worker_services.worker_create_login(worker=worker, username="lisi", password="Str0ng-Passw0rd!")

    sign_in(phone, live_server, user, next_url=reverse("dashboards:home"))
    for name in ["phone-home", "phone-report", "phone-duty-log", "phone-mine", "phone-visits"]:
        phone.goto(live_server.url + reverse(f"dashboards:{name}"))
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, name
        assert phone.locator("h1").is_visible(), name

    phone.goto(live_server.url + reverse("dashboards:phone-duty-log"))
    phone.select_option("#id_duty", index=1)
    phone.fill("#id_place", "甲村3组")
    phone.fill("#id_note", "走访独居老人")
    with phone.expect_navigation():
        phone.click("#duty-log-form button[type=submit]")
    assert DutyLog.objects.filter(worker=worker, place="甲村3组").count() == 1
    assert "走访独居老人" in phone.inner_text("#recent-logs")
    screenshot(phone, "phone-duty-log")
    assert phone.outside_requests == []
