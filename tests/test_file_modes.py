"""The files staff commands and imports write are ordinary files, readable by others
(0644 and 0755 under the usual umask 022), as git would check them out: a web server or
a colleague's account reading the board is not locked out by a temporary file's 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from answerable.staff import authoring
from conftest import BoardWriter


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)
    authoring._umask.cache_clear()
    yield
    os.umask(before)
    authoring._umask.cache_clear()


def modes(folder: Path) -> dict[str, int]:
    found = {folder.name: stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder.parent))] = stat.S_IMODE(path.stat().st_mode)
    return found


def run(board: BoardWriter, *args: str) -> None:
    result = CliRunner().invoke(cli, [args[0], "--board", str(board.root), *args[1:]])
    assert result.exit_code == 0, result.output


def test_new_reply_and_rate_write_ordinary_files(board: BoardWriter) -> None:
    run(
        board, "new", "--title", "路灯不亮", "--channel", "web", "--type", "help",
        "--category", "urban-construction", "--department", "housing", "--submitter", "王女士",
        "--message", "小区门口路灯坏了一周。", "--received", "2026-11-03T10:00:00+08:00",
    )  # fmt: skip
    body = board.root.parent / "reply.md"
    body.write_text("王女士：您好！路灯已于今日修复，感谢您的反映。\n", "utf-8")
    run(board, "reply", "2026-000001", "--kind", "final", "--file", str(body),
        "--date", "2026-11-04T10:00:00+08:00")  # fmt: skip
    run(board, "rate", "2026-000001", "--value", "satisfied", "--source", "online",
        "--at", "2026-11-05T10:00:00+08:00")  # fmt: skip
    found = modes(board.root / "tickets/2026/2026-000001")
    assert found == {
        "2026-000001": 0o755,
        "2026-000001/ticket.yaml": 0o644,
        "2026-000001/reply-1.md": 0o644,
    }


def test_import_writes_ordinary_folders(board: BoardWriter, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "留言编号,留言主题,留言时间,留言详情,承办单位\r\n"
        "1,路灯不亮,2026-11-02 09:14:05,小区门口路灯不亮,housing\r\n",
        "utf-8",
    )
    run(board, "import", str(export), "--category", "urban-construction",
        "--type", "complaint", "--channel", "hotline")  # fmt: skip
    (folder,) = (board.root / "tickets/2026").iterdir()
    assert set(modes(folder).values()) == {0o755, 0o644}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
