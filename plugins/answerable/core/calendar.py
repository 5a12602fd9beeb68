"""Working days: the official calendar of the board's country, plus the board's own days.

python-holidays knows public holidays and, for countries such as China, the make-up
working days on weekends (调休). Governments publish a year's schedule late in the year
before, so board.yaml may add holidays and working days the library does not know yet;
the board's word wins over the library's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from answerable.core.country_holidays import official_holidays

# A search for the next working day gives up after this many calendar days: only a
# misconfigured calendar has no working day in a year.
_SEARCH_LIMIT = 366


class CalendarError(ValueError):
    """The calendar cannot be built or has no working days where one is needed."""


class WorkCalendar:
    def __init__(
        self,
        country: str,
        subdivision: str | None = None,
        add_holidays: Iterable[date] = (),
        add_workdays: Iterable[date] = (),
    ) -> None:
        try:
            self._official = official_holidays(country, subdivision)
        except NotImplementedError as error:
            raise CalendarError(str(error)) from None
        self._add_holidays = frozenset(add_holidays)
        self._add_workdays = frozenset(add_workdays)
        self._known: dict[date, bool] = {}
        # Working-day ranks per year: _ranks[year][day_of_year - 1] counts working days
        # from January 1 of that year through that day, for O(1) counting.
        self._ranks: dict[int, list[int]] = {}
        # Most tickets of a board arrive on a few hundred days: one walk per day and count.
        self._added: dict[tuple[date, int], date] = {}

    def is_working_day(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            if day in self._add_workdays:
                known = True
            elif day in self._add_holidays:
                known = False
            else:
                # Membership first: it loads the year, and with it the weekend workdays.
                known = day not in self._official and self._official.is_working_day(day)
            self._known[day] = known
        return known

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        current = day
        for _ in range(_SEARCH_LIMIT):
            current += timedelta(days=1)
            if self.is_working_day(current):
                return current
        raise CalendarError(f"no working day in the year after {day.isoformat()}")

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day strictly after ``day`` (``day`` itself for 0)."""
        found = self._added.get((day, count))
        if found is None:
            found = day
            for _ in range(count):
                found = self.next_working_day(found)
            self._added[(day, count)] = found
        return found

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; 0 when ``end <= start``."""
        if end <= start:
            return 0
        if start.year == end.year:
            return self._through(end) - self._through(start)
        count = self._year(start.year)[-1] - self._through(start)
        count += sum(self._year(year)[-1] for year in range(start.year + 1, end.year))
        return count + self._through(end)

    def _through(self, day: date) -> int:
        """Working days from January 1 of ``day``'s year through ``day``."""
        return self._year(day.year)[day.timetuple().tm_yday - 1]

    def _year(self, year: int) -> list[int]:
        table = self._ranks.get(year)
        if table is None:
            table = []
            running = 0
            current = date(year, 1, 1)
            while current.year == year:
                running += self.is_working_day(current)
                table.append(running)
                current += timedelta(days=1)
            self._ranks[year] = table
        return table
