"""Rankings: departments by satisfied and by unsatisfied replies, the latest replies
rated each way, and each month's top ten."""

from __future__ import annotations

import heapq
from functools import partial

from answerable.core.ranking import most
from answerable.core.stats import Period
from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import RANKINGS, report_url
from answerable.site.views import Site, TicketRow, TicketView

MENU = (50, N_("Rankings"), RANKINGS)
LATEST = 20  # rated replies listed each way


def jobs(site: Site) -> list[Job]:
    return [Job(RANKINGS, partial(rankings, site), job_key("rankings", site.board_key))]


def rankings(site: Site) -> Page:
    rows = site.department_table.rows
    satisfied = most(
        rows,
        lambda r: r.figures.satisfied_total,
        tie=lambda r: -(r.figures.satisfaction_rate or 0),
    )
    unsatisfied = most(
        rows, lambda r: r.figures.unsatisfied, tie=lambda r: r.figures.satisfaction_rate or 0
    )
    happy: list[TicketRow] = []
    unhappy: list[TicketRow] = []
    for row in site.rows:
        rating = row.state.rating
        if rating is not None and not row.hidden:
            (unhappy if rating.value == "unsatisfied" else happy).append(row)
    monthly = [
        (
            site.fmt.month(year, month),
            report_url(f"{year}-{month:02d}"),
            *map(site.rows_shown, site.snapshot.top_ten(Period.parse(f"{year}-{month:02d}"))),
        )
        for year, month in reversed(site.months())
    ]
    return Page(
        RANKINGS,
        "answerable_rankings",
        {
            "satisfied": site.rows_shown(satisfied),
            "unsatisfied": site.rows_shown(unsatisfied),
            "satisfied_replies": _latest(site, happy),
            "unsatisfied_replies": _latest(site, unhappy),
            "monthly": monthly,
            "page_name": "rankings",
        },
    )


def _latest(site: Site, rows: list[TicketRow]) -> list[TicketView]:
    """The twenty most recently rated, newest first: picked, not every rating sorted."""
    chosen = heapq.nlargest(LATEST, rows, key=lambda r: (r.state.rating.at, r.id))  # type: ignore[union-attr]
    return [site.view(row.id) for row in chosen]
