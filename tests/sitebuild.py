"""Building real Pelican sites into temporary folders, and reading pages back."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent


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
