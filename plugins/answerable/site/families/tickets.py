"""A page for every ticket: its status, deadline and the public timeline of what
happened to it by the moment."""

from __future__ import annotations

from functools import partial
from operator import attrgetter

from answerable.core.status import Status
from answerable.incremental.jobs import Block, Job, Page
from answerable.site.labels import KIND_LABELS, RATING_LABELS, SOURCE_LABELS
from answerable.site.views import Event, Site, TicketView

MANY = True  # a page a ticket


def jobs(site: Site) -> list[Job | Block]:
    # Keyed by what the page says instead of the moment where it can be: the hourly
    # rebuild writes it again only when its status or its timeline changes (an overdue
    # ticket stays overdue until something happens to it). Settled tickets' pages go in
    # blocks of ten, each kept while its tickets' views are the same.
    return site.ticket_jobs("ticket", attrgetter("url"), partial(ticket_page, site))


def ticket_page(site: Site, view: TicketView) -> Page:
    context = {"t": view, "timeline": timeline(site, view), "page_name": "ticket"}
    span = site.status_span(view)
    settled = view.state.settled_since
    if settled is not None:
        # The page says since when its status is final instead of the build's moment,
        # so that a later build need not write it again.
        context.update(as_of=None, settled_since=settled)
    elif span is not None:
        # Until when the status holds, instead of the build's moment: true, and the
        # page the same, at every moment until the status changes.
        # The words are those of its Open311 file too (``Site.deadline_note``).
        context.update(as_of=None, status_until=span.until, status_span=site.deadline_note(view))
    elif view.state.status is Status.OVERDUE and view.state.due is not None:
        # Since when it is overdue, not how late it is by the build's moment.
        due = view.state.due
        context.update(as_of=None, overdue_since=due, status_span=site.deadline_note(view))
    return Page(view.url, "answerable_ticket", context)


def timeline(site: Site, view: TicketView) -> list[Event]:
    """What happened to the ticket by the snapshot's moment, in order."""
    _ = site._
    state = view.state
    ticket = state.ticket
    as_of = state.as_of
    name = site.snapshot.departments.name
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
    deadline = site.snapshot.rules.deadline(ticket)
    checks = {c.index: c for c in deadline.checks} if deadline else {}
    for index, extension in enumerate(ticket.extensions):
        if extension.requested > as_of:
            continue
        check = checks.get(index)
        approved = extension.approved is not None and extension.approved <= as_of
        if approved and check is not None and check.counted:
            title = _("Deadline extended to %(day)s") % {"day": site.fmt.date(extension.due)}
            note = _("approved by %(who)s on %(when)s") % {
                "who": name(extension.approved_by or ""),
                "when": site.fmt.datetime(extension.approved),
            }
        elif approved:
            title = _("Extension to %(day)s not counted") % {"day": site.fmt.date(extension.due)}
            note = _("it does not meet the board's extension rule")
        else:
            title = _("Extension to %(day)s requested") % {"day": site.fmt.date(extension.due)}
            note = _("not approved")
        events.append(Event(extension.requested, "extension", title, extension.reason, note=note))
    if not ticket.hidden:
        for reply in state.replies:
            meta = reply.meta
            note = ""
            if meta.kind == "interim" and meta.promised:
                note = _("Final reply promised by %(day)s") % {"day": site.fmt.date(meta.promised)}
            record = site.history.replies.get(reply.path) if site.history else None
            events.append(
                Event(
                    meta.date,
                    meta.kind,
                    f"{_(KIND_LABELS[meta.kind])} · {name(meta.department)}",
                    body=site.renderer.render(reply.body),
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
