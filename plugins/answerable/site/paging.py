"""Long lists cut into pages, and the pager that links them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from answerable.site.urls import list_url

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int
    count: int
    previous: str | None
    next: str | None
    pages: list[tuple[int | None, str]]
    """The pages the pager links to, in order; (None, "") where it skips some."""


def pager_numbers(number: int, count: int) -> list[int | None]:
    """The pages page ``number`` of ``count`` links to: the first and last, its
    neighbours, and those 10, 100, 1,000… pages away, with None for each gap.

    Any page is then a few clicks away, and a page links to a few dozen pages at most.
    Linking every page made each page of a long list as long as the list (135 KB of
    links at 100,000 tickets) and the whole list quadratic to build.
    """
    wanted = {1, count, *range(number - 2, number + 3)}
    step = 10
    while step < count:
        wanted.update((number - step, number + step))
        step *= 10
    numbers: list[int | None] = []
    last = 0
    for n in sorted(n for n in wanted if 1 <= n <= count):
        if n > last + 1 and last:
            numbers.append(None)
        numbers.append(n)
        last = n
    return numbers


def paginate(
    kind: str, key: str, items: Sequence[T], per_page: int
) -> Iterator[tuple[Sequence[T], int, int, str]]:
    """The pages of list ``kind``-``key``: each page's items, its number, the number of
    pages and its address (its pager: ``pagination``, made for the pages rendered only).

    Pages are cut from the oldest end: every page but the first holds per_page items,
    the first the newest per_page to 2 × per_page - 1. A new or newly answered message
    then moves the first pages only, not every page after it; the count, and so every
    page, changes once in per_page.
    """
    count = max(1, len(items) // per_page)
    first = len(items) - (count - 1) * per_page
    for number in range(1, count + 1):
        start = 0 if number == 1 else first + (number - 2) * per_page
        chunk = items[start : first + (number - 1) * per_page]
        yield chunk, number, count, list_url(kind, key, number)


def pagination(kind: str, key: str, number: int, count: int) -> Pagination:
    """The pager of page ``number`` of ``count`` of list ``kind``-``key``."""
    return Pagination(
        number,
        count,
        list_url(kind, key, number - 1) if number > 1 else None,
        list_url(kind, key, number + 1) if number < count else None,
        [(n, list_url(kind, key, n) if n else "") for n in pager_numbers(number, count)],
    )
