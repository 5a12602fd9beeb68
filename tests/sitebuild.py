"""Building real Pelican sites into temporary folders, and reading pages back."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent
# The settings `answerable init` writes, without the search index (Pagefind's own files
# are not byte-stable) and without git history (a copy is no repository).
SETTINGS_AFTER = "\nANSWERABLE_SEARCH = False\nANSWERABLE_HISTORY = False\n"


def copy_demo(board: Path) -> Path:
    """The demo board copied to ``board``, with those settings in its pelicanconf.py."""
    from answerable.staff.scaffold import pelican_settings

    board.mkdir(parents=True)
    shutil.copy(ROOT / "board.yaml", board / "board.yaml")
    shutil.copytree(ROOT / "tickets", board / "tickets")
    shutil.copytree(ROOT / "content", board / "content")
    text = pelican_settings(name="test", office="test", timezone="Asia/Shanghai", locale="zh_CN")
    (board / "pelicanconf.py").write_text(text + SETTINGS_AFTER, "utf-8")
    return board


def build_site(board: Path, output: Path, **override: object) -> Path:
    """Build ``board`` with the repository's pelicanconf.py into ``output``."""
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "OUTPUT_PATH": str(output),
            "ANSWERABLE_BOARD": str(board),
            "PATH": str(board / "content")
            if (board / "content").is_dir()
            else str(ROOT / "content"),
            "CACHE_PATH": str(output.parent / f"{output.name}-cache"),
            **override,
        },
    )
    Pelican(settings).run()
    return output


def page(output: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((output / rel).read_text("utf-8"), "html.parser")
