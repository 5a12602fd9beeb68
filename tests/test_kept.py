"""Ticket folders and settled states kept between runs: a rebuild reads the records of
changed and open tickets only, and what it keeps stands for what it would work out."""

from __future__ import annotations

import pickle
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from answerable.build.plan import plan_build
from answerable.checks.validation import folder_check
from answerable.core.records import Ticket
from answerable.core.snapshot import Snapshot, take_snapshot
from answerable.core.status import TicketState
from answerable.incremental.kept import KeptTicketFile
from answerable.incremental.remembered import load_remembered
from answerable.incremental.settled import SUMMARY, KeptState, kept_states
from answerable.incremental.state import BuildState
from answerable.reading import loading
from answerable.reading.loading import TicketFile, load_board
from sitebuild import copy_demo

AS_OF = datetime.fromisoformat("2026-11-20T21:30:00+08:00")
OPEN = "tickets/2026/2026-000069"  # open at AS_OF, no reply yet
REPLY = """\
---
date: 2026-11-20T20:00:00+08:00
department: qingxi-housing
kind: final
---
您好！经核查，问题已处理完毕。
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo_board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANSWERABLE_CACHE_DIR", str(tmp_path / "cache"))
    board = copy_demo(tmp_path / "board")
    git(board, "init", "-q")
    git(board, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(board, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "board")
    return board


def snapshot(board: Path, as_of: datetime = AS_OF, *, cache: bool = True) -> Snapshot:
    loaded = plan_build(board, as_of, cache=cache).published
    if not cache:
        return take_snapshot(loaded, as_of)
    states = kept_states(BuildState(board), loaded.board_digest)
    return take_snapshot(loaded, as_of, None, states)


def records_read(found: Snapshot) -> set[str]:
    """The folders whose record this run read."""
    return {
        file.folder
        for file in found.loaded.tickets
        if not isinstance(file, KeptTicketFile) or "_ticket" in file.__dict__
    }


def holding(board: Path, as_of: datetime = AS_OF) -> tuple[set[str], set[str]]:
    """By the rule, worked out from the files alone: the tickets whose state nothing but
    the moment changes from ``as_of`` on (answered, withdrawn, duplicate or overdue, and
    nothing dated later), and the others (open and due soon ones)."""
    plain = take_snapshot(load_board(board), as_of)
    held = {s.file.folder for s in plain.states if s.quiet_since is not None}
    return held, {s.file.folder for s in plain.states} - held


def test_a_rebuild_reads_the_records_of_changed_and_open_tickets_only(repo_board: Path) -> None:
    snapshot(repo_board)  # keeps every folder and settled state
    (repo_board / OPEN / "reply-1.md").write_text(REPLY, "utf-8")
    git(repo_board, "add", "-A")
    git(repo_board, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "r")

    again = snapshot(repo_board)
    _, moving = holding(repo_board)
    assert OPEN not in moving  # answered now, and settled
    assert 0 < len(moving) < 20  # of the demo's 77 tickets
    assert records_read(again) == moving | {OPEN}
    # Unchanged and asked again: still only the open ones.
    assert records_read(snapshot(repo_board)) == moving


def fields(state: TicketState) -> tuple[object, ...]:
    rating = state.rating
    return (
        state.ticket.id,
        state.as_of,
        state.status,
        state.department,
        state.due,
        [r.path for r in state.replies],
        state.first_reply.path if state.first_reply else None,
        state.final_reply.path if state.final_reply else None,
        state.days_to_first_reply,
        state.days_to_final_reply,
        state.days_taken,
        state.days_late,
        # What pages and figures read of a rating (a kept one is no record).
        rating and (rating.value, rating.at, rating.source, rating.comment),
        state.settled_since,
        state.quiet_since,
        state.reply_facts,
        state.answered_at,
        state.reply_paths,
        state.reply_witnessed,
        tuple(getattr(state.ticket, name) for name in SUMMARY),
        state.ticket.message,  # beyond the summary: the record's own
    )


@pytest.mark.parametrize(
    "moment",
    [
        AS_OF,
        AS_OF + timedelta(days=40),  # later: every kept state holds
        datetime.fromisoformat("2026-11-05T12:00:00+08:00"),  # before many had settled
    ],
)
def test_kept_states_are_those_worked_out_afresh(repo_board: Path, moment: datetime) -> None:
    snapshot(repo_board)  # keeps them at AS_OF
    kept = snapshot(repo_board, moment)
    fresh = snapshot(repo_board, moment, cache=False)
    assert [fields(s) for s in kept.states] == [fields(s) for s in fresh.states]
    restored = [s for s in kept.states if isinstance(s, KeptState)]
    if moment >= AS_OF:
        # Every state settled at AS_OF is taken as kept, and no other.
        assert {s.file.folder for s in restored} == holding(repo_board)[0]
        assert len(restored) > 30
    else:
        # Kept from AS_OF, a state holds only from the moment it became quiet.
        assert all(s.quiet_since <= moment for s in restored)  # type: ignore[operator]
        assert len(restored) < len(holding(repo_board)[0])
    assert not any(isinstance(s.ticket, Ticket) for s in restored)  # a summary of it


def test_a_changed_board_yaml_keeps_no_state(repo_board: Path) -> None:
    snapshot(repo_board)
    board_yaml = repo_board / "board.yaml"
    board_yaml.write_text(board_yaml.read_text("utf-8") + "\n# edited\n", "utf-8")
    again = snapshot(repo_board)
    assert not any(isinstance(s, KeptState) for s in again.states)
    assert [fields(s) for s in again.states] == [
        fields(s) for s in snapshot(repo_board, cache=False).states
    ]


def test_a_kept_folder_crosses_to_another_process_as_the_folder_read(repo_board: Path) -> None:
    """Read in several processes, a kept folder is sent back whole: its record read."""
    snapshot(repo_board)
    kept = [
        f for f in plan_build(repo_board, AS_OF).loaded.tickets if isinstance(f, KeptTicketFile)
    ]
    plain = {f.folder: f for f in load_board(repo_board).tickets}
    assert len(kept) == len(plain)
    for file in kept[:10]:
        crossed = pickle.loads(pickle.dumps(file))  # noqa: S301 - made here
        assert type(crossed) is TicketFile
        assert crossed == plain[file.folder]


@pytest.mark.parametrize("checked", [False, True])
def test_a_run_that_only_reads_keeps_its_folders_for_the_next(
    repo_board: Path, monkeypatch: pytest.MonkeyPatch, checked: bool
) -> None:
    """`answerable stats` reads records without checking them: its next run takes every
    folder kept, in one process. A build after it must still check every folder, which
    is the work worth several processes."""
    monkeypatch.setattr(loading, "PARALLEL_FROM", 4)  # the demo's 77 folders count as many
    load_remembered(repo_board, BuildState(repo_board), workers=2)  # as `stats` reads it
    check = folder_check if checked else None
    again = load_remembered(repo_board, BuildState(repo_board), workers=2, check=check)
    kept = [type(file) is KeptTicketFile for file in again.tickets]
    # Kept ones are read in this process; several processes send records back whole.
    assert all(kept) if not checked else not any(kept)
    assert len(again.tickets) == 77
