"""A board at one moment: loaded once, read by the CLI and the site alike."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from answerable.core.calendar import CalendarError
from answerable.core.deadlines import Rules
from answerable.core.departments import Departments
from answerable.core.ranking import most
from answerable.core.records import Board
from answerable.core.stats import Cells, Grouping, Period, Row, Table, cells, level_cells, table_of
from answerable.core.status import (
    Status,
    TicketState,
    count_witnessed,
    later_state,
    state_at,
    states_at,
)

if TYPE_CHECKING:  # the board reading gives; the core only reads its records
    from answerable.reading.loading import LoadedBoard, TicketFile


class BoardError(Exception):
    """The board cannot be read at all (no valid board.yaml, no calendar)."""


@dataclass
class Snapshot:
    loaded: LoadedBoard
    board: Board
    rules: Rules
    departments: Departments
    as_of: datetime
    states: list[TicketState]
    _tables: dict[tuple[object, ...], Table] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _cells: dict[Grouping, Cells] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def table(
        self,
        by: Grouping = "department",
        period: Period | None = None,
        only: Iterable[str] | None = None,
    ) -> Table:
        """The figures per ``by`` (worked out once per question: several pages ask),
        summed from the cells of each group and month (``stats.cells``)."""
        chosen = None if only is None else tuple(only)
        found = self._tables.get((by, period, chosen))
        if found is None:
            found = table_of(self.board, self.cells(by), self.as_of, by, period, chosen)
            self._tables[by, period, chosen] = found
        return found

    def cells(self, by: Grouping) -> Cells:
        """The figures per group and month of receipt: every table's parts, worked out
        once for all of them (the leaderboard, the rankings, the home page and every
        report ask for tables of the same tickets)."""
        found = self._cells.get(by)
        if found is None:
            if by == "level":  # from the departments' cells, not from every ticket again
                found = level_cells(self.departments, self.cells("department"))
            else:
                found = cells(self.board, self.states, self.rules.local_date, by)
            self._cells[by] = found
        return found

    def _received_from(self, start: date) -> list[TicketState]:
        """The states of the tickets received from the day ``start`` on, in id order,
        found by bisection."""
        times, order = self._states_by_received
        first = bisect_left(times, datetime.combine(start, time.min, self.rules.zone))
        return [self.states[index] for index in sorted(order[first:])]

    @cached_property
    def _states_by_received(self) -> tuple[list[datetime], list[int]]:
        """When each state's ticket was received, in that order, and its place in ``states``."""
        states = self.states
        order = sorted(range(len(states)), key=lambda index: states[index].ticket.received)
        return [states[index].ticket.received for index in order], order

    # The questions every face asks (the site, the feeds, `answerable overdue` and
    # `stats`), answered here once.

    @cached_property
    def overdue(self) -> list[TicketState]:
        """Tickets overdue at the moment, the longest overdue first (then by id)."""
        return self._by_due(Status.OVERDUE)

    @cached_property
    def due_soon(self) -> list[TicketState]:
        """Tickets due soon at the moment, the soonest due first (then by id)."""
        return self._by_due(Status.DUE_SOON)

    def _by_due(self, status: Status) -> list[TicketState]:
        chosen = [s for s in self.states if s.status is status]
        chosen.sort(key=lambda s: (s.due or self.as_of, s.ticket.id))
        return chosen

    @property
    def below_threshold(self) -> tuple[Row, ...]:
        """The departments named for a satisfaction rate under the board's threshold."""
        return self.table("department").named

    def top_ten(self, period: Period | None = None) -> tuple[list[Row], list[Row]]:
        """The ten departments that received the most messages in ``period``, and the
        ten with the most unsatisfied ratings."""
        rows = self.table("department", period).rows
        volume = most(rows, lambda r: r.figures.received)[:10]
        unsatisfied = most(rows, lambda r: r.figures.unsatisfied)[:10]
        return volume, unsatisfied

    def at(self, moment: datetime, received_from: date | None = None) -> Snapshot:
        """The same board at another moment (a report at the end of its period).

        ``received_from`` leaves out tickets received before that day: a report needs
        only its own period and the one before it.
        """
        if moment == self.as_of:
            if received_from is None:
                return self
            # The states at this very moment are this snapshot's own (the reports of the
            # current month, quarter and year).
            own = self._received_from(received_from)
            return Snapshot(self.loaded, self.board, self.rules, self.departments, moment, own)
        # Tickets received after the moment have no state then: leave them out early.
        times, order = self._by_received
        first = 0
        if received_from is not None:
            start = datetime.combine(received_from, time.min, tzinfo=self.rules.zone)
            first = bisect_left(times, start.timestamp())
        quiet = self._quiet
        states = []
        last = bisect_right(times, moment.timestamp())
        for index in sorted(order[first:last]):  # back in id order
            file = self.loaded.tickets[index]
            known = quiet.get(id(file))
            moved = later_state(known, self.rules, moment) if known is not None else None
            if moved is not None:
                states.append(moved)
            elif (state := state_at(file, self.rules, moment)) is not None:
                states.append(state)
        return Snapshot(self.loaded, self.board, self.rules, self.departments, moment, states)

    @cached_property
    def _by_received(self) -> tuple[list[float], list[int]]:
        """When each ticket was received (POSIX seconds, which its file knows without its
        record), in that order, and its place in the board."""
        received = [file.refs.received for file in self.loaded.tickets]
        order = sorted(range(len(received)), key=received.__getitem__)
        return [received[index] for index in order], order

    @cached_property
    def _quiet(self) -> dict[int, TicketState]:
        """The quiet states (``TicketState.quiet_since``), by their file: at any moment
        from when one became quiet, ``later_state`` gives it without reading its files
        again, so the reports' many moments need not work it out again."""
        return {id(s.file): s for s in self.states if s.quiet_since is not None}


def resolve_as_of(board: Board, override: datetime | None, now: datetime) -> datetime:
    """The moment statuses describe: the caller's, else the board's frozen one, else now;
    told in the board's time zone, whatever offset it was given with (the same moment
    gives the same site)."""
    local = (override or board.as_of or now).astimezone(ZoneInfo(board.timezone))
    # As a fixed offset, as a moment written in board.yaml or on the command line reads.
    return local.astimezone(timezone(local.utcoffset() or timedelta(0)))


def take_snapshot(
    loaded: LoadedBoard,
    as_of: datetime,
    witnessed: Mapping[str, datetime] | None = None,
    states: Callable[[list[TicketFile], Rules, datetime], list[TicketState]] = states_at,
) -> Snapshot:
    """The board at ``as_of``; ``witnessed``: when the public record first held each reply
    (by path), counted where the board's ``witnessed_since`` says so. ``states``: how
    the tickets' states are worked out (a cache may wrap ``status.states_at``)."""
    board = loaded.board
    if board is None:
        raise BoardError("board.yaml could not be read; run 'answerable validate' for details")
    try:
        rules = Rules(board)
    except CalendarError as error:
        raise BoardError(f"board.yaml: calendar: {error}") from None
    count_witnessed(loaded.tickets, rules, witnessed or {})
    found = states(loaded.tickets, rules, as_of)
    return Snapshot(loaded, board, rules, Departments(board), as_of, found)


def open_board(
    loaded: LoadedBoard,
    as_of: datetime | None,
    now: datetime,
    witnessed: Mapping[str, datetime] | None = None,
    states: Callable[[list[TicketFile], Rules, datetime], list[TicketState]] = states_at,
) -> Snapshot:
    if loaded.board is None:
        raise BoardError("board.yaml could not be read; run 'answerable validate' for details")
    return take_snapshot(loaded, resolve_as_of(loaded.board, as_of, now), witnessed, states)
