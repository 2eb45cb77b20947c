import os
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    """Empty this test process's part of the cache only.

    `cache.clear()` would FLUSHDB the Redis database that the other xdist workers share, wiping their
    throttle counters mid-test; each worker has its own KEY_PREFIX, so delete by prefix instead.
    """
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    client = getattr(cache, "_cache", None)
    if prefix and client is not None and hasattr(client, "get_client"):
        redis = client.get_client(write=True)
        keys = list(redis.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            redis.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture
def tree(db):
    """A small tree: district → two towns → villages/communities → grids, with a few known gaps."""
    district = factories.make_district()
    town_a = factories.make_town(district, name="甲镇")
    town_b = factories.make_town(district, name="乙镇")
    community = factories.make_village(town_a, kind="community", name="甲社区", urban=True)
    village = factories.make_village(town_a, name="甲村")
    village_b = factories.make_village(town_b, name="乙村")
    grid_c1 = factories.make_grid(community, name="甲社区第1网格")
    grid_v1 = factories.make_grid(village, name="甲村第1网格")
    grid_b1 = factories.make_grid(village_b, name="乙村第1网格")
    return {
        "district": district,
        "town_a": town_a,
        "town_b": town_b,
        "community": community,
        "village": village,
        "village_b": village_b,
        "grid_c1": grid_c1,
        "grid_v1": grid_v1,
        "grid_b1": grid_b1,
    }


@pytest.fixture
def district_user(tree):
    return factories.UserFactory(role=Role.DISTRICT_STAFF, jurisdiction=tree["district"])


@pytest.fixture
def district_admin(tree):
    return factories.UserFactory(role=Role.DISTRICT_ADMIN, jurisdiction=tree["district"])


@pytest.fixture
def town_user(tree):
    """Town sub-centre staff of 甲镇 (town_a)."""
    return factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_a"])


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api_for():
    return api_as


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium per test process, shared by every browser test.

    Playwright's sync API runs an event loop for as long as it is open, so two browser fixtures that each
    started their own would collide in one process; they all take this one.
    """
    if not Path(CHROMIUM).exists():
        # A skipped browser test would let CI pass without checking the pages: fail instead.
        # `make test` installs Chromium (scripts/ensure_system_packages.sh).
        pytest.fail(f"{CHROMIUM} is not installed: run `make test`, or apt-get install chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
