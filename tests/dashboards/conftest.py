"""Fixtures for the dashboards: a town with drawn grid boundaries, and a real Chromium for browser tests."""

from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Role
from grids import geometry
from grids import services as grid_services
from grids.models import Area
from tests import factories

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make alongside it are
# ordinary synchronous code, so Django's async-safety guard must not refuse them.

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PASSWORD = "Str0ng-Passw0rd!"
# Where the phone says it is: inside 甲村第1网格 (grid_v1) of `mapped_tree`.
PHONE_POSITION = {"latitude": 31.75, "longitude": 106.70}


@pytest.fixture
def mapped_tree(tree):
    """The shared small tree, with boundaries: 甲镇 (two grids) east of 乙镇 (one grid)."""
    boxes = {
        "town_a": (106.60, 31.70, 106.80, 31.90),
        "community": (106.60, 31.80, 106.80, 31.90),
        "village": (106.60, 31.70, 106.80, 31.80),
        "grid_c1": (106.60, 31.80, 106.80, 31.90),
        "grid_v1": (106.60, 31.70, 106.80, 31.80),
        "town_b": (106.40, 31.70, 106.60, 31.90),
        "village_b": (106.40, 31.70, 106.60, 31.90),
        "grid_b1": (106.40, 31.70, 106.60, 31.90),
    }
    for key, box in boxes.items():
        grid_services.area_update(area=Area.objects.get(pk=tree[key].pk), boundary=geometry.rectangle(*box))
    # Re-read every node: ones created early carry stale MPTT bounds in memory.
    return {key: Area.objects.get(pk=node.pk) for key, node in tree.items()}


@pytest.fixture
def grid_worker(tree):
    """The grid worker of 甲村第1网格 (grid_v1)."""
    return factories.UserFactory(role=Role.GRID_WORKER, jurisdiction=tree["grid_v1"], display_name="王网格员")


@pytest.fixture
def outsider(tree):
    """Town sub-centre staff of the other town (乙镇)."""
    return factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"])


# ---------------------------------------------------------------- browser


def _context(chromium, **kwargs):
    kwargs.setdefault("locale", "zh-CN")
    kwargs.setdefault("timezone_id", "Asia/Shanghai")
    return chromium.new_context(**kwargs)


@pytest.fixture
def desktop(chromium, live_server):
    """A desktop-sized page of a fresh browser context; outside requests are refused and recorded."""
    context = _context(chromium, viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    _guard_outside_requests(page, live_server.url)
    yield page
    context.close()


@pytest.fixture
def phone(chromium, live_server):
    """A 375-px-wide phone page (iPhone-sized), with touch."""
    context = _context(
        chromium,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation=PHONE_POSITION,
        permissions=["geolocation"],
    )
    page = context.new_page()
    _guard_outside_requests(page, live_server.url)
    yield page
    context.close()


def _guard_outside_requests(page, base_url):
    page.outside_requests = []

    def route(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            page.outside_requests.append(url)
            route.abort()

    page.route("**/*", route)


def sign_in(page, live_server, user, *, next_url: str = ""):
    """Sign in through the real sign-in form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/accounts/login/" not in page.url, "sign-in failed"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
