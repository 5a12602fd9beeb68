"""The figures a board publishes: per department, category, type, channel or level.

Definitions (docs/statistics.md explains them to the public):

- received: tickets received in the period by ``as_of``;
- withdrawn and duplicates are received but not expected to be answered;
- answered: the others with a final reply by ``as_of``; reply rate = answered / expected;
- decided: answered, or overdue without an answer; on-time rate = on time / decided;
- satisfaction rate = (satisfied + basically satisfied) / rated.

Rankings use the Wilson lower bound of the rate (``ranking``), with ``min_ranked``.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from answerable.core.departments import Departments
from answerable.core.ranking import rank, wilson_lower
from answerable.core.records import Board
from answerable.core.status import Status, TicketState

Grouping = Literal["department", "category", "type", "channel", "level"]
GROUPINGS: tuple[Grouping, ...] = ("department", "category", "type", "channel", "level")


class PeriodError(ValueError):
    pass


Month = tuple[int, int]
"""A year and a month (2026, 11): the grain of every period."""


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of ``start``'s to the last of ``end``'s: the
    figures of a period are summed from those of its months (``cells``)."""

    label: str
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        whole = self.start.day == 1 and self.end == _month_end(self.end.year, self.end.month)
        if not whole or not self.months:
            raise PeriodError(f"'{self.label}' is not whole months from its start to its end")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026``, ``2026-Q4`` or ``2026-11``."""
        text = text.strip()
        if match := re.fullmatch(r"([0-9]{4})", text):
            year = int(match[1])
            return cls(text, date(year, 1, 1), date(year, 12, 31))
        if match := re.fullmatch(r"([0-9]{4})-Q([1-4])", text):
            year, quarter = int(match[1]), int(match[2])
            start = date(year, 3 * quarter - 2, 1)
            return cls(text, start, _month_end(year, 3 * quarter))
        if match := re.fullmatch(r"([0-9]{4})-([0-9]{2})", text):
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12:
                return cls(text, date(year, month, 1), _month_end(year, month))
        raise PeriodError(f"'{text}' is not a period; write 2026, 2026-Q4 or 2026-11")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def months(self) -> frozenset[Month]:
        start, end = self.start, self.end
        return frozenset(
            (index // 12, index % 12 + 1)
            for index in range(start.year * 12 + start.month - 1, end.year * 12 + end.month)
        )


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def _sorted(values: list[int]) -> tuple[int, ...]:
    values.sort()
    return tuple(values)


_COUNTS = (
    "received", "withdrawn", "duplicates", "answered", "on_time", "late", "overdue",
    "due_soon", "open", "rated", "satisfied", "basically_satisfied", "unsatisfied",
)  # fmt: skip


@dataclass(frozen=True)
class Figures:
    received: int = 0
    withdrawn: int = 0
    duplicates: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    due_soon: int = 0
    open: int = 0
    rated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    days_to_first_reply: tuple[int, ...] = field(default=(), repr=False)
    days_to_final_reply: tuple[int, ...] = field(default=(), repr=False)
    """The working days of each ticket, smallest first (for medians: order is no fact)."""

    @classmethod
    def of(cls, states: Iterable[TicketState]) -> Figures:
        counts = dict.fromkeys(_COUNTS, 0)
        first: list[int] = []
        final: list[int] = []
        column = {
            Status.WITHDRAWN: "withdrawn",
            Status.DUPLICATE: "duplicates",
            Status.ANSWERED_ON_TIME: "on_time",
            Status.ANSWERED_LATE: "late",
            Status.OVERDUE: "overdue",
            Status.DUE_SOON: "due_soon",
            Status.OPEN: "open",
        }
        for state in states:
            counts["received"] += 1
            counts[column[state.status]] += 1
            if state.status in (Status.WITHDRAWN, Status.DUPLICATE):
                continue
            if state.status.answered:
                counts["answered"] += 1
            if state.days_to_first_reply is not None:
                first.append(state.days_to_first_reply)
            if state.days_to_final_reply is not None:
                final.append(state.days_to_final_reply)
            if state.rating is not None:
                counts["rated"] += 1
                counts[state.rating.value.replace("-", "_")] += 1
        return cls(**counts, days_to_first_reply=_sorted(first), days_to_final_reply=_sorted(final))

    @classmethod
    def summed(cls, parts: Iterable[Figures]) -> Figures:
        """The figures of the tickets of all ``parts`` together (each ticket in one)."""
        counts = dict.fromkeys(_COUNTS, 0)
        first: list[int] = []
        final: list[int] = []
        for part in parts:
            for name in _COUNTS:
                counts[name] += getattr(part, name)
            first += part.days_to_first_reply
            final += part.days_to_final_reply
        return cls(**counts, days_to_first_reply=_sorted(first), days_to_final_reply=_sorted(final))

    @property
    def expected(self) -> int:
        """Tickets that should get a final reply: not withdrawn, not duplicates."""
        return self.received - self.withdrawn - self.duplicates

    @property
    def decided(self) -> int:
        """Tickets whose on-time outcome is known: answered, or overdue."""
        return self.answered + self.overdue

    @property
    def reply_rate(self) -> float | None:
        return _rate(self.answered, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.decided)

    @property
    def on_time_lower(self) -> float | None:
        return wilson_lower(self.on_time, self.decided)

    @property
    def satisfied_total(self) -> int:
        return self.satisfied + self.basically_satisfied

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied_total, self.rated)

    @property
    def satisfaction_lower(self) -> float | None:
        return wilson_lower(self.satisfied_total, self.rated)

    @property
    def median_days_to_first_reply(self) -> float | None:
        return _median(list(self.days_to_first_reply))

    @property
    def median_days_to_final_reply(self) -> float | None:
        return _median(list(self.days_to_final_reply))

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "withdrawn": self.withdrawn,
            "duplicates": self.duplicates,
            "expected": self.expected,
            "answered": self.answered,
            "reply_rate": self.reply_rate,
            "decided": self.decided,
            "on_time": self.on_time,
            "late": self.late,
            "on_time_rate": self.on_time_rate,
            "on_time_lower_bound": self.on_time_lower,
            "overdue": self.overdue,
            "due_soon": self.due_soon,
            "open": self.open,
            "median_days_to_first_reply": self.median_days_to_first_reply,
            "median_days_to_final_reply": self.median_days_to_final_reply,
            "rated": self.rated,
            "satisfied": self.satisfied,
            "basically_satisfied": self.basically_satisfied,
            "unsatisfied": self.unsatisfied,
            "satisfaction_rate": self.satisfaction_rate,
            "satisfaction_lower_bound": self.satisfaction_lower,
        }


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    figures: Figures
    on_time_rank: int | None
    satisfaction_rank: int | None
    below_threshold: bool
    """Rated at least min_ranked times and under the satisfaction threshold: named."""
    level: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "level": self.level,
            **self.figures.as_dict(),
            "on_time_rank": self.on_time_rank,
            "satisfaction_rank": self.satisfaction_rank,
            "below_threshold": self.below_threshold,
        }


@dataclass(frozen=True)
class Table:
    as_of: datetime
    period: Period | None
    by: Grouping
    total: Figures
    rows: tuple[Row, ...]
    min_ranked: int
    threshold: float

    @property
    def named(self) -> tuple[Row, ...]:
        """Rows under the satisfaction threshold, as the city's monthly report names them."""
        return tuple(row for row in self.rows if row.below_threshold)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "period": (
                {
                    "label": self.period.label,
                    "start": self.period.start.isoformat(),
                    "end": self.period.end.isoformat(),
                }
                if self.period
                else None
            ),
            "by": self.by,
            "min_ranked": self.min_ranked,
            "satisfaction_threshold": self.threshold,
            "total": self.total.as_dict(),
            "rows": [row.as_dict() for row in self.rows],
        }


def _groups(board: Board, by: Grouping) -> tuple[list[tuple[str, str]], Callable[..., str]]:
    """The rows a grouping lists (all of them, even empty) and how a ticket maps to one."""
    departments = Departments(board)
    if by == "department":
        return [(d.id, d.name) for d in board.departments], lambda s: s.department
    if by == "level":
        levels = [lvl for d in board.departments if (lvl := departments.level(d.id))]
        unique = list(dict.fromkeys(levels))
        return [(lvl, lvl) for lvl in unique], lambda s: level_of(departments, s.department)
    items = {"category": board.categories, "type": board.types, "channel": board.channels}[by]
    return [(i.id, i.name) for i in items], lambda s: getattr(s.ticket, by)


Cells = dict[tuple[str, Month], "Figures"]
"""The figures of the tickets of each group received in each month, in the order of each
cell's first ticket: a table of any period, and any choice of groups, sums them."""


def cells(
    board: Board,
    states: Iterable[TicketState],
    zone_date: Callable[[datetime], date],
    by: Grouping,
) -> Cells:
    """``states`` in cells by group and by the month (in the board's zone) of receipt."""
    _, key_of = _groups(board, by)
    grouped: dict[tuple[str, Month], list[TicketState]] = {}
    for state in states:
        day = zone_date(state.ticket.received)
        grouped.setdefault((key_of(state), (day.year, day.month)), []).append(state)
    return {cell: Figures.of(group) for cell, group in grouped.items()}


def level_of(departments: Departments, department: str) -> str:
    """The level a ticket counted for ``department`` counts for: "-" without one."""
    return departments.level(department) or "-"


def level_cells(departments: Departments, by_department: Cells) -> Cells:
    """The cells by level, summed from the cells by department: a ticket counts for the
    level of the department it counts for, so each level's figures are those of its
    departments together (in the order of each cell's first ticket, as ``cells``)."""
    grouped: dict[tuple[str, Month], list[Figures]] = {}
    for (department, month), part in by_department.items():
        grouped.setdefault((level_of(departments, department), month), []).append(part)
    return {cell: Figures.summed(parts) for cell, parts in grouped.items()}


def table(
    board: Board,
    states: Iterable[TicketState],
    as_of: datetime,
    zone_date: Callable[[datetime], date],
    by: Grouping = "department",
    period: Period | None = None,
    only: Iterable[str] | None = None,
) -> Table:
    """Figures per group for the tickets received in ``period`` (all when None).

    ``only`` keeps the named groups and ranks them among themselves (one level's table).
    """
    return table_of(board, cells(board, states, zone_date, by), as_of, by, period, only)


def table_of(
    board: Board,
    cells: Cells,
    as_of: datetime,
    by: Grouping,
    period: Period | None = None,
    only: Iterable[str] | None = None,
) -> Table:
    """``table``, summed from the ``cells`` of its tickets by ``by``."""
    keys, _ = _groups(board, by)
    wanted = None if only is None else set(only)
    if wanted is not None:
        keys = [(key, name) for key, name in keys if key in wanted]
    months = None if period is None else period.months
    grouped: dict[str, list[Figures]] = {key: [] for key, _ in keys}
    names = dict(keys)
    for (key, month), part in cells.items():
        if (months is not None and month not in months) or (
            wanted is not None and key not in wanted
        ):
            continue
        if key not in grouped:  # a ticket naming an unknown id: validation reports it
            grouped[key] = []
            names[key] = key
        grouped[key].append(part)
    figures = {key: Figures.summed(parts) for key, parts in grouped.items()}
    minimum = board.min_ranked
    on_time = rank([(k, f.on_time, f.decided) for k, f in figures.items()], minimum)
    satisfaction = rank([(k, f.satisfied_total, f.rated) for k, f in figures.items()], minimum)
    departments = Departments(board)
    rows = [
        Row(
            key=key,
            name=names[key],
            figures=f,
            on_time_rank=on_time[key],
            satisfaction_rank=satisfaction[key],
            below_threshold=(
                f.rated >= minimum
                and f.satisfaction_rate is not None
                and f.satisfaction_rate < board.satisfaction_threshold
            ),
            level=departments.level(key) if by == "department" else None,
        )
        for key, f in figures.items()
    ]
    order = {key: index for index, key in enumerate(grouped)}
    rows.sort(key=lambda r: (r.on_time_rank is None, r.on_time_rank or 0, order[r.key]))
    return Table(
        as_of=as_of,
        period=period,
        by=by,
        total=Figures.summed(figures.values()),
        rows=tuple(rows),
        min_ranked=minimum,
        threshold=board.satisfaction_threshold,
    )
