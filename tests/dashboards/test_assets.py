"""Front-end assets are served from our own static files: no page names a CDN or any outside address."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

OUTSIDE_ASSET = re.compile(
    r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""" r"""|@import\s+["']?(?:https?:)?//""",
    re.IGNORECASE,
)
TEMPLATE_DIRS = [
    Path(settings.BASE_DIR) / "templates",
    Path(settings.BASE_DIR) / "dashboards" / "templates",
]


def outside_assets(text: str) -> list[str]:
    return [m.group(0) for m in OUTSIDE_ASSET.finditer(text)]


def test_the_scanner_catches_a_cdn_script_and_a_protocol_relative_stylesheet():
    page = '<script src="https://cdn.example.org/echarts.js"></script><link href="//cdn.x/l.css">'
    assert len(outside_assets(page)) == 2
    assert outside_assets('<script src="/static/vendor/leaflet/leaflet.js"></script>') == []


@pytest.mark.parametrize(
    "name",
    [
        "vendor/echarts/echarts.common.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/echarts/LICENSE",
        "vendor/leaflet/LICENSE",
        "dashboards/dashboard.js",
    ],
)
def test_vendored_libraries_and_their_licences_are_static_files(name):
    assert finders.find(name), name


def test_no_template_loads_an_outside_asset():
    offenders = {}
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            found = outside_assets(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path)] = found
    assert offenders == {}


def test_dashboard_stylesheets_fetch_nothing_from_outside():
    for name in ["dashboards/dashboards.css", "vendor/leaflet/leaflet.css", "css/site.css"]:
        assert outside_assets(Path(finders.find(name)).read_text(encoding="utf-8")) == [], name


@pytest.mark.django_db
def test_rendered_dashboards_and_phone_pages_load_nothing_from_outside(client, district_user, mapped_tree):
    client.force_login(district_user)
    pages = [
        reverse("dashboards:district"),
        reverse("dashboards:town", args=[mapped_tree["town_a"].pk]),
        reverse("dashboards:phone-home"),
        reverse("dashboards:phone-mine"),
        reverse("dashboards:phone-visits"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert outside_assets(html) == [], url
        assert "/static/" in html, url


@pytest.mark.django_db
def test_the_grid_workers_phone_forms_load_nothing_from_outside(client, mapped_tree):
    from tests.workers.factories import make_worker
    from workers import services as worker_services

    worker = make_worker(mapped_tree["grid_v1"], name="李四")
    user = worker_services.worker_create_login(worker=worker, username="lisi", password="Str0ng-Passw0rd!")
    client.force_login(user)
    for name in ["dashboards:phone-report", "dashboards:phone-duty-log"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert outside_assets(response.content.decode()) == [], name
