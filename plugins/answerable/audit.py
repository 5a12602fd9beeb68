"""What git witnesses: when each reply really entered the public record, and what changed.

Staff answer through pull requests, so the main line of history (HEAD's first-parent
chain) is the public record: a reply written on a branch enters it when the branch is
merged, and the merge commit's committer time is when that happened. ``read_history``
reads that chain in one ``git log`` call and parses it line by line; ``audit`` compares
the facts with what the board's files say and reports three findings:

- A001 a reply dated earlier than it entered the record, beyond the board's tolerance
  (imported tickets are exempt: their import batch records their provenance);
- A002 a reply whose content changed after it entered the record;
- A003 a ticket whose ticket.yaml was on the main line and is gone at HEAD.

This is the only module that talks to git; the domain core never does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import git

from .loading import REPLY_FILE, LoadedBoard
from .problems import Problem
from .records import AuditSettings, Board

SHORT_SHA = 7
_COMMIT_LINE = "commit "
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_OCTAL = re.compile(r"[0-3][0-7]{2}")


class AuditError(Exception):
    """The history cannot be read: not a git work tree, no commits, a shallow clone."""


@dataclass(frozen=True)
class ReplyRecord:
    path: str  # relative to the board root, as in LoadedBoard
    commit: str  # the first-parent commit that brought the file onto the main line
    entered: datetime  # that commit's committer time (aware, with the committer's offset)
    edits: tuple[tuple[str, datetime], ...] = ()
    """Later first-parent commits that changed the file's content, oldest first."""

    @property
    def edited(self) -> bool:
        return bool(self.edits)


@dataclass
class History:
    """Facts from HEAD's first-parent chain about the files under ``tickets/``."""

    head: str
    replies: dict[str, ReplyRecord]
    """Reply files present at HEAD, by path."""
    deleted_tickets: dict[str, tuple[str, datetime]]
    """Ticket folder -> the commit that removed its ticket.yaml, which never came back."""
    tickets: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    """Ticket folder -> the commit that brought its ticket.yaml onto the main line."""
    deleted_replies: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    """Reply path -> the commit that removed it, for replies absent at HEAD."""
    commits: int = 0
    """First-parent commits that touched tickets/."""


def read_history(root: Path) -> History:
    """Read the main line of the git history that holds the board at ``root``, once."""
    repo, prefix = _open(root)
    try:
        head = repo.head.commit.hexsha
        if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
            raise AuditError(
                "the repository is a shallow clone, so the history is cut short; fetch it "
                "whole first (git fetch --unshallow, or fetch-depth: 0 in CI)"
            )
        raw = repo.git(c="core.quotePath=false").log(
            "--first-parent",
            "--reverse",
            "--no-renames",
            "--raw",
            "--no-abbrev",
            "--root",
            "--diff-merges=first-parent",
            "--no-color",
            "--no-show-signature",
            f"--format={_COMMIT_LINE}%H %cI",
            "HEAD",
            "--",
            f":(literal){prefix}tickets",
            stdout_as_string=False,
        )
    except git.GitCommandError as error:
        detail = error.stderr.strip() or str(error)
        raise AuditError(f"git cannot read the history: {detail}") from None
    finally:
        repo.close()
    return _parse_log(bytes(raw).decode("utf-8", "surrogateescape"), prefix, head)


def entered_times(history: History) -> dict[str, datetime]:
    """When each reply (by path) entered the public record; for showing beside its date."""
    return {path: record.entered for path, record in history.replies.items()}


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


# ---- reading git ------------------------------------------------------------------------


def _open(root: Path) -> tuple[git.Repo, str]:
    """The repository holding ``root`` and the board's folder within it ('' or 'a/b/')."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise AuditError(
            f"{root} is not inside a git work tree; the audit reads its history"
        ) from None
    if repo.working_tree_dir is None:
        raise AuditError(f"{root} is in a bare repository; the audit needs a work tree")
    try:
        inside = root.resolve().relative_to(Path(repo.working_tree_dir).resolve())
    except ValueError:
        raise AuditError(f"{root} is not inside the work tree of {repo.working_tree_dir}") from None
    if not repo.head.is_valid():
        raise AuditError(f"the git repository at {repo.working_tree_dir} has no commits yet")
    prefix = inside.as_posix()
    return repo, "" if prefix == "." else prefix + "/"


@dataclass
class _Track:
    first: tuple[str, datetime]
    blob: str
    present: bool = True
    removed: tuple[str, datetime] | None = None
    edits: list[tuple[str, datetime]] = field(default_factory=list)


def _parse_log(text: str, prefix: str, head: str) -> History:
    """Replay ``git log --raw`` output, oldest first, into per-file facts."""
    tracks: dict[str, _Track] = {}
    current: tuple[str, datetime] | None = None
    commits = 0
    for line in text.splitlines():
        if line.startswith(_COMMIT_LINE):
            sha, stamp = line[len(_COMMIT_LINE) :].split(" ", 1)
            current = (sha, datetime.fromisoformat(stamp))
            commits += 1
            continue
        if not line.startswith(":") or current is None:
            continue
        meta, _, quoted = line.partition("\t")
        fields = meta.split()
        if len(fields) < 5 or not quoted:
            continue
        old_blob, new_blob, status = fields[2], fields[3], fields[4][:1]
        path = _unquote(quoted)
        if not path.startswith(prefix):
            continue
        path = path[len(prefix) :]
        track = tracks.get(path)
        if status == "D":
            if track is not None:
                track.present = False
                track.removed = current
        elif track is None:
            tracks[path] = _Track(current, new_blob)
        elif status == "A":  # back after a deletion
            if new_blob != track.blob:
                track.edits.append(current)
            track.blob, track.present, track.removed = new_blob, True, None
        elif new_blob != old_blob:  # M or T with new content; a mode change alone is not
            track.edits.append(current)
            track.blob = new_blob
    history = History(head=head, replies={}, deleted_tickets={}, commits=commits)
    for path, track in tracks.items():
        parts = path.split("/")
        if len(parts) != 4 or parts[0] != "tickets":
            continue
        folder = "/".join(parts[:3])
        if parts[3] == "ticket.yaml":
            if track.present:
                history.tickets[folder] = track.first
            elif track.removed is not None:
                history.deleted_tickets[folder] = track.removed
        elif REPLY_FILE.match(parts[3]):
            if track.present:
                sha, entered = track.first
                history.replies[path] = ReplyRecord(path, sha, entered, tuple(track.edits))
            elif track.removed is not None:
                history.deleted_replies[path] = track.removed
    return history


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of a path (only names with unusual characters)."""
    if not (len(name) >= 2 and name.startswith('"') and name.endswith('"')):
        return name
    out = bytearray()
    body = name[1:-1]
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            octal = _OCTAL.match(body, i + 1)
            if octal:
                out.append(int(octal[0], 8))
                i += 4
                continue
            if body[i + 1] in _ESCAPES:
                out.append(_ESCAPES[body[i + 1]])
                i += 2
                continue
        out += char.encode("utf-8", "surrogateescape")
        i += 1
    return out.decode("utf-8", "surrogateescape")


# ---- wording ----------------------------------------------------------------------------


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
