"""Reading files: YAML's surprises are caught, every problem is kept, nothing else is lost."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import pytest

from answerable.checks.problems import Problem
from answerable.checks.validation import validate
from answerable.reading import loading
from answerable.reading.loading import FolderFiles, load_board
from answerable.reading.yaml_source import YamlProblem, _compose, _positioned, parse_yaml
from conftest import BoardWriter
from sitebuild import copy_demo


def codes(board: BoardWriter) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.code) for p in validate(load_board(board.root))]


def test_yaml_12_scalars() -> None:
    doc = parse_yaml("a: no\nb: on\nc: yes\nd: true\ne: 2026-11-02\nf: 010\ng: ~\nh: '5'\n")
    assert doc.data == {
        "a": "no", "b": "on", "c": "yes", "d": True, "e": "2026-11-02", "f": 10, "g": None, "h": "5",
    }  # fmt: skip


def test_positions_point_at_keys_and_items() -> None:
    doc = parse_yaml("a:\n  b: [x, y]\n  c: 1\n")
    assert (doc.position(("a", "b", 1)).line, doc.position(("a", "b", 1)).column) == (2, 10)
    assert doc.position(("a", "c")).line == 3
    assert doc.position(("a", "missing")).line == 1


TRICKY = """\
bools: [no, on, yes, off, y, n, true, True, TRUE, false, False, FALSE, tRue]
nulls:
  - ~
  - null
  - Null
  - NULL
  -
  - nULL
ints: [0, 010, -7, +3, 0x1F, 1_000, 12e3]
floats: [1.5, .5, -2., 1e-3, +1.0E+2, .inf, .nan, 1.2.3]
times: [2026-11-02, 2026-11-02T10:00:00+08:00, 10:30, 2026-11-02 10:00]
quoted: ['5', "true", '', "null"]
nested: {a: [1, {b: [x, y]}], c: {}}
empty: []
block: |
  two
  lines
"""


@pytest.mark.parametrize(
    "text", [TRICKY, "", "# only a comment\n", "- a\n- 1\n", "plain", "a: &x [1, 2]\nb: *x\n"]
)
def test_the_data_only_pass_gives_the_positioned_pass_data(text: str) -> None:
    doc = parse_yaml(text)
    node = _compose(text, 0)
    whole = _positioned(node, 0).data if node is not None else None
    assert doc.data == whole
    assert repr(doc.data) == repr(whole)  # types too: 1 is not 1.0 is not True
    assert doc.positions == {}  # a file without a problem is not composed with positions


def test_yaml_12_values_of_the_data_only_pass() -> None:
    data = parse_yaml(TRICKY).data
    assert data["bools"] == ["no", "on", "yes", "off", "y", "n", True, True, True, False, False, False, "tRue"]  # fmt: skip
    assert data["nulls"] == [None, None, None, None, None, "nULL"]
    assert data["ints"] == [0, 10, -7, 3, "0x1F", "1_000", 12000.0]
    assert data["floats"][:5] == [1.5, 0.5, -2.0, 0.001, 100.0]
    assert data["floats"][5:] == [".inf", ".nan", "1.2.3"]
    assert data["times"] == ["2026-11-02", "2026-11-02T10:00:00+08:00", "10:30", "2026-11-02 10:00"]
    assert data["quoted"] == ["5", "true", "", "null"]


def test_positions_are_composed_when_first_asked_for() -> None:
    doc = parse_yaml("title: x\nlist:\n  - a\n  - b\n", line_offset=1)
    assert doc.positions == {}
    where = doc.position(("list", 1))
    assert (where.line, where.column) == (5, 5)
    assert doc.position(("title",)).line == 2


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "E003", 3, 1, "duplicate key 'a' (first at line 1)"),
        ("a:\n  b: 1\n  b: 1\n", "E003", 3, 3, "duplicate key 'b' (first at line 2)"),
        ("a: !!int 5\n", "E004", 1, 4, "unsupported YAML tag tag:yaml.org,2002:int"),
        ("a: &x {b: 1}\nc:\n  <<: *x\n", "E004", 3, 3, "YAML merge keys (<<) are not supported"),
        ("? [a]\n: 1\n", "E004", 1, 3, "a mapping key must be a plain name"),
        ("a: [1, 2\n", "E002", 2, 1, "YAML syntax error: did not find expected ',' or ']'"),
    ],
)
def test_problems_are_reported_with_their_place(
    text: str, code: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text)
    problem = caught.value
    assert (problem.code, problem.position.line, problem.position.column) == (code, line, column)
    assert problem.message == message


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    with pytest.raises(YamlProblem, match="alias bomb") as caught:
        parse_yaml("\n".join(lines))
    assert caught.value.code == "E004"


def test_one_bad_file_does_not_hide_the_others(board: BoardWriter) -> None:
    board.ticket("2026-000001")
    bad = board.ticket("2026-000002")
    bad.write_text(bad.read_text("utf-8") + "title: again\n", "utf-8")
    board.ticket("2026-000003", extra="urgent: yes\n")
    board.ticket("2026-000004")
    loaded = load_board(board.root)
    assert [t.ticket.id for t in loaded.tickets] == ["2026-000001", "2026-000004"]
    assert codes(board) == [
        ("tickets/2026/2026-000002/ticket.yaml", 11, "E003"),
        ("tickets/2026/2026-000003/ticket.yaml", 11, "E103"),
    ]


def test_replies_are_read_with_body_and_line(board: BoardWriter) -> None:
    board.ticket()
    board.reply(
        "2026-000001",
        1,
        "2026-11-03T10:00:00+08:00",
        kind="interim",
        extra="promised: 2026-11-09\n",
    )
    board.reply("2026-000001", 2, "2026-11-06T10:00:00+08:00")
    loaded = load_board(board.root)
    replies = loaded.tickets[0].replies
    assert [(r.number, r.meta.kind, r.body_line) for r in replies] == [
        (1, "interim", 7),
        (2, "final", 6),
    ]
    assert replies[1].body.startswith("徐先生：您好！")
    assert codes(board) == []


def test_crlf_and_bom_are_read(board: BoardWriter) -> None:
    path = board.ticket()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    reply = board.reply("2026-000001", 1, "2026-11-03T10:00:00+08:00")
    reply.write_bytes(reply.read_bytes().replace(b"\n", b"\r\n"))
    loaded = load_board(board.root)
    assert codes(board) == []
    assert loaded.tickets[0].replies[0].meta.kind == "final"


def test_stray_folders_are_reported(board: BoardWriter) -> None:
    board.ticket()
    board.write("tickets/drafts/x.yaml", "a: 1\n")
    board.write("tickets/2026/notes.md", "x\n")
    board.write("tickets/2026/2026-1/ticket.yaml", "a: 1\n")
    assert [c for _, _, c in codes(board)] == ["E006", "E006", "E006"]


def test_symlink_is_not_followed(board: BoardWriter, tmp_path_factory) -> None:
    board.ticket()
    outside = tmp_path_factory.mktemp("outside")
    (outside / "ticket.yaml").write_text("secret: 1\n", "utf-8")
    (board.root / "tickets/2026/2026-000002").symlink_to(outside, target_is_directory=True)
    assert codes(board) == [("tickets/2026/2026-000002", 1, "E006")]


def test_unknown_country_is_a_board_error(board: BoardWriter) -> None:
    text = (board.root / "board.yaml").read_text("utf-8").replace("country: CN", "country: XX")
    board.write("board.yaml", text)
    assert codes(board) == [("board.yaml", 4, "E104")]


def test_far_dates_and_huge_durations_are_refused(board: BoardWriter) -> None:
    board.ticket(received="9999-12-31T23:59:59+08:00")
    text = (board.root / "board.yaml").read_text("utf-8")
    board.write(
        "board.yaml",
        text.replace("help: {due: 5 working days}", "help: {due: 99999999 working days}"),
    )
    assert codes(board) == [
        ("board.yaml", 7, "E104"),
        ("tickets/2026/2026-000001/ticket.yaml", 3, "E104"),
    ]


def test_compact_timestamp_and_loose_duration_are_refused(board: BoardWriter) -> None:
    board.ticket(received="20261102T091400+0800")
    text = (board.root / "board.yaml").read_text("utf-8")
    board.write(
        "board.yaml", text.replace("help: {due: 5 working days}", "help: {due: ' 5 working days'}")
    )
    assert codes(board) == [
        ("board.yaml", 7, "E106"),
        ("tickets/2026/2026-000001/ticket.yaml", 3, "E106"),
    ]


def test_reply_with_byte_order_mark_is_read(board: BoardWriter) -> None:
    board.ticket()
    reply = board.reply("2026-000001", 1, "2026-11-03T10:00:00+08:00")
    reply.write_bytes(b"\xef\xbb\xbf" + reply.read_bytes())
    assert codes(board) == []


def test_reserved_type_ids(board: BoardWriter) -> None:
    text = (board.root / "board.yaml").read_text("utf-8")
    text = text.replace(
        "warn_before:",
        "types:\n  - {id: complaint, name: 投诉}\n  - {id: urgent, name: 紧急}\nwarn_before:",
    )
    board.write("board.yaml", text)
    assert [c for c in codes(board) if c[2] == "E150"] == [("board.yaml", 14, "E150")]


def test_each_reading_process_reads_a_run_of_neighbouring_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build state keeps neighbouring folders' entries together: a process that reads
    # a run of them writes its own chunks, which no other must read back and merge.
    board = copy_demo(tmp_path / "board")
    read_by = tmp_path / "read-by"
    listed = loading.list_ticket_folder

    def noting(root: Path, folder: str, rel: str, problems: list[Problem]) -> FolderFiles:
        with open(read_by, "a", encoding="utf-8") as note:
            note.write(f"{os.getpid()} {rel}\n")
        return listed(root, folder, rel, problems)

    monkeypatch.setattr(loading, "list_ticket_folder", noting)
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)  # the demo is small; split it anyway
    loaded = load_board(board, workers=2)
    order = sorted(t.folder for t in loaded.tickets)
    read: dict[str, list[int]] = {}  # by process, the places of its folders in turn
    for line in read_by.read_text("utf-8").splitlines():
        pid, rel = line.split()
        read.setdefault(pid, []).append(order.index(rel))
    # Four shares (two processes a core), each one run; a process may take two shares.
    breaks = sum(b != a + 1 for places in read.values() for a, b in pairwise(places))
    assert len(read) + breaks <= 4
    assert sorted(p for places in read.values() for p in places) == list(range(len(order)))
