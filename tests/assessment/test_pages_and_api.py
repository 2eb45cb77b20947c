import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role, User
from assessment import services
from assessment.models import AssessmentRun, Scheme
from tests import factories

from .conftest import YEAR, compute, grid_scheme

pytestmark = pytest.mark.django_db


def scheme_payload(weights):
    return {
        "year": YEAR,
        "subject_type": "grid",
        "name": "网格考评",
        "indicators": [
            {"code": f"s{n}", "name": f"督导{n}", "weight": str(w), "formula": "supervision_points"}
            for n, w in enumerate(weights)
        ],
    }


@pytest.fixture
def checked_run(tree, inspector, checked_on):
    for area, points in [(tree["grid_v1"], "-10"), (tree["grid_b1"], "-20"), (tree["grid_c1"], "-5")]:
        services.check_record(
            inspector=inspector,
            subject_type="grid",
            area=area,
            checked_on=checked_on,
            findings="巡查",
            points=points,
        )
    return compute(grid_scheme())


def test_the_api_refuses_a_scheme_whose_weights_do_not_sum_to_100(district_user, api_for):
    response = api_for(district_user).post(
        "/api/v1/assessment/schemes/", scheme_payload([50, 40]), format="json"
    )
    assert response.status_code == 400
    assert "100" in str(response.json()["indicators"])


def test_the_api_creates_a_scheme_and_queues_its_computation(district_user, api_for):
    client = api_for(district_user)
    response = client.post("/api/v1/assessment/schemes/", scheme_payload([60, 40]), format="json")
    assert response.status_code == 201, response.json()
    scheme_id = response.json()["id"]
    response = client.post(f"/api/v1/assessment/schemes/{scheme_id}/compute/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    # In use now: editing is a conflict.
    response = client.patch(f"/api/v1/assessment/schemes/{scheme_id}/", {"name": "x"}, format="json")
    assert response.status_code == 409


def test_town_staff_see_only_their_towns_results_and_outsiders_none(
    checked_run, tree, district_user, town_user, api_for, django_assert_max_num_queries
):
    town_user = User.objects.get(pk=town_user.pk)
    outsider = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=None)
    url = f"/api/v1/assessment/results/?run={checked_run.pk}"
    with django_assert_max_num_queries(8):
        everyone = api_for(district_user).get(url).json()
    assert everyone["count"] == 3
    town = api_for(town_user).get(url).json()
    assert {r["subject_name"] for r in town["results"]} == {"甲社区第1网格", "甲村第1网格"}
    assert api_for(outsider).get(url).json()["count"] == 0
    other = checked_run.results.get(area=tree["grid_b1"])
    assert api_for(town_user).get(f"/api/v1/assessment/results/{other.pk}/").status_code == 404


def test_the_result_detail_and_score_records_drill_down(checked_run, tree, district_user, api_for):
    result = checked_run.results.get(area=tree["grid_v1"])
    detail = api_for(district_user).get(f"/api/v1/assessment/results/{result.pk}/").json()
    assert detail["total"] == "90.00"
    score_id = detail["scores"][0]["id"]
    records = api_for(district_user).get(f"/api/v1/assessment/scores/{score_id}/records/").json()
    assert records["count"] == 1 and records["results"][0]["counted"] is True


def test_the_excel_export_per_town_opens_with_rankings_and_indicator_columns(
    checked_run, tree, client, district_user
):
    client.force_login(district_user)
    response = client.get(
        reverse("assessment:run-export", args=[checked_run.pk]), {"town": tree["town_a"].pk}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "甲镇" in rows[0][0]
    header = rows[2]
    assert header == ("同类组", "排名", "编码", "姓名/名称", "所属镇街", "日常督导 (100)", "总分", "等次")
    body = rows[3:]
    assert len(body) == 2  # only 甲镇's two grids
    by_name = {r[3]: r for r in body}
    assert by_name["甲村第1网格"][1] == 1 and by_name["甲村第1网格"][-2] == 90.0
    assert by_name["甲社区第1网格"][-2] == 95.0
    assert all(r[4] == "甲镇" for r in body)


def test_the_printable_page_and_the_progress_poll(checked_run, client, district_user):
    client.force_login(district_user)
    page = client.get(reverse("assessment:run-print", args=[checked_run.pk]))
    assert page.status_code == 200 and "甲村第1网格" in page.content.decode()
    progress = client.get(reverse("assessment:run-progress", args=[checked_run.pk])).json()
    assert progress == {**progress, "status": "draft", "percent": 100, "finished": True}


def test_the_run_page_publishes_through_the_service(checked_run, client, district_user):
    client.force_login(district_user)
    assert client.get(reverse("assessment:run-detail", args=[checked_run.pk])).status_code == 200
    client.post(reverse("assessment:run-transition", args=[checked_run.pk, "review"]))
    client.post(reverse("assessment:run-transition", args=[checked_run.pk, "publish"]))
    assert AssessmentRun.objects.get(pk=checked_run.pk).status == "published"


def test_a_supervision_check_is_recorded_from_the_page(tree, client, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("assessment:check-list"),
        {
            "subject_type": "grid",
            "area": tree["grid_v1"].pk,
            "checked_on": dt.date(YEAR, 5, 1).isoformat(),
            "findings": "走访台账缺失",
            "points": "-3",
        },
    )
    assert response.status_code == 302
    assert tree["grid_v1"].supervision_checks.get().points == Decimal("-3")


def test_every_admin_page_of_the_app_opens_in_chinese(checked_run, client, tree):
    admin = factories.UserFactory(role=Role.DISTRICT_ADMIN, jurisdiction=tree["district"], is_superuser=True)
    client.force_login(admin)
    result = checked_run.results.first()
    for url in [
        "/admin/assessment/scheme/",
        f"/admin/assessment/scheme/{checked_run.scheme_id}/change/",
        "/admin/assessment/scheme/add/",
        "/admin/assessment/supervisioncheck/",
        "/admin/assessment/supervisioncheck/add/",
        "/admin/assessment/assessmentrun/",
        "/admin/assessment/result/",
        f"/admin/assessment/result/{result.pk}/change/",
        "/admin/assessment/appeal/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "考评方案" in client.get("/admin/assessment/scheme/").content.decode()


def test_the_run_page_query_count_does_not_grow_with_results(
    checked_run, client, district_user, django_assert_max_num_queries
):
    client.force_login(district_user)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("assessment:run-detail", args=[checked_run.pk]))
    assert response.status_code == 200
    assert "甲村第1网格" in response.content.decode()


def test_town_staff_cannot_open_another_towns_result_or_score(checked_run, tree, client, town_user):
    other = checked_run.results.get(area=tree["grid_b1"])
    client.force_login(town_user)
    assert client.get(reverse("assessment:result-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("assessment:score-records", args=[other.scores.get().pk])).status_code == 404
    own = checked_run.results.get(area=tree["grid_v1"])
    assert client.get(reverse("assessment:result-detail", args=[own.pk])).status_code == 200


def test_the_admin_refuses_indicator_weights_that_do_not_sum_to_100(tree, client):
    admin = factories.UserFactory(role=Role.DISTRICT_ADMIN, jurisdiction=tree["district"], is_superuser=True)
    client.force_login(admin)
    data = {
        "year": YEAR,
        "subject_type": "grid",
        "name": "网格考评",
        "period_start": f"{YEAR}-01-01",
        "period_end": f"{YEAR}-12-31",
        "appeal_days": 7,
        "indicators-TOTAL_FORMS": 2,
        "indicators-INITIAL_FORMS": 0,
        "peer_groups-TOTAL_FORMS": 0,
        "peer_groups-INITIAL_FORMS": 0,
        "grade_bands-TOTAL_FORMS": 1,
        "grade_bands-INITIAL_FORMS": 0,
        "grade_bands-0-grade": "incompetent",
        "grade_bands-0-min_score": "0",
    }
    for n, weight in enumerate(["60", "30"]):
        data.update(
            {
                f"indicators-{n}-order": n,
                f"indicators-{n}-code": f"s{n}",
                f"indicators-{n}-name": f"督导{n}",
                f"indicators-{n}-weight": weight,
                f"indicators-{n}-source": "inspected",
                f"indicators-{n}-formula": "supervision_points",
                f"indicators-{n}-params": "{}",
                f"indicators-{n}-score_when_empty": "100",
            }
        )
    response = client.post("/admin/assessment/scheme/add/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "100" in response.content.decode() and not Scheme.objects.exists()
    data["indicators-1-weight"] = "40"
    response = client.post("/admin/assessment/scheme/add/", data)
    assert response.status_code == 302
    assert Scheme.objects.get().indicators.count() == 2


def test_the_scheme_page_queues_a_computation_and_the_run_page_shows_its_progress(
    tree, client, district_user
):
    scheme = grid_scheme()
    client.force_login(district_user)
    assert client.get(reverse("assessment:scheme-detail", args=[scheme.pk])).status_code == 200
    response = client.post(reverse("assessment:scheme-compute", args=[scheme.pk]), {"reason": "年终"})
    run = AssessmentRun.objects.get(scheme=scheme)
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessment:run-detail", args=[run.pk]
    )
    page = client.get(reverse("assessment:run-detail", args=[run.pk])).content.decode()
    assert 'id="progress-bar"' in page and reverse("assessment:run-progress", args=[run.pk]) in page
    assert client.get(reverse("assessment:run-progress", args=[run.pk])).json()["finished"] is False
    services.run_compute(run=run)
    assert client.get(reverse("assessment:run-progress", args=[run.pk])).json()["percent"] == 100
