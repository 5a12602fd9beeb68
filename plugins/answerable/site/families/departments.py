"""The tree of departments, and a page for each: its figures and rank, a monthly chart,
its latest tickets."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from answerable.core.stats import Figures
from answerable.incremental.jobs import Job, Page, digests, job_key
from answerable.site.charts import Bar, monthly_chart
from answerable.site.labels import LEVEL_LABELS, N_
from answerable.site.urls import DEPARTMENTS, department_feed_url, department_url, list_url
from answerable.site.views import RowView, Site, group_by

MENU = (30, N_("Departments"), DEPARTMENTS)


def jobs(site: Site) -> list[Job]:
    made = [
        Job(DEPARTMENTS, partial(departments_index, site), job_key("departments", site.board_key))
    ]
    for department in site.board.departments:
        key = _department_key(site, department.id)
        # All its tickets hold all day: the page says the day, and the rebuilds of the
        # same day leave it as it is.
        day = site.day_held(site.by_department.get(department.id, []))
        made.append(
            Job(
                department_url(department.id),
                partial(department_page, site, department.id, day),
                key if day is None else job_key(key, day),
                timeless=day is not None,
            )
        )
    return made


def _department_key(site: Site, department_id: str) -> bytes:
    """A department's page shows its own tickets, its row (ranks read the other rows)
    and one chart bar per month of the board."""
    row = next((r for r in site.department_table.rows if r.key == department_id), None)
    mine = digests(row.digest for row in site.by_department.get(department_id, []))
    return job_key("department", department_id, repr(row), mine, site.months())


def departments_index(site: Site) -> Page:
    departments = site.snapshot.departments
    rows = {r.key: r for r in site.department_table.rows}
    board = site.board

    def tree(parent: str | None) -> list[dict[str, Any]]:
        ids = (
            [d.id for d in board.departments if d.parent == parent]
            if parent
            else [
                d.id for d in board.departments if d.parent is None or d.parent not in departments
            ]
        )
        return [
            {"link": site.department_link(i), "row": rows.get(i), "children": tree(i)} for i in ids
        ]

    return Page(
        DEPARTMENTS, "answerable_departments", {"tree": tree(None), "page_name": "departments"}
    )


def department_page(site: Site, department_id: str, day: date | None = None) -> Page:
    _ = site._
    departments = site.snapshot.departments
    department = departments.by_id[department_id]
    row = next(r for r in site.department_table.rows if r.key == department_id)
    mine = site.by_department.get(department_id, [])
    by_month = group_by(mine, lambda r: r.month_key)
    monthly = []
    for year, month in site.months():
        in_month = [r.state for r in by_month.get(f"{year}-{month:02d}", [])]
        figures = Figures.of(in_month)
        monthly.append((site.fmt.month(year, month), figures))
    chart = monthly_chart(
        f"chart-{department_id}",
        _("Messages received and on-time rate per month"),
        _("Bars: messages received each month. Dots: share of decided messages answered on time."),
        [Bar(label, f.received, f.on_time_rate) for label, f in monthly],
        _("On-time rate"),
    )
    parent = department.parent if department.parent in departments else None
    level = departments.level(department_id)
    return Page(
        department_url(department_id),
        "answerable_department",
        {
            "department": department,
            "level": _(LEVEL_LABELS.get(level or "", "")) if level else "",
            "row": RowView(row, None, ""),
            "parent": site.department_link(parent) if parent else None,
            "children": [
                site.department_link(c) for c in departments.children.get(department_id, [])
            ],
            "tickets": [site.view(row.id) for row in mine[:20]],
            "ticket_count": len(mine),
            "all_tickets": list_url("department", department_id),
            "feed": department_feed_url(department_id),
            "monthly": monthly,
            "chart": chart,
            "page_name": "department",
            **({"as_of": None, "statuses_on": day} if day is not None else {}),
        },
    )
