"""JSON exports, hostile nesting, and values that YAML could take for something else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from answerable.reading.loading import load_board
from conftest import BoardWriter

DEFAULTS = ["--category", "urban-construction", "--type", "complaint", "--channel", "hotline",
            "--department", "housing"]  # fmt: skip


def run_import(root: Path, file: Path):
    return CliRunner().invoke(
        cli, ["import", "--board", str(root), str(file), "--system", "网站", *DEFAULTS]
    )


def test_deeply_nested_json_is_a_clear_error(board: BoardWriter) -> None:
    path = board.root.parent / "export.json"
    path.write_text('{"rows": [\n' + "[" * 100_000 + "]" * 100_000 + "]}", "utf-8")
    result = run_import(board.root, path)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "export.json:2: nested more than 32 levels deep" in result.output
    assert not (board.root / "tickets").exists()


def test_a_nested_value_rejects_its_record_only(board: BoardWriter) -> None:
    records = [
        {"id": "J1", "time": "2026-11-02 09:00", "content": {"text": "楼道灯坏了。"}},
        {"id": "J2", "time": "2026-11-02 10:00", "content": "楼道灯坏了。", "extra": [1, 2]},
        "not a record",
    ]
    path = board.root.parent / "export.json"
    path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    result = run_import(board.root, path)
    lines = result.stdout.splitlines()
    # 3 records: 1 ticket + 0 + 2 rejected. J2's list is in a field nothing uses.
    assert lines[:3] == [
        "read 3 row(s): created 1 ticket(s), 0 already imported, 2 rejected",
        "export.json:1: rejected: 'content' holds an object, not a value",
        "export.json:3: rejected: not an object but str",
    ]


TRICKY = ["yes", "No", "null", "1e5", "12:30 开会", "#号楼", "- 开头", "'引号'", '"双引号"',
          "2026-11-02", "0x1F", "~", "@张三", "%百分", "a: b", "是: 否", "3号楼", "12345"]  # fmt: skip


@pytest.mark.parametrize("title", TRICKY)
def test_titles_yaml_could_misread_come_back_as_written(board: BoardWriter, title: str) -> None:
    records = [{"id": title, "time": "2026-11-02 09:00", "title": title,
                "content": f"{title}\n第二行: #不是注释\n- 不是列表", "address": title}]  # fmt: skip
    path = board.root.parent / "export.json"
    path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    result = run_import(board.root, path)
    assert result.exit_code == 0, result.output
    loaded = load_board(board.root)
    assert not loaded.problems
    (file,) = loaded.tickets
    assert (file.ticket.title, file.ticket.location, file.ticket.source.id) == (title, title, title)
    assert file.ticket.message == f"{title}\n第二行: #不是注释\n- 不是列表\n"
