"""The main line of a board's git history: when each file entered the public record.

Staff answer through pull requests, so the main line of history (HEAD's first-parent
chain) is the public record: a reply written on a branch enters it when the branch is
merged, and the merge commit's committer time is when that happened. ``read_history``
reads that chain in one ``git log`` call and replays it line by line; what the replay
gathered (``Replay``) lets a later read go on from where it stopped. The audit
(``staff.audit``) and the witnessed times (``reading.witness``) use it; the domain core
never reads git.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from answerable.reading.git import git_environment
from answerable.reading.loading import REPLY_FILE

_COMMIT_LINE = "commit "


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


_OCTAL = re.compile(r"[0-3][0-7]{2}")


class HistoryError(Exception):
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


def read_history(root: Path, *, resume: Replay | None = None) -> History:
    """Read the main line of the git history that holds the board at ``root``, once.

    ``resume``: a history's ``replay`` read before; only the commits after its head are
    read, if that head is still on HEAD's first-parent line, else the whole line. The
    history is the same either way."""
    work, prefix, head = open_work_tree(root)
    after = resume.head if resume is not None and resume.prefix == prefix else None
    if run_git(work, "rev-parse", "--is-shallow-repository").strip() == b"true":
        raise HistoryError(
            "the repository is a shallow clone, so the history is cut short; fetch it "
            "whole first (git fetch --unshallow, or fetch-depth: 0 in CI)"
        )
    if (
        after is not None
        and after not in run_git(work, "rev-list", "--first-parent", "HEAD").decode().split()
    ):
        after = None  # the line was rewritten since: read it whole
    if after is None:
        resume = None
    raw = run_git(
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
    return history


def entered_times(history: History) -> dict[str, datetime]:
    """When each reply (by path) entered the public record; for showing beside its date."""
    return {path: record.entered for path, record in history.replies.items()}


# The git command line, not a library: one process per question, and nothing to import
# for the commands that never ask.
def run_git(work: str, *args: str) -> bytes:
    """What ``git args`` prints in ``work``; a HistoryError with git's own words if it fails."""
    # Messages in English whatever the user's locale, as the audit's own are.
    env = {**git_environment(), "LC_ALL": "C", "LANGUAGE": "C"}
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments; revisions from git itself
            ["git", "-C", work, *args],  # noqa: S607 - git as the user's PATH finds it
            capture_output=True,
            env=env,
            check=False,
        )
    except OSError as error:
        raise HistoryError(f"git cannot be run: {error.strerror}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise HistoryError(f"git cannot read the history: {detail}")
    return done.stdout


def open_work_tree(root: Path) -> tuple[str, str, str]:
    """The work tree holding ``root``, the board's folder within it ('' or 'a/b/'), and
    the commit HEAD names."""
    try:
        found = run_git(str(root), "rev-parse", "--is-bare-repository", "--show-toplevel")
    except HistoryError as error:
        if _bare(root):
            raise HistoryError(
                f"{root} is in a bare repository; the audit needs a work tree"
            ) from None
        if "not a git repository" in str(error) or "cannot change to" in str(error):
            raise HistoryError(
                f"{root} is not inside a git work tree; the audit reads its history"
            ) from None
        raise  # git's own words: a dubious owner, a broken repository ...
    work = found.decode("utf-8", "surrogateescape").splitlines()[-1]
    try:
        inside = root.resolve().relative_to(Path(work).resolve())
    except ValueError:
        raise HistoryError(f"{root} is not inside the work tree of {work}") from None
    try:
        head = run_git(work, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip()
    except HistoryError:
        raise HistoryError(f"the git repository at {work} has no commits yet") from None
    prefix = inside.as_posix()
    return work, "" if prefix == "." else prefix + "/", head


def _bare(root: Path) -> bool:
    try:
        return run_git(str(root), "rev-parse", "--is-bare-repository").strip() == b"true"
    except HistoryError:
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
