"""The dashboards and phone pages in a real Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

import pytest
from django.urls import reverse

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_town_user_sees_the_map_of_their_towns_grids_drawn_without_tiles(
    desktop, live_server, town_user, mapped_tree
):
    sign_in(desktop, live_server, town_user, next_url=reverse("dashboards:home"))
    assert desktop.url.endswith(reverse("dashboards:town", args=[mapped_tree["town_a"].pk]))
    desktop.wait_for_selector("#map[data-ready='1']")
    # Two grids of 甲镇 drawn as SVG paths, none of 乙镇.
    assert desktop.locator("#map path.grid-shape").count() == 2
    assert desktop.locator("#map img.leaflet-tile").count() == 0
    assert desktop.outside_requests == []


def test_town_user_cannot_open_another_towns_dashboard(desktop, live_server, town_user, mapped_tree):
    sign_in(desktop, live_server, town_user)
    response = desktop.goto(live_server.url + reverse("dashboards:town", args=[mapped_tree["town_b"].pk]))
    assert response.status == 404
    response = desktop.goto(live_server.url + reverse("api:dashboard-town", args=[mapped_tree["town_b"].pk]))
    assert response.status == 404
