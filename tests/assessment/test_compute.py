import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import User
from assessment import services
from assessment.choices import RunStatus
from assessment.models import AssessmentRun, Result
from assessment.tasks import compute_run
from core.errors import ConflictError

from .conftest import YEAR, compute, grid_scheme, publish

pytestmark = pytest.mark.django_db


def check(inspector, area, points, checked_on, subject_type="grid", findings="台账不全"):
    return services.check_record(
        inspector=inspector,
        subject_type=subject_type,
        area=area,
        checked_on=checked_on,
        findings=findings,
        points=Decimal(points),
    )


def test_supervision_points_rank_grids_within_their_peer_group(tree, inspector, checked_on):
    check(inspector, tree["grid_v1"], "-12", checked_on)
    check(inspector, tree["grid_v1"], "-8", checked_on)
    check(inspector, tree["grid_b1"], "5", checked_on)  # 105 is kept at 100
    check(inspector, tree["grid_c1"], "-30", checked_on)
    check(inspector, tree["grid_c1"], "-50", dt.date(YEAR - 1, 12, 31))  # outside the period

    run = compute(grid_scheme())

    assert run.status == RunStatus.DRAFT
    results = {r.area_id: r for r in run.results.all()}
    village, community = results[tree["grid_v1"].pk], results[tree["grid_c1"].pk]
    assert (village.total, village.rank, village.group_size, village.grade) == (
        Decimal("80.00"),
        2,
        2,
        "competent",
    )
    best = results[tree["grid_b1"].pk]
    assert (best.total, best.rank, best.grade) == (Decimal("100.00"), 1, "excellent")
    assert (community.total, community.rank, community.group_size, community.grade) == (
        Decimal("70.00"),
        1,
        1,
        "basic",
    )
    assert village.peer_group == "村网格" and community.peer_group == "社区网格"
    assert village.town == tree["town_a"] and best.town == tree["town_b"]


def test_a_score_lists_the_records_behind_it(tree, inspector, checked_on, district_user):
    first = check(inspector, tree["grid_v1"], "-12", checked_on)
    second = check(inspector, tree["grid_v1"], "-8", checked_on)
    voided = check(inspector, tree["grid_v1"], "-40", checked_on)
    services.check_void(check=voided, reason="重复记录", actor=inspector)
    run = compute(grid_scheme())
    score = run.results.get(area=tree["grid_v1"]).scores.get()
    assert score.record_kind == "assessment.supervisioncheck"
    assert score.record_ids == sorted([first.pk, second.pk])
    assert score.value == Decimal("-20")

    from assessment.selectors import score_records

    rows = score_records(score=score, user=district_user)
    assert [r.id for r in rows] == sorted([first.pk, second.pk])
    assert all(r.counted and not r.missing for r in rows)


def test_progress_is_stored_on_the_run_row_and_the_task_completes_it(tree):
    run = services.run_start(scheme=grid_scheme())
    assert (run.status, run.progress_done, run.progress_total) == (RunStatus.QUEUED, 0, 3)
    assert compute_run.apply(args=[run.pk]).get() == RunStatus.DRAFT
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total, run.progress_percent) == (3, 3, 100)
    assert run.duration_ms is not None
    assert run.results.count() == 3
    # A second delivery of the same message does nothing.
    assert compute_run.apply(args=[run.pk]).get() == RunStatus.DRAFT
    assert run.results.count() == 3


def test_a_scheme_cannot_be_computed_twice_at_once(tree):
    scheme = grid_scheme()
    services.run_start(scheme=scheme)
    with pytest.raises(ConflictError):
        services.run_start(scheme=scheme)


def test_results_go_from_draft_to_reviewed_published_and_frozen(tree, district_user):
    run = compute(grid_scheme())
    with pytest.raises(ConflictError):
        services.run_publish(run=run, actor=district_user)
    with time_machine.travel(dt.datetime(YEAR + 1, 1, 10, 9, tzinfo=dt.UTC), tick=False):
        run = publish(run, district_user)
        assert run.appeal_deadline == dt.datetime(YEAR + 1, 1, 17, 9, tzinfo=dt.UTC)
        with pytest.raises(ConflictError):
            services.run_freeze(run=run, actor=district_user)
    with time_machine.travel(dt.datetime(YEAR + 1, 1, 18, tzinfo=dt.UTC)):
        run = services.run_freeze(run=run, actor=district_user)
    assert run.status == RunStatus.FROZEN
    with pytest.raises(ConflictError):
        services.run_review(run=run, actor=district_user)


def test_a_frozen_result_is_unchanged_by_a_recomputation_which_makes_a_new_version(
    tree, inspector, checked_on, district_user
):
    scheme = grid_scheme()
    check(inspector, tree["grid_v1"], "-10", checked_on)
    with time_machine.travel(dt.datetime(YEAR + 1, 1, 10, tzinfo=dt.UTC)):
        first = publish(compute(scheme), district_user)
    with time_machine.travel(dt.datetime(YEAR + 1, 2, 1, tzinfo=dt.UTC)):
        first = services.run_freeze(run=first, actor=district_user)
    before = list(Result.objects.filter(run=first).values_list("subject_id", "total", "rank", "grade"))

    check(inspector, tree["grid_v1"], "-30", checked_on)  # a late check changes the records
    second = compute(scheme, reason="补录督导")

    assert second.version == 2 and first.version == 1
    assert (
        list(Result.objects.filter(run=first).values_list("subject_id", "total", "rank", "grade")) == before
    )
    first.refresh_from_db()
    assert first.status == RunStatus.FROZEN
    assert second.results.get(area=tree["grid_v1"]).total == Decimal("60.00")
    assert first.results.get(area=tree["grid_v1"]).total == Decimal("90.00")
    assert AssessmentRun.objects.filter(scheme=scheme).count() == 2


def test_publishing_a_new_version_supersedes_the_published_one(tree, district_user):
    scheme = grid_scheme()
    first = publish(compute(scheme), district_user)
    second = publish(compute(scheme), district_user)
    first.refresh_from_db()
    assert (first.status, second.status) == (RunStatus.SUPERSEDED, RunStatus.PUBLISHED)


def test_a_check_must_name_the_right_kind_of_place_and_findings(tree, inspector, town_user, checked_on):
    town_user = User.objects.get(pk=town_user.pk)  # its jurisdiction with the tree as it is now
    with pytest.raises(ValidationError):
        check(inspector, tree["town_a"], "-5", checked_on, subject_type="grid")
    with pytest.raises(ValidationError):
        check(inspector, tree["grid_v1"], "-5", checked_on, findings=" ")
    with pytest.raises(ValidationError):
        check(town_user, tree["grid_b1"], "-5", checked_on)  # outside 甲镇
    assert check(town_user, tree["town_a"], "-5", checked_on, subject_type="town").area == tree["town_a"]
