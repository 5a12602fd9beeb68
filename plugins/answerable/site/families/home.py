"""The home page: this month's and year's figures, what is overdue and due soon now,
the latest replies, the top and bottom of the leaderboard."""

from __future__ import annotations

from functools import partial

from answerable.core.stats import Period
from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import HOME
from answerable.site.views import Site

MENU = (10, N_("Home"), HOME)


def jobs(site: Site) -> list[Job]:
    return [Job(HOME, partial(home, site), job_key("home", site.board_key))]


def home(site: Site) -> Page:
    snapshot = site.snapshot
    local = snapshot.rules.local_date(snapshot.as_of)
    month = Period.parse(f"{local.year}-{local.month:02d}")
    year = Period.parse(str(local.year))
    rows = [r for r in site.row_views(site.department_table) if r.row.on_time_rank is not None]
    overdue = snapshot.overdue
    due_soon = snapshot.due_soon
    return Page(
        HOME,
        "answerable_home",
        {
            "month_label": site.fmt.month(local.year, local.month),
            "year_label": str(local.year),
            "month_figures": snapshot.table("department", month).total,
            "year_figures": snapshot.table("department", year).total,
            "all_figures": site.department_table.total,
            "overdue": site.views_of(overdue[:20]),
            "overdue_count": len(overdue),
            "due_soon": site.views_of(due_soon[:20]),
            "due_soon_count": len(due_soon),
            "latest_replies": site.newest_replies(10),
            "top": rows[:3],
            "bottom": list(reversed(rows[3:]))[:3],
            "named": site.rows_shown(snapshot.below_threshold),
            "page_name": "home",
        },
    )
