"""The demo site in a real Chromium: navigation, search, sorting, and screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium, serve
from sitebuild import ROOT, build_site

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# A word from the message of demo ticket 2026-000001, and that ticket.
SEARCH_WORD = "划片"
SEARCH_TICKET = "2026-000001"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(ROOT, tmp_path_factory.mktemp("browser") / "output")


def test_home_to_department_to_ticket(site: Path) -> None:
    with serve(site) as base, chromium() as browser:
        tab = browser.new_page()
        console: list[str] = []
        tab.on("console", lambda message: console.append(message.text))
        tab.goto(f"{base}/index.html")
        # The Content-Security-Policy lets the site's own stylesheet apply.
        assert "system-ui" in tab.evaluate("getComputedStyle(document.body).fontFamily")
        tab.get_by_role("navigation", name="主导航").get_by_role("link", name="承办单位").click()
        tab.get_by_role("link", name="青川市住房和城乡建设局").first.click()
        assert tab.url.endswith("/departments/city-housing.html")
        assert tab.get_by_role("heading", level=1).inner_text() == "青川市住房和城乡建设局"
        first = tab.locator("table.tickets tbody tr td:first-child a").first
        ticket_id = first.inner_text()
        first.click()
        assert tab.url.endswith(f"/tickets/{ticket_id}.html")
        assert ticket_id in tab.get_by_role("heading", level=1).inner_text()
        assert tab.locator(".ticket-status .status").inner_text().strip()
        assert [m for m in console if "Content Security Policy" in m] == []


def test_search_finds_a_ticket_by_a_chinese_word(site: Path) -> None:
    message = (ROOT / f"tickets/2026/{SEARCH_TICKET}/ticket.yaml").read_text("utf-8")
    assert SEARCH_WORD in message
    with serve(site) as base, chromium() as browser:
        tab = browser.new_page()
        tab.goto(f"{base}/search.html")
        tab.locator(".pagefind-ui__search-input").fill(SEARCH_WORD)
        results = tab.locator(".pagefind-ui__result-link")
        results.first.wait_for(timeout=15_000)
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
        assert any(f"{SEARCH_TICKET}.html" in (href or "") for href in hrefs), hrefs


SEARCH_JS = """async ([word, filters]) => {
    const pagefind = await import(new URL("pagefind/pagefind.js", document.baseURI).href);
    const search = await pagefind.search(word, {filters});
    const pages = await Promise.all(search.results.map((r) => r.data()));
    return pages.map((page) => page.url);
}"""


def test_search_filters_by_department_category_status_and_month(site: Path) -> None:
    word = "物业"
    with serve(site) as base, chromium() as browser:
        tab = browser.new_page()
        tab.goto(f"{base}/search.html")
        everything = set(tab.evaluate(SEARCH_JS, [word, {}]))
        assert len(everything) >= 5
        for key, value in [
            ("承办单位", "青溪区住房和城乡建设局"),
            ("分类", "城乡建设"),
            ("状态", "按期办结"),
            ("月份", "2026年10月"),
        ]:
            narrowed = set(tab.evaluate(SEARCH_JS, [word, {key: value}]))
            assert narrowed, key
            assert narrowed <= everything
            for url in narrowed:
                tab.goto(f"{base}{url}")
                facts = tab.locator("article.ticket").inner_text()
                assert value in facts, (key, value, url)
            tab.goto(f"{base}/search.html")
        qingxi = set(tab.evaluate(SEARCH_JS, [word, {"承办单位": "青溪区住房和城乡建设局"}]))
        assert qingxi < everything  # the filter really narrows


def _column(tab: object, index: int) -> list[str]:
    cells = tab.locator(f"table.leaderboard >> nth=0 >> tbody tr td:nth-child({index})")  # type: ignore[attr-defined]
    return [cells.nth(i).get_attribute("data-value") or "" for i in range(cells.count())]


def test_leaderboard_sorts_with_javascript(site: Path) -> None:
    with serve(site) as base, chromium() as browser:
        tab = browser.new_page()
        tab.goto(f"{base}/leaderboard.html")
        table = tab.locator("table.leaderboard").first
        table.locator("thead th").nth(3).get_by_role("button").click()  # received
        received = [int(v) for v in _column(tab, 4)]
        assert received == sorted(received)
        table.locator("thead th").nth(3).get_by_role("button").click()
        received = [int(v) for v in _column(tab, 4)]
        assert received == sorted(received, reverse=True)
        assert table.locator("thead th").nth(3).get_attribute("aria-sort") == "descending"


def test_leaderboard_reads_without_javascript(site: Path) -> None:
    with serve(site) as base, chromium() as browser:
        tab = browser.new_context(java_script_enabled=False).new_page()
        tab.goto(f"{base}/leaderboard.html")
        table = tab.locator("table.leaderboard").first
        assert table.locator("thead th button").count() == 0  # plain headers, nothing broken
        rows = table.locator("tbody tr")
        assert rows.count() >= 12
        assert "%" in rows.first.inner_text()
        tab.goto(f"{base}/search.html")
        assert tab.locator("noscript").count() == 1


# Where each main element of a page lies, and how far the page overflows sideways.
LAYOUT_JS = """(selector) => {
    const width = document.documentElement.clientWidth;
    const items = [...document.querySelectorAll(selector)].map((el) => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return {
            text: el.textContent.trim(),
            left: box.left, right: box.right, width: box.width, height: box.height,
            hidden: style.visibility !== "visible" || style.display === "none"
                || Number(style.opacity) === 0,
        };
    });
    return {width, overflow: document.documentElement.scrollWidth - width, items};
}"""
# The heading and key figures each page must show, and how many of them.
KEY = {
    "home": ("h1, dl.figures dd", 1 + 12),  # two sets of six figures: this month, this year
    "ticket": ("h1, .ticket-status .status", 2),
    "department": ("h1, dl.figures dd", 1 + 6),
    "leaderboard": ("h1, table.leaderboard tbody tr:first-child th", None),
    "rankings": ("h1", 1),
    "report": ("h1, dl.figures dd", None),
}


def test_main_pages_fit_phone_and_desktop_and_show_their_figures(site: Path) -> None:
    """At 360 and 1280 px: no sideways scrolling of the page, and the heading and key
    figures are shown, each inside the viewport's width; screenshots are kept for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": "index.html",
        "ticket": f"tickets/{SEARCH_TICKET}.html",
        "department": "departments/city-housing.html",
        "leaderboard": "leaderboard.html",
        "rankings": "rankings.html",
        "report": "reports/2026-11.html",
    }
    problems = []
    with serve(site) as base, chromium() as browser:
        for width, name in ((1280, "desktop"), (360, "phone")):
            tab = browser.new_page(viewport={"width": width, "height": 900})
            for label, rel in pages.items():
                tab.goto(f"{base}/{rel}")
                selector, count = KEY[label]
                layout = tab.evaluate(LAYOUT_JS, selector)
                where = f"{label} at {width} px"
                assert layout["width"] == width, where  # no scroll bar eats the width
                if layout["overflow"] > 0:
                    problems.append(f"{where}: page {layout['overflow']} px wider than the screen")
                items = layout["items"]
                assert items, f"{where}: nothing matches {selector}"
                if count is not None:
                    assert len(items) == count, (where, [i["text"] for i in items])
                for item in items:
                    if item["hidden"] or item["width"] <= 0 or item["height"] <= 0:
                        problems.append(f"{where}: {item['text']!r} is not shown")
                    elif item["left"] < 0 or item["right"] > width + 0.5:
                        problems.append(
                            f"{where}: {item['text']!r} lies outside the screen "
                            f"({item['left']:.0f}..{item['right']:.0f} px)"
                        )
                tab.screenshot(path=str(SCREENSHOTS / f"{label}-{name}.png"), full_page=True)
    assert problems == []
