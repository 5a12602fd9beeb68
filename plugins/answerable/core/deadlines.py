"""When a ticket is due: the board's policy, the working-day calendar, and extensions.

Day zero is the day of receipt, in the board's time zone. A deadline of N working days
ends at the end (23:59:59) of the Nth working day after it, so a ticket received on a
holiday counts from the next working day. Urgent tickets count hours on the wall clock.
An extension moves the deadline only if it was requested before the due time in force,
approved by someone named, and stays within the board's longest extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from answerable.core.calendar import WorkCalendar
from answerable.core.records import Board, Duration, Extension, Ticket

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class ExtensionCheck:
    """Whether one extension moved the deadline, and if not, which rule it broke."""

    index: int
    extension: Extension
    counted: bool
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    original: datetime
    """The due time the policy gives, before any extension."""
    steps: tuple[tuple[datetime, datetime], ...]
    """For each extension that counts, in order: when it was approved and the new due time."""
    checks: tuple[ExtensionCheck, ...]

    @property
    def due(self) -> datetime:
        """The due time once every valid extension is known."""
        return self.steps[-1][1] if self.steps else self.original

    def due_at(self, as_of: datetime) -> datetime:
        """The due time as it stood at ``as_of``: extensions approved later do not exist yet."""
        due = self.original
        for approved, new_due in self.steps:
            if approved <= as_of:
                due = new_due
        return due


class Rules:
    """The board's time rules: its zone, its calendar, and its policies per ticket type."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.zone = ZoneInfo(board.timezone)
        settings = board.calendar
        self.calendar = WorkCalendar(
            settings.country, settings.subdivision, settings.add_holidays, settings.add_workdays
        )
        # Checking and showing a board both ask for every deadline; records are frozen,
        # so one answer per ticket object holds (the object is kept so its id stays its own).
        self._deadlines: dict[int, tuple[Ticket, Deadline | None]] = {}

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, END_OF_DAY, tzinfo=self.zone)

    def allowed(self, ticket: Ticket) -> Duration | None:
        """The time the policy allows this ticket; None when the board has no policy."""
        policies = self.board.policies
        if ticket.urgent and policies.urgent is not None:
            return policies.urgent.due
        policy = policies.for_type(ticket.type)
        return policy.due if policy else None

    def due_after(self, start: datetime, allowed: Duration) -> datetime:
        if allowed.in_working_days:
            day = self.calendar.add_working_days(self.local_date(start), allowed.amount)
            return self.end_of_day(day)
        return start + allowed.wall_clock()

    def deadline(self, ticket: Ticket) -> Deadline | None:
        known = self._deadlines.get(id(ticket))
        if known is not None and known[0] is ticket:
            return known[1]
        found = self._deadline(ticket)
        self._deadlines[id(ticket)] = (ticket, found)
        return found

    def _deadline(self, ticket: Ticket) -> Deadline | None:
        allowed = self.allowed(ticket)
        if allowed is None:
            return None
        original = self.due_after(ticket.received, allowed)
        current = original
        steps: list[tuple[datetime, datetime]] = []
        checks: list[ExtensionCheck] = []
        for index, extension in enumerate(ticket.extensions):
            problem = self._extension_problem(extension, original, current)
            if problem is None and extension.approved is not None:
                current = self.end_of_day(extension.due)
                steps.append((extension.approved, current))
                checks.append(ExtensionCheck(index, extension, counted=True))
            else:
                code, message = problem or (None, None)
                checks.append(ExtensionCheck(index, extension, False, code, message))
        return Deadline(original, tuple(steps), tuple(checks))

    def _extension_problem(
        self, extension: Extension, original: datetime, current: datetime
    ) -> tuple[str, str] | None:
        if extension.approved is None:
            return None  # a pending request: it simply does not count yet
        if extension.approved_by is None:
            return "E304", "an approved extension must name who approved it (approved_by)"
        if extension.approved < extension.requested:
            return "E309", "extension approved before it was requested"
        if extension.requested > current:
            return "E303", (
                f"extension requested {extension.requested.isoformat()}, "
                f"after the due time {current.isoformat()}"
            )
        new_due = self.end_of_day(extension.due)
        if new_due <= current:
            return "E304", f"extension to {extension.due} does not move the due time later"
        longest = self.board.policies.longest_extension
        if longest is not None:
            if longest.in_working_days:
                added = self.calendar.working_days_between(self.local_date(original), extension.due)
                too_long = added > longest.amount
                length = f"{added} working days"
            else:
                too_long = new_due - original > longest.wall_clock()
                length = str(new_due - original)
            if too_long:
                return "E304", (
                    f"extensions add {length} to the original due time; the board allows {longest}"
                )
        return None
