import datetime as dt
from decimal import Decimal

import pytest

from incidents import selectors
from incidents.choices import Level, Satisfaction, Status
from incidents.models import Category, Incident
from incidents.worktime import TZ
from tests.incidents.factories import report

pytestmark = pytest.mark.django_db

MAY = dt.datetime(2026, 5, 10, 10, 0, tzinfo=TZ)


def bulk(tree, n, *, grid="grid_v1", code="0102", **fields):
    category = Category.objects.get(code=code)
    start = Incident.objects.count()
    rows = []
    for i in range(n):
        values = {
            "code": f"T{start + i:08d}",
            "tracking_code": f"TRK{start + i:07d}",
            "source": "grid_worker",
            "category": category,
            "description": "测试事件",
            "grid": tree[grid],
            "village": tree[grid].parent,
            "town": tree[grid].parent.parent,
            "reported_at": MAY - dt.timedelta(days=3),
            "accept_deadline": MAY - dt.timedelta(days=3) + dt.timedelta(hours=2),
            "handle_deadline": MAY,
            **fields,
        }
        rows.append(Incident(**values))
    Incident.objects.bulk_create(rows)


def test_closure_rates_match_the_published_bulletin(tree, categories, district_user):
    """972 cases due in May: 911 closed, 737 of them on time → 93.72% and 75.82%."""
    closed = {"status": Status.CLOSED, "closed_at": MAY, "handled_at": MAY, "handled_at_level": Level.GRID}
    bulk(tree, 737, closed_on_time=True, **closed)
    bulk(tree, 911 - 737, closed_on_time=False, **closed)
    bulk(tree, 972 - 911, status=Status.IN_PROGRESS, deadline=MAY)
    # Not cases: a rejected report, and a case due in June.
    bulk(tree, 1, status=Status.REJECTED)
    bulk(tree, 1, status=Status.IN_PROGRESS, handle_deadline=MAY + dt.timedelta(days=40))

    figures = selectors.incident_figures(
        user=district_user,
        start=dt.date(2026, 5, 1),
        end=dt.date(2026, 5, 31),
        now=MAY + dt.timedelta(days=1),
    )
    assert figures["due"] == 972
    assert figures["due_closed"] == 911
    assert figures["closure_rate"] == Decimal("93.72")
    assert figures["on_time_closure_rate"] == Decimal("75.82")
    assert figures["overdue"] == 61
    assert figures["grid_share"] == Decimal("100.00")


def test_satisfaction_counts_satisfied_and_basically_satisfied_among_the_evaluated(
    tree, categories, district_user
):
    evaluated = {"status": Status.EVALUATED, "closed_at": MAY, "evaluated_at": MAY, "closed_on_time": True}
    bulk(tree, 6, satisfaction=Satisfaction.SATISFIED, **evaluated)
    bulk(tree, 2, satisfaction=Satisfaction.BASICALLY, **evaluated)
    bulk(tree, 2, satisfaction=Satisfaction.UNSATISFIED, **evaluated)
    figures = selectors.incident_figures(
        user=district_user, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31)
    )
    assert figures["evaluated"] == 10 and figures["satisfaction_rate"] == Decimal("80.00")


def test_grid_share_and_disputes_resolved_below_the_district(tree, categories, district_user):
    closed = {"status": Status.CLOSED, "closed_at": MAY, "closed_on_time": True}
    bulk(tree, 3, handled_at_level=Level.GRID, **closed)
    bulk(tree, 1, handled_at_level=Level.TOWN, **closed)
    bulk(tree, 1, handled_at_level=Level.DISTRICT, **closed)
    bulk(tree, 5, code="0203", handled_at_level=Level.DISTRICT, **closed)  # not a dispute
    figures = selectors.incident_figures(
        user=district_user, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31)
    )
    assert figures["grid_share"] == Decimal("30.00")
    assert figures["closed_disputes"] == 5 and figures["disputes_below_district_rate"] == Decimal("80.00")


def test_figures_follow_the_users_scope_and_the_area(tree, categories, district_user, town_user):
    bulk(tree, 4, grid="grid_v1")
    bulk(tree, 3, grid="grid_b1")
    assert selectors.incident_figures(user=district_user)["reported"] == 7
    assert selectors.incident_figures(user=town_user)["reported"] == 4
    assert selectors.incident_figures(user=district_user, area=tree["town_b"])["reported"] == 3
    by_town = {r["name"]: r["reported"] for r in selectors.incident_breakdown(user=district_user, by="town")}
    assert by_town == {"甲镇": 4, "乙镇": 3}


def test_figures_take_one_query_whatever_the_number_of_rows(
    tree, categories, district_user, django_assert_num_queries
):
    bulk(tree, 50)
    with django_assert_num_queries(1):
        selectors.incident_figures(user=district_user, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))


def test_reports_and_closures_per_day(tree, monday, district_user):
    report(tree["grid_v1"])
    report(tree["grid_b1"])
    days = selectors.incident_daily(
        user=district_user, start=dt.date(2026, 11, 22), end=dt.date(2026, 11, 24)
    )
    assert [(d["date"].day, d["reported"]) for d in days] == [(22, 0), (23, 2), (24, 0)]


def test_the_public_status_has_the_steps_and_no_personal_data(tree, monday):
    incident = report(tree["grid_v1"], reporter_phone="13800138000", reporter_name="张三")
    status = selectors.incident_public_status(tracking_code=incident.tracking_code.lower())
    assert status["status"] == Status.REPORTED and len(status["steps"]) == 1
    assert "13800138000" not in repr(status["steps"]) and "张三" not in repr(status["steps"])
    assert selectors.incident_public_status(tracking_code="NOPE") is None


def test_a_case_due_in_the_period_but_closed_after_it_does_not_count_as_closed(
    tree, categories, district_user
):
    bulk(tree, 3, status=Status.CLOSED, closed_at=MAY, closed_on_time=True)
    bulk(tree, 1, status=Status.CLOSED, closed_at=MAY + dt.timedelta(days=40), closed_on_time=False)
    may = selectors.incident_figures(user=district_user, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    assert (may["due"], may["due_closed"], may["closure_rate"]) == (4, 3, Decimal("75.00"))
