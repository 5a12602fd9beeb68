"""Lists of tickets, paginated: by status, month, category, type, channel and
department, newest first; and the index of every list with its count."""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from answerable.incremental.jobs import Job, Page, digests, job_key
from answerable.site.labels import N_, STATUS_LISTS
from answerable.site.paging import paginate, pagination
from answerable.site.urls import LISTS, list_url
from answerable.site.views import Link, Site, TicketRow

Group = tuple[str, str, str, list[TicketRow]]
"""A list: its kind, key, title and tickets."""


MENU = (20, N_("Messages"), LISTS)
MANY = True  # a page of fifty tickets, several lists each


def jobs(site: Site) -> list[Job]:
    """One job per list page, and one for the index of lists."""
    groups = list_groups(site)
    made: list[Job] = []
    for kind, key, title, chosen in groups:
        for chunk, number, count, url in paginate(kind, key, chosen, site.per_page):
            # The count on the first page only: a later page then changes only when
            # its own rows, or the number of pages, do.
            total = len(chosen) if number == 1 else None
            context = {
                "title": title,
                "kind": kind,
                "tickets": chunk,
                "total": total,
                "page_name": "list",
            }
            mine = digests([v.digest for v in chunk])
            # The pager is made of the list, the page's number and the count alone.
            digest = job_key("list", url, title, kind, total, number, count, mine)
            # A page of settled tickets only (an old month, the end of a long list):
            # its rows are in its key, and no later moment changes them.
            settled = [v.settled_since for v in chunk]
            timeless = bool(chunk) and None not in settled
            if timeless:
                context.update(as_of=None, settled_since=max(settled))  # type: ignore[type-var]
            elif (day := site.day_held(chunk)) is not None:
                # Rows that change only from one day to the next (an overdue ticket's
                # working days late): the page says the day, not the minute, and the
                # rebuilds of the same day leave it as it is.
                digest, timeless = job_key(digest, day), True
                context.update(as_of=None, statuses_on=day)
            page = partial(list_page, site, url, context, kind, key, number, count)
            made.append(Job(url, page, digest, timeless=timeless))
    # The index shows each list's title and count.
    counts = [(kind, key, title, len(chosen)) for kind, key, title, chosen in groups]
    made.append(Job(LISTS, partial(lists_index, site, groups), job_key(counts)))
    return made


def list_page(
    site: Site,
    url: str,
    context: dict[str, object],
    kind: str,
    key: str,
    number: int,
    count: int,
) -> Page:
    """A page of a list, with its pager and its tickets' views (made here: only for the
    pages rendered)."""
    rows: list[TicketRow] = context["tickets"]  # type: ignore[assignment]
    tickets = [site.view(row.id) for row in rows]
    pager = pagination(kind, key, number, count)
    return Page(url, "answerable_list", {**context, "tickets": tickets, "pagination": pager})


def list_groups(site: Site) -> list[Group]:
    """Every list: its kind, key, title and tickets (newest first; due soonest first)."""
    newest = site.newest
    # Every grouping in one pass over the board's tickets: each was a pass of its own.
    status_list = {status: key for key, _, statuses in STATUS_LISTS for status in statuses}
    by: dict[str, defaultdict[str, list[TicketRow]]] = {
        kind: defaultdict(list) for kind in ("status", "month", "category", "type", "channel")
    }
    by_status, by_month = by["status"], by["month"]
    by_category, by_type, by_channel = by["category"], by["type"], by["channel"]
    for row in newest:
        by_status[status_list.get(row.state.status, "")].append(row)
        by_month[row.month_key].append(row)
        by_category[row.category].append(row)
        by_type[row.type].append(row)
        by_channel[row.channel].append(row)
    groups: list[Group] = []
    due_first = {"overdue": site.snapshot.overdue, "due-soon": site.snapshot.due_soon}
    for key, label, _ in STATUS_LISTS:
        chosen = site.rows_of(due_first[key]) if key in due_first else by_status.get(key, [])
        groups.append(("status", key, site._(label), chosen))
    for year, month in reversed(site.months()):
        key = f"{year}-{month:02d}"
        groups.append(("month", key, site.fmt.month(year, month), by_month.get(key, [])))
    for kind in ("category", "type", "channel"):
        for item_id, name in site.names[kind].items():
            groups.append((kind, item_id, name, by[kind].get(item_id, [])))
    by_department = site.by_department
    for department in site.board.departments:
        chosen = by_department.get(department.id, [])
        groups.append(("department", department.id, department.name, chosen))
    return groups


def lists_index(site: Site, groups: list[Group]) -> Page:
    _ = site._
    index: dict[str, list[tuple[Link, int]]] = {}
    for kind, key, title, chosen in groups:
        index.setdefault(kind, []).append((Link(title, list_url(kind, key)), len(chosen)))
    kinds = [
        ("status", _("By status")),
        ("month", _("By month")),
        ("category", _("By category")),
        ("type", _("By type")),
        ("channel", _("By channel")),
        ("department", _("By department")),
    ]
    return Page(
        LISTS,
        "answerable_lists",
        {
            "sections": [(title, index.get(kind, [])) for kind, title in kinds],
            "page_name": "lists",
        },
    )
