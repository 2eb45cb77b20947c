"""The hand-computed case: four workers with known records give exactly these scores, ranks and grades.

Scheme (weights 30 + 20 + 20 + 10 + 20 = 100), full-time and part-time workers ranked apart:

| worker | closure | on time | duty per role (target 2) | training | supervision | total |
|---|---|---|---|---|---|---|
| 张三 FT | 3/4 → 75 | 2/4 → 50 | 2+1+0+2+2 = 7/10 → 70 | 1/2 → 50 | −5 → 95 | 22.5+10+14+5+19 = 70.5 basic, 2nd |
| 赵六 FT | 2/2 → 100 | 2/2 → 100 | 10/10 → 100 | 2/2 → 100 | +3 → 100 | 100 excellent, 1st |
| 李四 PT | none → 100 | none → 100 | 2/10 → 20 | 1/1 → 100 | none → 100 | 30+20+4+10+20 = 84 competent, 1st |
| 王五 PT | 1/1 → 100 | 0/1 → 0 | 10/10 → 100 | none → 100 | −10 −2 → 88 | 30+0+20+10+17.6 = 77.6 competent, 2nd |
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from assessment import selectors, services
from assessment.choices import RunStatus
from assessment.models import Appeal
from core.errors import ConflictError
from grids.models import Area
from tests import factories as base_factories
from tests.workers.factories import make_worker
from workers import services as worker_services

from .conftest import YEAR, compute, publish
from .factories import log_work, make_incident

pytestmark = pytest.mark.django_db

MARCH = dt.date(YEAR, 3, 2)
ROLES = ["information", "mediator", "co_manager", "publicist", "service"]


def worker_scheme():
    return services.scheme_create(
        year=YEAR,
        subject_type="worker",
        name="网格员年度考评",
        indicators=[
            {"code": "closure", "name": "结案率", "weight": Decimal(30), "formula": "closure_rate"},
            {
                "code": "on_time",
                "name": "按期结案率",
                "weight": Decimal(20),
                "formula": "on_time_closure_rate",
            },
            {
                "code": "duty",
                "name": "五大员履职",
                "weight": Decimal(20),
                "formula": "duty_logs_per_role",
                "params": {"target_per_role": 2},
            },
            {"code": "training", "name": "培训出勤", "weight": Decimal(10), "formula": "training_attendance"},
            {
                "code": "supervision",
                "name": "日常督导",
                "weight": Decimal(20),
                "formula": "supervision_points",
            },
        ],
        peer_groups=[
            {"code": "ft", "name": "专职网格员", "match_field": "employment", "match_value": "full_time"},
            {"code": "pt", "name": "兼职网格员", "match_field": "employment", "match_value": "part_time"},
        ],
    )


@pytest.fixture
def year_of_work(tree, inspector):
    tree = {k: Area.objects.get(pk=v.pk) for k, v in tree.items()}
    grid_c2 = base_factories.make_grid(Area.objects.get(pk=tree["community"].pk), name="甲社区第2网格")
    w = {
        "zhang": make_worker(tree["grid_c1"], name="张三"),
        "zhao": make_worker(grid_c2, name="赵六"),
        "li": make_worker(tree["grid_v1"], name="李四"),
        "wang": make_worker(tree["grid_b1"], name="王五"),
    }
    # Incidents: 张三 3 of 4 closed, 2 on time (and one from last year, not counted).
    zhang_incidents = [
        make_incident(tree["grid_c1"], reported_on=MARCH, on_time=True),
        make_incident(tree["grid_c1"], reported_on=MARCH, on_time=True),
        make_incident(tree["grid_c1"], reported_on=MARCH, on_time=False),
        make_incident(tree["grid_c1"], reported_on=MARCH, status="in_progress"),
    ]
    make_incident(tree["grid_c1"], reported_on=dt.date(YEAR - 1, 12, 20), status="in_progress")
    for _ in range(2):
        make_incident(grid_c2, reported_on=MARCH, on_time=True)
    make_incident(tree["grid_b1"], reported_on=MARCH, on_time=False)
    make_incident(tree["grid_b1"], reported_on=MARCH, status="rejected")  # not a case

    for role, times in zip(ROLES, [2, 1, 0, 3, 2], strict=True):
        log_work(w["zhang"], role, times, MARCH)
    for role in ROLES:
        log_work(w["zhao"], role, 2, MARCH)
        log_work(w["wang"], role, 2, MARCH)
    log_work(w["li"], "information", 2, MARCH)

    first = worker_services.training_session_create(topic="event_reporting", title="事件上报", held_on=MARCH)
    second = worker_services.training_session_create(topic="other", title="矛盾调解", held_on=MARCH)
    worker_services.training_attendance_record(session=first, worker=w["zhang"], attended=True)
    worker_services.training_attendance_record(session=second, worker=w["zhang"], attended=False)
    worker_services.training_attendance_record(session=first, worker=w["zhao"], attended=True)
    worker_services.training_attendance_record(session=second, worker=w["zhao"], attended=True)
    worker_services.training_attendance_record(session=first, worker=w["li"], attended=True)

    def check(worker, points):
        return services.check_record(
            inspector=inspector,
            subject_type="worker",
            worker=worker,
            checked_on=MARCH,
            findings="入户走访记录不全",
            points=Decimal(points),
        )

    check(w["zhang"], "-5")
    check(w["zhao"], "3")
    w["wang_check"] = check(w["wang"], "-10")
    check(w["wang"], "-2")
    w["zhang_incidents"] = zhang_incidents
    return w


def test_the_hand_computed_case_gives_exactly_the_expected_scores_ranks_and_grades(year_of_work):
    w = year_of_work
    run = compute(worker_scheme())
    results = {r.subject_id: r for r in run.results.all()}
    got = {
        name: (
            results[w[name].pk].total,
            results[w[name].pk].rank,
            results[w[name].pk].group_size,
            results[w[name].pk].grade,
            results[w[name].pk].peer_group,
        )
        for name in ("zhang", "zhao", "li", "wang")
    }
    assert got == {
        "zhang": (Decimal("70.50"), 2, 2, "basic", "专职网格员"),
        "zhao": (Decimal("100.00"), 1, 2, "excellent", "专职网格员"),
        "li": (Decimal("84.00"), 1, 2, "competent", "兼职网格员"),
        "wang": (Decimal("77.60"), 2, 2, "competent", "兼职网格员"),
    }
    zhang = {s.indicator.code: s for s in results[w["zhang"].pk].scores.select_related("indicator")}
    assert {code: s.normalised for code, s in zhang.items()} == {
        "closure": Decimal("75.00"),
        "on_time": Decimal("50.00"),
        "duty": Decimal("70.00"),
        "training": Decimal("50.00"),
        "supervision": Decimal("95.00"),
    }
    assert zhang["duty"].detail["per_role"] == dict(zip(ROLES, [2, 1, 0, 3, 2], strict=True))


def test_full_time_and_part_time_workers_are_ranked_apart(year_of_work):
    run = compute(worker_scheme())
    groups = {}
    for r in run.results.all():
        groups.setdefault(r.peer_group, []).append(r.rank)
    assert {k: sorted(v) for k, v in groups.items()} == {"专职网格员": [1, 2], "兼职网格员": [1, 2]}


def test_the_drill_down_lists_the_incidents_behind_the_closure_rate(year_of_work, district_user):
    w = year_of_work
    run = compute(worker_scheme())
    score = run.results.get(subject_id=w["zhang"].pk).scores.get(indicator__code="closure")
    rows = selectors.score_records(score=score, user=district_user)
    assert [r.id for r in rows] == sorted(i.pk for i in w["zhang_incidents"])
    assert [r.counted for r in rows] == [True, True, True, False]
    assert score.record_kind == "incidents.incident"
    assert (score.numerator, score.denominator) == (Decimal(3), Decimal(4))


def test_a_worker_sees_their_own_result_appeals_and_an_upheld_appeal_makes_a_new_version(
    year_of_work, district_user, client, api_for
):
    w = year_of_work
    user = worker_services.worker_create_login(
        worker=w["wang"], username="wangwu", password="Str0ng-Passw0rd!"
    )
    other_user = worker_services.worker_create_login(
        worker=w["li"], username="lisi", password="Str0ng-Passw0rd!"
    )
    scheme = worker_scheme()
    with time_machine.travel(dt.datetime(YEAR + 1, 1, 10, 9, tzinfo=dt.UTC), tick=False):
        run = compute(scheme)
        # A draft is not shown to the worker.
        assert api_for(user).get("/api/v1/assessment/results/").json()["count"] == 0
        run = publish(run, district_user)
        mine = api_for(user).get("/api/v1/assessment/results/").json()
        assert [r["subject_name"] for r in mine["results"]] == ["王五"]
        result = run.results.get(subject_id=w["wang"].pk)
        assert user.notifications.filter(kind="assessment").exists()
        client.force_login(User.objects.get(pk=user.pk))
        page = client.get(reverse("assessment:mine"))
        assert "77.60" in page.content.decode()
        with pytest.raises(ValidationError):
            services.appeal_submit(result=result, user=other_user, reason="不是我的")
        response = api_for(user).post(
            "/api/v1/assessment/appeals/",
            {"result": result.pk, "reason": "第二次督导扣分重复"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        appeal = Appeal.objects.get(pk=response.json()["id"])
        with pytest.raises(ConflictError):
            services.run_freeze(run=run, actor=district_user)

    with time_machine.travel(dt.datetime(YEAR + 1, 1, 12, tzinfo=dt.UTC)):
        services.check_void(check=w["wang_check"], reason="与 3 月另一次督导重复", actor=district_user)
        with pytest.raises(ValidationError):
            services.appeal_decide(appeal=appeal, upheld=True, reason=" ", actor=district_user)
        appeal = services.appeal_decide(
            appeal=appeal, upheld=True, reason="重复扣分已撤销", recompute=True, actor=district_user
        )
    assert appeal.status == "upheld" and appeal.decision_reason == "重复扣分已撤销"
    new_run = services.run_compute(run=appeal.new_run)
    assert new_run.version == 2 and new_run.based_on_id == run.pk
    assert new_run.results.get(subject_id=w["wang"].pk).total == Decimal("79.60")  # supervision 98 now
    assert run.results.get(subject_id=w["wang"].pk).total == Decimal("77.60")  # the old version is kept

    with time_machine.travel(dt.datetime(YEAR + 1, 2, 1, tzinfo=dt.UTC)):
        with pytest.raises(ConflictError):  # the window has closed
            services.appeal_submit(result=result, user=user, reason="再申诉")
        assert services.run_freeze(run=run, actor=district_user).status == RunStatus.FROZEN


def test_a_rejected_appeal_keeps_the_result(year_of_work, district_user):
    w = year_of_work
    run = publish(compute(worker_scheme()), district_user)
    # The sign-in is created after the computation: the worker still sees and appeals their own result.
    user = worker_services.worker_create_login(worker=w["li"], username="lisi", password="Str0ng-Passw0rd!")
    user = User.objects.get(pk=user.pk)
    result = run.results.get(subject_id=w["li"].pk)
    assert result.user is None
    assert list(selectors.result_list(user=user)) == [result]
    appeal = services.appeal_submit(result=result, user=user, reason="培训记录不全")
    with pytest.raises(ConflictError):
        services.appeal_submit(result=result, user=user, reason="再次申诉")
    appeal = services.appeal_decide(appeal=appeal, upheld=False, reason="记录核实无误", actor=district_user)
    assert (appeal.status, appeal.new_run) == ("rejected", None)
    assert run.scheme.runs.count() == 1


def test_grouping_in_python_gives_what_postgresql_aggregates(year_of_work):
    """The embedded SQLite default groups rows in Python; both paths must agree."""
    from django.db.models import Q

    from assessment.engine import Context
    from incidents.models import Incident

    qs = Incident.objects.exclude(status="rejected")
    closed = Q(status__in=("closed", "evaluated"))

    def normalised(in_database):
        rows = Context._grouped(qs, "grid_id", closed, None, in_database=in_database)
        return sorted((g, n, sorted(ids), num, sorted(num_ids)) for g, n, ids, num, num_ids in rows)

    assert normalised(True) == normalised(False)
    assert len(normalised(True)) == 3


def test_towns_are_assessed_from_everything_below_them(year_of_work, tree, inspector):
    services.check_record(
        inspector=inspector,
        subject_type="town",
        area=tree["town_b"],
        checked_on=MARCH,
        findings="台账",
        points=-4,
    )
    scheme = services.scheme_create(
        year=YEAR,
        subject_type="town",
        name="镇街考评",
        indicators=[
            {"code": "closure", "name": "结案率", "weight": Decimal(50), "formula": "closure_rate"},
            {"code": "duty", "name": "履职记录", "weight": Decimal(30), "formula": "duty_log_count"},
            {
                "code": "supervision",
                "name": "日常督导",
                "weight": Decimal(20),
                "formula": "supervision_points",
            },
        ],
    )
    run = compute(scheme)
    a = run.results.get(subject_id=tree["town_a"].pk)
    b = run.results.get(subject_id=tree["town_b"].pk)
    # 甲镇: 3+2 of 6 closed → 83.33; logs 8+10+2 = 20 (the best) → 100; no check → 100.
    # 乙镇: 1 of 1 closed → 100; 10 logs of the best 20 → 50; −4 → 96.
    assert a.total == Decimal("91.67")  # 41.665 + 30 + 20
    assert b.total == Decimal("84.20")  # 50 + 15 + 19.2
    assert (a.rank, b.rank) == (1, 2)


def test_visits_done_against_visits_due(year_of_work, tree):
    """李四 looks after one elderly person living alone, visit every 30 days, from 1 October: 92 days → 3 due;
    2 visits done → 2/3 → 66.67. 王五 has none due → the score when nothing is due (100)."""
    from registry import services as registry_services
    from tests.registry.factories import ResidentFactory
    from workers.models import Worker

    w = {k: Worker.objects.get(pk=v.pk) for k, v in year_of_work.items() if k in ("li", "wang")}
    resident = ResidentFactory(grid=Area.objects.get(pk=tree["grid_v1"].pk))
    membership = registry_services.membership_create(
        resident=resident,
        group_type="elderly_alone",
        responsible=w["li"],
        start_date=dt.date(YEAR, 10, 1),
        visit_interval_days=30,
    )
    done = [
        registry_services.visit_record(membership=membership, worker=w["li"], visited_at=at)
        for at in (
            dt.datetime(YEAR, 10, 5, 10, tzinfo=dt.UTC),
            dt.datetime(YEAR, 11, 3, 10, tzinfo=dt.UTC),
        )
    ]
    scheme = services.scheme_create(
        year=YEAR,
        subject_type="worker",
        name="走访考评",
        indicators=[
            {"code": "visits", "name": "走访", "weight": Decimal(100), "formula": "visits_done_ratio"}
        ],
    )
    run = compute(scheme)
    li = run.results.get(subject_id=w["li"].pk).scores.get()
    assert (li.numerator, li.denominator, li.normalised) == (Decimal(2), Decimal(3), Decimal("66.67"))
    assert li.record_ids == sorted(v.pk for v in done) and li.record_kind == "registry.visit"
    rows = selectors.score_records(score=li, user=User.objects.get(role="district_staff"))
    assert [r.id for r in rows] == li.record_ids
    assert all(resident.name not in r.label for r in rows)  # a special-group member is not named
    assert run.results.get(subject_id=w["wang"].pk).total == Decimal("100.00")


def test_the_api_records_a_check_on_a_worker_voids_it_and_decides_an_appeal(
    year_of_work, district_user, api_for
):
    w = year_of_work
    client = api_for(district_user)
    response = client.post(
        "/api/v1/assessment/checks/",
        {
            "subject_type": "worker",
            "worker": w["li"].pk,
            "checked_on": "2026-04-01",
            "findings": "未按时上报",
            "points": "-6",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["area"] == w["li"].grid_id
    check_id = response.json()["id"]
    assert (
        client.post(f"/api/v1/assessment/checks/{check_id}/void/", {"reason": ""}, format="json").status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/assessment/checks/{check_id}/void/", {"reason": "录错"}, format="json"
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/assessment/checks/{check_id}/void/", {"reason": "录错"}, format="json"
        ).status_code
        == 409
    )

    user = worker_services.worker_create_login(worker=w["li"], username="lisi", password="Str0ng-Passw0rd!")
    run = publish(compute(worker_scheme()), district_user)
    result = run.results.get(subject_id=w["li"].pk)
    appeal = api_for(user).post(
        "/api/v1/assessment/appeals/", {"result": result.pk, "reason": "有误"}, format="json"
    )
    assert appeal.status_code == 201
    url = f"/api/v1/assessment/appeals/{appeal.json()['id']}/decide/"
    assert api_for(user).post(url, {"upheld": False, "reason": "x"}, format="json").status_code == 403
    decided = client.post(url, {"upheld": False, "reason": "记录无误"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert client.post(url, {"upheld": False, "reason": "again"}, format="json").status_code == 409
    # The scheme copy through the API is a draft that can be edited.
    copy = client.post(f"/api/v1/assessment/schemes/{run.scheme_id}/copy/", {"year": YEAR + 1}, format="json")
    assert copy.status_code == 201 and copy.json()["status"] == "draft" and copy.json()["year"] == YEAR + 1


def test_a_towns_incident_scores_match_its_incident_figures(year_of_work, tree, district_user):
    """The assessment and the incident dashboards count due, closed and on-time cases the same way."""
    from incidents.selectors import incident_figures

    scheme = services.scheme_create(
        year=YEAR,
        subject_type="town",
        name="镇街考评",
        indicators=[
            {"code": "closure", "name": "结案率", "weight": Decimal(50), "formula": "closure_rate"},
            {
                "code": "on_time",
                "name": "按期结案率",
                "weight": Decimal(50),
                "formula": "on_time_closure_rate",
            },
        ],
    )
    run = compute(scheme)
    for key in ("town_a", "town_b"):
        town = Area.objects.get(pk=tree[key].pk)
        figures = incident_figures(
            user=district_user, area=town, start=scheme.period_start, end=scheme.period_end
        )
        scores = {
            s.indicator.code: s
            for s in run.results.get(subject_id=town.pk).scores.select_related("indicator")
        }
        assert scores["closure"].normalised == figures["closure_rate"]
        assert scores["on_time"].normalised == figures["on_time_closure_rate"]
        assert scores["closure"].denominator == figures["due"]
