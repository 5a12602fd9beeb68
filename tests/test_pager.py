"""Long lists: each page links to a few pages, and every page stays a few clicks away."""

from __future__ import annotations

import re
from collections import deque
from itertools import pairwise
from pathlib import Path

import pytest

from answerable.site.paging import pager_numbers
from sitebuild import ROOT, build_site, page


def clicks_from_first(count: int) -> dict[int, int]:
    """How many pager clicks each page of a list of ``count`` pages is from page 1."""
    seen = {1: 0}
    todo = deque([1])
    while todo:
        number = todo.popleft()
        for n in pager_numbers(number, count):
            if n is not None and n not in seen:
                seen[n] = seen[number] + 1
                todo.append(n)
    return seen


@pytest.mark.parametrize("count", [1, 2, 7, 13, 99, 100, 101, 2000, 12345])
def test_pager_links_a_few_pages_and_reaches_all(count: int) -> None:
    digits = len(str(count))
    for number in {n for n in (1, 2, count // 2, count - 1, count) if 1 <= n <= count}:
        shown = pager_numbers(number, count)
        numbers = [n for n in shown if n is not None]
        assert numbers == sorted(set(numbers)), shown
        assert {1, count, number} <= set(numbers)
        assert {number - 1, number + 1} & set(range(1, count + 1)) <= set(numbers)
        # A gap marks every skip, and only skips.
        for before, after in pairwise(shown):
            assert before is not None or after is not None
            if before is not None and after is not None:
                assert after == before + 1
        for before, gap, after in zip(shown, shown[1:], shown[2:], strict=False):
            if gap is None:
                assert after > before + 1  # type: ignore[operator]
        # First, last, two either side, and one each way per power of ten.
        assert len(numbers) <= 7 + 2 * (digits - 1)
    clicks = clicks_from_first(count)
    assert sorted(clicks) == list(range(1, count + 1))
    assert max(clicks.values()) <= 1 + 5 * digits


def test_middle_of_a_long_list() -> None:
    assert pager_numbers(524, 1524) == [
        1, None, 424, None, 514, None, 522, 523, 524, 525, 526, None, 534, None, 624, None, 1524,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def one_per_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("pager") / "output"
    return build_site(ROOT, output, ANSWERABLE_PER_PAGE=1, ANSWERABLE_SEARCH=False)


def test_built_pager_reaches_every_page(one_per_page: Path) -> None:
    """One ticket per page makes the demo's answered list dozens of pages long; reading
    only the pager's links from its first page reaches every one of them."""
    first = "lists/status-answered.html"
    count = len(list((one_per_page / "lists").glob("status-answered*.html")))
    assert count > 40
    seen = {first}
    todo = [first]
    gaps = 0
    while todo:
        rel = todo.pop()
        soup = page(one_per_page, rel)
        pager = soup.select_one("nav.pager")
        assert pager is not None, rel
        number = int(pager.select_one("[aria-current=page]").get_text())
        shown = [
            None if "gap" in (li.get("class") or []) else int(re.sub(r"\D", "", li.get_text()))
            for li in pager.select("li")
            if not li.select_one("a[rel]")  # previous and next
        ]
        assert shown == pager_numbers(number, count), rel
        assert all(li.get("aria-hidden") == "true" for li in pager.select("li.gap"))
        gaps += len(pager.select("li.gap"))
        for link in pager.select("a[href]"):
            target = link["href"].removeprefix("../")
            assert (one_per_page / target).is_file(), target
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert len(seen) == count
    assert gaps > 0  # long enough that pages skip some
