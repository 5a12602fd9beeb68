"""Working days against the real 2026 schedules of China and England."""

from __future__ import annotations

from datetime import date

import pytest

from answerable.core.calendar import CalendarError, WorkCalendar


@pytest.fixture(scope="module")
def cn() -> WorkCalendar:
    return WorkCalendar("CN")


@pytest.mark.parametrize(
    "day",
    [date(2026, 10, d) for d in range(1, 8)] + [date(2026, 2, d) for d in range(15, 24)],
)
def test_china_2026_holidays_are_off(cn: WorkCalendar, day: date) -> None:
    assert not cn.is_working_day(day)


@pytest.mark.parametrize(
    "day", [date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)]
)
def test_china_2026_make_up_weekend_days_are_working(cn: WorkCalendar, day: date) -> None:
    assert day.weekday() >= 5
    assert cn.is_working_day(day)


def test_ordinary_week(cn: WorkCalendar) -> None:
    week = [cn.is_working_day(date(2026, 11, d)) for d in range(16, 23)]
    assert week == [True, True, True, True, True, False, False]


def test_spring_festival_five_working_days(cn: WorkCalendar) -> None:
    # Friday 13 Feb; 14 Feb is a make-up working day; 15-23 Feb are off.
    assert cn.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_national_day_week(cn: WorkCalendar) -> None:
    # Wednesday 30 Sep: 1-7 Oct off, Saturday 10 Oct working.
    assert cn.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cn.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert cn.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_working_days_between_counts_after_start_through_end(cn: WorkCalendar) -> None:
    assert cn.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert cn.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0
    assert cn.working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == 0
    assert cn.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2


def test_working_days_between_across_years(cn: WorkCalendar) -> None:
    by_walking = sum(
        cn.is_working_day(date.fromordinal(o))
        for o in range(date(2025, 12, 20).toordinal() + 1, date(2027, 1, 10).toordinal() + 1)
    )
    assert cn.working_days_between(date(2025, 12, 20), date(2027, 1, 10)) == by_walking


def test_england_bank_holidays() -> None:
    gb = WorkCalendar("GB", "ENG")
    assert not gb.is_working_day(date(2026, 4, 3))  # Good Friday
    assert not gb.is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not gb.is_working_day(date(2026, 12, 28))  # Boxing Day (substitute)
    assert gb.add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 8)
    assert gb.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_board_days_override_the_library() -> None:
    cal = WorkCalendar("CN", add_holidays=[date(2026, 11, 23)], add_workdays=[date(2026, 10, 3)])
    assert not cal.is_working_day(date(2026, 11, 23))
    assert cal.is_working_day(date(2026, 10, 3))
    assert cal.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 24)


def test_unknown_country() -> None:
    with pytest.raises(CalendarError):
        WorkCalendar("XX")


def test_calendar_without_working_days_fails_clearly() -> None:
    days = [date.fromordinal(date(2026, 1, 1).toordinal() + i) for i in range(800)]
    cal = WorkCalendar("CN", add_holidays=days)
    with pytest.raises(CalendarError, match="no working day"):
        cal.next_working_day(date(2026, 1, 1))
