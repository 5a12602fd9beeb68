"""The search page: the search itself runs in the reader's browser (Pagefind)."""

from __future__ import annotations

from functools import partial

from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import SEARCH

MENU = (80, N_("Search"), SEARCH)


def jobs(_site: object) -> list[Job]:
    return [
        Job(
            SEARCH,
            partial(Page, SEARCH, "answerable_search", {"page_name": "search"}),
            job_key("search"),
        )
    ]
