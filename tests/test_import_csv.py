"""CSV exports as real systems write them: RFC 4180 quoting, Excel's encodings, huge cells.

The bytes are written out here as Excel or Python's csv.writer (QUOTE_MINIMAL) write
them: a cell holding a comma, a quote or a line break is quoted, a quote inside it is
doubled, records end in CRLF. Nothing here is made by the code that reads them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from answerable.reading.loading import load_board
from conftest import BoardWriter

DEFAULTS = ["--category", "urban-construction", "--type", "complaint", "--channel", "hotline"]
HEADER = "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间,承办单位\r\n"
# Fourteen rows of quoted cells with commas but no doubled quote: more than the 4,096
# characters a dialect sniffer looks at, so it would guess that quotes are not doubled.
FILLER = "".join(
    f'1880{n:02d},张先生,停车难,2026/11/2 9:{n:02d},"小区停车难,{"车位不够，" * 60}",,,测试市住房和城乡建设局\r\n'
    for n in range(1, 15)
)
QUOTED = (
    HEADER
    + FILLER
    + '188102,李女士,"物业说""不归我们管""",2026/11/3 8:30,"楼下商铺夜间施工，噪音很大，物业说""不归我们管""，\r\n'
    + '请相关部门处理。","李女士：您好！经核查，城管部门已责令商铺停止夜间施工，""噪音扰民""问题已解决。此复。",'
    + "2026/11/5 10:00,东区某街道办事处\r\n"
    + '188103,王先生,路灯不亮,2026/11/4 19:00,"路灯坏了,晚上""一片漆黑""。",,,测试市住房和城乡建设局\r\n'
    + '188104,赵先生,垃圾清运,2026/11/5 9:00,垃圾桶满了三天没人清运。,"赵先生：您好！环卫公司已调整清运频次，'
    + '每日清运两次，""请放心""。此复。",2026/11/6 9:00,测试市住房和城乡建设局\r\n'
    + "188105,钱先生,噪音,明天,夜间噪音扰民。,,,东区人民政府\r\n"
)


def run_import(root: Path, file: Path, *extra: str):
    return CliRunner().invoke(
        cli, ["import", "--board", str(root), str(file), "--system", "市长信箱", *DEFAULTS, *extra]
    )


def folder(root: Path, source_id: str) -> Path:
    """The ticket folder imported from ``source_id``."""
    for path in sorted(root.glob("tickets/*/*/ticket.yaml")):
        text = path.read_text("utf-8")
        if f"\n  id: '{source_id}'\n" in text or f"\n  id: {source_id}\n" in text:
            return path.parent
    raise AssertionError(f"no ticket from {source_id}")


def test_doubled_quotes_and_line_breaks_inside_quoted_cells(board: BoardWriter) -> None:
    path = board.root.parent / "export.csv"
    path.write_bytes(QUOTED.encode("utf-8"))
    result = run_import(board.root, path)
    lines = result.stdout.splitlines()
    # 18 records: 14 + 3 tickets, 0 already there, 1 rejected (188105 has no time).
    assert lines[0] == "read 18 row(s): created 17 ticket(s), 0 already imported, 1 rejected"
    # Row 19 as a spreadsheet shows it, though it starts on line 20 of the file: the
    # record of row 16 spans two lines.
    assert "export.csv:19: rejected: received: '明天' is not a time" in lines
    assert result.exit_code == 1

    second = (folder(board.root, "188102") / "ticket.yaml").read_text("utf-8")
    assert 'title: 物业说"不归我们管"\n' in second
    assert '  楼下商铺夜间施工，噪音很大，物业说"不归我们管"，\n  请相关部门处理。\n' in second
    reply = (folder(board.root, "188102") / "reply-1.md").read_text("utf-8")
    assert reply.endswith('城管部门已责令商铺停止夜间施工，"噪音扰民"问题已解决。此复。\n')
    assert "date: 2026-11-05T10:00:00+08:00\n" in reply
    third = folder(board.root, "188103")
    assert '  路灯坏了,晚上"一片漆黑"。\n' in (third / "ticket.yaml").read_text("utf-8")
    assert not list(third.glob("reply-*"))
    # Every row the export answered has its reply: none is listed as unanswered.
    assert (folder(board.root, "188104") / "reply-1.md").is_file()
    assert "  小区停车难,车位不够，" in (folder(board.root, "188014") / "ticket.yaml").read_text(
        "utf-8"
    )
    assert CliRunner().invoke(cli, ["validate", str(board.root)]).exit_code == 0


@pytest.mark.parametrize(
    ("encoding", "prefix", "delimiter"),
    [
        ("gbk", b"", ","),  # Excel's "CSV (逗号分隔)" on Chinese Windows
        ("utf-8", b"\xef\xbb\xbf", ","),  # Excel's "CSV UTF-8": a byte-order mark first
        ("utf-16-le", b"\xff\xfe", "\t"),  # Excel's "Unicode text": UTF-16, tab-separated
    ],
)
def test_excel_encodings(board: BoardWriter, encoding: str, prefix: bytes, delimiter: str) -> None:
    text = (
        "留言编号,留言用户,留言时间,留言详情,答复意见,答复时间,承办单位\r\n"
        '9001,徐先生,2026-11-02 09:00,"外墙墙砖脱落，""存在隐患""。",'
        '"徐先生：您好！已安排物业清理脱落墙砖并设置警示区域，""请绕行""。此复。",2026-11-03 09:00,测试市住房和城乡建设局\r\n'
    ).replace(",", delimiter)
    path = board.root.parent / "export.csv"
    path.write_bytes(prefix + text.encode(encoding))
    result = run_import(board.root, path)
    assert result.stdout.splitlines()[0] == (
        "read 1 row(s): created 1 ticket(s), 0 already imported, 0 rejected"
    )
    ticket = folder(board.root, "9001")
    assert '外墙墙砖脱落，"存在隐患"。' in (ticket / "ticket.yaml").read_text("utf-8")
    assert "department: housing" in (ticket / "ticket.yaml").read_text("utf-8")
    assert (ticket / "reply-1.md").read_text("utf-8").endswith('"请绕行"。此复。\n')


def test_trailing_empty_rows_are_not_records(board: BoardWriter) -> None:
    # Excel saves rows that once held something as rows of empty cells.
    text = (
        HEADER + "188201,徐先生,漏水,2026/11/2 9:00,楼上漏水。,,,测试市住房和城乡建设局\r\n"
        ",,,,,,,\r\n,,,,,,,\r\n\r\n"
    )
    path = board.root.parent / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    result = run_import(board.root, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "read 1 row(s): created 1 ticket(s), 0 already imported, 0 rejected; 3 empty row(s) skipped"
    )


def test_characters_yaml_holds_only_escaped_read_back_as_they_were(board: BoardWriter) -> None:
    # A C1 control character (U+0080) is no whitespace, so cleaning keeps it, and YAML
    # holds it only escaped in a double-quoted value; a source id shaped like a ticket id.
    text = (
        HEADER
        + "2026-000123,徐先生,漏水\x80了,2026/11/2 9:00,楼上\x81漏水。,,,测试市住房和城乡建设局\r\n"
    )
    path = board.root.parent / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    assert run_import(board.root, path).exit_code == 0
    assert CliRunner().invoke(cli, ["validate", str(board.root)]).exit_code == 0
    written = (folder(board.root, "2026-000123") / "ticket.yaml").read_text("utf-8")
    assert '\ntitle: "漏水\\u0080了"\n' in written
    assert '\nmessage: "楼上\\u0081漏水。\\u000a"\n' in written
    loaded = load_board(board.root)
    assert loaded.problems == []
    [file] = loaded.tickets
    assert (file.ticket.title, file.ticket.message) == ("漏水\x80了", "楼上\x81漏水。\n")
    assert file.ticket.source is not None
    assert file.ticket.source.id == "2026-000123"


def test_a_huge_cell_rejects_its_row_only(board: BoardWriter) -> None:
    huge = "很" * 300_000
    text = (
        HEADER
        + f'188301,徐先生,长文,2026/11/2 9:00,"{huge}",,,测试市住房和城乡建设局\r\n'
        + "188302,徐先生,漏水,2026/11/2 10:00,楼上漏水。,,,测试市住房和城乡建设局\r\n"
    )
    path = board.root.parent / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    result = run_import(board.root, path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "read 2 row(s): created 1 ticket(s), 0 already imported, 1 rejected"
    assert (
        "export.csv:2: rejected: cell '留言详情' is 300,000 characters; the limit is 32,767"
        in lines
    )
    assert folder(board.root, "188302").is_dir()


def test_a_malformed_record_is_rejected_and_the_next_imported(board: BoardWriter) -> None:
    # A quote that closes a cell must be followed by a delimiter (RFC 4180): this one is not.
    text = (
        HEADER
        + '188401,徐先生,"坏"引号,2026/11/2 9:00,楼上漏水。,,,测试市住房和城乡建设局\r\n'
        + "188402,徐先生,漏水,2026/11/2 10:00,楼下漏水。,,,测试市住房和城乡建设局\r\n"
    )
    path = board.root.parent / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    result = run_import(board.root, path)
    lines = result.stdout.splitlines()
    assert lines[0] == "read 2 row(s): created 1 ticket(s), 0 already imported, 1 rejected"
    assert lines[1].startswith("export.csv:2: rejected: not a CSV record as RFC 4180 writes one")
    assert folder(board.root, "188402").is_dir()


def test_a_reply_time_without_a_reply_is_rejected_not_imported_unanswered(
    board: BoardWriter,
) -> None:
    text = (
        HEADER
        + "188501,徐先生,漏水,2026/11/2 9:00,楼上漏水。,,2026/11/3 9:00,测试市住房和城乡建设局\r\n"
    )
    path = board.root.parent / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    result = run_import(board.root, path)
    assert result.exit_code == 1
    assert "export.csv:2: rejected: reply time '2026/11/3 9:00' but no reply text" in (
        result.stdout.splitlines()
    )
    assert not list(board.root.glob("tickets/*/*"))


def test_a_reply_column_without_a_time_column_is_refused(board: BoardWriter) -> None:
    text = "留言时间,留言详情,答复意见\r\n2026/11/2 9:00,楼上漏水。,已处理。\r\n"
    path = board.root.parent / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    result = run_import(board.root, path, "--department", "housing")
    assert result.exit_code == 1
    assert "a column for reply ('答复意见') but none for reply_time" in result.output
    assert not (board.root / "tickets").exists()


# ---- a round trip: an export, its import, the board's figures ---------------------------

AS_OF = "2026-11-30T12:00:00+08:00"


@pytest.mark.parametrize("parallel_from", [2_000, 1])
def test_round_trip_figures_match_the_export(
    board: BoardWriter, monkeypatch: pytest.MonkeyPatch, parallel_from: int
) -> None:
    # With 1, the 30 rows are made and checked in worker processes, as large files are.
    monkeypatch.setattr("answerable.staff.importing.PARALLEL_FROM", parallel_from)
    # 30 complaints (due in 5 working days), received Mon 2 – Fri 6 November 2026 at 09:00
    # (no public holiday in November 2026). Row i: i % 3 == 0 answered the next day (on
    # time), i % 3 == 1 answered 14 days later (10 working days: late), i % 3 == 2 not
    # answered (overdue on 30 November).
    lines = [HEADER]
    expected = {"received": 0, "answered": 0, "on_time": 0, "late": 0, "overdue": 0}
    for i in range(30):
        day = 2 + i % 5
        received = f"2026/11/{day} 9:00"
        if i < 15:  # quoted commas, no doubled quote: more than 4,096 characters of them
            message = f'"第{i}号留言：楼道灯坏了,{"灯不亮，" * 60}"'
        else:  # a doubled quote, then a line break, inside the quoted cell
            message = f'"第{i}号留言：楼道灯坏了，物业说""等等""，\r\n已经一周了。"'
        if i % 3 == 0:
            reply, at = (
                f'"您好！第{i}号留言已处理，楼道灯已更换，""请放心""。此复。"'
                if i >= 15
                else f"您好！第{i}号留言已处理，楼道灯已更换，请放心。此复。",
                f"2026/11/{day + 1} 10:00",
            )
        elif i % 3 == 1:
            reply, at = (
                f"您好！第{i}号留言已处理，楼道灯已更换完毕。此复。",
                f"2026/11/{day + 14} 10:00",
            )
        else:
            reply, at = "", ""
        lines.append(
            f"R{i:03d},徐先生,楼道灯,{received},{message},{reply},{at},测试市住房和城乡建设局\r\n"
        )
        expected["received"] += 1
        if reply:
            expected["answered"] += 1
            # Working days between received and reply, counted by hand: Mon–Fri.
            expected["on_time" if i % 3 == 0 else "late"] += 1
        else:
            expected["overdue"] += 1
    # By the rule: 10 rows each. Row 4 (Fri 6 Nov, answered Sat 7 Nov) is on time;
    # row 1 (Tue 3 Nov, answered Tue 17 Nov, 10 working days after) is late.
    assert expected == {"received": 30, "answered": 20, "on_time": 10, "late": 10, "overdue": 10}
    path = board.root.parent / "export.csv"
    path.write_bytes("".join(lines).encode("utf-8"))

    result = run_import(board.root, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "read 30 row(s): created 30 ticket(s), 0 already imported, 0 rejected"
    )
    stats = CliRunner().invoke(
        cli, ["stats", "--board", str(board.root), "--as-of", AS_OF, "--format", "json"]
    )
    total = json.loads(stats.output)["total"]
    assert {key: total[key] for key in expected} == expected
    # Ids follow the file: row 2 (R000) is 2026-000001, row 31 (R029) 2026-000030.
    assert folder(board.root, "R000").name == "2026-000001"
    assert folder(board.root, "R029").name == "2026-000030"


def test_the_same_id_twice_in_one_file(board: BoardWriter) -> None:
    row = "188601,徐先生,漏水,2026/11/2 9:00,楼上漏水。,,,测试市住房和城乡建设局\r\n"
    other = "188601,徐先生,漏水,2026/11/2 9:00,楼下也漏水。,,,测试市住房和城乡建设局\r\n"
    path = board.root.parent / "export.csv"
    path.write_bytes((HEADER + row + row + other).encode("utf-8"))
    result = run_import(board.root, path)
    # Row 3 repeats row 2 exactly (already imported); row 4 reuses the id with other words.
    assert result.stdout.splitlines()[:2] == [
        "read 3 row(s): created 1 ticket(s), 1 already imported, 1 rejected",
        "export.csv:4: rejected: id '188601' is used by row 2 too, with other content",
    ]


KILLED_WORKER = """
import os, signal, sys
import answerable.staff.importing as importing

main_process = os.getpid()
real = importing._build_chunk


def killed(chunk):
    if os.getpid() != main_process:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer ends a process
    return real(chunk)


importing._build_chunk = killed
importing.PARALLEL_FROM = 1  # these few rows made in worker processes, as a large file's
from answerable.cli.main import main
main()
"""


def test_a_worker_killed_outright_stops_the_import(board: BoardWriter) -> None:
    """A worker process killed while it makes the rows' tickets: the import says so and
    stops (it waited for ever before), having written no ticket."""
    path = board.root.parent / "export.csv"
    path.write_bytes((HEADER + FILLER).encode("utf-8"))
    command = ["import", "--board", str(board.root), str(path), "--system", "市长信箱"]
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, *command, *DEFAULTS],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(root / "plugins")},
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "a worker process ended before it finished" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(board.root.glob("tickets/*/*"))
