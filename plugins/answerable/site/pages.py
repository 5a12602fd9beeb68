"""The public site's pages, built from one snapshot: plain Python, no Pelican.

Every figure a page shows is computed here (or in ``stats``) and handed to a template
ready to print; templates only lay it out. Each page is a ``Page``: where it is saved,
which template draws it, and the values the template reads.
"""

from __future__ import annotations

import hashlib
import sys
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property, partial
from typing import Any

from markupsafe import Markup

from answerable.core.snapshot import Snapshot
from answerable.core.stats import Figures, Period, Row, Table
from answerable.core.status import Status, TicketState, status_span
from answerable.reading.loading import ReplyFile
from answerable.site.charts import Bar, monthly_chart
from answerable.site.i18n import Formatter
from answerable.site.markup import ReplyRenderer
from answerable.staff.audit import History


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for deferred messages
    """Mark a message for translation where it is defined; translate where shown."""
    return message


STATUS_LABELS = {
    Status.OPEN: N_("Open"),
    Status.DUE_SOON: N_("Due soon"),
    Status.OVERDUE: N_("Overdue"),
    Status.ANSWERED_ON_TIME: N_("Answered on time"),
    Status.ANSWERED_LATE: N_("Answered late"),
    Status.WITHDRAWN: N_("Withdrawn"),
    Status.DUPLICATE: N_("Duplicate"),
}
STATUS_LISTS: list[tuple[str, str, tuple[Status, ...]]] = [
    ("overdue", N_("Overdue"), (Status.OVERDUE,)),
    ("due-soon", N_("Due soon"), (Status.DUE_SOON,)),
    ("open", N_("Open"), (Status.OPEN,)),
    ("answered", N_("Answered"), (Status.ANSWERED_ON_TIME, Status.ANSWERED_LATE)),
    ("withdrawn", N_("Withdrawn or duplicate"), (Status.WITHDRAWN, Status.DUPLICATE)),
]
KIND_LABELS = {
    "interim": N_("Interim reply"),
    "final": N_("Final reply"),
    "supplement": N_("Supplement"),
}
RATING_LABELS = {
    "satisfied": N_("Satisfied"),
    "basically-satisfied": N_("Basically satisfied"),
    "unsatisfied": N_("Unsatisfied"),
}
RESOLUTION_LABELS = {
    "resolved": N_("Resolved"),
    "partially-resolved": N_("Partially resolved"),
    "unresolved": N_("Unresolved"),
    "explained": N_("Explained (cannot be done; reason published)"),
}
SOURCE_LABELS = {
    "return-visit": N_("return visit"),
    "online": N_("online"),
    "sms": N_("text message"),
    "hotline": N_("hotline"),
}
LEVEL_LABELS = {
    "province": N_("Province"),
    "city": N_("City"),
    "district": N_("District"),
    "county": N_("County"),
    "township": N_("Township"),
    "street": N_("Street"),
}
LEVEL_ORDER = list(LEVEL_LABELS)


# ---- addresses ----------------------------------------------------------------------------

HOME = "index.html"
LISTS = "lists/index.html"
DEPARTMENTS = "departments/index.html"
LEADERBOARD = "leaderboard.html"
RANKINGS = "rankings.html"
REPORTS = "reports/index.html"
PROMISES = "promises.html"
SEARCH = "search.html"
OPEN_DATA = "data.html"
CHANGES = "changes.html"
SITEMAP = "sitemap.xml"


def ticket_url(ticket_id: str) -> str:
    return f"tickets/{ticket_id}.html"


def department_url(department_id: str) -> str:
    return f"departments/{department_id}.html"


def list_url(kind: str, key: str, page: int = 1) -> str:
    suffix = "" if page == 1 else f"-{page}"
    return f"lists/{kind}-{key}{suffix}.html"


def report_url(label: str) -> str:
    return f"reports/{label}.html"


def department_feed_url(department_id: str) -> str:
    return f"feeds/departments/{department_id}.atom.xml"


REPLIES_FEED = "feeds/replies.atom.xml"
OVERDUE_FEED = "feeds/overdue.atom.xml"


# ---- views --------------------------------------------------------------------------------


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

    @property
    def ticket(self) -> Any:  # noqa: ANN401 - the record, for templates
        return self.state.ticket

    @property
    def status(self) -> str:
        return self.state.status.value

    @property
    def dot(self) -> str:
        return self.state.status.dot


@dataclass(frozen=True, slots=True)
class ReplyView:
    ticket: TicketView
    reply: ReplyFile
    kind_label: str
    department: Link
    url: str


@dataclass(frozen=True, slots=True)
class RowView:
    """A leaderboard row with its links and figures formatted once."""

    row: Row
    link: Link | None
    level: str

    @property
    def figures(self) -> Figures:
        return self.row.figures


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int
    count: int
    previous: str | None
    next: str | None
    pages: list[tuple[int | None, str]]
    """The pages the pager links to, in order; (None, "") where it skips some."""


def pager_numbers(number: int, count: int) -> list[int | None]:
    """The pages page ``number`` of ``count`` links to: the first and last, its
    neighbours, and those 10, 100, 1,000… pages away, with None for each gap.

    Any page is then a few clicks away, and a page links to a few dozen pages at most.
    Linking every page made each page of a long list as long as the list (135 KB of
    links at 100,000 tickets) and the whole list quadratic to build.
    """
    wanted = {1, count, *range(number - 2, number + 3)}
    step = 10
    while step < count:
        wanted.update((number - step, number + step))
        step *= 10
    numbers: list[int | None] = []
    last = 0
    for n in sorted(n for n in wanted if 1 <= n <= count):
        if n > last + 1 and last:
            numbers.append(None)
        numbers.append(n)
        last = n
    return numbers


@dataclass(frozen=True, slots=True)
class Page:
    save_as: str
    template: str
    context: dict[str, Any]
    text: str | Iterable[str] | None = None
    """A file written as it is (a feed, open data): no template. Pieces of it, for the
    largest files, which are then written as they are made."""


@dataclass(frozen=True, slots=True)
class Job:
    """Pages made together. ``key`` digests everything they show beyond what all pages
    share (code, templates, settings, board.yaml); None: made every time. The moment is
    part of every key unless ``timeless``: pages of settled tickets do not change with it."""

    make: Callable[[], list[Page]]
    key: bytes | None = None
    timeless: bool = False


def one_page(make: Callable[..., Page], *args: Any) -> list[Page]:  # noqa: ANN401
    """A job's ``make`` for one page: a partial of this costs less than a closure per
    job, and there is a job per ticket."""
    return [make(*args)]


def job_key(*parts: object) -> bytes:
    """A digest of plain values and digests, for ``Job.key``."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.digest()


# ---- the site -----------------------------------------------------------------------------


class Site:
    def __init__(
        self,
        snapshot: Snapshot,
        formatter: Formatter,
        per_page: int = 50,
        history: History | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.history = history
        self.board = snapshot.board
        self.fmt = formatter
        self._ = formatter._
        self.per_page = per_page
        self.renderer = ReplyRenderer()
        self.names = {
            "type": {t.id: t.name for t in self.board.types},
            "category": {c.id: c.name for c in self.board.categories},
            "channel": {c.id: c.name for c in self.board.channels},
        }
        self._shared: dict[tuple[object, ...], Any] = {}  # links and labels many tickets show
        by_id = {s.ticket.id: s for s in snapshot.states}
        self.tickets = [self._ticket_view(state, by_id) for state in snapshot.states]
        self.by_id = {view.ticket.id: view for view in self.tickets}
        self.department_table = snapshot.table("department")
        self.replies = sorted(
            (
                ReplyView(
                    view,
                    reply,
                    self._(KIND_LABELS[reply.meta.kind]),
                    self.department_link(reply.meta.department),
                    f"{view.url}#reply-{reply.number}",
                )
                for view in self.tickets
                if not view.ticket.hidden
                for reply in view.state.replies
            ),
            # By the counted time: a reply merged late is news when it is merged.
            key=lambda r: (r.reply.at, r.ticket.ticket.id, r.reply.number),
            reverse=True,
        )

    # -- pieces shared by pages --

    def department_link(self, department_id: str) -> Link:
        return self._once(
            ("department", department_id),
            lambda: Link(
                self.snapshot.departments.name(department_id), department_url(department_id)
            ),
        )

    def _deadline_text(self, state: TicketState) -> str:
        _ = self._
        if state.status in (Status.WITHDRAWN, Status.DUPLICATE) or state.due is None:
            return ""
        if state.final_reply is not None:
            if state.status is Status.ANSWERED_LATE:
                late = state.final_reply.at - state.due
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

    def _once(self, key: tuple[object, ...], make: Callable[[], Any]) -> Any:  # noqa: ANN401
        """One copy of a value many tickets show, made the first time (memory at city
        scale: a department's link, a month's label)."""
        value = self._shared.get(key)
        if value is None:
            value = self._shared[key] = make()
        return value

    def _ticket_view(self, state: TicketState, by_id: dict[str, TicketState]) -> TicketView:
        ticket = state.ticket
        received = self.snapshot.rules.local_date(ticket.received)

        def ticket_link(ticket_id: str) -> Link:
            other = by_id.get(ticket_id)
            title = other.ticket.title if other and not other.ticket.hidden else ticket_id
            return Link(f"{ticket_id} {title}" if other else ticket_id, ticket_url(ticket_id))

        related = [ticket_link(t) for t in ticket.related]
        duplicate_of = ticket_link(ticket.duplicate_of) if ticket.duplicate_of else None
        records = [self.history.replies.get(r.path) for r in state.replies] if self.history else []
        digest = hashlib.blake2b(state.file.digest, digest_size=16)
        witnessed = [r.witnessed for r in state.replies]  # they change the counted times
        digest.update(repr((related, duplicate_of, records, witnessed)).encode())
        return TicketView(
            state=state,
            url=ticket_url(ticket.id),
            status_label=self._(STATUS_LABELS[state.status]),
            department=self.department_link(state.department),
            deadline_text=sys.intern(self._deadline_text(state)),  # many tickets say the same
            type_name=self.names["type"].get(ticket.type, ticket.type),
            category=self._once(
                ("category", ticket.category),
                lambda: Link(
                    self.names["category"].get(ticket.category, ticket.category),
                    list_url("category", ticket.category),
                ),
            ),
            channel_name=self.names["channel"].get(ticket.channel, ticket.channel),
            related=related,
            duplicate_of=duplicate_of,
            co_departments=[self.department_link(d) for d in ticket.co_departments],
            resolution_label=self._(RESOLUTION_LABELS[ticket.resolution])
            if ticket.resolution
            else "",
            rating_label=self._(RATING_LABELS[state.rating.value]) if state.rating else "",
            month_label=self._once(
                ("month", received.year, received.month),
                lambda: self.fmt.month(received.year, received.month),
            ),
            month_key=self._once(
                ("month key", received.year, received.month),
                lambda: f"{received.year}-{received.month:02d}",
            ),
            digest=digest.digest(),
        )

    def timeline(self, view: TicketView) -> list[Event]:
        """What happened to the ticket by the snapshot's moment, in order."""
        _ = self._
        state = view.state
        ticket = state.ticket
        as_of = state.as_of
        name = self.snapshot.departments.name
        events = [Event(ticket.received, "received", _("Message received"), view.channel_name)]
        for transfer in ticket.transfers:
            if transfer.at <= as_of:
                events.append(
                    Event(
                        transfer.at,
                        "transfer",
                        _("Transferred from %(a)s to %(b)s")
                        % {"a": name(transfer.from_), "b": name(transfer.to)},
                        transfer.reason,
                    )
                )
        deadline = self.snapshot.rules.deadline(ticket)
        checks = {c.index: c for c in deadline.checks} if deadline else {}
        for index, extension in enumerate(ticket.extensions):
            if extension.requested > as_of:
                continue
            check = checks.get(index)
            approved = extension.approved is not None and extension.approved <= as_of
            if approved and check is not None and check.counted:
                title = _("Deadline extended to %(day)s") % {"day": self.fmt.date(extension.due)}
                note = _("approved by %(who)s on %(when)s") % {
                    "who": name(extension.approved_by or ""),
                    "when": self.fmt.datetime(extension.approved),
                }
            elif approved:
                title = _("Extension to %(day)s not counted") % {
                    "day": self.fmt.date(extension.due)
                }
                note = _("it does not meet the board's extension rule")
            else:
                title = _("Extension to %(day)s requested") % {"day": self.fmt.date(extension.due)}
                note = _("not approved")
            events.append(
                Event(extension.requested, "extension", title, extension.reason, note=note)
            )
        if not ticket.hidden:
            for reply in state.replies:
                meta = reply.meta
                note = ""
                if meta.kind == "interim" and meta.promised:
                    note = _("Final reply promised by %(day)s") % {
                        "day": self.fmt.date(meta.promised)
                    }
                record = self.history.replies.get(reply.path) if self.history else None
                events.append(
                    Event(
                        meta.date,
                        meta.kind,
                        f"{_(KIND_LABELS[meta.kind])} · {name(meta.department)}",
                        body=self.renderer.render(reply.body),
                        anchor=f"reply-{reply.number}",
                        signed=meta.signed or "",
                        note=note,
                        entered=record.entered if record else None,
                        commit=record.commit[:7] if record else "",
                        counted=reply.at if reply.at != meta.date else None,
                    )
                )
        if state.rating is not None:
            rating = state.rating
            events.append(
                Event(
                    rating.at,
                    "rating",
                    _("Rated: %(value)s") % {"value": _(RATING_LABELS[rating.value])},
                    rating.comment or "",
                    note=_("by %(source)s") % {"source": _(SOURCE_LABELS[rating.source])},
                )
            )
        for kind, event, label in (
            ("withdrawn", ticket.withdrawn, _("Withdrawn by the citizen")),
            ("hidden", ticket.hidden, _("Content hidden by the office")),
        ):
            if event is not None and event.at <= as_of:
                events.append(Event(event.at, kind, label, event.reason))
        order = {"received": 0, "transfer": 1, "extension": 2}
        return sorted(events, key=lambda e: (e.when, order.get(e.kind, 3)))

    def row_views(self, table: Table) -> list[RowView]:
        departments = table.by == "department"
        return [
            RowView(
                row,
                self.department_link(row.key) if departments else None,
                self._(LEVEL_LABELS.get(row.level or "", "")) if row.level else "",
            )
            for row in table.rows
        ]

    @cached_property
    def _months(self) -> list[tuple[int, int]]:
        local = self.snapshot.rules.local_date
        found = {
            (local(s.ticket.received).year, local(s.ticket.received).month)
            for s in self.snapshot.states
        }
        return sorted(found)

    def months(self) -> list[tuple[int, int]]:
        """The months in which tickets were received, oldest first (worked out once)."""
        return list(self._months)

    def _paginate(
        self, kind: str, key: str, items: list[TicketView]
    ) -> Iterator[tuple[list[TicketView], Pagination, str]]:
        # Pages are cut from the oldest end: every page but the first holds per_page
        # messages, the first the newest per_page to 2 × per_page - 1. A new or newly
        # answered message then moves the first pages only, not every page after it;
        # the count, and so every page, changes once in per_page.
        count = max(1, len(items) // self.per_page)
        first = len(items) - (count - 1) * self.per_page
        for number in range(1, count + 1):
            start = 0 if number == 1 else first + (number - 2) * self.per_page
            chunk = items[start : first + (number - 1) * self.per_page]
            around = pager_numbers(number, count)
            yield (
                chunk,
                Pagination(
                    number,
                    count,
                    list_url(kind, key, number - 1) if number > 1 else None,
                    list_url(kind, key, number + 1) if number < count else None,
                    [(n, list_url(kind, key, n) if n else "") for n in around],
                ),
                list_url(kind, key, number),
            )

    # -- the pages --

    def jobs(self) -> list[Job]:
        """The site's pages as independent pieces of work, for one or several processes."""
        everything = self.board_key
        jobs = [Job(lambda: [self.home()], job_key("home", everything))]
        jobs += [
            Job(
                partial(one_page, self.ticket_page, view),
                job_key("ticket", view.digest),
                timeless=view.state.settled_since is not None,
            )
            for view in self.tickets
        ]
        jobs += self.list_jobs()
        jobs.append(Job(lambda: [self.departments_index()], job_key("departments", everything)))
        jobs += [
            Job(partial(one_page, self.department_page, d.id), self._department_key(d.id))
            for d in self.board.departments
        ]
        jobs.append(
            Job(
                lambda: [self.leaderboard(), self.rankings(), self.promises(), self.changes()],
                job_key("aggregates", everything),
            )
        )
        jobs += self.report_jobs()
        jobs.append(
            Job(
                lambda: [
                    Page(SEARCH, "answerable_search", {"page_name": "search"}),
                    Page(OPEN_DATA, "answerable_data", {"page_name": "data"}),
                ],
                job_key("fixed"),
            )
        )
        return jobs

    @cached_property
    def board_key(self) -> bytes:
        """Of every ticket's view and the history: the key part of pages that read them all."""
        return job_key([view.digest for view in self.tickets], repr(self.history))

    def _department_key(self, department_id: str) -> bytes:
        """A department's page shows its own tickets, its row (ranks read the other rows)
        and one chart bar per month of the board."""
        row = next((r for r in self.department_table.rows if r.key == department_id), None)
        mine = [view.digest for view in self.by_department.get(department_id, [])]
        return job_key("department", department_id, repr(row), mine, self.months())

    def home(self) -> Page:
        local = self.snapshot.rules.local_date(self.snapshot.as_of)
        month = Period.parse(f"{local.year}-{local.month:02d}")
        year = Period.parse(str(local.year))
        rows = [r for r in self.row_views(self.department_table) if r.row.on_time_rank is not None]
        overdue = sorted(
            (v for v in self.tickets if v.state.status is Status.OVERDUE),
            key=lambda v: (v.state.due or v.state.as_of, v.ticket.id),
        )
        due_soon = sorted(
            (v for v in self.tickets if v.state.status is Status.DUE_SOON),
            key=lambda v: (v.state.due or v.state.as_of, v.ticket.id),
        )
        return Page(
            HOME,
            "answerable_home",
            {
                "month_label": self.fmt.month(local.year, local.month),
                "year_label": str(local.year),
                "month_figures": self.snapshot.table("department", month).total,
                "year_figures": self.snapshot.table("department", year).total,
                "all_figures": self.department_table.total,
                "overdue": overdue[:20],
                "overdue_count": len(overdue),
                "due_soon": due_soon[:20],
                "due_soon_count": len(due_soon),
                "latest_replies": self.replies[:10],
                "top": rows[:3],
                "bottom": list(reversed(rows[3:]))[:3],
                "named": [
                    r for r in self.row_views(self.department_table) if r.row.below_threshold
                ],
                "page_name": "home",
            },
        )

    def ticket_page(self, view: TicketView) -> Page:
        context = {"t": view, "timeline": self.timeline(view), "page_name": "ticket"}
        settled = view.state.settled_since
        if settled is not None:
            # The page says since when its status is final instead of the build's moment,
            # so that a later build need not write it again.
            context.update(as_of=None, settled_since=settled)
        elif view.state.status in (Status.OPEN, Status.DUE_SOON):
            # Until when the status holds, instead of the build's moment: true, and the
            # page the same, at every moment until the status changes.
            span = status_span(view.state, self.snapshot.rules)
            if span is not None:
                context.update(
                    as_of=None, status_until=span.until, status_span=self.fmt.span_text(span)
                )
        return Page(view.url, "answerable_ticket", context)

    def list_groups(self) -> list[tuple[str, str, str, list[TicketView]]]:
        """Every list: its kind, key, title and tickets (newest first; due soonest first)."""
        newest = self.newest
        groups: list[tuple[str, str, str, list[TicketView]]] = []  # kind, key, title, tickets
        for key, label, statuses in STATUS_LISTS:
            chosen = [v for v in newest if v.state.status in statuses]
            if key in ("overdue", "due-soon"):
                chosen.sort(key=lambda v: (v.state.due or v.state.as_of, v.ticket.id))
            groups.append(("status", key, self._(label), chosen))
        by_month = _group(newest, lambda v: v.month_key)
        for year, month in reversed(self.months()):
            key = f"{year}-{month:02d}"
            groups.append(("month", key, self.fmt.month(year, month), by_month.get(key, [])))
        for kind in ("category", "type", "channel"):
            by_item = _group(newest, lambda v, k=kind: getattr(v.ticket, k))
            for item_id, name in self.names[kind].items():
                groups.append((kind, item_id, name, by_item.get(item_id, [])))
        by_department = self.by_department
        for department in self.board.departments:
            chosen = by_department.get(department.id, [])
            groups.append(("department", department.id, department.name, chosen))
        return groups

    @cached_property
    def newest(self) -> list[TicketView]:
        """Every ticket, newest first: the order of every list."""
        return sorted(self.tickets, key=lambda v: (v.ticket.received, v.ticket.id), reverse=True)

    @cached_property
    def by_department(self) -> dict[str, list[TicketView]]:
        """Each department's tickets, newest first (grouped once: many pages read it)."""
        return _group(self.newest, lambda v: v.state.department)

    def list_jobs(self) -> list[Job]:
        """One job per list page, and one for the index of lists."""
        groups = self.list_groups()
        jobs: list[Job] = []
        for kind, key, title, chosen in groups:
            for chunk, pagination, url in self._paginate(kind, key, chosen):
                # The count on the first page only: a later page then changes only when
                # its own rows, or the number of pages, do.
                total = len(chosen) if pagination.number == 1 else None
                context = {
                    "title": title,
                    "kind": kind,
                    "tickets": chunk,
                    "total": total,
                    "pagination": pagination,
                    "page_name": "list",
                }
                digest = job_key(
                    "list", url, title, kind, total, pagination, [v.digest for v in chunk]
                )
                # A page of settled tickets only (an old month, the end of a long list):
                # its rows are in its key, and no later moment changes them.
                settled = [v.state.settled_since for v in chunk]
                timeless = bool(chunk) and None not in settled
                if timeless:
                    context.update(as_of=None, settled_since=max(settled))  # type: ignore[type-var]
                jobs.append(
                    Job(
                        partial(one_page, Page, url, "answerable_list", context),
                        digest,
                        timeless=timeless,
                    )
                )
        # The index shows each list's title and count.
        counts = [(kind, key, title, len(chosen)) for kind, key, title, chosen in groups]
        jobs.append(Job(partial(one_page, self.lists_index, groups), job_key(counts)))
        return jobs

    def lists_index(self, groups: list[tuple[str, str, str, list[TicketView]]]) -> Page:
        index: dict[str, list[tuple[Link, int]]] = {}
        for kind, key, title, chosen in groups:
            index.setdefault(kind, []).append((Link(title, list_url(kind, key)), len(chosen)))
        kinds = [
            ("status", self._("By status")),
            ("month", self._("By month")),
            ("category", self._("By category")),
            ("type", self._("By type")),
            ("channel", self._("By channel")),
            ("department", self._("By department")),
        ]
        return Page(
            LISTS,
            "answerable_lists",
            {
                "sections": [(title, index.get(kind, [])) for kind, title in kinds],
                "page_name": "lists",
            },
        )

    def departments_index(self) -> Page:
        departments = self.snapshot.departments
        rows = {r.key: r for r in self.department_table.rows}

        def tree(parent: str | None) -> list[dict[str, Any]]:
            ids = (
                [d.id for d in self.board.departments if d.parent == parent]
                if parent
                else [
                    d.id
                    for d in self.board.departments
                    if d.parent is None or d.parent not in departments
                ]
            )
            return [
                {"link": self.department_link(i), "row": rows.get(i), "children": tree(i)}
                for i in ids
            ]

        return Page(
            DEPARTMENTS, "answerable_departments", {"tree": tree(None), "page_name": "departments"}
        )

    def department_page(self, department_id: str) -> Page:
        departments = self.snapshot.departments
        department = departments.by_id[department_id]
        row = next(r for r in self.department_table.rows if r.key == department_id)
        mine = self.by_department.get(department_id, [])
        by_month = _group(mine, lambda v: v.month_key)
        monthly = []
        for year, month in self.months():
            in_month = [v.state for v in by_month.get(f"{year}-{month:02d}", [])]
            figures = Figures.of(in_month)
            monthly.append((self.fmt.month(year, month), figures))
        chart = monthly_chart(
            f"chart-{department_id}",
            self._("Messages received and on-time rate per month"),
            self._(
                "Bars: messages received each month. "
                "Dots: share of decided messages answered on time."
            ),
            [Bar(label, f.received, f.on_time_rate) for label, f in monthly],
            self._("On-time rate"),
        )
        parent = department.parent if department.parent in departments else None
        return Page(
            department_url(department_id),
            "answerable_department",
            {
                "department": department,
                "level": self._(LEVEL_LABELS.get(departments.level(department_id) or "", ""))
                if departments.level(department_id)
                else "",
                "row": RowView(row, None, ""),
                "parent": self.department_link(parent) if parent else None,
                "children": [
                    self.department_link(c) for c in departments.children.get(department_id, [])
                ],
                "tickets": mine[:20],
                "ticket_count": len(mine),
                "all_tickets": list_url("department", department_id),
                "monthly": monthly,
                "chart": chart,
                "feed": department_feed_url(department_id),
                "page_name": "department",
            },
        )

    def leaderboard(self) -> Page:
        departments = self.snapshot.departments
        levels: dict[str, list[str]] = {}
        for department in self.board.departments:
            levels.setdefault(departments.level(department.id) or "", []).append(department.id)
        per_level = [
            (
                self._(LEVEL_LABELS.get(level, "")) if level else self._("Other"),
                self.row_views(self.snapshot.table("department", only=ids)),
            )
            for level, ids in sorted(
                levels.items(),
                key=lambda item: LEVEL_ORDER.index(item[0]) if item[0] in LEVEL_ORDER else 99,
            )
        ]
        return Page(
            LEADERBOARD,
            "answerable_leaderboard",
            {
                "rows": self.row_views(self.department_table),
                "per_level": per_level,
                "by_level": [
                    RowView(r, None, self._(LEVEL_LABELS.get(r.key, r.key)))
                    for r in self.snapshot.table("level").rows
                ],
                "table": self.department_table,
                "page_name": "leaderboard",
            },
        )

    def rankings(self) -> Page:
        rows = self.row_views(self.department_table)
        satisfied = sorted(
            (r for r in rows if r.figures.satisfied_total),
            key=lambda r: (
                -r.figures.satisfied_total,
                -(r.figures.satisfaction_rate or 0),
                r.row.key,
            ),
        )
        unsatisfied = sorted(
            (r for r in rows if r.figures.unsatisfied),
            key=lambda r: (-r.figures.unsatisfied, r.figures.satisfaction_rate or 0, r.row.key),
        )
        rated = [
            v for v in reversed(self.tickets) if v.state.rating is not None and not v.ticket.hidden
        ]
        rated.sort(key=lambda v: (v.state.rating.at, v.ticket.id), reverse=True)  # type: ignore[union-attr]
        monthly = [
            (
                self.fmt.month(year, month),
                report_url(f"{year}-{month:02d}"),
                *self._top_ten(Period.parse(f"{year}-{month:02d}")),
            )
            for year, month in reversed(self.months())
        ]
        return Page(
            RANKINGS,
            "answerable_rankings",
            {
                "satisfied": satisfied,
                "unsatisfied": unsatisfied,
                "satisfied_replies": [v for v in rated if v.state.rating.value != "unsatisfied"][
                    :20
                ],  # type: ignore[union-attr]
                "unsatisfied_replies": [v for v in rated if v.state.rating.value == "unsatisfied"][
                    :20
                ],  # type: ignore[union-attr]
                "monthly": monthly,
                "page_name": "rankings",
            },
        )

    def _top_ten(
        self, period: Period, snapshot: Snapshot | None = None
    ) -> tuple[list[RowView], list[RowView]]:
        table = (snapshot or self.snapshot).table("department", period)
        rows = self.row_views(table)
        volume = sorted(
            (r for r in rows if r.figures.received), key=lambda r: (-r.figures.received, r.row.key)
        )[:10]
        unsatisfied = sorted(
            (r for r in rows if r.figures.unsatisfied),
            key=lambda r: (-r.figures.unsatisfied, r.row.key),
        )[:10]
        return volume, unsatisfied

    def report_periods(self) -> list[Period]:
        months = self.months()
        quarters = sorted({(y, (m - 1) // 3 + 1) for y, m in months})
        periods = [Period.parse(f"{y}-{m:02d}") for y, m in months]
        periods += [Period.parse(f"{y}-Q{q}") for y, q in quarters]
        return periods

    def _report_moment(self, period: Period) -> datetime:
        return min(self.snapshot.rules.end_of_day(period.end), self.snapshot.as_of)

    def _window_key(self, start: datetime, moment: datetime) -> bytes:
        """Of the tickets a report reads: received from ``start`` up to its moment."""
        window = self._by_received
        first = bisect_left(window, start, key=lambda item: item[0])
        last = bisect_right(window, moment, key=lambda item: item[0])
        # In id order, as the tickets are everywhere else.
        return job_key(sorted((item[1], item[2]) for item in window[first:last]))

    @cached_property
    def _by_received(self) -> list[tuple[datetime, str, bytes]]:
        return sorted((v.ticket.received, v.ticket.id, v.digest) for v in self.tickets)

    def report_jobs(self) -> list[Job]:
        """One job per report, keyed by the tickets of its period and the one before;
        one for the index. A new reply rebuilds only the reports that can show it."""
        zone = self.snapshot.rules.zone
        jobs = []
        keys = []
        for period in self.report_periods():
            moment = self._report_moment(period)
            start = datetime.combine(_previous(period).start, time.min, tzinfo=zone)
            key = job_key("report", period.label, moment, self._window_key(start, moment))
            keys.append(key)
            # A finished period's report shows its tickets at the period's end, a moment
            # in its key: no later build's moment changes it.
            jobs.append(
                Job(
                    partial(one_page, self.report, period),
                    key,
                    timeless=moment < self.snapshot.as_of,
                )
            )
        jobs.append(Job(lambda: [self.reports_index()], job_key("reports", keys)))
        return jobs

    def reports_index(self) -> Page:
        index = []
        for period in self.report_periods():
            moment = self._report_moment(period)
            # Only the period's own tickets, received from its first day to its moment.
            total = Figures.of(self.snapshot.at(moment, received_from=period.start).states)
            title = self._report_title(period)
            index.append((period, Link(title, report_url(period.label)), total))
        index.sort(key=lambda item: (item[0].start, item[0].label), reverse=True)
        return Page(REPORTS, "answerable_reports", {"reports": index, "page_name": "reports"})

    def report(self, period: Period) -> Page:
        local = self.snapshot.rules.local_date
        end = self.snapshot.rules.end_of_day(period.end)
        moment = self._report_moment(period)
        previous = _previous(period)
        snapshot = self.snapshot.at(moment, received_from=previous.start)
        table = snapshot.table("department", period)
        before = Counter(
            s.ticket.category for s in snapshot.states if local(s.ticket.received) in previous
        )
        now = Counter(
            s.ticket.category for s in snapshot.states if local(s.ticket.received) in period
        )
        rose = sorted(
            (
                (
                    Link(self.names["category"].get(c, c), list_url("category", c)),
                    now[c],
                    before[c],
                )
                for c in now
                if now[c] > before[c]
            ),
            key=lambda item: (-(item[1] - item[2]), item[0].text),
        )
        volume, unsatisfied = self._top_ten(period, snapshot)
        return Page(
            report_url(period.label),
            "answerable_report",
            {
                "title": self._report_title(period),
                "period": period,
                "moment": moment,
                "as_of": moment,  # the page header's moment: the report's own
                "complete": end <= self.snapshot.as_of,
                "table": table,
                "rows": self.row_views(table),
                "named": [r for r in self.row_views(table) if r.row.below_threshold],
                "volume": volume,
                "unsatisfied": unsatisfied,
                "rose": rose,
                "previous_label": self._report_title(previous),
                "page_name": "report",
            },
        )

    def _report_title(self, period: Period) -> str:
        if "-Q" in period.label:
            year, quarter = period.label.split("-Q")
            return self._("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter}
        return self.fmt.month(period.start.year, period.start.month)

    def promises(self) -> Page:
        policies = self.board.policies
        types = [
            (t.name, policies.for_type(t.id).due if policies.for_type(t.id) else None)  # type: ignore[union-attr]
            for t in self.board.types
        ]
        return Page(
            PROMISES,
            "answerable_promises",
            {
                "types": types,
                "urgent": policies.urgent.due if policies.urgent else None,
                "longest_extension": policies.longest_extension,
                "warn_before": self.board.warn_before,
                "threshold": self.board.satisfaction_threshold,
                "min_ranked": self.board.min_ranked,
                "calendar": self.board.calendar,
                "page_name": "promises",
            },
        )

    def changes(self) -> Page:
        """The public change log: corrections, withdrawals, hidden content, and edits or
        deletions that git witnessed. Nothing disappears without a line here."""
        _ = self._
        entries: list[tuple[datetime, str, Link | None, str]] = []
        for view in self.tickets:
            ticket = view.ticket
            link = Link(f"{ticket.id} {'' if ticket.hidden else ticket.title}".strip(), view.url)
            for reply in view.state.replies:
                if reply.meta.kind == "supplement":
                    text = _("Supplement to the final reply by %(who)s") % {
                        "who": self.snapshot.departments.name(reply.meta.department)
                    }
                    entries.append(
                        (
                            reply.meta.date,
                            "supplement",
                            Link(link.text, f"{view.url}#reply-{reply.number}"),
                            text,
                        )
                    )
            for kind, event, label in (
                ("withdrawn", ticket.withdrawn, _("Withdrawn by the citizen: %(reason)s")),
                ("hidden", ticket.hidden, _("Content hidden by the office: %(reason)s")),
            ):
                if event is not None and event.at <= self.snapshot.as_of:
                    entries.append((event.at, kind, link, label % {"reason": event.reason}))
        if self.history is not None:
            views = {v.ticket.id: v for v in self.tickets}
            for record in self.history.replies.values():
                for sha, at in record.edits:
                    ticket_id = record.path.split("/")[-2]
                    view = views.get(ticket_id)
                    target = Link(ticket_id, view.url) if view else None
                    text = _("A published reply (%(file)s) was edited in commit %(commit)s") % {
                        "file": record.path.rsplit("/", 1)[-1],
                        "commit": sha[:7],
                    }
                    entries.append((at, "edited", target, text))
            for folder, (sha, at) in self.history.deleted_tickets.items():
                text = _("Ticket %(id)s was removed from the record in commit %(commit)s") % {
                    "id": folder.rsplit("/", 1)[-1],
                    "commit": sha[:7],
                }
                entries.append((at, "deleted", None, text))
        entries.sort(key=lambda e: (e[0], e[1], e[2].url if e[2] else ""), reverse=True)
        return Page(CHANGES, "answerable_changes", {"entries": entries, "page_name": "changes"})

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


def _group(
    views: list[TicketView], key: Callable[[TicketView], str]
) -> dict[str, list[TicketView]]:
    """``views`` by ``key``, each group in the order given."""
    groups: dict[str, list[TicketView]] = {}
    for view in views:
        groups.setdefault(key(view), []).append(view)
    return groups


def _previous(period: Period) -> Period:
    if "-Q" in period.label:
        year, quarter = period.start.year, (period.start.month - 1) // 3 + 1
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        return Period.parse(f"{year}-Q{quarter}")
    first = period.start - timedelta(days=1)
    return Period.parse(f"{first.year}-{first.month:02d}")
