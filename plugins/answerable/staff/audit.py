"""What git witnesses: when each reply really entered the public record, and what changed.

Staff answer through pull requests, so the main line of history (HEAD's first-parent
chain) is the public record: a reply written on a branch enters it when the branch is
merged, and the merge commit's committer time is when that happened. ``read_history``
reads that chain in one ``git log`` call and parses it line by line; ``audit`` compares
the facts with what the board's files say and reports:

- A001 a reply dated earlier than it entered the record, beyond the board's tolerance
  (imported tickets are exempt: their import batch records their provenance);
- A002 a reply whose content changed after it entered the record;
- A003 a ticket whose ticket.yaml was on the main line and is gone at HEAD;
- A004 any other published file (a reply) that is gone at HEAD;
- A005 a published fact of ticket.yaml removed or changed: the rating, the receipt time,
  the citizen's words, a withdrawal, a transfer or extension (those lists only grow);
- A006 a commit on the main line dated earlier than the one before it.

Git and its commit dates stay here (and in ``witness``); the domain core never reads them.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ValidationError

from answerable.checks.problems import Problem
from answerable.core.records import AuditSettings, Board, Rating, Timestamp
from answerable.reading.loading import REPLY_FILE, LoadedBoard

SHORT_SHA = 7
_COMMIT_LINE = "commit "
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_OCTAL = re.compile(r"[0-3][0-7]{2}")
# The facts of ticket.yaml that, once published, only ever get added, never changed: a
# top-level key and its indented block, compared as text first (cheap), parsed if it differs.
# The citizen's words stay as received; the logs of transfers and extensions only grow.
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
    deleted_entered: dict[str, datetime] = field(default_factory=dict)
    """Reply path -> when it first entered the record, for replies absent at HEAD."""
    commits: int = 0
    """First-parent commits that touched tickets/."""
    deleted_files: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    """The deleted replies whose ticket is still there (a whole ticket gone is A003)."""
    backwards: list[tuple[str, datetime, str, datetime]] = field(default_factory=list)
    """First-parent commits dated earlier than their parent: (sha, time, parent, time)."""
    ticket_changes: list[tuple[str, str, str, str, datetime]] = field(default_factory=list)
    """Each change of a ticket.yaml on the main line: (path, old blob, new blob, commit,
    time), oldest first; what ``read_rewrites`` compares."""
    after: str | None = None
    """The commit after which this history was read; None: from the first commit."""
    rewrites: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)
    """ticket.yaml path -> (fact, commit, time): the first commit that removed or changed
    a published rating or receipt time; filled by ``read_rewrites``."""
    replay: Replay | None = field(default=None, repr=False, compare=False)
    """The line read up to ``head``, to resume from when it has grown (``read_history``)."""


def read_history(root: Path, *, rewrites: bool = False, resume: Replay | None = None) -> History:
    """Read the main line of the git history that holds the board at ``root``, once;
    ``rewrites``: also compare each published ticket.yaml with what replaced it.

    ``resume``: a history's ``replay`` read before; only the commits after its head are
    read, if that head is still on HEAD's first-parent line, else the whole line. The
    history is the same either way."""
    work, prefix, head = _open(root)
    after = resume.head if resume is not None and resume.prefix == prefix else None
    if _git(work, "rev-parse", "--is-shallow-repository").strip() == b"true":
        raise AuditError(
            "the repository is a shallow clone, so the history is cut short; fetch it "
            "whole first (git fetch --unshallow, or fetch-depth: 0 in CI)"
        )
    if (
        after is not None
        and after not in _git(work, "rev-list", "--first-parent", "HEAD").decode().split()
    ):
        after = None  # the line was rewritten since: read it whole
    if after is None:
        resume = None
    raw = _git(
        work,
        "-c",
        "core.quotePath=false",
        "log",
        "--first-parent",
        "--reverse",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--root",
        "--diff-merges=first-parent",
        "--no-color",
        "--no-show-signature",
        # Every first-parent commit, so that dates are compared along the whole line;
        # the changes listed stay those under tickets/.
        "--full-history",
        "--sparse",
        f"--format={_COMMIT_LINE}%H %cI",
        f"{after}..HEAD" if after else "HEAD",
        "--",
        f":(literal){prefix}tickets",
    )
    history = _parse_log(raw.decode("utf-8", "surrogateescape"), prefix, head, resume)
    history.after = after
    if rewrites:
        read_rewrites(root, history)
    return history


def read_rewrites(root: Path, history: History) -> None:
    """Fill ``history.rewrites``: compare each published ticket.yaml with the version that
    replaced it, reading the blobs in one ``git cat-file --batch`` pass."""
    changes = [c for c in history.ticket_changes if c[0] not in history.rewrites]
    if not changes:
        return
    work = _open(root)[0]
    wanted = sorted({blob for change in changes for blob in change[1:3]})
    contents = dict(_blobs(str(work), wanted))
    for path, old, new, sha, when in changes:
        if path in history.rewrites:
            continue
        fact = _rewritten(contents.get(old, b""), contents.get(new, b""))
        if fact is not None:
            history.rewrites[path] = (fact, sha, when)


def _blobs(work: str, blobs: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each blob's bytes, from one git process fed from a file (no pipe to deadlock on)."""
    with tempfile.TemporaryFile() as ids:
        ids.write("".join(f"{blob}\n" for blob in blobs).encode())
        ids.seek(0)
        with subprocess.Popen(  # noqa: S603 - fixed arguments, blob ids from git itself
            ["git", "-C", work, "cat-file", "--batch"],  # noqa: S607
            stdin=ids,
            stdout=subprocess.PIPE,
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


# ---- reading git ------------------------------------------------------------------------


# The git command line, not a library: one process per question, and nothing to import
# for the commands that never ask.


def _git(work: str, *args: str) -> bytes:
    """What ``git args`` prints in ``work``; an AuditError with git's own words if it fails."""
    # Messages in English whatever the user's locale, as the audit's own are.
    env = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C"}
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments; revisions from git itself
            ["git", "-C", work, *args],  # noqa: S607 - git as the user's PATH finds it
            capture_output=True,
            env=env,
            check=False,
        )
    except OSError as error:
        raise AuditError(f"git cannot be run: {error.strerror}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise AuditError(f"git cannot read the history: {detail}")
    return done.stdout


def _open(root: Path) -> tuple[str, str, str]:
    """The work tree holding ``root``, the board's folder within it ('' or 'a/b/'), and
    the commit HEAD names."""
    try:
        found = _git(str(root), "rev-parse", "--is-bare-repository", "--show-toplevel")
    except AuditError as error:
        if _bare(root):
            raise AuditError(
                f"{root} is in a bare repository; the audit needs a work tree"
            ) from None
        if "not a git repository" in str(error) or "cannot change to" in str(error):
            raise AuditError(
                f"{root} is not inside a git work tree; the audit reads its history"
            ) from None
        raise  # git's own words: a dubious owner, a broken repository ...
    work = found.decode("utf-8", "surrogateescape").splitlines()[-1]
    try:
        inside = root.resolve().relative_to(Path(work).resolve())
    except ValueError:
        raise AuditError(f"{root} is not inside the work tree of {work}") from None
    try:
        head = _git(work, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip()
    except AuditError:
        raise AuditError(f"the git repository at {work} has no commits yet") from None
    prefix = inside.as_posix()
    return work, "" if prefix == "." else prefix + "/", head


def _bare(root: Path) -> bool:
    try:
        return _git(str(root), "rev-parse", "--is-bare-repository").strip() == b"true"
    except AuditError:
        return False


@dataclass
class _Track:
    first: tuple[str, datetime]
    blob: str
    present: bool = True
    removed: tuple[str, datetime] | None = None
    edits: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass
class Replay:
    """What replaying the main line up to ``head`` has gathered: enough to go on with
    the commits after it and end with the history a whole read gives."""

    head: str
    prefix: str
    current: tuple[str, datetime] | None = None
    tracks: dict[str, _Track] = field(default_factory=dict)
    commits: int = 0
    backwards: list[tuple[str, datetime, str, datetime]] = field(default_factory=list)
    ticket_changes: list[tuple[str, str, str, str, datetime]] = field(default_factory=list)


def _parse_log(text: str, prefix: str, head: str, resume: Replay | None = None) -> History:
    """Replay ``git log --raw`` output, oldest first, into per-file facts, going on from
    ``resume`` (which is updated to ``head``) when given."""
    replay = resume or Replay(head, prefix)
    tracks = replay.tracks
    current = replay.current
    counted = False
    history = History(
        head=head,
        replies={},
        deleted_tickets={},
        commits=replay.commits,
        backwards=replay.backwards,
        ticket_changes=replay.ticket_changes,
        replay=replay,
    )
    for line in text.split("\n"):  # not splitlines: U+2028 or U+0085 may be in a path
        if line.startswith(_COMMIT_LINE):
            sha, stamp = line[len(_COMMIT_LINE) :].split(" ", 1)
            previous = current
            current = (sha, datetime.fromisoformat(stamp))
            if previous is not None and current[1] < previous[1]:
                history.backwards.append((*current, *previous))
            counted = False
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
        if not counted:
            history.commits += 1
            counted = True
        track = tracks.get(path)
        if status == "D":
            if track is None:  # added before the commits read (``after``)
                tracks[path] = _Track(current, old_blob, False, current)
            else:
                track.present = False
                track.removed = current
        elif track is None:
            tracks[path] = _Track(current, new_blob)
        elif status == "A":  # back after a deletion
            if new_blob != track.blob:
                track.edits.append(current)
                if path.endswith("/ticket.yaml"):
                    history.ticket_changes.append((path, track.blob, new_blob, *current))
            track.blob, track.present, track.removed = new_blob, True, None
        elif new_blob != old_blob:  # M or T with new content; a mode change alone is not
            track.edits.append(current)
            if path.endswith("/ticket.yaml"):
                history.ticket_changes.append((path, old_blob, new_blob, *current))
            track.blob = new_blob
    replay.head, replay.current, replay.commits = head, current, history.commits
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
                history.deleted_entered[path] = track.first[1]
    history.deleted_files = {
        path: removed
        for path, removed in history.deleted_replies.items()
        # A whole ticket gone is A003, said once for its folder.
        if path.rsplit("/", 1)[0] not in history.deleted_tickets
    }
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
