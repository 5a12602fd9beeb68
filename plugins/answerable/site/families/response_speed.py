"""Response speed: departments by the median working days from receipt to final reply,
fastest first; a department with fewer final replies than the board's minimum is listed
apart, not ranked, and every department shows how many replies its figure rests on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from answerable.core.stats import Row
from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.views import RowView, Site

RESPONSE_SPEED = "response-speed.html"
MENU = (55, N_("Response speed"), RESPONSE_SPEED)


@dataclass(frozen=True, slots=True)
class Speed:
    place: int | None
    """Shared by departments with the same median (1, 2, 2, 4); None when not ranked."""
    row: Row

    @property
    def median(self) -> float | None:
        return self.row.figures.median_days_to_final_reply

    @property
    def replies(self) -> int:
        """Final replies counted: the sample the median rests on."""
        return len(self.row.figures.days_to_final_reply)


def by_speed(rows: Iterable[Row], minimum: int) -> tuple[list[Speed], list[Speed]]:
    """The ranked departments, fastest median first, and those with fewer than
    ``minimum`` final replies, most replies first. Equal medians share a place and list
    the larger sample first; the rest keep the order of ``rows``."""
    order = list(rows)
    position = {row.key: index for index, row in enumerate(order)}
    samples = [Speed(None, row) for row in order]
    eligible = sorted(
        (s for s in samples if s.replies >= minimum and s.replies > 0),
        key=lambda s: (s.median, -s.replies, position[s.row.key]),
    )
    ranked: list[Speed] = []
    for index, speed in enumerate(eligible, start=1):
        same = ranked and ranked[-1].median == speed.median
        ranked.append(Speed(ranked[-1].place if same else index, speed.row))
    apart = sorted(
        (s for s in samples if s.replies < minimum or s.replies == 0),
        key=lambda s: (-s.replies, position[s.row.key]),
    )
    return ranked, apart


def jobs(site: Site) -> list[Job]:
    key = job_key("response speed", site.board_key)
    return [Job(RESPONSE_SPEED, partial(response_speed, site), key)]


def response_speed(site: Site) -> Page:
    board_order = [d.id for d in site.board.departments]
    rows = {row.key: row for row in site.department_table.rows}
    ordered = [rows[key] for key in board_order if key in rows]
    ordered += [row for key, row in rows.items() if key not in board_order]
    ranked, apart = by_speed(ordered, site.board.min_ranked)
    return Page(
        RESPONSE_SPEED,
        "answerable_response_speed",
        {
            "ranked": _shown(site, ranked),
            "apart": _shown(site, apart),
            "min_ranked": site.board.min_ranked,
            "page_name": "response-speed",
        },
    )


def _shown(site: Site, speeds: Sequence[Speed]) -> list[tuple[Speed, RowView]]:
    views = site.rows_shown(speed.row for speed in speeds)
    return list(zip(speeds, views, strict=True))
