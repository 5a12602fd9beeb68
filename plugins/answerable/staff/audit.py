"""What git witnesses against what the board's files say: the audit.

The main line of history is the public record (``reading.history`` reads it); ``audit``
compares its facts with what the board's files say and reports:

- A001 a reply dated earlier than it entered the record, beyond the board's tolerance
  (imported tickets are exempt: their import batch records their provenance);
- A002 a reply whose content changed after it entered the record;
- A003 a ticket whose ticket.yaml was on the main line and is gone at HEAD;
- A004 any other published file (a reply) that is gone at HEAD;
- A005 a published fact of ticket.yaml removed or changed: the rating, the receipt time,
  the citizen's words, a withdrawal, a transfer or extension (those lists only grow);
- A006 a commit on the main line dated earlier than the one before it.

Git and its commit dates stay here and in ``reading``; the domain core never reads them.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ValidationError

from answerable.checks.problems import Problem
from answerable.core.records import AuditSettings, Board, Rating, Timestamp
from answerable.reading.git import git_environment
from answerable.reading.history import History, open_work_tree
from answerable.reading.loading import LoadedBoard

SHORT_SHA = 7


FROZEN_FACTS = (
    "rating",
    "received",
    "title",
    "message",
    "submitter",
    "location",
    "withdrawn",
    "transfers",
    "extensions",
)
APPEND_ONLY = frozenset({"transfers", "extensions"})
_SHOWN_FACT = {"received": "receipt time (received)"}
_FACT = {
    key: re.compile(rb"^%s:.*(?:\n[ \t#].*|\n(?=\n))*" % key.encode(), re.M) for key in FROZEN_FACTS
}


class AuditError(Exception):
    """The audit cannot run: its settings in board.yaml are wrong."""


def read_rewrites(root: Path, history: History) -> History:
    """Fill ``history.rewrites`` (and give ``history`` back): compare each published
    ticket.yaml with the version that replaced it, reading the blobs in one ``git
    cat-file --batch`` pass."""
    changes = [c for c in history.ticket_changes if c[0] not in history.rewrites]
    if not changes:
        return history
    work = open_work_tree(root)[0]
    wanted = sorted({blob for change in changes for blob in change[1:3]})
    contents = dict(_blobs(str(work), wanted))
    for path, old, new, sha, when in changes:
        if path in history.rewrites:
            continue
        fact = _rewritten(contents.get(old, b""), contents.get(new, b""))
        if fact is not None:
            history.rewrites[path] = (fact, sha, when)
    return history


def _blobs(work: str, blobs: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each blob's bytes, from one git process fed from a file (no pipe to deadlock on)."""
    with tempfile.TemporaryFile() as ids:
        ids.write("".join(f"{blob}\n" for blob in blobs).encode())
        ids.seek(0)
        with subprocess.Popen(  # noqa: S603 - fixed arguments, blob ids from git itself
            ["git", "-C", work, "cat-file", "--batch"],  # noqa: S607
            stdin=ids,
            stdout=subprocess.PIPE,
            env=git_environment(),
        ) as process:
            assert process.stdout is not None  # noqa: S101 - asked for above
            out = process.stdout
            for blob in blobs:
                header = out.readline().split()
                if len(header) < 3:  # "<id> missing"
                    continue
                data = out.read(int(header[2]))
                out.read(1)  # the newline after each object
                yield blob, data


def _rewritten(old: bytes, new: bytes) -> str | None:
    """The first frozen fact that ``old`` had and ``new`` lost or changed; None if none."""
    parsed: tuple[object, object] | None = None
    for key in FROZEN_FACTS:
        before = _FACT[key].search(old)
        if before is None:
            continue  # nothing published yet: adding it is the normal course
        after = _FACT[key].search(new)
        if after is not None and after[0].rstrip() == before[0].rstrip():
            continue
        if parsed is None:
            parsed = (_mapping(old), _mapping(new))
        before_value, after_value = parsed[0].get(key), parsed[1].get(key)  # type: ignore[attr-defined]
        if key in APPEND_ONLY and isinstance(before_value, list):
            # A new transfer or extension is the normal course; a published one stays.
            if isinstance(after_value, list) and after_value[: len(before_value)] == before_value:
                continue
            return key
        if _fact(key, before_value) != _fact(key, after_value):
            return key
    return None


def _fact(key: str, value: object) -> object:
    """A fact as the board reads it, so that '2026-11-09T15:00:00+08:00' quoted or not,
    or a rating in flow or block style, is the same fact."""
    model = {"rating": Rating, "received": _Received}.get(key)
    if model is None:
        return value  # as YAML reads it: the same text in any quoting or style is equal
    try:
        return model.model_validate({key: value} if model is _Received else value)
    except ValidationError:
        return value


class _Received(BaseModel):
    received: Timestamp


def _mapping(data: bytes) -> dict[object, object]:
    try:
        found = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError:
        return {}
    return found if isinstance(found, dict) else {}


def audit(loaded: LoadedBoard, history: History) -> list[Problem]:
    """Compare what the replies say with what git witnessed; the findings, sorted."""
    board = loaded.board
    tolerance = _tolerance(board)
    zone = ZoneInfo(board.timezone) if board is not None else None
    problems: list[Problem] = []
    for ticket_file in loaded.tickets:
        if ticket_file.ticket.source is not None:
            continue  # imported: the import batch records where and when it came from
        for reply in ticket_file.replies:
            record = history.replies.get(reply.path)
            if record is None:
                continue  # not committed yet
            stated = reply.meta.date
            if record.entered - stated > tolerance:
                where = reply.position("date")
                lag = _span(record.entered - stated)
                problems.append(
                    Problem(
                        reply.path,
                        where.line,
                        where.column,
                        "A001",
                        f"reply dated {stated.isoformat()} entered the public record {lag} "
                        f"later, in commit {_at(record.commit, record.entered, zone)} "
                        f"(tolerance {_span(tolerance)})",
                    )
                )
    for record in history.replies.values():
        if not record.edits:
            continue
        sha, when = record.edits[0]
        more = len(record.edits) - 1
        also = f" and {more} later commit{'s' if more > 1 else ''}" if more else ""
        problems.append(
            Problem(
                record.path,
                1,
                1,
                "A002",
                f"reply changed in commit {_at(sha, when, zone)}{also} after it entered the "
                f"public record in commit {_at(record.commit, record.entered, zone)}; "
                "publish a correction as a new supplement reply",
            )
        )
    for path, (sha, when) in history.deleted_files.items():
        problems.append(
            Problem(
                path,
                1,
                1,
                "A004",
                f"{PurePosixPath(path).name} was published and then deleted from the public "
                f"record in commit {_at(sha, when, zone)}; restore it, and publish a "
                "correction as a new supplement reply",
            )
        )
    for path, (fact, sha, when) in history.rewrites.items():
        what = _SHOWN_FACT.get(fact, fact)
        problems.append(
            Problem(
                path,
                1,
                1,
                "A005",
                f"the published {what} was removed or changed in commit {_at(sha, when, zone)}; "
                "restore it: what was published stays as it was (a new transfer, extension or "
                "supplement reply adds to the record)",
            )
        )
    for sha, when, parent, then in history.backwards:
        problems.append(
            Problem(
                "tickets",
                1,
                1,
                "A006",
                f"commit {_at(sha, when, zone)} on the main line is dated earlier than the "
                f"commit before it, {_at(parent, then, zone)}; commit dates are set by whoever "
                "commits, so the times this history witnesses cannot be trusted from here on",
            )
        )
    for folder, (sha, when) in history.deleted_tickets.items():
        problems.append(
            Problem(
                f"{folder}/ticket.yaml",
                1,
                1,
                "A003",
                f"ticket {PurePosixPath(folder).name} was deleted from the public record in "
                f"commit {_at(sha, when, zone)}; a ticket stays listed, withdrawn or hidden",
            )
        )
    return sorted(problems)


def _tolerance(board: Board | None) -> timedelta:
    span = (board.audit if board is not None else AuditSettings()).tolerance
    try:
        return span.wall_clock()
    except ValueError:
        raise AuditError(
            f"board.yaml: audit.tolerance is '{span}'; write it in hours or minutes"
        ) from None


def _at(sha: str, moment: datetime, zone: ZoneInfo | None) -> str:
    shown = moment.astimezone(zone) if zone is not None else moment
    return f"{sha[:SHORT_SHA]} at {shown.isoformat()}"


def _span(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{amount} {unit}{'s' if amount != 1 else ''}"
        for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if amount
    ]
    return " ".join(parts) or "less than a minute"
