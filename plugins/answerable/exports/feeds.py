"""Atom feeds: every reply, each department's replies, and the tickets overdue now."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from feedgenerator import Atom1Feed

from answerable.incremental.jobs import Job, Page, digests, job_key
from answerable.site.urls import OVERDUE_FEED, REPLIES_FEED, department_feed_url
from answerable.site.views import ReplyView, Site, TicketView

FEED_LIMIT = 100  # the newest entries; the site keeps everything


class _Feed(Atom1Feed):  # type: ignore[misc]
    """An Atom feed whose 'updated' never comes from the clock, so builds are repeatable."""

    def __init__(self, moment: datetime, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._moment = moment

    def latest_post_date(self) -> datetime:
        dates = [item.get("updateddate") or item.get("pubdate") for item in self.items]
        return max((d for d in dates if d), default=self._moment)


def _absolute(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


def _new_feed(site: Site, site_url: str, path: str, title: str) -> _Feed:
    return _Feed(
        site.snapshot.as_of,
        title=title,
        link=_absolute(site_url, "index.html"),
        description=title,
        language=site.board.locale.replace("_", "-"),
        feed_url=_absolute(site_url, path),
        feed_guid=_absolute(site_url, path),
    )


def _reply_feed(
    site: Site, site_url: str, path: str, title: str, replies: Iterable[ReplyView]
) -> str:
    feed = _new_feed(site, site_url, path, title)
    for reply in list(replies)[:FEED_LIMIT]:
        ticket = reply.ticket.ticket
        feed.add_item(
            title=f"{ticket.id} {ticket.title} · {reply.kind_label}",
            link=_absolute(site_url, reply.url),
            description=str(site.renderer.render(reply.reply.body)),
            author_name=reply.department.text,
            pubdate=reply.date,
            updateddate=reply.at,  # when it counts: merged late, it is new then
            unique_id=f"{ticket.id}/reply-{reply.number}",
        )
    return feed.writeString("utf-8")


def _overdue_feed(site: Site, site_url: str, overdue: list[TicketView]) -> str:
    _ = site._
    title = _("Overdue now: %(board)s") % {"board": site.board.name}
    feed = _new_feed(site, site_url, OVERDUE_FEED, title)
    for view in overdue[:FEED_LIMIT]:
        ticket = view.ticket
        feed.add_item(
            title=f"{ticket.id} {ticket.title}",
            link=_absolute(site_url, view.url),
            description=f"{view.department.text}: {view.deadline_text}",
            author_name=view.department.text,
            pubdate=view.state.due,
            updateddate=view.state.due,
            unique_id=f"{ticket.id}/overdue",
        )
    return feed.writeString("utf-8")


def jobs(site: Site) -> list[Job]:
    """Every feed of the site, one job each, keyed by the entries it holds."""
    _ = site._
    site_url = site.feed_url
    wanted = [(REPLIES_FEED, site.board.name, site.newest_replies(FEED_LIMIT))]
    newest = site.newest_replies_by_department(FEED_LIMIT)
    for department in site.board.departments:
        wanted.append(
            (department_feed_url(department.id), department.name, newest.get(department.id, []))
        )
    made = []
    for path, name, replies in wanted:
        title = _("Replies: %(board)s") % {"board": name}
        make = partial(
            lambda p, t, r: Page(p, "", {}, _reply_feed(site, site_url, p, t, r)),
            path,
            title,
            replies,
        )
        # A feed is as new as its newest reply; only an empty one takes the moment.
        made.append(
            Job(
                path,
                make,
                job_key("feed", path, title, [(r.ticket.digest, r.number) for r in replies]),
                timeless=bool(replies),
            )
        )
    overdue = site.views_of(site.snapshot.overdue[:FEED_LIMIT])
    make = partial(lambda o: Page(OVERDUE_FEED, "", {}, _overdue_feed(site, site_url, o)), overdue)
    made.append(Job(OVERDUE_FEED, make, job_key("overdue", digests(v.digest for v in overdue))))
    return made
