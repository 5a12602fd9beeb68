"""Pieces of the whole-board files kept in a real build state: blocks of settled tickets
kept whole, other pieces one by one, and what is damaged made again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from answerable.build.publishing import write_if_changed
from answerable.incremental import fragments
from answerable.incremental.fragments import BlockPart, FragmentStore, Piece
from answerable.incremental.state import BuildState, state_path

# Blocks are the ids that differ only in their last two characters.
FIRST = {"2026-000098": b"a", "2026-000099": b"b"}
SECOND = {"2026-000100": b"c", "2026-000101": b"d", "2026-000102": b"e"}


def text(name: str, made: list[str]) -> str:
    made.append(name)
    return f"<{name}>"


class Board:
    def __init__(self, tmp_path: Path) -> None:
        self.root, self.cache = tmp_path / "board", tmp_path / "cache"

    def store(self) -> FragmentStore:
        state = BuildState(self.root, self.cache)
        assert state.ready()
        return FragmentStore(state, b"base")

    def join(self, keys: dict[str, bytes | None], sep: str = ",") -> tuple[list[str], list[str]]:
        """The texts the store gives for pieces with ``keys``, as written into a file
        (a line each, over the file written before), and the names it made."""
        made: list[str] = []
        wanted = [
            Piece(name, f"tickets/2026/{name}", key, partial(text, name, made))
            for name, key in sorted(keys.items())
        ]
        store = self.store()
        write_if_changed(self.root, "out.txt", lines(store.pieces("kind", wanted, sep)))
        store.flush()
        return self.written().splitlines(), made

    def written(self) -> str:
        return (self.root / "out.txt").read_text("utf-8")


def lines(parts: Iterable[str | BlockPart]) -> Iterator[str | BlockPart]:
    for number, part in enumerate(parts):
        yield from ("\n", part) if number else (part,)


def test_pieces_come_a_block_at_a_time_and_settled_blocks_are_kept_whole(
    tmp_path: Path,
) -> None:
    board = Board(tmp_path)
    keys = {**FIRST, **SECOND, "2026-000200": None}
    given, made = board.join(keys)
    assert given == [
        "<2026-000098>,<2026-000099>",
        "<2026-000100>,<2026-000101>,<2026-000102>",
        "<2026-000200>",
    ]
    assert made == sorted(keys)
    # Again: only the piece without a key (an open ticket's) is made.
    again, made = board.join(keys)
    assert (again, made) == (given, ["2026-000200"])
    # One ticket changes: its whole block is made again (its pieces were kept only as
    # the block), the other block is not.
    given, made = board.join({**keys, "2026-000101": b"changed"})
    assert made == ["2026-000100", "2026-000101", "2026-000102", "2026-000200"]
    assert given[1] == "<2026-000100>,<2026-000101>,<2026-000102>"
    # A CSV joins its lines with nothing between them.
    lines, _ = Board(tmp_path / "csv").join(FIRST, sep="")
    assert lines == ["<2026-000098><2026-000099>"]


def test_a_block_with_an_open_ticket_keeps_its_other_pieces_one_by_one(tmp_path: Path) -> None:
    board = Board(tmp_path)
    keys = {"2026-000200": None, "2026-000201": b"f", "2026-000202": b"g"}
    board.join(keys)
    given, made = board.join(keys)
    assert given == ["<2026-000200>,<2026-000201>,<2026-000202>"]
    assert made == ["2026-000200"]
    # Once the open ticket has a key too, the block is kept whole from then on.
    settled = {**keys, "2026-000200": b"settled"}
    assert board.join(settled)[1] == ["2026-000200"]
    assert board.join(settled)[1] == []


def forge(board: Board, name: str) -> None:
    """The state's text of a kept block replaced by another, its digest left as it was."""
    with sqlite3.connect(state_path(board.root, board.cache)) as db:
        blocks = db.execute("SELECT name FROM fragments WHERE kind = 'kind/block'").fetchall()
        assert sorted(blocks) == [("2026-0000",), ("2026-0001",)]
        db.execute(
            "UPDATE fragments SET text = '<forged>' WHERE kind = 'kind/block' AND name = ?",
            (name,),
        )


def test_a_kept_block_is_copied_from_the_file_written_last_when_its_bytes_are_there(
    tmp_path: Path,
) -> None:
    board = Board(tmp_path)
    keys = {**FIRST, **SECOND}
    given, _ = board.join(keys)
    # Copied from the file: the state's text of the block is not even read.
    forge(board, "2026-0001")
    again, made = board.join(keys)
    assert (again, made) == (given, [])
    # The file changed where the block stands (same length, other bytes), and the
    # state's text is forged: made again.
    out = board.root / "out.txt"
    out.write_text(board.written().replace("<2026-000101>", "<2026-000191>"), "utf-8")
    again, made = board.join(keys)
    assert again == given
    assert made == sorted(SECOND)
    # The file changed again, the state's text (kept as the block was made) sound:
    # taken from the state.
    out.write_text(board.written().replace("<2026-000100>", "<2026-000190>"), "utf-8")
    again, made = board.join(keys)
    assert (again, made) == (given, [])
    # Blocks moved (one added before them): each is copied from where it stood (the
    # state's texts are forged: nothing else would give them).
    forge(board, "2026-0000")
    forge(board, "2026-0001")
    moved = {"2025-000001": b"z", **keys}
    again, made = board.join(moved)
    assert again == ["<2025-000001>", *given]
    assert made == ["2025-000001"]


def test_a_damaged_block_is_made_again(tmp_path: Path) -> None:
    board = Board(tmp_path)
    keys = {**FIRST, **SECOND}
    given, _ = board.join(keys)
    forge(board, "2026-0001")
    (board.root / "out.txt").unlink()  # nothing to copy from
    again, made = board.join(keys)
    assert again == given
    assert made == sorted(SECOND)


def test_without_a_state_every_piece_is_made(tmp_path: Path) -> None:
    made: list[str] = []
    wanted = [Piece(n, "", k, partial(text, n, made)) for n, k in sorted(FIRST.items())]
    assert list(FragmentStore(None, b"").pieces("kind", wanted, ",")) == [
        "<2026-000098>,<2026-000099>"
    ]
    assert made == sorted(FIRST)


def test_large_pieces_are_written_before_they_add_up(tmp_path: Path) -> None:
    """A block of a whole-board file is a hundred pieces: made pieces are written once
    their texts add up to BATCH_CHARACTERS, not only once there are BATCH of them (at
    100,000 tickets, holding 2,000 blocks took 300 MiB in one rendering process)."""
    board = Board(tmp_path)
    store = board.store()
    large = fragments.BATCH_CHARACTERS // 3 + 1
    for number in range(3):
        store.text("kind", f"2026-00000{number}", "tickets/2026", b"key", lambda: "x" * large)
    assert store.made == []  # the third piece passed the limit: all three were written
    assert store.held == 0
    again = board.store()
    made: list[str] = []
    for number in range(3):
        name = f"2026-00000{number}"
        assert again.text("kind", name, "tickets/2026", b"key", partial(text, name, made))
    assert made == []  # each was kept


def test_a_state_that_keeps_no_fragment_is_not_asked_for_each_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build's rendering processes open a state that holds no fragment yet: each
    row of their lists was looked up in vain (21,000 queries at 10,000 tickets)."""
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = connect(*args, **kwargs)
        db.set_trace_callback(statements.append)
        return db

    board = Board(tmp_path)
    board.store()  # the state's file, as the build's main process makes it
    monkeypatch.setattr(sqlite3, "connect", traced)
    names = [f"2026-00000{number}" for number in range(3)]
    made: list[str] = []
    store = board.store()  # a rendering process's
    for name in names:
        assert store.text("kind", name, "tickets/2026", b"key", partial(text, name, made)) == (
            f"<{name}>"
        )
    store.flush()
    assert made == names
    assert not [s for s in statements if _looks_up_one(s)]
    again = board.store()  # the next build's: each piece is looked up, and kept
    for name in names:
        assert again.text("kind", name, "tickets/2026", b"key", partial(text, name, made))
    assert made == names
    assert len([s for s in statements if _looks_up_one(s)]) == len(names)


def _looks_up_one(statement: str) -> bool:
    """A query for one fragment by its name (the trace shows its values written in)."""
    return "FROM fragments WHERE kind" in statement and "AND name" in statement
