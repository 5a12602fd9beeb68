"""Importing hotline exports: real-shaped rows, repeatable, masked, with provenance."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from answerable.cli.main import cli
from conftest import BoardWriter

EXPORT = Path(__file__).parent / "data" / "hotline-export.csv"
DEFAULTS = ["--category", "urban-construction", "--type", "complaint", "--channel", "hotline"]
AS_OF = "2026-11-20T12:00:00+08:00"


def run_import(root: Path, file: Path, *extra: str) -> CliRunner:
    return CliRunner().invoke(
        cli, ["import", "--board", str(root), str(file), "--system", "12345热线", *DEFAULTS, *extra]
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_import_a_hotline_export(board: BoardWriter) -> None:
    result = run_import(board.root, EXPORT)
    assert result.exit_code == 1  # some rows are rejected; the good ones still come in
    lines = result.stdout.splitlines()
    assert lines[0] == "read 7 row(s): created 3 ticket(s), 0 already imported, 4 rejected"
    rejected = [line.split(": rejected: ")[0] for line in lines if ": rejected: " in line]
    assert rejected == [f"hotline-export.csv:{n}" for n in (5, 6, 7, 8)]
    assert "hotline-export.csv:5: rejected: received: '明天' is not a time" in lines
    assert any(
        line.startswith("hotline-export.csv:8: rejected: department '市政公用局'") for line in lines
    )
    assert "hotline-export.csv:3: masked a mobile phone number (138****5678) in message" in lines
    assert CliRunner().invoke(cli, ["validate", str(board.root)]).exit_code == 0

    first = (board.root / "tickets/2026/2026-000001/ticket.yaml").read_text("utf-8")
    assert "department: district-street" in first
    assert "submitter: 网友" in first
    assert (
        "message: |\n  我住在东区某小区，小区内的消防通道长期被私家车占用，\n  物业不管，出了事怎么办？\n"
        in first
    )
    assert "source:\n  system: 12345热线\n  id: '188006'\n" in first
    second = (board.root / "tickets/2026/2026-000002/ticket.yaml").read_text("utf-8")
    assert "submitter: 张*" in second
    assert "13812345678" not in second
    reply = (board.root / "tickets/2026/2026-000001/reply-1.md").read_text("utf-8")
    assert reply.startswith(
        "---\ndate: 2026-11-05T16:20:00+08:00\ndepartment: district-street\nkind: final\n"
    )
    assert "\t" not in reply

    provenance = [line.split(": ", 1)[1] for line in lines if line.startswith("provenance: ")]
    record = yaml.safe_load((board.root / provenance[0]).read_text("utf-8"))
    assert record["sha256"]
    assert len(record["sha256"]) == 64
    assert (record["created"], record["tickets"]) == (
        3,
        ["2026-000001", "2026-000002", "2026-000003"],
    )
    assert [r["row"] for r in record["rejected"]] == [5, 6, 7, 8]


def test_response_times_match_the_export(board: BoardWriter) -> None:
    run_import(board.root, EXPORT)
    result = CliRunner().invoke(
        cli, ["stats", "--board", str(board.root), "--as-of", AS_OF, "--format", "json"]
    )
    rows = {r["key"]: r for r in json.loads(result.output)["rows"]}
    # 188006: 2 Nov 09:14 → 5 Nov 16:20, 3 working days, on time.
    assert (
        rows["district-street"]["on_time"],
        rows["district-street"]["median_days_to_final_reply"],
    ) == (1, 3)
    # 188007: 3 Nov → 12 Nov, 7 working days, due 10 Nov: late. 188008: no reply yet, overdue.
    housing = rows["housing"]
    assert (housing["late"], housing["median_days_to_final_reply"], housing["overdue"]) == (1, 7, 1)


def test_importing_twice_changes_nothing(board: BoardWriter) -> None:
    run_import(board.root, EXPORT)
    before = snapshot(board.root)
    again = run_import(board.root, EXPORT)
    assert (
        again.stdout.splitlines()[0]
        == "read 7 row(s): created 0 ticket(s), 3 already imported, 4 rejected"
    )
    assert snapshot(board.root) == before


def test_dry_run_writes_nothing(board: BoardWriter) -> None:
    before = snapshot(board.root)
    result = run_import(board.root, EXPORT, "--dry-run")
    assert (
        result.stdout.splitlines()[0]
        == "read 7 row(s): would create 3 ticket(s), 0 already imported, 4 rejected"
    )
    assert snapshot(board.root) == before


def test_xlsx_and_json_exports_with_a_mapping(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("exports")
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(folder / "export.xlsx")
    result = run_import(board.root, folder / "export.xlsx")
    assert (
        result.stdout.splitlines()[0]
        == "read 7 row(s): created 3 ticket(s), 0 already imported, 4 rejected"
    )

    records = [
        {"case": "W-1", "when": "2026-11-09 09:00", "text": "河道有垃圾漂浮。", "unit": "市政",
         "answer": "您好！经核查，河道保洁单位已完成清理并加强巡查频次。此复。", "answered": "2026-11-10 10:00"},
    ]  # fmt: skip
    (folder / "export.json").write_text(json.dumps({"rows": records}, ensure_ascii=False), "utf-8")
    mapping = folder / "mapping.yaml"
    mapping.write_text(
        "columns: {id: case, received: when, message: text, department: unit, reply: answer, reply_time: answered}\n"
        "values: {department: {市政: housing}}\ndefaults: {category: environment}\n",
        "utf-8",
    )
    result = CliRunner().invoke(
        cli, ["import", "--board", str(board.root), str(folder / "export.json"), "--mapping", str(mapping),
              "--system", "微信公众号", "--type", "help", "--channel", "wechat"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == "read 1 row(s): created 1 ticket(s), 0 already imported, 0 rejected"
    )
    text = (board.root / "tickets/2026/2026-000004/ticket.yaml").read_text("utf-8")
    assert "title: 河道有垃圾漂浮。" in text
    assert "category: environment" in text
    assert CliRunner().invoke(cli, ["validate", str(board.root)]).exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b\n1,2\n", "no column for received, message"),
        ("", "no rows"),
    ],
)
def test_unusable_exports_are_clear_errors(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory, content: str, message: str
) -> None:
    path = tmp_path_factory.mktemp("exports") / "export.csv"
    path.write_text(content, "utf-8")
    result = run_import(board.root, path)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_gbk_export(board: BoardWriter, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("exports") / "gbk.csv"
    path.write_bytes(EXPORT.read_text("utf-8").encode("gb18030"))
    result = run_import(board.root, path)
    assert (
        result.stdout.splitlines()[0]
        == "read 7 row(s): created 3 ticket(s), 0 already imported, 4 rejected"
    )
