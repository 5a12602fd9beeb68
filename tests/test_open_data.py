"""Open311 GeoReport v2 files and the CSV/JSON downloads, read back from a real build."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import BoardWriter
from sitebuild import build_site

AS_OF = "2026-11-20T21:30:00+08:00"
FIELDS = {
    "service_request_id", "status", "status_notes", "service_code", "service_name",
    "description", "agency_responsible", "requested_datetime", "updated_datetime",
    "expected_datetime",
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    board = BoardWriter(tmp_path_factory.mktemp("board"))
    board.ticket()  # answered on 5 Nov, then rated
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    board.ticket(
        "2026-000002", received="2026-11-09T10:00:00+08:00", extra="location: 东区某小区\n"
    )
    board.ticket(
        "2026-000003",
        received="2026-11-10T10:00:00+08:00",
        extra="hidden: {at: 2026-11-11T10:00:00+08:00, reason: 涉及个人隐私}\n",
    )
    return build_site(
        board.root, tmp_path_factory.mktemp("site") / "output", ANSWERABLE_AS_OF=AS_OF
    )


def load(built: Path, rel: str) -> object:
    return json.loads((built / rel).read_text("utf-8"))


def test_requests_carry_every_ticket_with_the_fields(built: Path) -> None:
    requests = load(built, "open311/v2/requests.json")
    assert [r["service_request_id"] for r in requests] == [
        "2026-000001",
        "2026-000002",
        "2026-000003",
    ]
    for request in requests:
        assert set(request) >= FIELDS
    answered, overdue, hidden = requests
    assert (answered["status"], overdue["status"]) == ("closed", "open")
    assert answered["agency_responsible"] == "测试市住房和城乡建设局"
    assert answered["service_name"] == "城乡建设"
    assert answered["requested_datetime"] == "2026-11-02T09:14:00+08:00"
    assert answered["updated_datetime"] == "2026-11-05T10:00:00+08:00"
    assert answered["expected_datetime"] == "2026-11-09T23:59:59+08:00"
    assert overdue["expected_datetime"] == "2026-11-16T23:59:59+08:00"
    # Received Monday 9 November, due five working days later at the end of the day:
    # overdue since then, said so (not how late by the build's moment, which the file
    # does not state).
    assert overdue["status_notes"] == "已超期; 自2026年11月16日 23:59起"
    assert overdue["address"] == "东区某小区"
    assert (hidden["description"], hidden["title"], hidden["address"]) == (None, None, None)
    assert hidden["updated_datetime"] == "2026-11-11T10:00:00+08:00"


def test_one_request_per_file(built: Path) -> None:
    one = load(built, "open311/v2/requests/2026-000002.json")
    assert isinstance(one, list)
    assert one[0]["service_request_id"] == "2026-000002"


def test_no_submitter_anywhere(built: Path) -> None:
    for path in [*(built / "open311").rglob("*.json"), *(built / "data").iterdir()]:
        text = path.read_text("utf-8")
        assert "徐先生" not in text, path
        assert "submitter" not in text, path


def test_services_are_the_categories(built: Path) -> None:
    services = load(built, "open311/v2/services.json")
    assert [(s["service_code"], s["service_name"]) for s in services] == [
        ("urban-construction", "城乡建设"),
        ("environment", "环境保护"),
    ]


def test_csv_and_json_downloads(built: Path) -> None:
    with (built / "data/tickets.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["status"], r["working_days_late"]) for r in rows] == [
        ("2026-000001", "answered-on-time", "0"),
        ("2026-000002", "overdue", "4"),
        ("2026-000003", "overdue", "3"),
    ]
    assert rows[2]["title"] == ""
    tickets = load(built, "data/tickets.json")
    assert tickets["as_of"] == AS_OF
    assert len(tickets["tickets"]) == 3
    departments = load(built, "data/departments.json")["departments"]
    housing = next(d for d in departments if d["key"] == "housing")
    assert (housing["received"], housing["answered"], housing["overdue"]) == (3, 1, 2)
    with (built / "data/departments.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert {r["key"] for r in csv.DictReader(handle)} == {d["key"] for d in departments}


def test_whole_board_files_are_written_in_pieces_as_one_dump(tmp_path: Path) -> None:
    """The largest files are written item by item; the bytes are those of one dump, and
    a file whose bytes did not change is left alone."""
    from answerable.build.publishing import write_if_changed
    from answerable.exports.open_data import _csv, _dump, _dump_list

    rows = [{"id": f"2026-{n:06d}", "title": f"<b>第{n}件</b> & =1+1"} for n in range(3000)]
    whole = _dump({"as_of": AS_OF, "tickets": rows})
    pieces = list(_dump_list(iter(rows), '{"as_of":' + json.dumps(AS_OF) + ',"tickets":', "}"))
    assert len(pieces) > 1000
    assert "".join(pieces) == whole
    assert "".join(_dump_list([])) == _dump([])
    table = "".join(_csv(["id", "title"], iter(rows)))
    assert list(csv.DictReader(table.removeprefix("\ufeff").splitlines()))[2999]["title"] == (
        "<b>第2999件</b> & =1+1"
    )
    assert write_if_changed(tmp_path, "data/t.json", iter(pieces))
    written = (tmp_path / "data/t.json").stat()
    assert (tmp_path / "data/t.json").read_text("utf-8") == whole
    assert not write_if_changed(tmp_path, "data/t.json", iter(pieces))
    assert (tmp_path / "data/t.json").stat().st_ino == written.st_ino
    assert write_if_changed(tmp_path, "data/t.json", iter([*pieces[:-1], "]}\n\n"]))
    assert (tmp_path / "data/t.json").read_text("utf-8") == whole + "\n"
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["t.json"]  # no temporary left


# Ticket titles as people and attackers type them in ticket.yaml (YAML's escapes), and
# the text each one is.
HOSTILE = [
    (r'"墙砖\r=HYPERLINK(\"http://x\",\"y\")"', '墙砖\r=HYPERLINK("http://x","y")'),
    (r'"一楼\r\n二楼"', "一楼\r\n二楼"),
    (r'"一楼\n二楼"', "一楼\n二楼"),
    ('\'他说""不行""，a,b\'', '他说""不行""，a,b'),
    ("'=1+1'", "=1+1"),
    ("' =1+1'", " =1+1"),
    ("＝1+1", "＝1+1"),
    (r'"\t=1+1"', "\t=1+1"),
    ("'+86 报修'", "+86 报修"),
    ("'-2楼漏水'", "-2楼漏水"),
    ("'@所有人'", "@所有人"),
    (r'"\u3000＝SUM(1,2)"', "\u3000＝SUM(1,2)"),
    (r'''"\r\n=cmd|' /C calc'!A0"''', "\r\n=cmd|' /C calc'!A0"),
    (r'"\L＋1"', "\u2028＋1"),
    (r'"甲\N乙"', "甲\x85乙"),
    ("a=b, c+d", "a=b, c+d"),
]
# The documented rule: a ' in front of text that starts with a tab or a carriage return,
# or whose first character after white space is = + - @ or a full-width ＝ ＋ － ＠.
GUARDED = {
    "=1+1": "'=1+1",
    " =1+1": "' =1+1",
    "＝1+1": "'＝1+1",
    "\t=1+1": "'\t=1+1",
    "+86 报修": "'+86 报修",
    "-2楼漏水": "'-2楼漏水",
    "@所有人": "'@所有人",
    "\u3000＝SUM(1,2)": "'\u3000＝SUM(1,2)",
    "\r\n=cmd|' /C calc'!A0": "'\r\n=cmd|' /C calc'!A0",
    "\u2028＋1": "'\u2028＋1",
}
DEPARTMENT = '＝"东区",1'  # a department named by someone who knows spreadsheets


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    board = BoardWriter(tmp_path_factory.mktemp("board"))
    board.write(
        "board.yaml",
        (board.root / "board.yaml")
        .read_text("utf-8")
        .replace("name: 东区人民政府", "name: '＝\"东区\",1'"),
    )
    for number, (written, _) in enumerate(HOSTILE, 1):
        ticket = board.ticket(f"2026-{number:06d}", department="district")
        text = ticket.read_text("utf-8")
        text = text.replace("title: 小区外墙墙砖脱落", f"title: {written}")
        text = text.replace("message: |\n  自家楼盘外墙墙砖出现大片脱落，存在安全隐患。\n", "")
        ticket.write_text(text + f"message: {written}\nlocation: {written}\n", "utf-8")
    return build_site(
        board.root, tmp_path_factory.mktemp("site") / "output", ANSWERABLE_AS_OF=AS_OF
    )


def test_csv_reads_back_row_by_row_value_by_value(hostile: Path) -> None:
    assert (hostile / "data/tickets.csv").read_bytes().startswith("\ufeff".encode())
    with (hostile / "data/tickets.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, strict=True))
    header, body = rows[0], rows[1:]
    assert len(body) == len(HOSTILE)  # one row a ticket: no text made a row of its own
    assert all(len(row) == len(header) for row in body)
    for row, (_, text) in zip(body, HOSTILE, strict=True):
        cells = dict(zip(header, row, strict=True))
        expected = GUARDED.get(text, text)
        assert (cells["title"], cells["location"]) == (expected, expected)
        assert cells["department_name"] == "'" + DEPARTMENT
        assert cells["status"] == "overdue"
    with (hostile / "data/departments.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = {r["key"]: r["name"] for r in csv.DictReader(handle, strict=True)}
    assert names["district"] == "'" + DEPARTMENT


def test_records_end_in_crlf_and_every_line_break_is_quoted(hostile: Path) -> None:
    """RFC 4180's CRLF after each record; a text's \\r, \\n or \\r\\n only inside quotes, and
    a row holding U+2028 or U+0085 (line ends to many readers) quoted field by field."""
    text = (hostile / "data/tickets.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("id,title,status,")
    assert text.endswith(".html\r\n")
    starts = [part[:12] for part in text.split("\r\n") if part.startswith("2026-")]
    assert starts == [f"2026-{n:06d}," for n in range(1, 17) if n not in (14, 15)]
    assert '\r\n"2026-000014","\'\u2028＋1",' in text
    assert '\r\n"2026-000015","甲\x85乙",' in text
    assert '\r\n2026-000002,"一楼\r\n二楼",' in text
    assert '\r\n2026-000004,"他说""""不行""""，a,b",' in text


def test_json_and_open311_carry_the_text_exactly(hostile: Path) -> None:
    tickets = load(hostile, "data/tickets.json")["tickets"]
    requests = load(hostile, "open311/v2/requests.json")
    assert [t["title"] for t in tickets] == [text for _, text in HOSTILE]
    assert [t["location"] for t in tickets] == [text for _, text in HOSTILE]
    assert {t["department_name"] for t in tickets} == {DEPARTMENT}
    assert [r["title"] for r in requests] == [text for _, text in HOSTILE]
    assert [r["description"] for r in requests] == [text for _, text in HOSTILE]
    assert [r["address"] for r in requests] == [text for _, text in HOSTILE]
    assert {r["agency_responsible"] for r in requests} == {DEPARTMENT}
    departments = load(hostile, "data/departments.json")["departments"]
    assert next(d for d in departments if d["key"] == "district")["name"] == DEPARTMENT
