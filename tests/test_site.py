"""The demo board's site, built for real and read back with an HTML parser."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from sitebuild import ROOT, build_site, page

AS_OF = "2026-11-20T21:30:00+08:00"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(ROOT, tmp_path_factory.mktemp("demo") / "output")


def stats_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["stats", "--board", str(ROOT), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_ticket_has_its_page(demo_site: Path) -> None:
    ids = sorted(p.name for p in (ROOT / "tickets").glob("*/*") if p.is_dir())
    assert len(ids) >= 60
    for ticket_id in ids:
        soup = page(demo_site, f"tickets/{ticket_id}.html")
        assert soup.select_one("h1 .ticket-id").get_text() == ticket_id
        status = soup.select_one(".ticket-status .status")
        assert status is not None
        assert status.get_text(strip=True)  # the status in words, never colour alone


def _number(value: str) -> float | None:
    return None if value == "" else float(value)


def test_leaderboard_equals_stats(demo_site: Path) -> None:
    data = stats_json()
    expected = {row["name"]: row for row in data["rows"]}
    table = page(demo_site, "leaderboard.html").select("table.leaderboard")[0]
    columns = ["rank", None, "level", "received", "answered", "reply_rate", "on_time_rate",
               "median_days_to_final_reply", "overdue", "satisfaction_rate", "unsatisfied"]  # fmt: skip
    seen = []
    for tr in table.select("tbody tr"):
        name = tr.select_one("th a").get_text()
        seen.append(name)
        row = expected[name]
        cells = tr.find_all(["td", "th"])
        for column, cell in zip(columns, cells, strict=True):
            if column in (None, "level"):
                continue
            value = _number(cell.get("data-value", ""))
            key = "on_time_rank" if column == "rank" else column
            if row[key] is None:
                assert value is None, (name, column)
            else:
                assert value == pytest.approx(row[key]), (name, column)
        assert ("below-threshold" in (tr.get("class") or [])) is row["below_threshold"]
    assert seen == [row["name"] for row in data["rows"]]


def test_leaderboard_shows_hand_worked_figures(demo_site: Path) -> None:
    """An oracle beside the comparison with ``stats``: both come from one function, so
    two rows are checked against the figures worked out by hand in test_demo.py."""
    table = page(demo_site, "leaderboard.html").select("table.leaderboard")[0]
    rows = {tr.select_one("th a").get_text(): tr for tr in table.select("tbody tr")}

    def values(name: str) -> list[float | None]:
        cells = rows[name].find_all(["td", "th"])
        return [_number(cells[i].get("data-value", "")) for i in (3, 4, 5, 6, 7, 8, 9, 10)]

    # received, answered, reply rate, on-time rate, median days to final, overdue,
    # satisfaction rate, unsatisfied.
    # 青溪区住房和城乡建设局: 11 received, 1 withdrawn → 10 expected, 8 answered (8/10);
    # 6 of 8 decided on time; final replies 4 4 5 5 5 7 7 15 → median 5; 6 of 7 satisfied.
    assert values("青溪区住房和城乡建设局") == pytest.approx([11, 8, 0.8, 0.75, 5, 0, 6 / 7, 1])
    # 青川市人力资源和社会保障局: 12 received, 1 withdrawn, 1 duplicate → 10 expected, 9
    # answered; 7 on time of 10 decided (9 answered + 1 overdue); finals 0 1 1 4 4 5 5 6 7
    # → median 4; 5 of 5 satisfied.
    assert values("青川市人力资源和社会保障局") == pytest.approx([12, 9, 0.9, 0.7, 4, 1, 1.0, 0])


def test_every_page_states_its_moment(demo_site: Path) -> None:
    """The build's moment on every page, except a settled ticket's page: it says since
    when its status is final, which no later moment changes; an open or due-soon
    ticket's page: it says until when its status holds; a finished period's report,
    which shows its tickets at the end of the period; and a list or a department whose
    tickets hold all day, which says the day. The pages that show no status (the search
    page, the change log, the office's own pages) state no moment."""
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) > 100
    no_status = {"search.html", "changes.html", "about.html", "how-to-submit.html", "review.html"}
    for name in no_status:
        assert page(demo_site, name).select_one(".as-of") is None, name
    pages = [html for html in pages if html.relative_to(demo_site).as_posix() not in no_status]
    data = json.loads((demo_site / "data/tickets.json").read_text("utf-8"))
    statuses = {row["id"]: row["status"] for row in data["tickets"]}
    dues = {row["id"]: row["due"] for row in data["tickets"]}
    final = {"answered-on-time", "answered-late", "withdrawn", "duplicate"}
    settled = ended = spans = overdue = days = 0
    for html in pages:
        found = page(demo_site, str(html.relative_to(demo_site)))
        moment = found.select_one(".as-of time")
        assert moment is not None, html
        if "settled" in found.select_one(".as-of")["class"] and html.parent.name == "lists":
            # A list page of settled tickets only.
            for row in found.select("tbody tr a[href*='tickets/']"):
                assert statuses[row["href"].rsplit("/", 1)[1].removesuffix(".html")] in final
            assert moment["datetime"] <= AS_OF
        elif "day" in found.select_one(".as-of")["class"]:
            # A list or department page whose tickets hold all day: final, or overdue
            # by whole working days (the text "超期N个工作日"); it says the moment's day.
            days += 1
            assert html.parent.name in ("lists", "departments"), html
            assert moment["datetime"] == AS_OF[:10]
            for link in found.select("tbody tr a[href*='tickets/']"):
                status = statuses[link["href"].rsplit("/", 1)[1].removesuffix(".html")]
                row = link.find_parent("tr").get_text()
                assert status in final or (status == "overdue" and "个工作日" in row)
        elif html.parent.name == "reports" and html.stem != "index":
            # A report's moment: the end of its period, or now while the period lasts.
            shown = datetime.fromisoformat(moment["datetime"])
            if shown < datetime.fromisoformat(AS_OF):
                assert shown.time() == time(23, 59, 59), html
                assert (shown + timedelta(seconds=1)).day == 1, html
                ended += 1
            else:
                assert moment["datetime"] == AS_OF
            assert moment["datetime"] == found.select_one(".meta time")["datetime"]
        elif "span" in found.select_one(".as-of")["class"]:
            spans += 1
            assert html.parent.name == "tickets", html
            assert statuses[html.stem] in ("open", "due-soon"), html
            assert moment["datetime"] >= AS_OF, html
            status_line = found.select_one(".ticket-status").get_text()
            assert moment.get_text() in status_line, html
        elif "since" in found.select_one(".as-of")["class"]:
            # An overdue ticket's page: since when it is overdue (its due time).
            overdue += 1
            assert html.parent.name == "tickets", html
            assert statuses[html.stem] == "overdue", html
            assert moment["datetime"] == dues[html.stem], html
            status_line = found.select_one(".ticket-status").get_text()
            assert moment.get_text() in status_line, html
        elif "settled" in found.select_one(".as-of")["class"]:
            settled += 1
            assert html.parent.name == "tickets", html
            assert statuses[html.stem] in final, html
            assert moment["datetime"] <= AS_OF
        else:
            assert moment["datetime"] == AS_OF
            if html.parent.name == "tickets":  # unsettled: open, due soon or overdue
                assert statuses[html.stem] not in final, html
    assert settled == sum(status in final for status in statuses.values())
    assert spans == sum(status in ("open", "due-soon") for status in statuses.values())
    assert spans > 5
    assert overdue == sum(status == "overdue" for status in statuses.values())
    assert overdue > 3
    assert ended >= 3  # the demo board: September, October and the third quarter
    assert days > 0


# Pagefind 1.x writes its filter and metadata indexes in an order that varies from run
# to run (Pagefind issue #638); its fragments and word index are stable.
UNSTABLE = ("pagefind/filter/", "pagefind/pagefind-entry.json", "pagefind/pagefind.")


def test_build_is_byte_identical(demo_site: Path, tmp_path: Path) -> None:
    again = build_site(ROOT, tmp_path / "output")

    def files(root: Path) -> dict[str, bytes]:
        return {
            rel: path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file()
            and not (rel := path.relative_to(root).as_posix()).startswith(UNSTABLE)
        }

    first, second = files(demo_site), files(again)
    assert sorted(first) == sorted(second)
    assert [rel for rel in first if first[rel] != second[rel]] == []
    assert any(rel.startswith("pagefind/fragment/") for rel in first)


def test_home_tells_the_story(demo_site: Path) -> None:
    soup = page(demo_site, "index.html")
    assert soup.find("html")["lang"] == "zh-CN"
    assert soup.select_one("#overdue-h") is not None
    overdue_rows = soup.select("#overdue-h ~ table tbody tr")
    expected = stats_json()["total"]["overdue"]
    assert len([r for r in overdue_rows if r.select_one(".status-overdue")]) == min(expected, 20)


def test_status_lists_cover_every_ticket(demo_site: Path) -> None:
    listed = set()
    for html in (demo_site / "lists").glob("status-*.html"):
        for link in page(demo_site, str(html.relative_to(demo_site))).select(
            "table.tickets tbody td:first-child a"
        ):
            listed.add(link.get_text())
    ids = {p.name for p in (ROOT / "tickets").glob("*/*") if p.is_dir()}
    assert listed == ids


def test_feeds_and_sitemap(demo_site: Path) -> None:
    from xml.etree import ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    replies = ET.parse(demo_site / "feeds/replies.atom.xml").getroot()
    entries = replies.findall(f"{atom}entry")
    assert entries
    assert all(e.find(f"{atom}link").get("href").startswith("tickets/") for e in entries)
    overdue = ET.parse(demo_site / "feeds/overdue.atom.xml").getroot()
    assert len(overdue.findall(f"{atom}entry")) == stats_json()["total"]["overdue"]
    sitemap = ET.parse(demo_site / "sitemap.xml").getroot()
    locs = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "/leaderboard.html" in locs
    assert len(locs) > 100


def test_charts_are_described_and_tabulated(demo_site: Path) -> None:
    soup = page(demo_site, "departments/city-housing.html")
    svg = soup.select_one("svg.chart")
    assert svg["role"] == "img"
    assert svg.find("title").get_text()
    assert svg.find("desc").get_text()
    assert soup.select_one("table.monthly tbody tr") is not None
