"""The grid worker's duty-log page on a 375-px phone, in a real Chromium (the shared `chromium` fixture)."""

from pathlib import Path

import pytest
from django.conf import settings

from workers import services
from workers.models import Duty, DutyLog

PASSWORD = "Gw-Phone-Passw0rd!"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.outside_requests = []

    def route(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    yield page
    context.close()


def test_a_grid_worker_records_a_visit_from_a_375px_phone(phone, live_server, workers):
    user = services.worker_create_login(worker=workers["v1"], username="gwphone", password=PASSWORD)
    phone.goto(f"{live_server.url}/accounts/login/?next=/workers/log/")
    phone.fill("input[name=username]", user.username)
    phone.fill("input[name=password]", PASSWORD)
    with phone.expect_navigation():
        phone.click("form button[type=submit]")
    assert phone.url.endswith("/workers/log/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    choice = phone.locator(".duty-choices label").first.bounding_box()
    assert choice["height"] >= 40  # each duty is a thumb-sized target
    save = phone.locator("form.card button[type=submit]").bounding_box()
    assert save["width"] >= 300 and save["height"] >= 40

    screenshots = Path(settings.BASE_DIR) / "docs" / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(screenshots / "workers-duty-log-phone.png"), full_page=True)

    duty = Duty.objects.get(number=5)
    phone.check(f"input[name=duty][value='{duty.pk}']")
    phone.fill("input[name=place]", "3组12号")
    phone.fill("textarea[name=note]", "走访社区矫正对象，情况稳定")
    with phone.expect_navigation():
        phone.click("form.card button[type=submit]")
    assert "走访服务特殊人群" in phone.inner_text(".recent")
    log = DutyLog.objects.get()
    assert (log.worker, log.role.code, log.place) == (workers["v1"], "service", "3组12号")
    assert phone.outside_requests == []
