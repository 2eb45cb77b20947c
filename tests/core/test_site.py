import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Role
from core.models import AuditLog, Notification
from core.notifications import notify
from tests import factories

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


def test_create_api_token_prints_a_token_that_authenticates(tree, district_user, capsys, client):
    call_command("create_api_token", district_user.username)
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=district_user).key == key
    response = client.get(reverse("api:area-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_home_page_shows_the_users_part_of_the_tree_in_chinese(client, town_user, tree):
    client.force_login(town_user)
    html = client.get("/").content.decode()
    assert tree["town_a"].name in html and tree["village"].name in html
    assert tree["town_b"].name not in html
    assert "覆盖" in html  # the navigation speaks Chinese by default


def test_english_can_be_chosen(client, town_user, tree):
    client.force_login(town_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Coverage" in client.get("/").content.decode()


def test_pages_outside_the_jurisdiction_are_404(client, town_user, tree):
    client.force_login(town_user)
    assert client.get(reverse("grids:area-detail", args=[tree["village"].pk])).status_code == 200
    assert client.get(reverse("grids:area-detail", args=[tree["village_b"].pk])).status_code == 404
    assert client.get(reverse("grids:coverage"), {"area": tree["town_b"].pk}).status_code == 404


def test_coverage_page_lists_a_village_without_grid(client, town_user, tree):
    factories.make_village(tree["town_a"], name="空白村")
    client.force_login(town_user)
    assert "空白村" in client.get(reverse("grids:coverage")).content.decode()


def test_admin_lists_only_the_jurisdiction(client, town_user, tree):
    client.force_login(town_user)
    html = client.get(reverse("admin:grids_area_changelist")).content.decode()
    assert tree["village"].name in html and tree["village_b"].name not in html


def test_swagger_ui_is_served_without_any_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "//unpkg" not in html
    assert client.get("/api/schema/").status_code == 200


def test_sign_in_is_locked_after_repeated_failures_and_recorded(client, tree, settings):
    user = factories.UserFactory(username="zhang", role=Role.TOWN_STAFF, jurisdiction=tree["town_a"])
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(url, {"username": "zhang", "password": "Str0ng-Passw0rd!"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert (
        AuditLog.objects.filter(action="login_failed", username="zhang").count()
        >= settings.AXES_FAILURE_LIMIT
    )
    assert not AuditLog.objects.filter(action="login", actor=user).exists()


def test_successful_sign_in_is_audited(client, tree):
    user = factories.UserFactory(username="li", role=Role.TOWN_STAFF, jurisdiction=tree["town_a"])
    response = client.post(reverse("accounts:login"), {"username": "li", "password": "Str0ng-Passw0rd!"})
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="login", actor=user).count() == 1


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("alllowercaseletters")
    validate_password("Grid-Worker-2026")


def test_a_keyed_notification_is_sent_once(tree, district_user):
    assert notify(recipient=district_user, title="升级", key="incident:1:escalated") is not None
    assert notify(recipient=district_user, title="升级", key="incident:1:escalated") is None
    assert Notification.objects.filter(recipient=district_user).count() == 1


def test_notifications_api_lists_only_my_own(api_for, tree, district_user, town_user):
    notify(recipient=district_user, title="给区里")
    notify(recipient=town_user, title="给镇里")
    body = api_for(town_user).get(reverse("api:notification-list")).json()
    assert [n["title"] for n in body["results"]] == ["给镇里"]


def test_chinese_stays_the_default_whatever_the_browser_asks(client, town_user, tree):
    client.force_login(town_user)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "覆盖" in html and "Coverage" not in html
