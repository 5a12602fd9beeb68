"""The search page: the search itself runs in the reader's browser (Pagefind)."""

from __future__ import annotations

from functools import partial

from answerable.incremental.jobs import Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import SEARCH

MENU = (80, N_("Search"), SEARCH)


def jobs(_site: object) -> list[Job]:
    # It shows no status: no moment on it, and the same page at every moment.
    context = {"page_name": "search", "as_of": None}
    return [
        Job(
            SEARCH,
            partial(Page, SEARCH, "answerable_search", context),
            job_key("search"),
            timeless=True,
        )
    ]
