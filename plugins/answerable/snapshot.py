"""A board at one moment: loaded once, read by the CLI and the site alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from .calendar import CalendarError
from .deadlines import Rules
from .departments import Departments
from .loading import LoadedBoard
from .records import Board
from .stats import Grouping, Period, Table, table
from .status import TicketState, states_at


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

    def table(
        self,
        by: Grouping = "department",
        period: Period | None = None,
        only: Iterable[str] | None = None,
    ) -> Table:
        return table(self.board, self.states, self.as_of, self.rules.local_date, by, period, only)

    def at(self, moment: datetime, received_from: date | None = None) -> Snapshot:
        """The same board at another moment (a report at the end of its period).

        ``received_from`` leaves out tickets received before that day: a report needs
        only its own period and the one before it.
        """
        if moment == self.as_of and received_from is None:
            return self
        # Tickets received after the moment have no state then: leave them out early.
        files = [f for f in self.loaded.tickets if f.ticket.received <= moment]
        if received_from is not None:
            start = datetime.combine(received_from, time.min, tzinfo=self.rules.zone)
            files = [f for f in files if f.ticket.received >= start]
        states = states_at(files, self.rules, moment)
        return Snapshot(self.loaded, self.board, self.rules, self.departments, moment, states)


def resolve_as_of(board: Board, override: datetime | None, now: datetime) -> datetime:
    """The moment statuses describe: the caller's, else the board's frozen one, else now."""
    return override or board.as_of or now


def take_snapshot(loaded: LoadedBoard, as_of: datetime) -> Snapshot:
    board = loaded.board
    if board is None:
        raise BoardError("board.yaml could not be read; run 'answerable validate' for details")
    try:
        rules = Rules(board)
    except CalendarError as error:
        raise BoardError(f"board.yaml: calendar: {error}") from None
    states = states_at(loaded.tickets, rules, as_of)
    return Snapshot(loaded, board, rules, Departments(board), as_of, states)


def open_board(loaded: LoadedBoard, as_of: datetime | None, now: datetime) -> Snapshot:
    if loaded.board is None:
        raise BoardError("board.yaml could not be read; run 'answerable validate' for details")
    return take_snapshot(loaded, resolve_as_of(loaded.board, as_of, now))
