"""The interface speaks the board's language: Chinese by default, English with locale: en."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import BoardWriter
from sitebuild import ROOT, build_site, page

LOCALE = ROOT / "plugins/answerable/locale"


def _board(root: Path, locale: str) -> BoardWriter:
    board = BoardWriter(root)
    text = (root / "board.yaml").read_text("utf-8").replace("locale: zh_CN", f"locale: {locale}")
    board.write("board.yaml", text)
    board.ticket()
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    board.ticket("2026-000002", received="2026-11-09T10:00:00+08:00")
    return board


@pytest.mark.parametrize(
    ("locale", "lang", "overdue", "date"),
    [("en", "en", "Overdue", "November 2, 2026"), ("zh_CN", "zh-CN", "已超期", "2026年11月2日")],
)
def test_interface_language(
    tmp_path: Path, locale: str, lang: str, overdue: str, date: str
) -> None:
    board = _board(tmp_path / "board", locale)
    out = build_site(board.root, tmp_path / "out", ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00")
    soup = page(out, "tickets/2026-000002.html")
    assert soup.find("html")["lang"] == lang
    assert soup.select_one(".ticket-status .status").get_text(strip=True) == overdue
    assert date in page(out, "tickets/2026-000001.html").select_one(".facts time").get_text()


def test_catalog_is_complete_and_in_sync() -> None:
    with (LOCALE / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    with (LOCALE / "zh_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        m.id
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    assert template - translated == set(), "translate these in zh_CN/LC_MESSAGES/messages.po"


def test_template_lists_every_message(tmp_path: Path) -> None:
    from babel.messages.frontend import CommandLineInterface

    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "_n:1,2",
         "--no-location", "--sort-output", "--omit-header", "-o", str(fresh), str(ROOT)]
    )  # fmt: skip
    with fresh.open("rb") as handle:
        now = {m.id for m in read_po(handle) if m.id}
    with (LOCALE / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert now == committed, "run the pybabel extract command in docs/translations.md"
