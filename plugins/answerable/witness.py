"""When git's main line first held each reply: the witnessed times the figures count.

A board with ``witnessed_since`` in board.yaml counts a reply from the later of its date
and the committer time of the first commit on the main line (HEAD's first-parent chain)
that held it. This module reads those times from git once, with the audit's single
``git log`` pass; the domain core receives them as a plain mapping
(``snapshot.take_snapshot``) and never reads git itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .audit import AuditError, History, entered_times, read_history
from .records import Board


@dataclass(frozen=True)
class Witness:
    times: dict[str, datetime] = field(default_factory=dict)
    """Reply path -> when the main line first held it; empty when not read."""
    history: History | None = None
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


def read_witness(root: Path, board: Board | None, *, history: bool = False) -> Witness:
    """The witnessed times of a board's replies, read from git only when the board counts
    them (or ``history``: the caller shows the history too)."""
    counted = board is not None and board.witnessed_since is not None
    if not (counted or history):
        return Witness()
    try:
        found = read_history(root)
    except AuditError as error:
        return Witness(error=str(error), counted=counted)
    return Witness(entered_times(found), found, counted=counted)
