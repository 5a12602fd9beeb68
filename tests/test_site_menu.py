"""The menu lists the board's own pages (content/pages) on every page, by slug ignoring
case, as Jinja's ``sort(attribute='slug')`` orders them; sorted once per build."""

from __future__ import annotations

from pathlib import Path

from conftest import BoardWriter
from sitebuild import build_site, page

# Written in this order on purpose: neither file order nor title order is the menu's.
PAGES = {"zeta.md": ("甲页", "zeta"), "beta.md": ("乙页", "Beta"), "alpha.md": ("丙页", "alpha")}


def test_the_menu_lists_content_pages_by_slug_ignoring_case(tmp_path: Path) -> None:
    board = BoardWriter(tmp_path / "board")
    board.ticket()
    for name, (title, slug) in PAGES.items():
        board.write(f"content/pages/{name}", f"Title: {title}\nSlug: {slug}\n\n正文。\n")
    out = build_site(
        board.root,
        tmp_path / "out",
        ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00",
        ANSWERABLE_SEARCH=False,
    )
    expected = [("丙页", "alpha.html"), ("乙页", "Beta.html"), ("甲页", "zeta.html")]
    # A board page, a ticket page and a content page (made by Pelican's own generator).
    for rel in ("index.html", "tickets/2026-000001.html", "zeta.html"):
        links = page(out, rel).select("nav a")
        menu = [(a.get_text(), a["href"].rsplit("/", 1)[-1]) for a in links][-3:]
        assert menu == expected, rel
