import datetime as dt
import time

import pytest
import time_machine

from incidents import seed as incident_seed
from incidents import selectors
from incidents.choices import OPEN_STATUSES, Action, Status
from incidents.models import Category, Incident, IncidentEvent, TimeLimitPolicy
from incidents.worktime import TZ
from tests.incidents.factories import report

pytestmark = pytest.mark.django_db


def test_reference_data_follows_domain_section_6_and_seeding_twice_changes_nothing(db):
    first = incident_seed.seed_reference()
    assert first > 0 and incident_seed.seed_reference() == 0
    assert Category.objects.filter(parent__isnull=True).count() == 7
    assert Category.objects.get(code="0303").direct_to_district
    assert Category.objects.get(code="0401").district_from_severity == "major"
    grid_policy = TimeLimitPolicy.objects.get(category__code="0102", level="grid")
    assert (grid_policy.accept_amount, grid_policy.accept_unit) == (2, "working_hours")
    assert (grid_policy.handle_amount, grid_policy.handle_unit) == (3, "working_days")
    assert TimeLimitPolicy.objects.get(category__code="0102", level="town").handle_amount == 5
    assert TimeLimitPolicy.objects.get(category__code="0102", level="district").handle_amount == 10
    urgent = TimeLimitPolicy.objects.get(category__code="0301", level="district")
    assert (urgent.accept_amount, urgent.accept_unit, urgent.handle_amount, urgent.handle_unit) == (
        30,
        "minutes",
        24,
        "hours",
    )


def test_the_demo_seed_is_idempotent_and_spreads_over_states(tree, categories):
    now = dt.datetime(2026, 11, 23, 10, tzinfo=TZ)
    created = incident_seed.seed_demo(now=now)
    assert created > 0 and incident_seed.seed_demo(now=now) == 0
    assert Incident.objects.filter(is_demo=True).count() == created


def test_a_generated_year_is_realistic_and_consistent(tree, categories, district_user):
    started = time.monotonic()
    now = dt.datetime(2026, 1, 10, 12, tzinfo=TZ)
    created = incident_seed.generate_year(year=2025, per_grid_per_month=8, seed=7, now=now)
    elapsed = time.monotonic() - started
    assert 200 <= created <= 400
    assert elapsed < 30
    incidents = Incident.objects.all()
    assert incidents.values("code").distinct().count() == created
    # Every incident has its events, starting with the report, in time order, none after `now`.
    assert IncidentEvent.objects.filter(action=Action.REPORT).count() == created
    assert not IncidentEvent.objects.filter(at__gt=now).exists()
    statuses = set(incidents.values_list("status", flat=True))
    assert {Status.CLOSED, Status.EVALUATED, Status.REJECTED} <= statuses
    for incident in incidents.filter(status__in=OPEN_STATUSES):
        assert incident.reported_at > now - dt.timedelta(days=120)  # only the hard cases run for months
    figures = selectors.incident_figures(
        user=district_user, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), now=now
    )
    assert 70 < figures["on_time_closure_rate"] < 95
    assert 85 < figures["satisfaction_rate"] <= 100
    assert 80 < figures["grid_share"] < 100
    assert figures["escalations"] > 0
    # A report on a day with generated incidents takes the next free code of that day.
    codes = set(incidents.values_list("code", flat=True))
    busy_day = incidents.order_by("reported_at").first().reported_at
    with time_machine.travel(busy_day + dt.timedelta(minutes=1), tick=False):
        assert report(tree["grid_v1"]).code not in codes


def test_generating_twice_with_the_same_seed_adds_more_without_colliding(tree, categories):
    now = dt.datetime(2026, 1, 10, 12, tzinfo=TZ)
    first = incident_seed.generate_year(year=2024, per_grid_per_month=2, seed=1, now=now)
    second = incident_seed.generate_year(year=2023, per_grid_per_month=2, seed=1, now=now)
    third = incident_seed.generate_year(year=2024, per_grid_per_month=2, seed=1, now=now)
    assert Incident.objects.count() == first + second + third
    assert Incident.objects.values("tracking_code").distinct().count() == Incident.objects.count()
