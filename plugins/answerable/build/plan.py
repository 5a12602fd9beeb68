"""What a build will publish, decided once for both faces: `answerable build`/`validate`
and the Pelican generator (plain `pelican`).

``plan_build`` reads and checks the board, resolves the moment, and says which ticket
folders are left out and which errors stop the build. "Publish only the valid tickets"
is written here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from answerable.checks.problems import Problem, Severity
from answerable.checks.validation import folder_check, left_out_folders, validate
from answerable.core.snapshot import resolve_as_of
from answerable.incremental.changes import AskedGit
from answerable.incremental.remembered import load_remembered
from answerable.incremental.state import BuildState
from answerable.reading.loading import LoadedBoard


@dataclass(frozen=True)
class BuildPlan:
    loaded: LoadedBoard
    """The board as read, every ticket in it."""
    problems: list[Problem]
    as_of: datetime | None
    """The moment the site describes; None when board.yaml could not be read."""
    left_out: tuple[str, ...]
    """Ticket folders with errors that the site leaves out (only with publish_valid)."""
    blocking: list[Problem]
    """The errors that stop the build: none when every error is in a left-out folder."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @cached_property
    def published(self) -> LoadedBoard:
        """The board as the site shows it: without the left-out folders."""
        if not self.left_out:
            return self.loaded
        left = set(self.left_out)
        return replace(
            self.loaded, tickets=[t for t in self.loaded.tickets if t.folder not in left]
        )


def plan_build(
    root: Path,
    as_of: datetime | None,
    *,
    cache: bool = True,
    workers: int = 1,
    publish_valid: bool = False,
    records: bool = True,
    now: datetime | None = None,
    asked: AskedGit | None = None,
) -> BuildPlan:
    """Read and check the board at ``root`` for the moment ``as_of`` (else board.yaml's
    ``as_of``, else ``now``). ``publish_valid``: errors confined to ticket folders leave
    those folders out instead of stopping the build; an error outside any folder
    (board.yaml) still stops it. ``cache``: unchanged files and their problems come from
    the board's build state. ``records=False``: only the checks follow (validate).
    ``asked``: git, asked about the board's files when the command started."""
    loaded = load_remembered(
        root,
        BuildState(root) if cache else None,
        workers=workers,
        check=folder_check,
        records=records,
        asked=asked,
    )
    moment = None
    if loaded.board is not None:
        moment = resolve_as_of(loaded.board, as_of, now or datetime.now(UTC))
    problems = validate(loaded, moment)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    folders = left_out_folders(errors)
    if errors and publish_valid and None not in folders:
        left_out = tuple(sorted(f for f in folders if f is not None))
        return BuildPlan(loaded, problems, moment, left_out, [])
    return BuildPlan(loaded, problems, moment, (), errors)
