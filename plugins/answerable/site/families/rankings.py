"""Rankings: departments by satisfied and by unsatisfied replies, the latest replies
rated each way, and each month's top ten."""

from __future__ import annotations

from functools import partial

from answerable.core.ranking import most
from answerable.core.stats import Period
from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import RANKINGS, report_url
from answerable.site.views import Site

MENU = (50, N_("Rankings"), RANKINGS)


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
    rated = [
        v for v in reversed(site.tickets) if v.state.rating is not None and not v.ticket.hidden
    ]
    rated.sort(key=lambda v: (v.state.rating.at, v.ticket.id), reverse=True)  # type: ignore[union-attr]
    monthly = [
        (
            site.fmt.month(year, month),
            report_url(f"{year}-{month:02d}"),
            *map(site.rows_shown, site.snapshot.top_ten(Period.parse(f"{year}-{month:02d}"))),
        )
        for year, month in reversed(site.months())
    ]
    unhappy = {v.ticket.id for v in rated if v.state.rating.value == "unsatisfied"}  # type: ignore[union-attr]
    return Page(
        RANKINGS,
        "answerable_rankings",
        {
            "satisfied": site.rows_shown(satisfied),
            "unsatisfied": site.rows_shown(unsatisfied),
            "satisfied_replies": [v for v in rated if v.ticket.id not in unhappy][:20],
            "unsatisfied_replies": [v for v in rated if v.ticket.id in unhappy][:20],
            "monthly": monthly,
            "page_name": "rankings",
        },
    )
