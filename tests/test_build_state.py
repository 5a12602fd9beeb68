"""The build state: keys from git, files git vouches for left unopened, and a state that
cannot be trusted (damaged, of another version, locked, unwritable) never changes a
result."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.checks.problems import Problem
from answerable.checks.validation import folder_check, validate
from answerable.cli.main import cli
from answerable.core.records import Board
from answerable.incremental import remembered
from answerable.incremental import state as state_module
from answerable.incremental.changes import AskedGit, known_keys, system_attributes
from answerable.incremental.remembered import RememberingReader, remembered_checks
from answerable.incremental.state import BuildState, state_path
from answerable.reading.loading import (
    FolderListing,
    LoadedBoard,
    TicketFile,
    blob_id,
    load_board,
)
from sitebuild import copy_demo

ROOT = Path(__file__).resolve().parent.parent
TICKET = "tickets/2026/2026-000005/ticket.yaml"
REPLY = "tickets/2026/2026-000001/reply-1.md"


@pytest.fixture(autouse=True)
def plain_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git without the machine's own settings (a global core.autocrlf would, rightly,
    make every key be read from the files), and a cache folder of the test's own (some
    tests damage it)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("ANSWERABLE_CACHE_DIR", str(tmp_path / "cache"))


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo_board(tmp_path: Path) -> Path:
    """The demo board in a subfolder of a git repository, committed."""
    repo = tmp_path / "repo"
    board = copy_demo(repo / "board")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "board")
    return board


def read(board: Path, *, records: bool = True) -> tuple[LoadedBoard, RememberingReader]:
    """The board read through the state, and the reader (what it opened and parsed);
    ``records=False``: for checking only, as ``answerable validate`` reads it."""
    state = BuildState(board)
    reader = RememberingReader(board, state)
    check = remembered_checks(state, folder_check)
    loaded = load_board(board, reader, check=check, records=records)
    return loaded, reader


def same_as_plain(loaded: LoadedBoard) -> None:
    """What the state gave is what reading every file afresh gives."""
    plain = load_board(loaded.root)
    assert validate(loaded) == validate(plain)
    if loaded.light:
        assert [(f.folder, f.refs, f.reply_times) for f in loaded.light] == [
            (t.folder, t.refs, t.reply_times) for t in plain.tickets
        ]
        return
    assert [(t.folder, t.digest, t.ticket) for t in loaded.tickets] == [
        (t.folder, t.digest, t.ticket) for t in plain.tickets
    ]
    assert [[(r.path, r.meta, r.body) for r in t.replies] for t in loaded.tickets] == [
        [(r.path, r.meta, r.body) for r in t.replies] for t in plain.tickets
    ]


def test_keys_are_git_blob_ids(repo_board: Path) -> None:
    data = (repo_board / TICKET).read_bytes()
    hashed = git(repo_board, "hash-object", TICKET).strip()
    assert blob_id(data).hex() == hashed
    keys = known_keys(repo_board)
    files = sorted(p for p in (repo_board / "tickets").rglob("*") if p.is_file())
    assert len(keys) == len(files) > 100
    for path in files:
        assert keys[path.relative_to(repo_board).as_posix()] == blob_id(path.read_bytes())


def test_git_asked_early_answers_as_asked_late_and_is_waited_for(repo_board: Path) -> None:
    asked = AskedGit(repo_board)  # as a command does first thing
    keys = asked.keys()
    assert keys == known_keys(repo_board)
    assert len(keys) > 100
    assert asked.keys() is keys  # waited for once
    outside = AskedGit(repo_board.parent)  # no work tree: git fails, nothing is vouched for
    assert outside.keys() == {}


def test_git_vouches_only_for_files_as_committed_or_staged(repo_board: Path) -> None:
    edited, staged, deleted = TICKET, "tickets/2026/2026-000006/ticket.yaml", REPLY
    (repo_board / edited).write_text((repo_board / edited).read_text("utf-8") + "\n", "utf-8")
    staged_bytes = (repo_board / staged).read_bytes() + b"\n"
    (repo_board / staged).write_bytes(staged_bytes)
    git(repo_board, "add", staged)
    (repo_board / deleted).unlink()
    new = "tickets/2026/2026-000001/reply-9.md"
    (repo_board / new).write_text("---\n", "utf-8")
    keys = known_keys(repo_board)
    assert edited not in keys
    assert deleted not in keys
    assert new not in keys
    assert keys[staged] == blob_id(staged_bytes)  # the index holds the staged blob


def counted_scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ticket folders whose names are read from the disk from now on."""
    scanned: list[str] = []
    scan = remembered.scan_ticket_folder

    def counting(folder: Path | str) -> FolderListing:
        scanned.append(Path(folder).name)
        return scan(folder)

    monkeypatch.setattr(remembered, "scan_ticket_folder", counting)
    return scanned


def test_a_folder_whose_stamp_is_the_same_is_not_listed_again(
    repo_board: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folders were made a moment ago: any change counts as old enough to be noted.
    monkeypatch.setattr(remembered, "SETTLED_NS", -1)
    read(repo_board)
    scanned = counted_scans(monkeypatch)
    warm, _ = read(repo_board)
    assert scanned == []
    same_as_plain(warm)
    # A stray file, a stray folder, a new reply and a reply gone: those folders only
    # are listed again, and what they hold now is what the board gives.
    folders = repo_board / "tickets" / "2026"
    (folders / "2026-000003" / "notes.txt").write_text("草稿", "utf-8")
    (folders / "2026-000004" / "drafts").mkdir()
    shutil.copy(folders / "2026-000003" / "reply-1.md", folders / "2026-000006" / "reply-5.md")
    (folders / "2026-000002" / "reply-2.md").unlink()
    changed, _ = read(repo_board)
    assert sorted(scanned) == ["2026-000002", "2026-000003", "2026-000004", "2026-000006"]
    same_as_plain(changed)
    strays = {p.path for p in validate(changed) if "reply-N.md files only" in p.message}
    assert strays == {
        "tickets/2026/2026-000003/notes.txt",
        "tickets/2026/2026-000004/drafts",
    }
    # A folder put back as it was (another folder on disk): listed again.
    scanned.clear()
    shutil.copytree(folders / "2026-000005", folders / "copy")
    shutil.rmtree(folders / "2026-000005")
    (folders / "copy").rename(folders / "2026-000005")
    again, _ = read(repo_board)
    assert "2026-000005" in scanned
    assert "2026-000003" not in scanned  # its stray is remembered, and still reported
    same_as_plain(again)


def test_a_folder_changed_a_moment_ago_is_not_noted(repo_board: Path) -> None:
    # Made seconds ago: a change within the same tick of a coarse clock could leave its
    # stamp as it is, so its names are not kept until it has been still for a while.
    read(repo_board)
    with sqlite3.connect(state_path(repo_board)) as db:
        assert db.execute("SELECT total(entries) FROM listed").fetchone() == (0,)
        assert db.execute("SELECT total(entries) FROM kept").fetchone()[0] > 50


def test_an_unchanged_file_is_not_opened(repo_board: Path) -> None:
    first, reader = read(repo_board)
    assert reader.opened == reader.parsed > 100  # a cold state: every file
    same_as_plain(first)
    assert state_path(repo_board).parent.stat().st_mode & 0o777 == 0o700  # the user's only
    warm, reader = read(repo_board)
    assert (reader.opened, reader.parsed) == (0, 0)
    same_as_plain(warm)
    checked, reader = read(repo_board, records=False)
    assert (reader.opened, reader.parsed) == (0, 0)
    same_as_plain(checked)
    checked, reader = read(repo_board, records=False)  # from what a check-only run kept
    assert (reader.opened, reader.parsed) == (0, 0)
    same_as_plain(checked)


@pytest.mark.parametrize("records", [True, False])
@pytest.mark.parametrize("change", ["edit", "new", "delete", "stage"])
def test_each_kind_of_change_is_seen(repo_board: Path, change: str, records: bool) -> None:
    read(repo_board, records=records)  # fills the state
    ticket = repo_board / TICKET
    text = ticket.read_text("utf-8")
    if change == "edit":
        ticket.write_text(text.replace("channel: ", "channel: fax\nx_channel: ", 1), "utf-8")
    elif change == "stage":
        ticket.write_text(text.replace("channel: ", "channel: fax\nx_channel: ", 1), "utf-8")
        git(repo_board, "add", TICKET)
    elif change == "new":
        reply = (repo_board / REPLY).read_text("utf-8")
        (repo_board / TICKET).with_name("reply-9.md").write_text(reply, "utf-8")
    else:
        (repo_board / REPLY).unlink()
    loaded, reader = read(repo_board, records=records)
    assert reader.opened == (0 if change == "delete" else 1)
    same_as_plain(loaded)
    codes = {p.code for p in validate(loaded)}
    expected = {"edit": "E102", "stage": "E102", "new": "E310", "delete": None}[change]
    assert expected is None or expected in codes


def test_a_board_outside_git_reads_every_file_and_gives_the_same(
    repo_board: Path, tmp_path: Path
) -> None:
    outside = copy_demo(tmp_path / "outside")
    assert known_keys(outside) == {}
    read(outside)
    loaded, reader = read(outside)
    assert reader.opened > 100  # read to be keyed, but not parsed again
    assert reader.parsed == 0
    same_as_plain(loaded)
    inside, _ = read(repo_board)
    assert validate(inside) == validate(loaded)
    assert [t.digest for t in inside.tickets] == [t.digest for t in loaded.tickets]


def test_git_that_may_convert_line_endings_is_not_trusted(repo_board: Path) -> None:
    assert known_keys(repo_board)
    git(repo_board, "config", "core.autocrlf", "true")
    assert known_keys(repo_board) == {}


def test_gits_system_attributes_file_is_looked_for_under_its_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GIT_ATTR_NOSYSTEM", raising=False)
    assert Path("/etc/gitattributes") in system_attributes(b"/usr/lib/git-core\n")
    assert Path("/opt/git/etc/gitattributes") in system_attributes(b"/opt/git/libexec/git-core")
    assert system_attributes(None) == [Path("/etc/gitattributes")]
    monkeypatch.setenv("GIT_ATTR_NOSYSTEM", "1")
    assert system_attributes(b"/usr/lib/git-core") == []


SYSTEM_ATTRIBUTES = Path("/etc/gitattributes")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or SYSTEM_ATTRIBUTES.exists(),
    reason="writes git's system-wide attributes file, and only where none is",
)
def test_git_with_a_system_wide_attributes_file_is_not_trusted(
    repo_board: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system-wide attributes file may set line endings or filters for the tickets, as
    a repository's own may: git's ids are then not used. The file written here names no
    file of the board, and goes when the test ends."""
    monkeypatch.delenv("GIT_ATTR_NOSYSTEM", raising=False)
    exec_path = git(repo_board, "--exec-path").encode()
    if SYSTEM_ATTRIBUTES not in system_attributes(exec_path):
        pytest.skip("this git reads its system-wide attributes elsewhere")
    assert known_keys(repo_board)
    try:
        SYSTEM_ATTRIBUTES.write_text("*.no-such-board-file -text\n", "utf-8")
        said = git(repo_board, "check-attr", "text", "--", "probe.no-such-board-file")
        assert said.strip().endswith("text: unset")  # git itself reads the file
        assert known_keys(repo_board) == {}
    finally:
        SYSTEM_ATTRIBUTES.unlink(missing_ok=True)
    assert known_keys(repo_board)


@pytest.mark.parametrize(
    ("key", "value", "trusted"),
    [
        ("core.trustctime", "false", False),
        ("core.trustctime", "off", False),
        ("core.trustctime", "true", True),
        ("core.checkStat", "minimal", False),
        ("core.checkStat", "default", True),
        ("core.fsmonitor", "true", False),
        ("core.fsmonitor", "false", True),
    ],
)
def test_git_that_may_miss_an_edit_is_not_trusted(
    repo_board: Path, key: str, value: str, trusted: bool
) -> None:
    """With the change time not trusted, an edit that keeps the file's size and puts its
    modification time back is invisible to git (seen here): the files are read then."""
    git(repo_board, "config", key, value)
    ticket = repo_board / TICKET
    stat = ticket.stat()
    if trusted:
        # git keeps the change time to the second: an edit in the second the index was
        # written would leave it as it was.
        time.sleep(1.1)
    text = ticket.read_text("utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    # One character for another of the same length in UTF-8, the times put back.
    changed = title[:-1] + ("甲" if title[-1] != "甲" else "乙")
    ticket.write_text(text.replace(title, changed, 1), "utf-8")
    os.utime(ticket, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert ticket.stat().st_size == stat.st_size
    keys = known_keys(repo_board)
    assert bool(keys) == trusted
    rel = f"board/{TICKET}"
    unseen = not git(repo_board.parent, "diff-files", "--name-only", "--", rel).strip()
    if not trusted and key == "core.trustctime":
        assert unseen  # git itself does not see the edit
    if trusted:
        # git's full check sees it: the file is left to be read.
        assert TICKET not in keys
    loaded, _ = read(repo_board)
    ticket_id = TICKET.split("/")[-2]
    assert next(t for t in loaded.tickets if t.refs.id == ticket_id).ticket.title == changed[7:]


# A state that cannot be trusted: each case is a build equal to a cold one.


def build(board: Path, output: Path, *, cache: bool = True) -> dict[str, bytes]:
    args = [] if cache else ["--no-cache"]
    settings = board / "pelicanconf.py"
    args += ["build", "--board", str(board), "--settings", str(settings), "--output", str(output)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


def garbage(path: Path) -> None:
    path.write_bytes(b"not a database, not at all" * 100)


def truncated(path: Path) -> None:
    with sqlite3.connect(path) as db:  # all in the main file, then cut it short
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def other_version(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE name = 'version'", (b"another",))


def unwritable(path: Path) -> None:
    folder = path.parent
    shutil.rmtree(folder)
    folder.write_text("a file where the state's folder should be", "utf-8")


def damaged_values(path: Path) -> None:
    """A sound database whose values are not: bytes cut short, a length gone wrong (a
    pickle naming 2**64 bytes), none at all; pieces of pages whose texts are not those
    kept."""
    bad = [b"\x80\x05\x8e" + b"\xff" * 8, b"\x80\x05(K\x01", b""]
    with sqlite3.connect(path) as db:
        for table in ("files", "checks", "kept", "settled"):
            for number, value in enumerate(bad):
                db.execute(
                    f"UPDATE {table} SET value = ? WHERE rowid % 3 = ?",  # noqa: S608
                    (value, number),
                )
        # Bytes that unpickle into something else; what a page wrote, cut short.
        db.execute("UPDATE kept SET value = ? WHERE rowid % 4 = 0", (b")." * 8,))
        db.execute("UPDATE pages SET files = substr(files, 1, 5) WHERE hex(key) < '8'")
        # Pieces of pages: a text altered, one cut short, bytes that are no UTF-8.
        db.execute(
            "UPDATE fragments SET text = replace(text, '<', '>') WHERE unicode(substr(name, -1)) % 3 = 0"
        )
        db.execute(
            "UPDATE fragments SET text = substr(text, 2) WHERE unicode(substr(name, -1)) % 3 = 1"
        )
        db.execute(
            "UPDATE fragments SET text = CAST(x'ff00fe' AS TEXT) WHERE unicode(substr(name, -1)) % 7 = 2"
        )


def values_of_other_types(path: Path) -> None:
    """A sound database whose columns hold values of another type than was written:
    text, numbers (SQLite keeps whatever a column is given)."""
    others = ["text a state never holds", 7, 2.5, b""]
    with sqlite3.connect(path) as db:
        for number, value in enumerate(others):
            db.execute("UPDATE files SET value = ? WHERE length(name) % 4 = ?", (value, number))
            for table in ("checks", "kept", "settled", "listed"):
                db.execute(
                    f"UPDATE {table} SET value = ? WHERE rowid % 4 = ?",  # noqa: S608
                    (value, number),
                )
            db.execute("UPDATE pages SET files = ? WHERE length(files) % 8 = ?", (value, number))
            db.execute(
                "UPDATE OR IGNORE pages SET key = ? WHERE length(files) % 8 = ?",
                (value, number + 4),
            )
            db.execute("UPDATE fragments SET key = ? WHERE length(name) % 5 = ?", (value, number))
        db.execute("UPDATE meta SET value = 'text' WHERE name LIKE 'pages %'")


@pytest.mark.parametrize(
    "damage",
    [garbage, truncated, other_version, unwritable, damaged_values, values_of_other_types],
)
def test_a_state_that_cannot_be_trusted_gives_a_cold_build(
    repo_board: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    output = tmp_path / "site"
    build(repo_board, output)
    state = state_path(repo_board)
    assert state.is_file()
    edited = repo_board / "tickets/2026/2026-000002/ticket.yaml"
    edited.write_text(edited.read_text("utf-8").replace("title: ", "title: 新", 1), "utf-8")
    damage(state)
    again = build(repo_board, output)
    cold = build(repo_board, tmp_path / "cold", cache=False)
    assert again.keys() == cold.keys()
    assert [path for path in cold if cold[path] != again[path]] == []
    if damage is not unwritable:  # the next run has a good state again
        loaded, reader = read(repo_board)
        assert (reader.opened, reader.parsed) == (1, 0)  # the edited file, to key it
        same_as_plain(loaded)


def test_a_file_with_a_problem_is_read_again_until_mended(repo_board: Path) -> None:
    """The state keeps clean files only: one with a problem is parsed at every run, and
    its problem keeps its line; once mended it is kept, and the next run parses nothing."""
    read(repo_board)
    ticket = repo_board / TICKET
    text = ticket.read_text("utf-8")
    ticket.write_text(text.replace("channel: ", "x: 1\nchannel: "), "utf-8")
    line = text.splitlines().index(next(r for r in text.splitlines() if r.startswith("channel: ")))
    for _ in range(2):
        loaded, reader = read(repo_board)
        assert (reader.opened, reader.parsed) == (1, 1)
        wrong = [p for p in validate(loaded) if p.path == TICKET]
        assert [(p.line, p.code) for p in wrong] == [(line + 1, "E102")]
        same_as_plain(loaded)
    # Nothing kept of it, under its key, in the state.
    assert BuildState(repo_board).get("files", TICKET, blob_id(ticket.read_bytes())) is None
    ticket.write_text(text, "utf-8")
    loaded, reader = read(repo_board)
    assert reader.parsed == 0  # as the state kept it before the slip: known by its key
    same_as_plain(loaded)


def test_a_locked_state_is_done_without(repo_board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read(repo_board)
    monkeypatch.setattr(state_module, "BUSY_SECONDS", 0.1)
    holder = sqlite3.connect(state_path(repo_board), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another run writing, for longer than a save waits
    try:
        ticket = repo_board / TICKET
        ticket.write_text(ticket.read_text("utf-8") + "# edited\n", "utf-8")  # still clean
        loaded, reader = read(repo_board)
        assert (reader.opened, reader.parsed) == (1, 1)
        same_as_plain(loaded)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    loaded, reader = read(repo_board)
    assert (reader.opened, reader.parsed) == (1, 1)  # the locked run could not save it
    same_as_plain(loaded)
    loaded, reader = read(repo_board)
    assert (reader.opened, reader.parsed) == (1, 0)


def test_the_command_ends_at_once_with_its_output_and_state_written(
    repo_board: Path, tmp_path: Path
) -> None:
    """`answerable build` and `validate`, run as the command, end the process without
    freeing the board's objects one by one: what they print, their exit code, the site
    and the build state are all there, and the next run reads the state."""
    env = {
        **os.environ,
        "ANSWERABLE_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-c", "from answerable.cli.main import main; main()"]
    output = tmp_path / "site"
    settings = repo_board / "pelicanconf.py"
    built = subprocess.run(
        [*command, "build", "--board", str(repo_board), "--settings", str(settings),
         "--output", str(output)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0
    assert built.stdout.endswith(f"built {output.resolve()}\n")
    assert (output / "index.html").is_file()
    state = BuildState(repo_board, tmp_path / "cache")
    assert state.count("files") > 0
    assert state.pages(str(repo_board / "content"))
    broken = repo_board / "tickets/2026/2026-000002/ticket.yaml"
    broken.write_text(broken.read_text("utf-8").replace("title: ", "titel: ", 1), "utf-8")
    checked = subprocess.run(
        [*command, "validate", str(repo_board)], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert checked.returncode == 1
    assert "tickets/2026/2026-000002/ticket.yaml" in checked.stdout


def test_two_runs_saving_folders_of_one_chunk_keep_both(tmp_path: Path) -> None:
    # Folders whose names differ only in their last two characters share a stored
    # chunk; two runs that read it before either wrote (two reading processes of one
    # build) each add their own folder to it, and neither's is lost.
    board = tmp_path / "board"
    board.mkdir()
    first, second = (BuildState(board, tmp_path / "cache") for _ in range(2))
    assert first.ready()
    assert second.ready()
    one, two = "tickets/2026/2026-000101", "tickets/2026/2026-000102"
    assert first.get("kept", one, b"") is None  # each has read the chunk, empty
    assert second.get("kept", two, b"") is None
    first.put("kept", one, one, b"key one", ("one",))
    second.put("kept", two, two, b"key two", ("two",))
    first.save()
    second.save()
    again = BuildState(board, tmp_path / "cache")
    assert again.count("kept") == 2
    assert again.get("kept", one, b"key one") == ("one",)
    assert again.get("kept", two, b"other key") is None  # made from another key
    assert again.get("kept", two, b"key two") is None  # each entry is given once a run


def _second_chunk(board: Path) -> Path:
    """A ticket folder in a chunk after the demo's: its 77 tickets fill chunk 2026-0000
    (folders whose names differ only in their last two characters)."""
    demo = board / "tickets/2026"
    later = demo / "2026-000101"
    shutil.copytree(demo / "2026-000001", later)
    text = (later / "ticket.yaml").read_text("utf-8")
    (later / "ticket.yaml").write_text(text.replace("2026-000001", "2026-000101"), "utf-8")
    return later


def test_a_stopped_first_read_keeps_the_chunks_it_finished(repo_board: Path) -> None:
    # Folders are read in order, and a chunk's folders are written once the next chunk's
    # first is reached: a first read stopped half-way (Ctrl-C at a city's 100,000
    # tickets) keeps its work.
    later = _second_chunk(repo_board)

    def stopping(board: Board, digest: bytes) -> Callable[[TicketFile], list[Problem]]:
        check = folder_check(board, digest)

        def checked(file: TicketFile) -> list[Problem]:
            if file.folder == "tickets/2026/2026-000101":
                raise KeyboardInterrupt
            return check(file)

        return checked

    first_chunk = sum(1 for p in later.parent.rglob("*") if p.is_file() and p.parent != later)
    state = BuildState(repo_board)
    reader = RememberingReader(repo_board, state)
    with pytest.raises(KeyboardInterrupt):
        load_board(repo_board, reader, check=remembered_checks(state, stopping))
    assert reader.parsed == first_chunk + 2  # and the folder it stopped at, read first
    loaded, reader = read(repo_board)
    assert reader.parsed == 2  # only the folder it stopped at: its ticket and its reply
    same_as_plain(loaded)
    _, reader = read(repo_board)
    assert reader.parsed == 0


def test_a_folder_gone_is_forgotten_when_what_changed_was_written_chunks_before(
    repo_board: Path,
) -> None:
    # The run's writes went out as it passed their chunk; its last chunk changed nothing.
    _second_chunk(repo_board)
    read(repo_board)  # fills the state
    assert BuildState(repo_board).count("kept") == 78
    shutil.rmtree(repo_board / "tickets/2026/2026-000005")
    edited = repo_board / REPLY
    edited.write_text(edited.read_text("utf-8") + "\n", "utf-8")
    read(repo_board)
    assert BuildState(repo_board).count("kept") == 77


def test_the_entries_of_a_folder_gone_are_forgotten(repo_board: Path) -> None:
    read(repo_board)  # fills the state
    gone = "tickets/2026/2026-000005"

    def held(folder: str) -> dict[str, int]:
        with sqlite3.connect(state_path(repo_board)) as db:
            files = db.execute("SELECT count(*) FROM files WHERE folder = ?", (folder,))
            held = {"files": files.fetchone()[0]}
            for table in ("checks", "kept"):  # a chunk's folders, a line each
                chunks = db.execute(f"SELECT folders FROM {table}")  # noqa: S608
                held[table] = sum(names.split("\n").count(folder) for (names,) in chunks)
            return held

    assert held(gone) == {"files": 2, "checks": 1, "kept": 1}  # ticket.yaml, reply-1.md
    shutil.rmtree(repo_board / gone)
    # A run that writes (another ticket edited) forgets the folder's entries.
    edited = repo_board / REPLY
    edited.write_text(edited.read_text("utf-8") + "\n", "utf-8")
    read(repo_board)
    assert held(gone) == {"files": 0, "checks": 0, "kept": 0}
    assert held(REPLY.rsplit("/", 1)[0])["kept"] == 1
    # Put back: read and kept again, and forgotten again once it is gone again.
    git(repo_board, "checkout", "--", gone)
    edited.write_text(edited.read_text("utf-8") + "\n", "utf-8")
    read(repo_board)
    assert held(gone)["kept"] == 1
    shutil.rmtree(repo_board / gone)
    edited.write_text(edited.read_text("utf-8") + "\n", "utf-8")
    read(repo_board)
    assert held(gone)["kept"] == 0


def test_times_cross_the_state_with_their_zones_as_pickle_writes_them() -> None:
    """Zones are pickled the project's quicker way into exactly the bytes pickle itself
    writes (asked of a Python that has not imported answerable), and come back the same
    zones: the offset, the name, UTC itself."""
    import pickle

    from answerable.incremental import pickling

    pickling.register()
    made = (
        "from datetime import datetime, timedelta, timezone\n"
        "times = [datetime(2026, 2, 17, 9, 30, tzinfo=timezone(timedelta(hours=8))),\n"
        "         datetime(2026, 2, 17, 9, 30, tzinfo=timezone(timedelta(hours=8), 'CST')),\n"
        "         datetime(2026, 2, 17, 1, 30, tzinfo=timezone.utc)]\n"
    )
    own = subprocess.run(
        [
            sys.executable,
            "-c",
            made + "import pickle, sys\nsys.stdout.buffer.write(pickle.dumps(times, protocol=5))",
        ],
        capture_output=True,
        check=True,
    ).stdout
    names: dict[str, object] = {}
    exec(made, names)  # noqa: S102 - the same times, made here
    times = names["times"]
    assert pickle.dumps(times, protocol=5) == own
    back = pickle.loads(own)  # noqa: S301 - made just above
    assert back == times
    assert [t.tzname() for t in back] == ["UTC+08:00", "CST", "UTC"]
    assert back[2].tzinfo is UTC


def test_another_release_of_a_library_starts_an_empty_state(tmp_path: Path) -> None:
    """A year's official holidays reach python-holidays in a later release: what was kept
    with another release of it (deadlines, working days) is not used. Here a release
    that is not the installed one comes first on the path, as an upgrade would be."""
    release = tmp_path / "release" / "holidays-9999.1.dist-info"
    release.mkdir(parents=True)
    (release / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: holidays\nVersion: 9999.1\n", "utf-8"
    )
    script = (
        "from importlib import metadata\n"
        "from answerable.incremental.state import code_version\n"
        "print(metadata.version('holidays'), code_version().hex())\n"
    )

    def version(*path: Path) -> list[str]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in path)}
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
        )
        return done.stdout.split()

    installed, upgraded = version(), version(tmp_path / "release")
    assert upgraded[0] == "9999.1" != installed[0]
    assert upgraded[1] != installed[1]
    assert version() == installed
