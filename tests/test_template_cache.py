"""Compiled templates are kept between builds, and a kept template never speaks another
board's language: the fixed texts of a page are written into its compiled code."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import jinja2
import pytest

from answerable.site.i18n import translations
from conftest import BoardWriter, board_in
from sitebuild import ROOT, build_site, page

AS_OF = "2026-11-20T12:00:00+08:00"
SKIP = "Skip to content"  # the first text of every page (base.html)


def _build(
    monkeypatch: pytest.MonkeyPatch, board: BoardWriter, out: Path, cache: Path
) -> dict[str, bytes]:
    monkeypatch.setenv("ANSWERABLE_CACHE_DIR", str(cache))
    build_site(board.root, out, ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False)
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _languages(out: Path, files: dict[str, bytes]) -> set[tuple[str, str]]:
    """(lang attribute, skip-link text) of every page the board's templates made."""
    found = set()
    for rel in files:
        if rel.endswith(".html"):
            soup = page(out, rel)
            skip = soup.select_one("a.skip")
            assert skip is not None, rel
            found.add((soup.find("html")["lang"], skip.get_text()))
    return found


class Compiles:
    """Counts the theme's templates Jinja compiles from source (the real compiler runs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        real = jinja2.Environment.compile

        def counting(env: jinja2.Environment, source: object, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
            if name is not None:
                self.names.append(name)
            return real(env, source, name, *a, **k)

        monkeypatch.setattr(jinja2.Environment, "compile", counting)


def test_a_chinese_then_an_english_board_share_one_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "cache"
    zh_board = board_in(tmp_path / "zh-board", "zh_CN")
    en_board = board_in(tmp_path / "en-board", "en")
    chinese = translations("zh_CN").gettext(SKIP)
    assert chinese != SKIP

    zh = _build(monkeypatch, zh_board, tmp_path / "zh", shared)
    folder = shared / "templates"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    kept_after_zh = set(folder.iterdir())
    assert len(kept_after_zh) >= 10  # the theme's pages and Pelican's own

    en = _build(monkeypatch, en_board, tmp_path / "en", shared)
    assert _languages(tmp_path / "zh", zh) == {("zh-CN", chinese)}
    assert _languages(tmp_path / "en", en) == {("en", SKIP)}
    # English texts are kept beside the Chinese, not in their place.
    assert kept_after_zh < set(folder.iterdir())

    # Each equals a build that compiled everything afresh.
    assert en == _build(monkeypatch, en_board, tmp_path / "en-cold", tmp_path / "cold-cache")
    compiles = Compiles(monkeypatch)
    assert zh == _build(monkeypatch, zh_board, tmp_path / "zh-again", shared)
    # ... and the second Chinese build compiled none of the board's templates.
    theme = {p.name for p in (ROOT / "plugins/answerable/theme/templates").iterdir()}
    assert "base.html" in theme
    assert [name for name in compiles.names if name in theme] == []


def test_a_changed_template_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja keys a kept template by its source too: a theme whose template changed in
    place is compiled again, not served from the cache."""
    board = board_in(tmp_path / "board", "zh_CN")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "plugins/answerable/theme", theme)
    monkeypatch.setenv("ANSWERABLE_CACHE_DIR", str(tmp_path / "cache"))
    settings = {"ANSWERABLE_AS_OF": AS_OF, "ANSWERABLE_SEARCH": False, "THEME": str(theme)}
    before = build_site(board.root, tmp_path / "before", **settings)
    assert "<main id=" in (before / "index.html").read_text("utf-8")
    base = theme / "templates/base.html"
    base.write_text(base.read_text("utf-8").replace("<main id=", "<main data-x=1 id="), "utf-8")
    after = build_site(board.root, tmp_path / "after", **settings)
    assert "<main data-x=1 id=" in (after / "index.html").read_text("utf-8")


@pytest.mark.parametrize("damage", ["unwritable", "garbage", "truncated"])
def test_a_cache_that_cannot_be_used_does_not_fail_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    board = board_in(tmp_path / "board", "en")
    expected = _build(monkeypatch, board, tmp_path / "cold", tmp_path / "cold-cache")
    cache = tmp_path / "cache"
    if damage == "unwritable":
        cache.write_text("a file where the cache folder should be", "utf-8")
    else:
        _build(monkeypatch, board, tmp_path / "first", cache)
        for entry in (cache / "templates").iterdir():
            data = entry.read_bytes()
            entry.write_bytes(b"\x00garbage" * 40 if damage == "garbage" else data[:20])
    assert _build(monkeypatch, board, tmp_path / "out", cache) == expected
