"""A rebuild renders only what changed, and gives the very site a cold build gives."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.checks.validation import folder_check, validate
from answerable.cli.main import cli
from answerable.core.stats import Period
from answerable.incremental.remembered import load_remembered
from answerable.incremental.state import BuildState, state_path
from answerable.reading import loading
from answerable.reading.loading import load_board
from answerable.site.families import reports
from sitebuild import copy_demo, page

ROOT = Path(__file__).resolve().parent.parent
OPEN = "tickets/2026/2026-000069"  # open at the demo's moment, no reply yet
REPLY = """\
---
date: 2026-11-20T20:00:00+08:00
department: qingxi-housing
kind: interim
promised: 2026-11-24
---
您好！您反映的问题已收悉，我局已安排工作人员现场核查，将于11月24日前答复处理结果。
"""


@pytest.fixture
def demo_copy(tmp_path: Path) -> tuple[Path, Path]:
    board = copy_demo(tmp_path / "board")
    return board, board / "pelicanconf.py"


def build(board: Path, settings: Path, output: Path, *extra: str, cache: bool = True) -> dict:
    args = [] if cache else ["--no-cache"]
    args += ["build", "--board", str(board), "--settings", str(settings), "--output", str(output)]
    result = CliRunner().invoke(cli, [*args, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return tree(output)


def cold_build(
    board: Path, settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> dict[str, bytes]:
    """The site a build without any state makes of ``board`` (into ``tmp_path``/cold)."""
    with monkeypatch.context() as scope:
        scope.setenv("ANSWERABLE_CACHE_DIR", str(tmp_path / "fresh-cache"))
        shutil.rmtree(tmp_path / "cold", ignore_errors=True)
        return build(board, settings, tmp_path / "cold", *extra, cache=False)


def tree(output: Path) -> dict[str, bytes]:
    return {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file()
    }


def rendered(caplog: pytest.LogCaptureFixture) -> int:
    counts = [re.search(r"(\d+) rendered", r.getMessage()) for r in caplog.records]
    found = [int(m[1]) for m in counts if m]
    caplog.clear()
    return found[-1]


def far_settled(board: Path) -> Path:
    """A settled ticket (2026-000001) copied to 2026-000101: with no other ticket in ids
    2026-000100 to 2026-000199, it is a block of its own, in every kind of block."""
    far = board / "tickets/2026/2026-000101"
    shutil.copytree(board / "tickets/2026/2026-000001", far)
    ticket = far / "ticket.yaml"
    ticket.write_text(ticket.read_text("utf-8").replace("2026-000001", "2026-000101"), "utf-8")
    return far


def test_rebuild_renders_only_changed_pages_and_equals_a_cold_build(
    demo_copy: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="answerable.generator")
    board, settings = demo_copy
    output = tmp_path / "site"
    first = build(board, settings, output)
    everything = rendered(caplog)
    assert everything > 200  # tickets, lists, departments, feeds, open data

    assert build(board, settings, output) == first
    assert rendered(caplog) == 0  # home, leaderboard and rankings are keyed by their inputs too
    quiet_page = output / "tickets/2026-000001.html"
    inode = quiet_page.stat().st_ino
    # A department whose tickets and row the reply below does not touch.
    quiet_department = output / "departments/city-hrss.html"
    department_inode = quiet_department.stat().st_ino

    # A new reply: its ticket's page changes, an unrelated ticket's page is left alone.
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    after_reply = build(board, settings, output)
    assert rendered(caplog) < everything / 4
    page = f"tickets/{OPEN.rsplit('/', 1)[1]}.html"
    assert after_reply[page] != first[page]
    assert "11月24日前答复".encode() in after_reply[page]
    assert quiet_page.stat().st_ino == inode
    assert quiet_department.stat().st_ino == department_inode

    def same_as_cold(*extra: str) -> None:
        incremental = build(board, settings, output, *extra)
        cold = cold_build(board, settings, tmp_path, monkeypatch, *extra)
        assert incremental.keys() == cold.keys()
        assert [path for path in cold if cold[path] != incremental[path]] == []

    same_as_cold()
    # A title that another ticket's page links to.
    ticket = board / "tickets/2026/2026-000002/ticket.yaml"
    ticket.write_text(
        re.sub(r"(?m)^title: .*$", "title: 标题已更正", ticket.read_text("utf-8"), count=1),
        "utf-8",
    )
    same_as_cold()
    assert "标题已更正".encode() in (output / "tickets/2026-000064.html").read_bytes()
    # A department's name in board.yaml, then a new moment.
    board_yaml = board / "board.yaml"
    board_yaml.write_text(
        board_yaml.read_text("utf-8").replace("青溪区住房和城乡建设局", "青溪区住房城乡建设局"),
        "utf-8",
    )
    same_as_cold()
    assert "青溪区住房城乡建设局".encode() in (output / "leaderboard.html").read_bytes()
    # A later moment: pages of settled tickets stay as they are. An open ticket's page says
    # until when its status holds: the same while it holds (2026-000069: open until 24
    # Nov 20:59 at both moments), new when it changed (2026-000064: due soon, then overdue).
    settled_page = output / "tickets/2026-000001.html"
    assert b'class="as-of settled"' in settled_page.read_bytes()
    settled_inode = settled_page.stat().st_ino
    open_page = f"tickets/{OPEN.rsplit('/', 1)[1]}.html"
    before = tree(output)
    later = build(board, settings, output, "--as-of", "2026-11-21T09:00:00+08:00")
    assert settled_page.stat().st_ino == settled_inode
    assert later[open_page] == before[open_page]
    assert b'class="as-of span"' in later[open_page]
    turned = "tickets/2026-000064.html"
    assert b"status-due-soon" in before[turned]
    assert b"status-overdue" in later[turned]
    final = {"answered-on-time", "answered-late", "withdrawn", "duplicate"}
    rows = json.loads(later["data/tickets.json"])["tickets"]
    settled = sum(row["status"] in final for row in rows)
    assert settled > 40
    # Kept: each settled ticket's page and Open311 file, the list pages of settled
    # tickets only, the reports of finished periods, and every feed of replies that has
    # one; every other page shows the moment.
    kept_lists = [p for p in later if p.startswith("lists/") and b"as-of settled" in later[p]]
    assert kept_lists
    now = b'datetime="2026-11-21T09:00:00+08:00"'
    finished = [p for p in later if p.startswith("reports/2026-") and now not in later[p]]
    assert finished == ["reports/2026-09.html", "reports/2026-10.html", "reports/2026-Q3.html"]
    feeds = [p for p in later if p.startswith("feeds/") and p != "feeds/overdue.atom.xml"]
    replies = [p for p in feeds if b"<entry>" in later[p]]
    assert "feeds/replies.atom.xml" in replies
    assert len(replies) < len(feeds)  # a department without replies: its feed is remade
    for path in finished + replies:
        assert later[path] == before[path], path
    # Kept too: each open ticket's page whose status holds past the later moment (no file
    # of the demo dates an event between the two moments).
    moment = datetime.fromisoformat("2026-11-21T09:00:00+08:00")
    holding = [
        p
        for p in before
        if p.startswith("tickets/")
        and (found := re.search(rb'class="as-of span">[^<]*<time datetime="([^"]+)"', before[p]))
        and datetime.fromisoformat(found[1].decode()) >= moment
    ]
    assert open_page in holding
    assert turned not in holding
    # And each overdue ticket's page, which says since when it is overdue: it stays so
    # until something happens to the ticket.
    overdue = [
        p for p in before if p.startswith("tickets/") and b'class="as-of since"' in before[p]
    ]
    assert overdue
    assert all(later[p] == before[p] for p in overdue)
    # And the Open311 file of each of these: it says, like the page, until when an open
    # ticket's status holds, or since when an overdue one is overdue, not the time left.
    requests = [f"open311/v2/requests/{p.rsplit('/', 1)[1]}".replace(".html", ".json")
                for p in holding + overdue]  # fmt: skip
    for path in requests:
        assert later[path] == before[path], path
    open_request = json.loads(later[requests[holding.index(open_page)]])[0]
    assert "剩余" not in open_request["status_notes"]
    kept = 2 * settled + len(kept_lists) + len(finished) + len(replies)
    kept += 2 * len(holding) + 2 * len(overdue)
    # And the pages that show no status: they say no moment, and stay as they were. The
    # office's own pages (Pelican's, not counted among the jobs) too.
    no_status = ["search.html", "changes.html", "about.html", "how-to-submit.html"]
    for path in no_status:
        assert b'class="as-of' not in later[path], path
        assert later[path] == before[path], path
    kept += 2
    assert rendered(caplog) == everything - kept
    same_as_cold("--as-of", "2026-11-21T09:00:00+08:00")


def test_settled_tickets_files_are_kept_and_made_again_by_blocks_of_neighbours(
    demo_copy: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A settled ticket's page and Open311 file go with those of its settled neighbours
    by id (ids that differ only in their last character): a change to one of them makes
    that block's files again, and no other block's; the site is the one a cold build
    makes."""
    caplog.set_level(logging.INFO, logger="answerable.generator")
    board, settings = demo_copy
    # A settled ticket with an id of its own ten: a block of its own.
    far = far_settled(board)
    output = tmp_path / "site"
    first = build(board, settings, output)
    rendered(caplog)
    settled = [p for p in first if p.startswith("tickets/") and b"as-of settled" in first[p]]
    assert "tickets/2026-000101.html" in settled
    block = [p for p in settled if p.startswith("tickets/2026-00000")]  # ids 1 to 9
    assert len(block) >= 5
    assert len(settled) > len(block) + 30

    def retitle(folder: Path, title: str) -> None:
        path = folder / "ticket.yaml"
        text = re.sub(r"(?m)^title: .*$", f"title: {title}", path.read_text("utf-8"), count=1)
        path.write_text(text, "utf-8")

    # The far ticket's title: its own page and Open311 file are made again, and the
    # lists, whole-board files and figures that show it, but no other ticket's files.
    retitle(far, "标题已更正")
    after = build(board, settings, output)
    alone = rendered(caplog)
    assert "标题已更正".encode() in after["tickets/2026-000101.html"]
    # A near one's title: the files of its whole block are made again (two a ticket),
    # and no other block's.
    retitle(board / "tickets/2026/2026-000001", "标题也已更正")
    after = build(board, settings, output)
    near = rendered(caplog)
    assert alone + 2 * len(block) - 2 <= near < alone + 2 * len(block) + 10
    assert "标题也已更正".encode() in after["tickets/2026-000001.html"]
    assert after == cold_build(board, settings, tmp_path, monkeypatch)


def test_a_page_edited_by_hand_is_rendered_again(
    demo_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    board, settings = demo_copy
    output = tmp_path / "site"
    first = build(board, settings, output)
    page = output / "tickets/2026-000001.html"
    page.write_bytes(page.read_bytes().replace(b"<h1", b"<h1 data-edited"))
    assert build(board, settings, output) == first


def test_the_build_state_never_changes_what_validate_reports(
    demo_copy: tuple[Path, Path],
) -> None:
    board, _ = demo_copy
    runner = CliRunner()

    def validate() -> tuple[int, str]:
        result = runner.invoke(cli, ["validate", str(board)], catch_exceptions=False)
        return result.exit_code, result.output

    assert validate() == (0, "0 error(s), 0 warning(s)\n")
    ticket = board / "tickets/2026/2026-000005/ticket.yaml"
    text = ticket.read_text("utf-8")
    ticket.write_text(text.replace("channel: ", "channel: fax\nx_channel: ", 1), "utf-8")
    code, output = validate()
    line = next(
        n
        for n, row in enumerate(ticket.read_text("utf-8").splitlines(), 1)
        if row == "channel: fax"
    )
    assert code == 1
    assert f"tickets/2026/2026-000005/ticket.yaml:{line + 1}:1: E102" in output
    assert validate() == (code, output)  # read from the cache: the same, with positions
    cold = runner.invoke(cli, ["--no-cache", "validate", str(board)])
    assert (cold.exit_code, cold.output) == (code, output)

    # A state that cannot be read is ignored, never trusted.
    state = state_path(board)  # this board's, not another test's
    assert state.is_file()
    state.write_bytes(b"not a database")
    assert validate() == (code, output)
    ticket.write_text(text, "utf-8")
    assert validate() == (0, "0 error(s), 0 warning(s)\n")


def test_a_warm_read_gives_the_records_a_cold_read_gives(demo_copy: tuple[Path, Path]) -> None:
    """Records made from what the build state keeps of a file are those parsed from it."""
    board, _ = demo_copy
    validate(load_remembered(board, BuildState(board), check=folder_check))  # fills the state
    warm = load_remembered(board, BuildState(board), check=folder_check)
    assert validate(warm) == []
    fresh = {file.refs.id: file.ticket for file in load_board(board).tickets}
    cached = {file.refs.id: file.ticket for file in warm.tickets}
    assert cached == fresh
    assert {k: t.model_fields_set for k, t in cached.items()} == {
        k: t.model_fields_set for k, t in fresh.items()
    }
    replies = {r.path: r.meta for file in warm.tickets for r in file.replies}
    assert replies == {r.path: r.meta for file in load_board(board).tickets for r in file.replies}
    assert replies  # the demo's replies came from the state as well


def test_records_from_reading_processes_are_compact(demo_copy: tuple[Path, Path]) -> None:
    """Records sent back by the reading processes of a large board share what they can:
    one set of given fields for records given the same fields, and, in the process that
    validated no ticket itself (the main process of a large build), attribute dicts that
    share their keys: 500 bytes less a ticket."""
    board, _ = demo_copy

    def probe(validated_first: bool) -> tuple[int, int, int]:
        code = (
            "import sys; from pathlib import Path;"
            "import answerable.reading.loading as loading;"
            "import answerable.incremental.pickling;"  # as load_remembered does
            f"board = Path({str(board)!r});"
            f"{'loading.load_board(board).tickets[0].ticket;' if validated_first else ''}"
            "loading.PARALLEL_FROM = 2;"  # the demo's 77 folders read as a large board's
            "files = loading.load_board(board, workers=2).tickets;"
            "sets = {id(f.ticket.model_fields_set) for f in files};"
            "kinds = {frozenset(f.ticket.model_fields_set) for f in files};"
            "size = sum(sys.getsizeof(f.ticket.__dict__) for f in files);"
            "print(size, len(sets), len(kinds), len(files))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
        size, sets, kinds, count = map(int, done.stdout.split())
        assert count == 77
        return size, sets, kinds

    compact, sets, kinds = probe(validated_first=False)
    assert sets == kinds < 40
    assert compact < probe(validated_first=True)[0] - 500 * 77


def test_reading_in_two_processes_gives_the_same_board(
    demo_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large boards are read and checked in two processes per core, each saving what it
    read to the build state: the board, its problems and the state they leave are those
    of reading in one process."""
    board, _ = demo_copy
    # Problems of every kind a folder can have: schema (with a position), privacy,
    # a link to no ticket, a stray file.
    ticket = board / "tickets/2026/2026-000005/ticket.yaml"
    text = ticket.read_text("utf-8")
    ticket.write_text(text.replace("channel: ", "x_channel: 1\nchannel: ", 1), "utf-8")
    other = board / "tickets/2026/2026-000007/ticket.yaml"
    other.write_text(other.read_text("utf-8") + "related: [2026-999999]\n", "utf-8")
    (board / "tickets/2026/2026-000009/notes.txt").write_text("手机 13812345678\n", "utf-8")
    reply = next((board / "tickets/2026").glob("*/reply-1.md"))
    reply.write_text(reply.read_text("utf-8") + "\n请联系张三 13912345678。\n", "utf-8")

    def read(cache: bool, workers: int, records: bool = True) -> tuple[object, ...]:
        loaded = load_remembered(
            board,
            BuildState(board) if cache else None,
            workers=workers,
            check=folder_check,
            records=records,
        )
        return loaded, validate(loaded)

    serial, expected = read(cache=False, workers=1)
    codes = {p.code for p in expected}
    assert {"E102", "E207", "E006", "E502"} <= codes, codes
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)  # the demo is small; split it anyway
    for cache in (False, True, True):  # without a cache, then with it cold, then warm
        parallel, problems = read(cache, workers=2)
        assert problems == expected
        assert [(t.folder, t.digest, t.refs) for t in parallel.tickets] == [
            (t.folder, t.digest, t.refs) for t in serial.tickets
        ]
        assert [t.ticket for t in parallel.tickets] == [t.ticket for t in serial.tickets]
        assert [[(r.path, r.meta, r.body) for r in t.replies] for t in parallel.tickets] == [
            [(r.path, r.meta, r.body) for r in t.replies] for t in serial.tickets
        ]
    # What the two processes saved serves a reading in one: every file is found.
    warm, problems = read(cache=True, workers=1)
    assert problems == expected
    assert [t.ticket for t in warm.tickets] == [t.ticket for t in serial.tickets]
    # For checking only, records stay in the processes that read them.
    light, problems = read(cache=True, workers=2, records=False)
    assert problems == expected
    assert light.tickets == []
    assert [(f.folder, f.refs) for f in light.light] == [(t.folder, t.refs) for t in serial.tickets]


def test_a_newly_answered_ticket_changes_only_the_first_page_of_a_list(
    demo_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    """Lists are cut into pages from the oldest end: a ticket answered near the top of
    the answered list changes its first page, not every page after it."""
    board, settings = demo_copy
    with settings.open("a", encoding="utf-8") as file:
        file.write("\nANSWERABLE_PER_PAGE = 4\n")
    output = tmp_path / "site"
    before = build(board, settings, output)
    pages = [p for p in before if re.fullmatch(r"lists/status-answered(-\d+)?\.html", p)]
    rows = {p: len(page(output, p).select("tbody tr")) for p in pages}
    first = "lists/status-answered.html"
    assert len(pages) > 10
    assert 4 <= rows[first] < 8
    assert all(count == 4 for p, count in rows.items() if p != first)
    inodes = {p: (output / p).stat().st_ino for p in pages}

    final = REPLY.replace("kind: interim\npromised: 2026-11-24", "kind: final")
    (board / OPEN / "reply-1.md").write_text(final, "utf-8")
    after = build(board, settings, output)
    assert [p for p in pages if after[p] != before[p]] == [first]
    assert len(page(output, first).select("tbody tr")) == rows[first] + 1
    assert all((output / p).stat().st_ino == inodes[p] for p in pages if p != first)


def test_an_open_ticket_page_changes_when_its_timeline_does(
    demo_copy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept while its status holds, an open ticket's page is made again once an event its
    files date after the first moment has come: here an extension requested at 20:00 and
    not (yet) approved, which leaves the status as it is."""
    board, settings = demo_copy
    with (board / OPEN / "ticket.yaml").open("a", encoding="utf-8") as file:
        file.write(
            "extensions:\n"
            "  - requested: 2026-11-20T20:00:00+08:00\n"
            "    reason: 需协调施工单位制定整改方案\n"
            "    due: 2026-12-04\n"
        )
    output = tmp_path / "site"
    page = f"tickets/{OPEN.rsplit('/', 1)[1]}.html"
    before = build(board, settings, output, "--as-of", "2026-11-20T19:30:00+08:00")
    assert "需协调施工单位制定整改方案".encode() not in before[page]
    after = build(board, settings, output, "--as-of", "2026-11-20T21:00:00+08:00")
    assert "需协调施工单位制定整改方案".encode() in after[page]
    assert b'class="as-of span"' in after[page]
    assert after == cold_build(
        board, settings, tmp_path, monkeypatch, "--as-of", "2026-11-20T21:00:00+08:00"
    )


def alter_piece(db: sqlite3.Connection, kind: str, name: str, edit: Callable[[str], str]) -> None:
    """Alter a kept piece of a page as a state could hold it: its text with the digest
    the state keeps after the piece's key (a piece damaged otherwise is not taken)."""
    sealed, text = db.execute(
        "SELECT key, text FROM fragments WHERE kind = ? AND name = ?", (kind, name)
    ).fetchone()
    altered = edit(text)
    assert altered != text
    digest = hashlib.blake2b(altered.encode(), digest_size=8).digest()
    db.execute(
        "UPDATE fragments SET key = ?, text = ? WHERE kind = ? AND name = ?",
        (sealed[:-8] + digest, altered, kind, name),
    )


def test_whole_board_files_join_the_kept_pieces_of_settled_tickets(
    demo_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    """Each settled ticket's piece of the whole-board files is kept in the build state
    and joined in again; an open ticket's piece (its time left changes) is never kept,
    and a changed ticket's piece is made again. A piece altered in the state shows
    where it was joined in: that is how this test sees which pieces were kept."""
    board, settings = demo_copy
    output = tmp_path / "site"
    build(board, settings, output)
    settled, open_ = "2026-000001", OPEN.rsplit("/", 1)[1]
    with sqlite3.connect(state_path(board)) as db:
        kept = {name for (name,) in db.execute("SELECT name FROM fragments WHERE kind = 'ticket'")}
        assert settled in kept
        assert open_ not in kept
        for kind in ("ticket", "request", "csv"):
            alter_piece(db, kind, settled, lambda text: text.replace(settled, f"{settled}-kept"))
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    rebuilt = build(board, settings, output)
    for path in ("data/tickets.json", "data/tickets.csv", "open311/v2/requests.json"):
        assert f"{settled}-kept".encode() in rebuilt[path], path
    assert json.loads(rebuilt["data/tickets.json"])["tickets"][68]["id"] == open_
    # Made again once the ticket changes: its title is edited.
    ticket = board / "tickets/2026" / settled / "ticket.yaml"
    ticket.write_text(ticket.read_text("utf-8").replace("title: ", "title: 改", 1), "utf-8")
    again = build(board, settings, output)
    cold = build(board, settings, tmp_path / "cold", cache=False)
    assert again == cold
    row = json.loads(again["data/tickets.json"])["tickets"][0]
    assert (row["id"], row["title"][0]) == (settled, "改")


def test_a_kept_block_of_a_whole_board_file_is_copied_from_the_site_and_checked(
    demo_copy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A block of settled tickets' parts (here a settled ticket copied to 2026-000101, a
    block of its own) is copied from the published file when a whole-board file is made
    again; its bytes are checked first, so a file edited by hand is mended, not copied."""
    board, settings = demo_copy
    far_settled(board)
    near = board / "tickets/2026/2026-000002/ticket.yaml"
    output = tmp_path / "site"
    requests = "open311/v2/requests.json"
    build(board, settings, output)
    # The state's text of the block forged: the file is made again (a title changed
    # elsewhere), and the block comes from the site's file, not from the state.
    with sqlite3.connect(state_path(board)) as db:
        alter_piece(db, "request/block", "2026-0001", lambda t: t.replace("2026-000101", "改"))
    near.write_text(near.read_text("utf-8").replace("title: ", "title: 改", 1), "utf-8")
    after = build(board, settings, output)
    assert b'"2026-000101"' in after[requests]
    assert after == cold_build(board, settings, tmp_path, monkeypatch)
    # The site's file edited by hand where the block stands (the state's forged text
    # gone): the block's bytes are not taken from it, but made again.
    with sqlite3.connect(state_path(board)) as db:
        db.execute("DELETE FROM fragments WHERE kind = 'request/block'")
    path = output / requests
    path.write_bytes(path.read_bytes().replace(b'"2026-000101"', b'"2026-000191"'))
    near.write_text(near.read_text("utf-8").replace("title: 改", "title: 又改", 1), "utf-8")
    again = build(board, settings, output)
    assert b'"2026-000191"' not in again[requests]
    assert again == cold_build(board, settings, tmp_path, monkeypatch)


def test_list_pages_join_the_kept_rows_of_settled_tickets(
    demo_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    """A settled ticket's row in the lists is kept in the build state and joined into
    the list pages that a rebuild renders again; an open ticket's row (its time left
    changes) is never kept. A row altered in the state shows where it was joined in."""
    board, settings = demo_copy
    output = tmp_path / "site"
    build(board, settings, output)
    listed = "lists/department-qingxi-housing.html"
    open_ = OPEN.rsplit("/", 1)[1]
    with sqlite3.connect(state_path(board)) as db:
        kept = dict(db.execute("SELECT name, text FROM fragments WHERE kind = 'row'"))
        assert not any(name.startswith(open_) for name in kept)
        page_text = (output / listed).read_text("utf-8")
        name = next(n for n, text in kept.items() if n.endswith(" ..") and text in page_text)
        settled = name.split(" ")[0]
        alter_piece(db, "row", name, lambda text: text.replace(f">{settled}<", f">{settled}-kept<"))
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    rebuilt = build(board, settings, output)
    assert f">{settled}-kept<".encode() in rebuilt[listed]
    assert open_.encode() in rebuilt[listed]
    cold = build(board, settings, tmp_path / "cold", cache=False)
    differ = [path for path in cold if cold[path] != rebuilt[path]]
    assert listed in differ  # and every other page that differs joined the same row
    assert [p for p in differ if f">{settled}-kept<".encode() not in rebuilt[p]] == []


def test_the_reports_index_takes_kept_figures_of_periods_whose_tickets_did_not_change(
    demo_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    """A period's figures are kept under its report's key: a reply in November makes the
    index again with September's figures as kept (altered here, to see that they are
    taken), and November's as worked out afresh."""
    board, settings = demo_copy
    output = tmp_path / "site"
    build(board, settings, output)
    with sqlite3.connect(state_path(board)) as db:
        kept = dict(db.execute("SELECT name, text FROM fragments WHERE kind = 'period'"))
        assert {"2026-09", "2026-10", "2026-11", "2026-Q3", "2026-Q4"} <= kept.keys()
        assert json.loads(kept["2026-09"])["received"] == 27  # the demo's September tickets
        altered = json.dumps({**json.loads(kept["2026-09"]), "received": 4242})
        alter_piece(db, "period", "2026-09", lambda _: altered)
    (board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    rebuilt = build(board, settings, output)["reports/index.html"]
    cold = build(board, settings, tmp_path / "cold", cache=False)["reports/index.html"]
    assert re.search(rb">4,?242<", rebuilt)
    assert rebuilt.replace(b"4,242", b"27").replace(b"4242", b"27") == cold


def test_a_late_reply_leaves_the_reports_of_periods_ended_before_it(
    demo_copy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report of a finished period shows its tickets as they stood at the period's
    end. 2026-000012 (a complaint received 14 September, an interim reply on the 18th)
    gets its final reply on 20 November: the reports of September, October and the
    third quarter, which end before it, are not made again; the fourth quarter's is
    (it reads the third quarter's tickets, at the build's moment). Dated back to 28
    September instead, the reply makes those reports again, and September's changes."""
    board, settings = demo_copy
    output = tmp_path / "site"
    made = tmp_path / "reports-made"
    real = reports.report

    def report(site: object, period: Period) -> object:
        with made.open("a", encoding="utf-8") as file:  # written by any rendering process
            file.write(period.label + "\n")
        return real(site, period)  # type: ignore[arg-type]

    def reports_made(*extra: str) -> set[str]:
        made.unlink(missing_ok=True)
        site = build(board, settings, output, *extra)
        labels = set(made.read_text("utf-8").split()) if made.exists() else set()
        assert site == cold_build(board, settings, tmp_path, monkeypatch, *extra)
        return labels

    monkeypatch.setattr(reports, "report", report)
    first = build(board, settings, output)
    assert reports_made() == set()
    reply = board / "tickets/2026/2026-000012/reply-2.md"
    final = (
        "---\ndate: {}\ndepartment: linjiang-wangjiang\nkind: final\n---\n经核查，已处理完毕。\n"
    )
    reply.write_text(final.format("2026-11-20T20:00:00+08:00"), "utf-8")
    assert reports_made() == {"2026-Q4"}
    late = tree(output)
    assert late["reports/2026-09.html"] == first["reports/2026-09.html"]

    reply.write_text(final.format("2026-09-28T10:00:00+08:00"), "utf-8")
    assert reports_made() == {"2026-09", "2026-10", "2026-Q3", "2026-Q4"}
    assert tree(output)["reports/2026-09.html"] != late["reports/2026-09.html"]


def test_list_pages_of_quiet_tickets_say_the_day_and_stay_the_same_all_day(
    demo_copy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list page whose rows change only from one day to the next (settled tickets,
    tickets overdue by whole working days) says the day its statuses hold, not the
    minute, and so does a department page whose tickets all do: a rebuild later that
    day leaves them as they were. The next working day, an
    overdue row is a working day later. 2026-000062 (help, received Wednesday 11 November,
    due in 5 working days: Wednesday 18th) is 3 working days late on Monday 23rd (19th,
    20th, 23rd) and 4 on Tuesday 24th."""
    board, settings = demo_copy
    output = tmp_path / "site"
    page = "lists/department-city-hrss.html"
    department = "departments/city-hrss.html"

    def cold(moment: str) -> dict[str, bytes]:
        return cold_build(board, settings, tmp_path, monkeypatch, "--as-of", moment)

    morning = build(board, settings, output, "--as-of", "2026-11-23T09:00:00+08:00")
    lists = [p for p in morning if p.startswith("lists/")]
    by_day = [p for p in lists if b'class="as-of day"' in morning[p]]
    by_minute = [p for p in lists if b'<p class="as-of">' in morning[p]]
    assert page in by_day
    assert b'class="as-of day"' in morning[department]
    by_day.append(department)
    assert by_minute
    assert all(b'<time datetime="2026-11-23">' in morning[p] for p in by_day)
    assert "超期3个工作日".encode() in morning[page]
    inodes = {p: (output / p).stat().st_ino for p in by_day}

    evening = build(board, settings, output, "--as-of", "2026-11-23T20:00:00+08:00")
    assert [p for p in by_day if evening[p] != morning[p]] == []
    assert [p for p in by_day if (output / p).stat().st_ino != inodes[p]] == []
    assert all(evening[p] != morning[p] for p in by_minute)  # they say the minute
    assert evening == cold("2026-11-23T20:00:00+08:00")

    tuesday = build(board, settings, output, "--as-of", "2026-11-24T09:00:00+08:00")
    assert b'<time datetime="2026-11-24">' in tuesday[page]
    assert "超期4个工作日".encode() in tuesday[page]
    assert tuesday == cold("2026-11-24T09:00:00+08:00")


URGENT = """\
id: 2026-000090
title: 灵活就业人员如何参加职工养老保险
received: 2026-11-22T08:00:00+08:00
channel: web
type: consultation
category: labour-social-security
department: city-hrss
submitter: 王女士
submitter_kind: citizen
urgent: true
message: |
  我是灵活就业人员，想以个人身份参加职工养老保险，请问在哪里办理，需要带什么材料？
"""


def test_a_list_page_with_a_ticket_late_by_hours_says_the_minute(
    demo_copy: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An urgent message received Sunday 22 November 08:00 is due in 24 hours, Monday
    08:00: at noon it is 4 hours late, at 20:00 12 hours. Its department's list, whose
    other rows hold all day, says the minute and is made again, as does the
    department's page."""
    board, settings = demo_copy
    folder = board / "tickets/2026/2026-000090"
    folder.mkdir()
    (folder / "ticket.yaml").write_text(URGENT, "utf-8")
    output = tmp_path / "site"
    page = "lists/department-city-hrss.html"
    noon = build(board, settings, output, "--as-of", "2026-11-23T12:00:00+08:00")
    assert b'<p class="as-of">' in noon[page]
    assert b'<p class="as-of">' in noon["departments/city-hrss.html"]
    assert "超期4小时".encode() in noon[page]
    evening = build(board, settings, output, "--as-of", "2026-11-23T20:00:00+08:00")
    assert "超期12小时".encode() in evening[page]
    assert evening == cold_build(
        board, settings, tmp_path, monkeypatch, "--as-of", "2026-11-23T20:00:00+08:00"
    )
