"""The public change log: corrections, withdrawals, hidden content, and edits or
deletions that git witnessed."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import CHANGES, ticket_url
from answerable.site.views import Link, Site

MENU = (100, N_("Change log"), CHANGES)

Entry = tuple[datetime, str, Link | None, str]
"""A line of the log: when, its kind, what it is about, what happened."""


def jobs(site: Site) -> list[Job]:
    # Keyed by its lines, not by every ticket: a new reply leaves the page as it was.
    # It shows no status, only dated lines, so no moment either: a line's moment passing
    # changes the lines, and nothing else on it changes with the clock.
    entries = change_log(site)
    return [Job(CHANGES, partial(changes, entries), job_key("changes", entries), timeless=True)]


def changes(entries: list[Entry]) -> Page:
    context = {"entries": entries, "page_name": "changes", "as_of": None}
    return Page(CHANGES, "answerable_changes", context)


def change_log(site: Site) -> list[Entry]:
    """The public change log: corrections, withdrawals, hidden content, and edits or
    deletions that git witnessed, newest first. Nothing disappears without a line here."""
    _ = site._
    entries: list[Entry] = []
    for row in site.rows:
        ticket = row.state.ticket
        link = Link(f"{ticket.id} {'' if ticket.hidden else ticket.title}".strip(), row.url)
        for reply in row.state.reply_facts:
            if reply.kind == "supplement":
                text = _("Supplement to the final reply by %(who)s") % {
                    "who": site.snapshot.departments.name(reply.department)
                }
                entries.append(
                    (
                        reply.date,
                        "supplement",
                        Link(link.text, f"{row.url}#reply-{reply.number}"),
                        text,
                    )
                )
        for kind, event, label in (
            ("withdrawn", ticket.withdrawn, _("Withdrawn by the citizen: %(reason)s")),
            ("hidden", ticket.hidden, _("Content hidden by the office: %(reason)s")),
        ):
            if event is not None and event.at <= site.snapshot.as_of:
                entries.append((event.at, kind, link, label % {"reason": event.reason}))
    if site.history is not None:
        for record in site.history.replies.values():
            for sha, at in record.edits:
                ticket_id = record.path.split("/")[-2]
                known = ticket_id in site.row_by_id
                target = Link(ticket_id, ticket_url(ticket_id)) if known else None
                text = _("A published reply (%(file)s) was edited in commit %(commit)s") % {
                    "file": record.path.rsplit("/", 1)[-1],
                    "commit": sha[:7],
                }
                entries.append((at, "edited", target, text))
        for folder, (sha, at) in site.history.deleted_tickets.items():
            text = _("Ticket %(id)s was removed from the record in commit %(commit)s") % {
                "id": folder.rsplit("/", 1)[-1],
                "commit": sha[:7],
            }
            entries.append((at, "deleted", None, text))
    entries.sort(key=lambda e: (e[0], e[1], e[2].url if e[2] else ""), reverse=True)
    return entries
