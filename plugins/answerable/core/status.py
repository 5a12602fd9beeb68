"""A ticket's status at a moment: derived from its files and ``as_of``, never stored.

Only what had happened by ``as_of`` counts: a reply, transfer, extension approval or
rating dated later does not exist yet at that moment, so any past moment can be shown.
A reply counts from ``ReplyFile.at``: its date, or the later moment the public record
witnessed it (``count_witnessed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from answerable.core.deadlines import Rules
from answerable.core.records import Rating, Ticket

if TYPE_CHECKING:  # the files reading gives; the core only reads their records
    from answerable.reading.loading import ReplyFile, TicketFile


class Status(StrEnum):
    OPEN = "open"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"
    ANSWERED_ON_TIME = "answered-on-time"
    ANSWERED_LATE = "answered-late"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"

    @property
    def dot(self) -> str:
        """The colour of the status dot; always shown with the status's words too."""
        return {
            Status.OPEN: "green",
            Status.DUE_SOON: "yellow",
            Status.OVERDUE: "red",
        }.get(self, "grey")

    @property
    def answered(self) -> bool:
        return self in (Status.ANSWERED_ON_TIME, Status.ANSWERED_LATE)


class ReplyFacts(NamedTuple):
    number: int
    at: datetime
    date: datetime
    kind: str
    department: str


@dataclass(frozen=True)
class TicketState:
    file: TicketFile
    ticket: Ticket
    """The file's record: read by every page and figure, so held here, not looked up."""
    as_of: datetime
    status: Status
    department: str
    """The department the ticket counts for: the final reply's, else the holder's."""
    due: datetime | None
    """The due time in force at ``as_of``; None when the board has no policy for it."""
    replies: tuple[ReplyFile, ...]
    """The replies published by ``as_of``, in order."""
    first_reply: ReplyFile | None
    final_reply: ReplyFile | None
    days_to_first_reply: int | None
    days_to_final_reply: int | None
    days_taken: int
    """Working days from receipt to the final reply, or to ``as_of`` while unanswered."""
    days_late: int
    """Working days past the due time: of the final reply, or of ``as_of`` when overdue."""
    rating: Rating | None

    @cached_property  # many pages ask, and it reads every event of the ticket
    def settled_since(self) -> datetime | None:
        """From when this state stays the same at every later moment: its status is final
        and nothing in the ticket's files is dated after ``as_of``; None while time can
        still change it (an open ticket's time left, a reply dated ahead)."""
        return None if self.status is Status.OVERDUE else self.quiet_since

    @property
    def reply_paths(self) -> tuple[str, ...]:
        """The paths of ``replies``, in order."""
        return tuple(r.path for r in self.replies)

    @property
    def reply_witnessed(self) -> tuple[datetime | None, ...]:
        """When the public record first held each of ``replies``, where counted."""
        return tuple(r.witnessed for r in self.replies)

    @property
    def answered_at(self) -> datetime | None:
        """When the final reply counts; None without one."""
        return self.final_reply.at if self.final_reply is not None else None

    @cached_property  # the site's list of replies and the kept state both read them
    def reply_facts(self) -> tuple[ReplyFacts, ...]:
        """Of each of ``replies``: its number, when it counts, its date, kind and
        department (what lists of replies across the board read)."""
        return tuple(
            ReplyFacts(r.number, r.at, r.meta.date, r.meta.kind, r.meta.department)
            for r in self.replies
        )

    @cached_property
    def quiet_since(self) -> datetime | None:
        """From when nothing but the moment changes this state: its status holds by the
        clock (answered, withdrawn, duplicate, overdue) and nothing in the ticket's files
        is dated after ``as_of``; only the working days taken (and late) of an unanswered
        ticket run on (``later_state``). None while its status can still change by the
        clock alone (open, due soon) or an event is dated ahead."""
        if self.status in (Status.OPEN, Status.DUE_SOON):
            return None
        latest = max(shown_times(self.file))
        return latest if latest <= self.as_of else None

    @property
    def time_left(self) -> timedelta | None:
        """Time until the due time (negative when past); None once answered."""
        if self.due is None or self.final_reply is not None:
            return None
        return self.due - self.as_of


def event_times(file: TicketFile) -> list[datetime]:
    """When each public event in a ticket's files happened: receipt, transfers, approved
    extensions, replies, rating, withdrawal, hiding."""
    ticket = file.ticket
    times = [ticket.received, *(t.at for t in ticket.transfers)]
    times += [e.approved for e in ticket.extensions if e.approved]
    times += [r.at for r in file.replies]
    times += [e.at for e in (ticket.rating, ticket.withdrawn, ticket.hidden) if e]
    return times


def shown_times(file: TicketFile) -> list[datetime]:
    """Every moment a ticket's public timeline shows something: its events, the
    extensions requested, and when the record first held each reply."""
    times = event_times(file) + [e.requested for e in file.ticket.extensions]
    return times + [r.witnessed for r in file.replies if r.witnessed is not None]


def count_witnessed(
    files: Iterable[TicketFile], rules: Rules, witnessed: Mapping[str, datetime]
) -> None:
    """Give each reply the moment the public record first held it (``witnessed``: by the
    reply's path), where the board counts it: committed on or after the board's
    ``witnessed_since`` day, and not imported (an imported reply keeps its export's time,
    which its import batch records)."""
    since = rules.board.witnessed_since
    start = datetime.combine(since, time.min, tzinfo=rules.zone) if since else None
    for file in files:
        # Only files with a reply witnessed now or before: a rebuild reads no other's.
        named = start is not None and any(path in witnessed for path in file.reply_paths())
        if not named and not file.witnessed_any:
            continue
        imported = file.ticket.source is not None
        for reply in file.replies:
            when = witnessed.get(reply.path) if start is not None and not imported else None
            reply.witnessed = when if when is not None and when >= start else None  # type: ignore[operator]
        file.witnessed_any = any(reply.witnessed is not None for reply in file.replies)


def holder_at(ticket: Ticket, as_of: datetime) -> str:
    """The department holding the ticket at ``as_of``, following the public transfers."""
    if not ticket.transfers:
        return ticket.department
    holder = ticket.transfers[0].from_
    for transfer in ticket.transfers:
        if transfer.at <= as_of:
            holder = transfer.to
    return holder


def first_and_final(replies: Iterable[ReplyFile]) -> tuple[ReplyFile | None, ReplyFile | None]:
    """The reply that counts first, and the final reply (the first of that kind)."""
    replies = tuple(replies)
    first = min(replies, key=lambda r: r.at, default=None)
    return first, next((r for r in replies if r.meta.kind == "final"), None)


def state_at(file: TicketFile, rules: Rules, as_of: datetime) -> TicketState | None:
    """The ticket as it stood at ``as_of``; None if it had not been received yet."""
    ticket = file.ticket
    if ticket.received > as_of:
        return None
    replies = tuple(r for r in file.replies if r.at <= as_of)
    first, final = first_and_final(replies)
    deadline = rules.deadline(ticket)
    # A final reply is judged by the due time in force when it came: an extension
    # approved afterwards cannot turn a late answer into an on-time one.
    due = deadline.due_at(final.at if final else as_of) if deadline else None
    received_day = rules.local_date(ticket.received)
    end = final.at if final else as_of
    end_day = rules.local_date(end)
    calendar = rules.calendar

    if ticket.duplicate_of is not None:
        status = Status.DUPLICATE
    elif ticket.withdrawn is not None and ticket.withdrawn.at <= as_of:
        status = Status.WITHDRAWN
    elif final is not None:
        late = due is not None and final.at > due
        status = Status.ANSWERED_LATE if late else Status.ANSWERED_ON_TIME
    elif due is not None and as_of > due:
        status = Status.OVERDUE
    elif due is not None and _due_soon(rules, as_of, due):
        status = Status.DUE_SOON
    else:
        status = Status.OPEN

    days_late = 0
    if due is not None and status in (Status.ANSWERED_LATE, Status.OVERDUE):
        days_late = calendar.working_days_between(rules.local_date(due), end_day)

    def days_to(reply: ReplyFile | None) -> int | None:
        if reply is None:
            return None
        return calendar.working_days_between(received_day, rules.local_date(reply.at))

    rating = ticket.rating if ticket.rating and ticket.rating.at <= as_of else None
    return TicketState(
        file=file,
        ticket=ticket,
        as_of=as_of,
        status=status,
        department=final.meta.department if final else holder_at(ticket, as_of),
        due=due,
        replies=replies,
        first_reply=first,
        final_reply=final,
        days_to_first_reply=days_to(first),
        days_to_final_reply=days_to(final),
        days_taken=calendar.working_days_between(received_day, end_day),
        days_late=days_late,
        rating=rating,
    )


def later_state(state: TicketState, rules: Rules, moment: datetime) -> TicketState | None:
    """``state`` at another ``moment``, as ``state_at`` gives it, worked out from the
    state alone (the ticket's files are not read again); None unless nothing but the
    moment tells the two apart (``holds_at``)."""
    if not holds_at(state, moment):
        return None
    _ = state.answered_at  # worked out before the copy: a kept state keeps it
    later = object.__new__(type(state))
    later.__dict__.update(state.__dict__)  # its quiet_since and settled_since included
    move_to(later, rules, moment)
    return later


def holds_at(state: TicketState, moment: datetime) -> bool:
    """Whether nothing but ``moment`` tells ``state`` at ``moment`` from ``state``:
    ``quiet_since`` is not after ``moment``, and an overdue ticket is overdue at
    ``moment`` too."""
    quiet = state.quiet_since
    if quiet is None or moment < quiet:
        return False
    return state.status is not Status.OVERDUE or (state.due is not None and moment > state.due)


def move_to(state: TicketState, rules: Rules, moment: datetime) -> None:
    """``state`` taken to ``moment`` in place, where ``holds_at`` allows it: for a state
    nothing else holds, such as one just read back."""
    values = state.__dict__
    values["as_of"] = moment
    if state.answered_at is None:
        # Unanswered: counted to the moment, as state_at counts them.
        received_day = rules.local_date(state.ticket.received)
        end_day = rules.local_date(moment)
        values["days_taken"] = rules.calendar.working_days_between(received_day, end_day)
        if state.status is Status.OVERDUE:
            due_day = rules.local_date(state.due)  # type: ignore[arg-type]
            values["days_late"] = rules.calendar.working_days_between(due_day, end_day)


SECOND = timedelta(seconds=1)  # the board counts time to the second (a day ends 23:59:59)


@dataclass(frozen=True, slots=True)
class StatusSpan:
    """How long a ticket's status, as shown at a moment, holds."""

    status: Status
    until: datetime
    """The last second the status holds; from the next one it is ``then``."""
    then: Status


def status_span(state: TicketState, rules: Rules) -> StatusSpan | None:
    """Until when ``state``'s status holds, and what it turns into; None when it holds
    at every later moment.

    Time alone moves an open ticket to due soon (when less than ``warn_before`` is left)
    and a due-soon one to overdue (after its due time). Events the ticket's files date
    after ``state.as_of`` count from their moment: a final reply, a withdrawal, an
    extension approved later (which can turn a due-soon ticket open again). An event that
    leaves the status as it was (an interim reply) does not end the span.
    """
    file, status = state.file, state.status
    events = sorted({moment for moment in event_times(file) if moment > state.as_of})
    current = state
    while True:
        clock = _band_end(current, rules)
        event = next((moment for moment in events if moment > current.as_of), None)
        if event is not None and (clock is None or event <= clock):
            after = state_at(file, rules, event)
            assert after is not None  # noqa: S101 - received by as_of, so by any later moment
            if after.status is not status:
                return StatusSpan(status, event - SECOND, after.status)
            current = after  # the same status, perhaps with another due time
            continue
        if clock is None:
            return None
        after = state_at(file, rules, clock + SECOND)
        assert after is not None  # noqa: S101 - as above
        return StatusSpan(status, clock, after.status)


def _band_end(state: TicketState, rules: Rules) -> datetime | None:
    """The last second of ``state``'s status by the clock alone (no new event)."""
    due = state.due
    if due is None or state.status not in (Status.OPEN, Status.DUE_SOON):
        return None
    if state.status is Status.DUE_SOON:
        return due  # overdue once the due time has passed
    warn = rules.board.warn_before
    if not warn.in_working_days:
        return due - warn.wall_clock() if warn.amount else due
    if warn.amount == 0:
        return due
    # Due soon from the first day with fewer than `amount` working days left after it
    # (a weekend or holiday can be that day): open until the end of the day before.
    day = rules.local_date(state.as_of)
    due_day = rules.local_date(due)
    while day < due_day:
        following = day + timedelta(days=1)
        if rules.calendar.working_days_between(following, due_day) < warn.amount:
            return rules.end_of_day(day)
        day = following
    return due  # not reached: on its due day no working day is left after it


def _due_soon(rules: Rules, as_of: datetime, due: datetime) -> bool:
    warn = rules.board.warn_before
    if warn.in_working_days:
        left = rules.calendar.working_days_between(rules.local_date(as_of), rules.local_date(due))
        return left < warn.amount
    return due - as_of < warn.wall_clock()


def states_at(files: Iterable[TicketFile], rules: Rules, as_of: datetime) -> list[TicketState]:
    """Every ticket received by ``as_of``, in id order."""
    return [state for file in files if (state := state_at(file, rules, as_of)) is not None]
