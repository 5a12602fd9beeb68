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
    assert "已超期" in overdue["status_notes"]
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
    from answerable.open_data import _csv, _dump, _dump_list
    from answerable.publishing import write_if_changed

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
