"""The response speed page: departments by median working days from receipt to final
reply, fastest first; too few final replies are listed apart, not ranked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from answerable.core.stats import Figures, Row
from answerable.site.families.response_speed import by_speed
from answerable.staff.scaffold import pelican_settings
from conftest import BoardWriter
from sitebuild import build_site, page

AS_OF = "2026-11-20T12:00:00+08:00"
# Mondays of November 2026; no holiday falls in these weeks on the CN calendar.
MON_2, MON_9 = "2026-11-02T09:00:00+08:00", "2026-11-09T09:00:00+08:00"


def small_board(root: Path) -> BoardWriter:
    """min_ranked is 2 (conftest). Working days counted after the day of receipt:

    - district: received Mon 9th, replied Tue 10th (1) and Wed 11th (2): median 1.5 of 2;
    - housing: received Mon 2nd, replied Tue 3rd (1), Thu 5th (3), Tue 10th (6: 3, 4, 5,
      6, 9, 10): median 3 of 3;
    - city: received Mon 2nd, replied Wed 4th (2) and Fri 6th (4): median 3 of 2, the
      same as housing, so the same place, after housing's larger sample;
    - district-street: one final reply, Tue 3rd (1), and one message still open: 1 of 1,
      below the minimum, so listed apart.
    """
    board = BoardWriter(root)
    replies = [
        ("district", MON_9, "2026-11-10"),
        ("district", MON_9, "2026-11-11"),
        ("housing", MON_2, "2026-11-03"),
        ("housing", MON_2, "2026-11-05"),
        ("housing", MON_2, "2026-11-10"),
        ("city", MON_2, "2026-11-04"),
        ("city", MON_2, "2026-11-06"),
        ("district-street", MON_2, "2026-11-03"),
    ]
    for number, (department, received, replied) in enumerate(replies, start=1):
        ticket_id = f"2026-{number:06d}"
        board.ticket(ticket_id, received=received, department=department)
        board.reply(ticket_id, 1, f"{replied}T16:00:00+08:00", department=department)
    board.ticket("2026-000009", received=MON_9, department="district-street")
    return board


def table(soup: object, index: int) -> list[list[str]]:
    rows = soup.select("main table.ranking")[index].select("tbody tr")  # type: ignore[attr-defined]
    return [[cell.get_text(strip=True) for cell in row.select("td, th")] for row in rows]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("speed")
    board = small_board(root / "board")
    return build_site(board.root, root / "out", ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False)


def test_departments_are_ranked_by_median_days_to_the_final_reply(site: Path) -> None:
    soup = page(site, "response-speed.html")
    assert soup.select_one("h1").get_text() == "答复速度排行"
    assert table(soup, 0) == [
        ["1", "东区人民政府", "1.5", "2"],
        ["2", "测试市住房和城乡建设局", "3", "3"],
        ["2", "测试市人民政府办公室", "3", "2"],
    ]
    assert table(soup, 1) == [["东区某街道办事处", "1", "1"]]
    assert "少于2件" in soup.select_one("main").get_text()


def test_the_page_is_in_the_navigation_and_the_sitemap(site: Path) -> None:
    for rel in ("index.html", "tickets/2026-000001.html", "response-speed.html"):
        links = [
            (a.get_text(), a["href"].rsplit("/", 1)[-1]) for a in page(site, rel).select("nav a")
        ]
        # Right after the other rankings (its order, 55, is between 50 and 60).
        after = links[[url for _, url in links].index("rankings.html") + 1]
        assert after == ("答复速度排行", "response-speed.html"), rel
    assert "/response-speed.html</loc>" in (site / "sitemap.xml").read_text("utf-8")


def _row(key: str, days: tuple[int, ...]) -> Row:
    return Row(key, key, Figures(days_to_final_reply=days), None, None, False)


def test_ties_share_a_place_and_small_samples_are_listed_apart() -> None:
    rows = [
        _row("a", (4, 4)),  # median 4 of 2
        _row("b", (1, 9, 2)),  # median 2 of 3
        _row("c", (2, 2)),  # median 2 of 2: b's place, after b
        _row("d", (1,)),  # 1 of 1: apart
        _row("e", ()),  # no final reply: apart, last
        _row("f", (3, 3, 0)),  # median 3 of 3
        _row("g", (0,)),  # 1 of 1, after d in the order given
    ]
    ranked, apart = by_speed(rows, minimum=2)
    assert [(s.place, s.row.key, s.median, s.replies) for s in ranked] == [
        (1, "b", 2, 3),
        (1, "c", 2, 2),
        (3, "f", 3, 3),
        (4, "a", 4, 2),
    ]
    assert [(s.place, s.row.key, s.replies) for s in apart] == [
        (None, "d", 1),
        (None, "g", 1),
        (None, "e", 0),
    ]


def test_an_incremental_rebuild_equals_a_cold_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = small_board(tmp_path / "board")
    board.write("content/pages/about.md", "Title: 关于\nSlug: about\n\n正文。\n")
    settings = board.root / "pelicanconf.py"
    text = pelican_settings(name="test", office="test", timezone="Asia/Shanghai", locale="zh_CN")
    settings.write_text(text + "\nANSWERABLE_SEARCH = False\nANSWERABLE_HISTORY = False\n")

    def build(output: Path, *extra: str) -> dict[str, bytes]:
        args = [*extra, "build", "--board", str(board.root), "--settings", str(settings)]
        args += ["--output", str(output), "--as-of", AS_OF]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return {
            p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted(output.rglob("*"))
            if p.is_file()
        }

    output = tmp_path / "site"
    before = build(output)
    # A second final reply for district-street: received Mon 9th, replied Thu 12th (3:
    # 10, 11, 12). 2 replies, median 2, now ranked between district (1.5) and housing
    # and city (3).
    board.reply("2026-000009", 1, "2026-11-12T16:00:00+08:00", department="district-street")
    after = build(output)
    assert after["response-speed.html"] != before["response-speed.html"]
    assert table(page(output, "response-speed.html"), 0) == [
        ["1", "东区人民政府", "1.5", "2"],
        ["2", "东区某街道办事处", "2", "2"],
        ["3", "测试市住房和城乡建设局", "3", "3"],
        ["3", "测试市人民政府办公室", "3", "2"],
    ]
    monkeypatch.setenv("ANSWERABLE_CACHE_DIR", str(tmp_path / "fresh-cache"))
    shutil.rmtree(tmp_path / "cold", ignore_errors=True)
    assert build(tmp_path / "cold", "--no-cache") == after
