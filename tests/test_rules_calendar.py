"""The calendar's messages name what is wrong, so an office can fix its board.yaml."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from answerable.core.calendar import CalendarError, WorkCalendar


def test_an_unknown_country_is_named_in_the_message() -> None:
    with pytest.raises(CalendarError, match=r"\bXX\b"):
        WorkCalendar("XX")


def test_a_calendar_without_working_days_names_the_day() -> None:
    # Every day of 2027 a holiday: after 31 Dec 2026 no working day is found within a year.
    days = [date(2027, 1, 1) + timedelta(days=k) for k in range(400)]
    calendar = WorkCalendar("CN", add_holidays=days)
    with pytest.raises(CalendarError, match="2026-12-31"):
        calendar.next_working_day(date(2026, 12, 31))
