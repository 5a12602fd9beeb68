"""What the site's pages show of the board, made once for all of them: plain Python, no
Pelican.

``Site`` holds one snapshot's rows: each ticket's ``TicketRow`` (what every pass over
the board reads: its lists, its keys, its place among the tickets and the replies),
the groupings many pages read and the department table's ``RowView``s. A ticket's
``TicketView`` (labels, links and deadline text, for a page that shows it) is made
when a page first asks for it: a rebuild shows few of the board's tickets. The pages
themselves are made by the page families (``site/families``); every figure is computed
here, in ``stats`` or in the snapshot and handed to a template ready to print.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, partial
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple, TypeVar

from markupsafe import Markup

from answerable.core.records import Ticket
from answerable.core.snapshot import Snapshot
from answerable.core.stats import Figures, Row, Table
from answerable.core.status import (
    ReplyFacts,
    Status,
    StatusSpan,
    TicketState,
    shown_times,
    status_span,
)
from answerable.incremental.fragments import FragmentStore
from answerable.incremental.jobs import Block, Job, blocks, digests, job_key
from answerable.reading.history import History
from answerable.reading.loading import ReplyFile
from answerable.site.i18n import Formatter
from answerable.site.labels import (
    KIND_LABELS,
    LEVEL_LABELS,
    RATING_LABELS,
    RESOLUTION_LABELS,
    STATUS_LABELS,
)
from answerable.site.markup import ReplyRenderer
from answerable.site.urls import department_url, list_url, ticket_url


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a ticket's public timeline."""

    when: datetime
    kind: str  # received, transfer, extension, interim, final, supplement, rating, withdrawn
    title: str
    text: str = ""
    body: Markup | None = None
    anchor: str = ""
    signed: str = ""
    note: str = ""
    entered: datetime | None = None
    """Replies: when the reply entered the public record (its commit on the main line)."""
    commit: str = ""
    counted: datetime | None = None
    """Replies counted from when the record witnessed them, later than their date."""


@dataclass(slots=True)
class TicketView:
    state: TicketState
    ticket: Ticket
    """The record (as ``state.ticket``), for templates."""
    url: str
    status_label: str
    department: Link
    deadline_text: str
    """'2 hours left', '3 working days late', 'answered 2 days before the due time'."""
    type_name: str
    category: Link
    channel_name: str
    related: list[Link] = field(default_factory=list)
    duplicate_of: Link | None = None
    co_departments: list[Link] = field(default_factory=list)
    resolution_label: str = ""
    rating_label: str = ""
    month_label: str = ""
    month_key: str = ""
    digest: bytes = b""
    """Of everything the view shows beyond what all pages share: the ticket's files,
    the titles of the tickets it links to and when its replies entered the record."""
    piece_key: bytes | None = None
    """The key of the ticket's row in the lists and parts of the whole-board files,
    each the same while it is: ``digest`` once the ticket is settled; with what still
    runs on (its working days, the text of how late it is) while only the moment
    changes it (an overdue ticket); None while its status can change by the clock."""
    settled_since: datetime | None = None
    """``state.settled_since``, noted once: each ticket is in about six lists, and every
    list page asks it of each of its rows."""
    holds_all_day: bool = False
    """Whether what the ticket shows stays the same until the day ends (``day_held``)."""

    @property
    def status(self) -> str:
        return self.state.status.value

    @property
    def dot(self) -> str:
        return self.state.status.dot


class TicketRow(NamedTuple):
    """What every pass over the board reads of a ticket (its lists, the keys of the
    pages that show it, the order of tickets and of replies), made for every ticket;
    its ``TicketView`` only for a page that shows it (``Site.view``)."""

    id: str
    received: float
    """POSIX seconds: sorted a good deal faster than datetimes with their offsets."""
    month: tuple[int, int]
    month_key: str
    department: str
    """The department the ticket counts for (``TicketState.department``)."""
    category: str
    type: str
    channel: str
    hidden: bool
    related: list[Link]
    duplicate_of: Link | None
    deadline_text: str
    digest: bytes
    """``TicketView.digest``."""
    piece_key: bytes | None
    """``TicketView.piece_key``."""
    settled_since: datetime | None
    holds_all_day: bool
    state: TicketState

    @property
    def url(self) -> str:
        return ticket_url(self.id)


K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


def _once(made: dict[K, V], key: K, make: Callable[[K], V]) -> V:
    """One copy of a value many tickets show, made the first time (memory at city
    scale: a department's link, a month's label)."""
    value = made.get(key)
    if value is None:
        value = made[key] = make(key)
    return value


@dataclass(frozen=True, slots=True)
class ReplyView:
    ticket: TicketView
    number: int
    at: datetime
    date: datetime
    kind_label: str
    department_id: str
    department: Link
    url: str

    @property
    def reply(self) -> ReplyFile:
        """The reply itself, for its text (its file read when first asked for: only the
        newest are)."""
        return next(r for r in self.ticket.state.replies if r.number == self.number)


@dataclass(frozen=True, slots=True)
class RowView:
    """A leaderboard row with its links and figures formatted once."""

    row: Row
    link: Link | None
    level: str

    @property
    def figures(self) -> Figures:
        return self.row.figures


class Site:
    def __init__(
        self,
        snapshot: Snapshot,
        formatter: Formatter,
        per_page: int = 50,
        history: History | None = None,
        feed_url: str = "",
    ) -> None:
        self.snapshot = snapshot
        self.feed_url = feed_url
        """Where the feeds say they live (the feed domain or the site's address)."""
        self.history = history
        self.board = snapshot.board
        self.fmt = formatter
        self._ = formatter._
        self.per_page = per_page
        self.renderer = ReplyRenderer()
        self.store: FragmentStore | None = None
        """Where pieces of pages are kept between builds (given by the build)."""
        self.names = {
            "type": {t.id: t.name for t in self.board.types},
            "category": {c.id: c.name for c in self.board.categories},
            "channel": {c.id: c.name for c in self.board.channels},
        }
        # Links and labels many tickets show, one copy each (memory at city scale).
        self._departments: dict[str, Link] = {}
        self._categories: dict[str, Link] = {}
        self._month_labels: dict[tuple[int, int], tuple[str, str, tuple[int, int]]] = {}
        by_id = {s.ticket.id: s for s in snapshot.states}
        self.rows = [self._ticket_row(state, by_id) for state in snapshot.states]
        self.row_by_id = {row.id: row for row in self.rows}
        self._views: dict[str, TicketView] = {}
        self.department_table = snapshot.table("department")

    # -- pieces many pages share --

    def department_link(self, department_id: str) -> Link:
        return _once(self._departments, department_id, self._new_department_link)

    def _new_department_link(self, department_id: str) -> Link:
        return Link(self.snapshot.departments.name(department_id), department_url(department_id))

    def _new_category_link(self, category: str) -> Link:
        name = self.names["category"].get(category, category)
        return Link(name, list_url("category", category))

    def _new_month(self, month: tuple[int, int]) -> tuple[str, str, tuple[int, int]]:
        """A month's label, its key ("2026-11") and the month itself, one copy of it for
        every ticket's row."""
        year, number = month
        return self.fmt.month(year, number), f"{year}-{number:02d}", month

    def _deadline_text(self, state: TicketState) -> str:
        _ = self._
        if state.status in (Status.WITHDRAWN, Status.DUPLICATE) or state.due is None:
            return ""
        answered = state.answered_at
        if answered is not None:
            if state.status is Status.ANSWERED_LATE:
                late = answered - state.due
                if state.days_late:
                    return _("answered %(late)s late") % {
                        "late": self.fmt.working_days(state.days_late)
                    }
                return _("answered %(late)s late") % {"late": self.fmt.span(late)}
            return _("answered within the deadline")
        left = state.due - state.as_of
        if left < timedelta(0):
            if state.days_late:
                return _("%(late)s late") % {"late": self.fmt.working_days(state.days_late)}
            return _("%(late)s late") % {"late": self.fmt.span(-left)}
        return _("%(left)s left") % {"left": self.fmt.span(left)}

    def _ticket_row(self, state: TicketState, by_id: dict[str, TicketState]) -> TicketRow:
        ticket = state.ticket
        received = self.snapshot.rules.local_date(ticket.received)
        _, month_key, month = _once(
            self._month_labels, (received.year, received.month), self._new_month
        )

        def ticket_link(ticket_id: str) -> Link:
            other = by_id.get(ticket_id)
            title = other.ticket.title if other and not other.ticket.hidden else ticket_id
            return Link(f"{ticket_id} {title}" if other else ticket_id, ticket_url(ticket_id))

        related = [ticket_link(t) for t in ticket.related]
        duplicate_of = ticket_link(ticket.duplicate_of) if ticket.duplicate_of else None
        history = self.history
        records = [history.replies.get(path) for path in state.reply_paths] if history else []
        digest = hashlib.blake2b(state.file.digest, digest_size=16)
        witnessed = list(state.reply_witnessed)  # they change the counted times
        digest.update(repr((related, duplicate_of, records, witnessed)).encode())
        deadline_text = sys.intern(self._deadline_text(state))  # many tickets say the same
        piece_key = None
        if state.settled_since is not None:
            piece_key = digest.digest()
        elif state.quiet_since is not None:
            moving = (state.status, deadline_text, state.days_taken, state.days_late)
            piece_key = job_key(digest.digest(), *moving)
        return TicketRow(
            ticket.id,
            state.file.refs.received,
            month,
            month_key,
            state.department,
            ticket.category,
            ticket.type,
            ticket.channel,
            bool(ticket.hidden),
            related,
            duplicate_of,
            deadline_text,
            digest.digest(),
            piece_key,
            state.settled_since,
            _holds_all_day(state),
            state,
        )

    def view(self, ticket_id: str) -> TicketView:
        """The view of ticket ``ticket_id``, for a page that shows it (made once)."""
        found = self._views.get(ticket_id)
        if found is None:
            found = self._views[ticket_id] = self._ticket_view(self.row_by_id[ticket_id])
        return found

    def make_views(self) -> None:
        """Every ticket's view, made now: for a build that will show every ticket (none
        of their pieces kept), made once here rather than in each rendering process
        that shows the ticket (its page, its Open311 file, its rows and pieces)."""
        for row in self.rows:
            self.view(row.id)

    def _ticket_view(self, row: TicketRow) -> TicketView:
        state = row.state
        ticket = state.ticket
        return TicketView(
            state=state,
            ticket=ticket,
            url=row.url,
            status_label=self._(STATUS_LABELS[state.status]),
            department=self.department_link(state.department),
            deadline_text=row.deadline_text,
            type_name=self.names["type"].get(ticket.type, ticket.type),
            category=_once(self._categories, ticket.category, self._new_category_link),
            channel_name=self.names["channel"].get(ticket.channel, ticket.channel),
            related=row.related,
            duplicate_of=row.duplicate_of,
            co_departments=[self.department_link(d) for d in ticket.co_departments],
            resolution_label=self._(RESOLUTION_LABELS[ticket.resolution])
            if ticket.resolution
            else "",
            rating_label=self._(RATING_LABELS[state.rating.value]) if state.rating else "",
            month_label=self._month_labels[row.month][0],
            month_key=row.month_key,
            digest=row.digest,
            piece_key=row.piece_key,
            settled_since=row.settled_since,
            holds_all_day=row.holds_all_day,
        )

    def row_views(self, table: Table) -> list[RowView]:
        return self.rows_shown(table.rows, departments=table.by == "department")

    def rows_shown(self, rows: Iterable[Row], *, departments: bool = True) -> list[RowView]:
        """``rows`` with their links (to a department's page) and level labels."""
        return [
            RowView(
                row,
                self.department_link(row.key) if departments else None,
                self._(LEVEL_LABELS.get(row.level or "", "")) if row.level else "",
            )
            for row in rows
        ]

    def views_of(self, states: Iterable[TicketState]) -> list[TicketView]:
        """The views of ``states`` (tickets of this snapshot), in the order given."""
        return [self.view(state.ticket.id) for state in states]

    def rows_of(self, states: Iterable[TicketState]) -> list[TicketRow]:
        """The rows of ``states`` (tickets of this snapshot), in the order given."""
        by_id = self.row_by_id
        return [by_id[state.ticket.id] for state in states]

    def months(self) -> list[tuple[int, int]]:
        """The months in which tickets were received, oldest first (every ticket's row
        has noted its month)."""
        return sorted(self._month_labels)

    @cached_property
    def newest(self) -> list[TicketRow]:
        """Every ticket, newest first: the order of every list."""
        return sorted(self.rows, key=itemgetter(1, 0), reverse=True)  # received, id

    @cached_property
    def by_department(self) -> dict[str, list[TicketRow]]:
        """Each department's tickets, newest first (grouped once: many pages read it)."""
        return group_by(self.newest, attrgetter("department"))

    @cached_property
    def _reply_order(self) -> list[tuple[float, str, int, TicketRow, ReplyFacts]]:
        """Every public reply, newest first by the counted time (a reply merged late is
        news when it is merged); a reply's view is made only for the few shown. Sorted
        by POSIX seconds: a third of the time datetimes with their offsets take."""
        return sorted(
            (
                (reply.at.timestamp(), row.id, reply.number, row, reply)
                for row in self.rows
                if not row.hidden
                for reply in row.state.reply_facts
            ),
            key=itemgetter(0, 1, 2),
            reverse=True,
        )

    def newest_replies(self, limit: int) -> list[ReplyView]:
        """The ``limit`` newest public replies, newest first."""
        return [self._reply_view(row, reply) for *_, row, reply in self._reply_order[:limit]]

    def newest_replies_by_department(self, limit: int) -> dict[str, list[ReplyView]]:
        """Each department's ``limit`` newest public replies, newest first."""
        chosen: dict[str, list[tuple[TicketRow, ReplyFacts]]] = {}
        for *_, row, reply in self._reply_order:
            mine = chosen.setdefault(reply.department, [])
            if len(mine) < limit:
                mine.append((row, reply))
        return {
            department: [self._reply_view(row, reply) for row, reply in replies]
            for department, replies in chosen.items()
        }

    def _reply_view(self, row: TicketRow, reply: ReplyFacts) -> ReplyView:
        view = self.view(row.id)
        return ReplyView(
            view,
            reply.number,
            reply.at,
            reply.date,
            self._(KIND_LABELS[reply.kind]),
            reply.department,
            self.department_link(reply.department),
            f"{view.url}#reply-{reply.number}",
        )

    @cached_property
    def day(self) -> date:
        """The board's date at the snapshot's moment."""
        return self.snapshot.rules.local_date(self.snapshot.as_of)

    def day_held(self, rows: Sequence[TicketRow]) -> date | None:
        """``day`` when every one of ``rows`` shows the same until the day ends (a page
        of them can say the day instead of the minute), else None."""
        return self.day if rows and all(r.holds_all_day for r in rows) else None

    def status_span(self, view: TicketView | TicketRow) -> StatusSpan | None:
        """Until when an open or due-soon ticket's status holds (None: for good, or not
        open)."""
        if view.state.status not in (Status.OPEN, Status.DUE_SOON):
            return None
        return status_span(view.state, self.snapshot.rules)

    def ticket_key(self, view: TicketRow, kind: str) -> tuple[bytes, bool]:
        """The key of a ``kind`` of file that shows one unsettled ticket (its page, its
        Open311 record), and whether it is timeless: an open, due-soon or overdue one's,
        whose file says how long its status holds, by that span and the first moment
        after the snapshot's at which its files date something more; any other's with
        the moment. (A settled ticket's files show its view alone: ``settled_groups``.)"""
        span = self.status_span(view)
        if span is not None or view.state.status is Status.OVERDUE:
            return job_key(kind, view.digest, span, self.next_event(view)), True
        return job_key(kind, view.digest), False

    def ticket_jobs(
        self, kind: str, path: Callable[[TicketRow], str], make: Callable[[TicketView], Any]
    ) -> list[Job | Block]:
        """A ``kind`` of file for every ticket (its page, its Open311 record), at ``path``
        and made by ``make`` from the ticket's view: a job each, keyed by
        ``ticket_key``; the settled tickets' in blocks of neighbours
        (``settled_groups``)."""
        made = partial(self._with_view, make)
        return [
            *(
                Job(path(row), partial(made, row), *self.ticket_key(row, kind))
                for row in self.rows
                if row.settled_since is None
            ),
            *blocks(kind, self.settled_groups, path, _DIGEST, made),
        ]

    def _with_view(self, make: Callable[[TicketView], T], row: TicketRow) -> T:
        return make(self.view(row.id))

    @cached_property
    def settled_groups(self) -> dict[str, list[TicketRow]]:
        """The settled tickets' views by their ids but the last character (ten ids).
        Such a ticket's page and Open311 file show its view alone, at every later
        moment, and go in blocks of neighbours (``jobs.blocks``): a block's files are
        made again whole when one of them changes (a reply settles a ticket), so a
        block is small. Not an overdue ticket's, though its files hold until something
        happens to it too: tickets turn overdue by the clock, and each would make its
        block's files again at the next hourly rebuild."""
        groups: dict[str, list[TicketRow]] = {}
        for row in self.rows:
            if row.settled_since is not None:
                group = row.id[:-1]
                found = groups.get(group)
                if found is None:
                    groups[group] = found = []
                found.append(row)
        return groups

    def next_event(self, view: TicketView | TicketRow) -> datetime | None:
        """The first moment after the snapshot's at which the timeline shows something
        more."""
        state = view.state
        if state.quiet_since is not None:
            return None  # nothing is dated after the moment (and its files need not be read)
        return min((t for t in shown_times(state.file) if t > state.as_of), default=None)

    def deadline_note(self, view: TicketView) -> str:
        """How the deadline stands, in words true at every moment until the status
        changes: until when an open or due-soon ticket's status holds, since when an
        overdue one is overdue; else the deadline text (how it was answered)."""
        span = self.status_span(view)
        if span is not None:
            return self.fmt.span_text(span)
        state = view.state
        if state.status is Status.OVERDUE and state.due is not None:
            return self.fmt.overdue_text(state.due)
        return view.deadline_text

    @cached_property
    def board_key(self) -> bytes:
        """Of every ticket's view: the key part of pages that read them all. What those
        pages take of the history (when the record held each reply) is in the views'
        digests; the history's own repr took 0.5 s at 100,000 tickets."""
        return job_key(digests(row.digest for row in self.rows))

    def duration(self, value: Any) -> str:  # noqa: ANN401 - a records.Duration
        """'5 working days' / '5个工作日', '24 hours' / '24小时'."""
        if value is None:
            return "–"
        amount = value.amount
        if value.unit == "working days":
            return self.fmt.working_days(amount)
        if value.unit == "hours":
            return self.fmt._n("%(num)d hour", "%(num)d hours", amount) % {"num": amount}
        return self.fmt._n("%(num)d minute", "%(num)d minutes", amount) % {"num": amount}


def _holds_all_day(state: TicketState) -> bool:
    """Whether what the ticket shows stays the same until the day ends: a quiet
    ticket's does (an overdue one is a working day later only when a working day
    begins), but for one overdue by less than a working day (late by so many hours)."""
    if state.quiet_since is None:
        return False
    return state.status is not Status.OVERDUE or state.days_late > 0


_DIGEST = attrgetter("digest")


def group_by(items: list[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    """``items`` by ``key``, each group in the order given."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
