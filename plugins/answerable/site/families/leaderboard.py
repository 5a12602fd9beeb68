"""The leaderboard: every department ranked fairly, each level as a whole, and each
level's departments among themselves."""

from __future__ import annotations

from functools import partial

from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import LEVEL_LABELS, LEVEL_ORDER, N_
from answerable.site.urls import LEADERBOARD
from answerable.site.views import RowView, Site

MENU = (40, N_("Leaderboard"), LEADERBOARD)


def jobs(site: Site) -> list[Job]:
    return [Job(LEADERBOARD, partial(leaderboard, site), job_key("leaderboard", site.board_key))]


def leaderboard(site: Site) -> Page:
    _ = site._
    snapshot = site.snapshot
    departments = snapshot.departments
    levels: dict[str, list[str]] = {}
    for department in site.board.departments:
        levels.setdefault(departments.level(department.id) or "", []).append(department.id)
    per_level = [
        (
            _(LEVEL_LABELS.get(level, "")) if level else _("Other"),
            site.row_views(snapshot.table("department", only=ids)),
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
            "rows": site.row_views(site.department_table),
            "per_level": per_level,
            "by_level": [
                RowView(r, None, _(LEVEL_LABELS.get(r.key, r.key)))
                for r in snapshot.table("level").rows
            ],
            "table": site.department_table,
            "page_name": "leaderboard",
        },
    )
