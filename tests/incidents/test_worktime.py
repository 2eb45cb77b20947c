import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.choices import LimitUnit
from incidents.models import WorkCalendarOverride
from incidents.worktime import TZ, WorkCalendar, load_calendar


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


CAL = WorkCalendar()


def test_a_working_day_has_seven_office_hours():
    assert CAL.minutes_per_day == 7 * 60


def test_two_working_hours_from_11_00_skip_the_lunch_break():
    assert CAL.add(at(2026, 11, 23, 11), 2, LimitUnit.WORKING_HOURS) == at(2026, 11, 23, 14, 30)


def test_working_hours_after_office_hours_start_next_morning():
    assert CAL.add(at(2026, 11, 23, 18), 2, LimitUnit.WORKING_HOURS) == at(2026, 11, 24, 11)


def test_three_working_days_skip_the_weekend():
    # Friday 10:00 + 3 working days = Wednesday 10:00.
    assert CAL.add(at(2026, 11, 20), 3, LimitUnit.WORKING_DAYS) == at(2026, 11, 25)


def test_three_working_days_count_a_make_up_sunday_as_a_working_day():
    # 2025-09-28 (Sunday) is a make-up working day for the National Day holiday.
    assert CAL.add(at(2025, 9, 26), 3, LimitUnit.WORKING_DAYS) == at(2025, 9, 30)


def test_three_working_days_cross_the_national_day_holiday_and_a_make_up_saturday():
    # 1–8 October 2025 are public holidays; Saturday 11 October is a make-up working day.
    assert CAL.add(at(2025, 9, 30), 3, LimitUnit.WORKING_DAYS) == at(2025, 10, 11)


def test_spring_festival_pushes_a_deadline_past_the_holiday():
    # Spring Festival 2026: 15–23 February off, Saturday 14 and 28 February are make-up days.
    assert CAL.add(at(2026, 2, 13), 2, LimitUnit.WORKING_DAYS) == at(2026, 2, 24)


def test_calendar_time_ignores_holidays():
    assert CAL.add(at(2025, 9, 30), 24, LimitUnit.HOURS) == at(2025, 10, 1)
    assert CAL.add(at(2025, 9, 30), 30, LimitUnit.MINUTES) == at(2025, 9, 30, 10, 30)


def test_years_the_package_does_not_cover_fall_back_to_weekdays_and_overrides():
    assert CAL.is_working_day(dt.date(2031, 1, 6))  # a Monday
    assert not CAL.is_working_day(dt.date(2031, 1, 4))  # a Saturday
    overridden = WorkCalendar({dt.date(2031, 1, 6): False, dt.date(2031, 1, 4): True})
    assert not overridden.is_working_day(dt.date(2031, 1, 6))
    assert overridden.is_working_day(dt.date(2031, 1, 4))


@pytest.mark.django_db
def test_admin_overrides_are_read_from_the_database():
    WorkCalendarOverride.objects.create(date=dt.date(2026, 11, 24), is_working_day=False, note="停电放假")
    calendar = load_calendar()
    assert not calendar.is_working_day(dt.date(2026, 11, 24))
    assert calendar.add(at(2026, 11, 23), 1, LimitUnit.WORKING_DAYS) == at(2026, 11, 25)


def test_the_yellow_warning_point_is_70_percent_of_the_working_time():
    start, end = at(2026, 11, 20), at(2026, 11, 25)  # 3 working days = 21 working hours
    warn = CAL.point_at(start, end, 0.7, working=True)
    assert CAL.working_minutes_between(start, warn) == pytest.approx(0.7 * 21 * 60)
    assert warn == at(2026, 11, 24, 10, 42)  # Fri 6 h + Mon 7 h + Tue 1 h 42


starts = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 20)).map(
    lambda d: d.replace(tzinfo=TZ, second=0, microsecond=0)
)
minutes = st.integers(min_value=1, max_value=15 * 7 * 60)


@settings(max_examples=200, deadline=None)
@given(start=starts, amount=minutes)
def test_adding_working_minutes_then_measuring_them_gives_the_same_amount(start, amount):
    end = CAL.add_working_minutes(start, amount)
    assert CAL.working_minutes_between(start, end) == pytest.approx(amount)


@settings(max_examples=200, deadline=None)
@given(start=starts, amount=minutes)
def test_a_working_time_deadline_falls_inside_office_hours_on_a_working_day(start, amount):
    end = CAL.add_working_minutes(start, amount).astimezone(TZ)
    assert CAL.is_working_day(end.date())
    assert any(s <= end.time() <= e for s, e in CAL.periods)


@settings(max_examples=100, deadline=None)
@given(start=starts, a=minutes, b=minutes)
def test_more_working_time_never_ends_earlier(start, a, b):
    low, high = sorted((a, b))
    assert CAL.add_working_minutes(start, low) <= CAL.add_working_minutes(start, high)
