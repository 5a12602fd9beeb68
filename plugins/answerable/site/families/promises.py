"""What the board promises: its deadlines per type, the extension rule, the status
colours and the satisfaction threshold, all from board.yaml."""

from __future__ import annotations

from functools import partial

from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import PROMISES
from answerable.site.views import Site

MENU = (70, N_("Our promises"), PROMISES)


def jobs(site: Site) -> list[Job]:
    # board.yaml is part of every page's key already: this page reads nothing else.
    return [Job(PROMISES, partial(promises, site), job_key("promises"))]


def promises(site: Site) -> Page:
    board = site.board
    policies = board.policies
    types = [
        (t.name, policies.for_type(t.id).due if policies.for_type(t.id) else None)  # type: ignore[union-attr]
        for t in board.types
    ]
    return Page(
        PROMISES,
        "answerable_promises",
        {
            "types": types,
            "urgent": policies.urgent.due if policies.urgent else None,
            "longest_extension": policies.longest_extension,
            "warn_before": board.warn_before,
            "threshold": board.satisfaction_threshold,
            "min_ranked": board.min_ranked,
            "calendar": board.calendar,
            "page_name": "promises",
        },
    )
