"""When git's main line first held each reply: the witnessed times the figures count.

A board with ``witnessed_since`` in board.yaml counts a reply from the later of its date
and the committer time of the first commit on the main line (HEAD's first-parent chain)
that held it. This module reads those times from git with the audit's single
``git log`` pass; the domain core receives them as a plain mapping
(``snapshot.take_snapshot``) and never reads git itself.

What a read of the history gathered never changes while the history only grows, so it
is kept in the user's cache folder with the commit it was read at: the next read asks
git only for the commits since and goes on from there, for the times and for the whole
history a site shows alike. A history rewritten since, or a cache missing or
unreadable, means one whole read again, never a different answer.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from answerable.core.records import Board
from answerable.incremental.state import cache_root
from answerable.reading.history import History, HistoryError, Replay, entered_times, read_history

_VERSION = 2


@dataclass(frozen=True)
class Witness:
    times: dict[str, datetime] = field(default_factory=dict)
    """Reply path -> when the main line first held it; empty when not read."""
    history: History | None = None
    """The whole history, when the caller asked to show it."""
    error: str | None = None
    """Why the history could not be read (not a git work tree, a shallow clone ...)."""
    counted: bool = False
    """The board counts witnessed times (it has ``witnessed_since``)."""

    @property
    def notice(self) -> str | None:
        """A line for the output when the board counts witnessed times but has none."""
        if not self.counted or self.error is None:
            return None
        return (
            "notice: replies count by the dates they state, not by when git's main line "
            f"first held them: {self.error}"
        )


def read_witness(
    root: Path, board: Board | None, *, history: bool = False, cache: bool = True
) -> Witness:
    """The witnessed times of a board's replies, read from git only when the board counts
    them (or ``history``: the caller shows the whole history too, read whole)."""
    counted = board is not None and board.witnessed_since is not None
    if not (counted or history):
        return Witness()
    where = _cache_file(root) if cache else None
    known = _load(where) if where is not None else None
    try:
        found = read_history(root, resume=known)
    except HistoryError as error:
        return Witness(error=str(error), counted=counted)
    if where is not None and found.replay is not None and found.after != found.head:
        _save(where, found.replay)
    return Witness(entered_times(found), found if history else None, counted=counted)


def _cache_file(root: Path) -> Path:
    name = hashlib.blake2b(str(Path(root).resolve()).encode(), digest_size=8).hexdigest()
    return cache_root() / "witness" / f"{name}.pickle"


def _load(path: Path) -> Replay | None:
    try:
        with path.open("rb") as file:
            version, known = pickle.load(file)  # noqa: S301 - our own cache
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError):
        return None
    return known if version == _VERSION and isinstance(known, Replay) else None


def _save(path: Path, known: Replay) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
            pickle.dump((_VERSION, known), file, protocol=5)
        os.replace(file.name, path)
    except OSError:
        pass  # without the cache the next read is whole, and the same
