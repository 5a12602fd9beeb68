"""An office adopting the board: the package installed from a wheel, outside this repository,
`answerable init` and then `pelican` build a working empty board."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("answerable-*.whl"))
    env = tmp_path_factory.mktemp("venv") / "venv"
    # The dependencies come from this machine's environment; answerable from the wheel.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(env)], check=True)
    subprocess.run(
        [str(env / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    return env


def test_init_then_pelican_from_the_wheel(
    venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    python = str(venv / "bin/python")
    where = subprocess.run(
        [python, "-c", "import answerable; print(answerable.__file__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(str(venv)), where  # not this checkout
    empty = tmp_path_factory.mktemp("office")
    board = empty / "board"
    init = subprocess.run(
        [str(venv / "bin/answerable"), "init", str(board), "--city", "临水市"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    assert not (board / "plugins").exists()  # the plugin and theme come from the package
    check = subprocess.run(
        [str(venv / "bin/answerable"), "validate", str(board)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    build = subprocess.run(
        [python, "-m", "pelican", "-q"], cwd=board, capture_output=True, text=True, check=False
    )
    assert build.returncode == 0, build.stdout + build.stderr
    soup = BeautifulSoup((board / "output/index.html").read_text("utf-8"), "html.parser")
    assert "临水市" in soup.title.get_text()
    assert soup.select_one(".as-of time") is not None
    assert (board / "output/leaderboard.html").is_file()
    assert (board / "output/theme/css/answerable.css").is_file()
