"""Read a board's tree in one pass: every file parsed once, every problem collected.

A bad file never stops the pass: it is reported with its path and line, and the rest
of the board still loads. Only files that pass their schema become records.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import multiprocessing
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import ValidationError

from answerable.checks.problems import Problem
from answerable.core.records import (
    SCHEMA_MODELS,
    TICKET_ID,
    Board,
    Record,
    ReplyMeta,
    Ticket,
    describe_value,
)
from answerable.processes import Workers
from answerable.reading.yaml_source import (
    Position,
    YamlDocument,
    YamlProblem,
    parse_with_positions,
    parse_yaml,
)

PARALLEL_FROM = 2_000  # ticket folders; below this, starting processes costs more than it saves
MAX_FILE_BYTES = 1024 * 1024  # a ticket is a few KiB; anything this large is a mistake
REPLY_FILE = re.compile(r"^reply-([1-9][0-9]{0,3})\.md$")
YEAR_FOLDER = re.compile(r"^[0-9]{4}$")
IGNORED_NAMES = {".gitkeep"}
# Characters no one types: NUL and the like hide text from reviewers and break tools.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

R = TypeVar("R", bound=Record)


class TicketRefs(NamedTuple):
    """What checks across the board read: the id, the tickets it names, and when it was
    received (in POSIX seconds: a float crosses between processes at a fraction of
    the cost of a datetime with its offset)."""

    id: str
    related: tuple[str, ...]
    duplicate_of: str | None
    received: float

    @classmethod
    def of(cls, ticket: Ticket) -> TicketRefs:
        received = ticket.received.timestamp()
        return cls(ticket.id, tuple(ticket.related), ticket.duplicate_of, received)


@dataclass
class ReplyFile:
    number: int
    path: str
    meta: ReplyMeta
    body: str
    body_line: int
    doc: YamlDocument | str  # a str: the file's path, read for positions when first needed
    digest: bytes = b""  # the file's git blob id (``blob_id``): what page keys are made of
    witnessed: datetime | None = None
    """When the public record first held the reply, where the board counts that
    (``status.count_witnessed``); set after reading, never cached with the file."""

    @property
    def at(self) -> datetime:
        """When the reply counts as given: its date, or the later moment it was witnessed."""
        stated = self.meta.date
        witnessed = self.witnessed
        return witnessed if witnessed is not None and witnessed > stated else stated

    def position(self, *path: str | int) -> Position:
        if isinstance(self.doc, str):
            self.doc = _positions(self.doc, front_matter=True)
        return self.doc.position(path)


class _TicketYaml:
    """Where a folder's ticket.yaml gives a value, for messages."""

    doc: YamlDocument | str  # a str: the file's path, read for positions when first needed

    def position(self, *path: str | int) -> Position:
        if isinstance(self.doc, str):
            self.doc = _positions(self.doc, front_matter=False)
        return self.doc.position(path)

    def written(self, key: str) -> str:
        """A top-level value as the file writes it (read for a message, so rarely)."""
        self.position(key)
        return _written(self.doc, key)  # type: ignore[arg-type]


@dataclass
class TicketFile(_TicketYaml):
    folder: str  # e.g. tickets/2026/2026-000042
    path: str  # the ticket.yaml
    ticket: Ticket
    doc: YamlDocument | str
    replies: list[ReplyFile] = field(default_factory=list)
    digest: bytes = b""  # of ticket.yaml's and every reply's blob ids: the folder's content
    refs: TicketRefs = None  # type: ignore[assignment] # made from the ticket when not given
    # Each reply's path and date in POSIX seconds: what checks across the board read.
    reply_times: tuple[tuple[str, float], ...] = ()
    witnessed_any: bool = False  # whether a reply's ``witnessed`` is set (count_witnessed)
    # What ``digest`` is made of: ticket.yaml's blob id, then each reply's number and blob
    # id, in the order of ``reply_times``.
    keys: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.refs is None:
            self.refs = TicketRefs.of(self.ticket)

    def latest_reply(self) -> float:
        """When its last reply is dated (POSIX seconds); minus infinity without one."""
        return max((at for _, at in self.reply_times), default=-math.inf)

    def digest_until(self, moment: float) -> bytes | None:
        """``digest`` as it would be without the replies dated after ``moment`` (POSIX
        seconds): the same while those are all that change, so that what a past moment
        shows is not taken for changed when a later reply comes. None when the files
        cannot tell: a reply counts from when the record first held it (``witnessed``),
        or what the digest is made of is not known."""
        if self.witnessed_any:
            return None
        if self.latest_reply() <= moment:
            return self.digest  # nothing dated later: most tickets, most periods
        if len(self.keys) != len(self.reply_times) + 1:
            return None
        digest = hashlib.blake2b(self.keys[0], digest_size=16)
        for (_, at), key in zip(self.reply_times, self.keys[1:], strict=True):
            if at <= moment:
                digest.update(key)
        return digest.digest()

    def reply_paths(self) -> list[str]:
        """The paths of its replies, in order."""
        return [reply.path for reply in self.replies]

    def facts(self) -> FolderFacts:
        return FolderFacts(self.folder, self.path, self.doc, self.refs, self.reply_times)


@dataclass
class FolderFacts(_TicketYaml):
    """What checks across the board read of a ticket folder: all a run that only checks
    keeps of it once the folder's own problems are known (``load_board(records=False)``)."""

    folder: str
    path: str
    doc: YamlDocument | str
    refs: TicketRefs
    reply_times: tuple[tuple[str, float], ...] = ()


def reply_written(root: Path, rel: str, key: str) -> tuple[Position, str]:
    """Where a reply's front matter gives ``key``, and its value as written; read again
    from the file, for the rare message that needs it when the reply was not kept."""
    doc = _positions(str(root / rel), front_matter=True)
    return doc.position((key,)), _written(doc, key)


def _written(doc: YamlDocument, key: str) -> str:
    return str(doc.data.get(key, "")) if isinstance(doc.data, dict) else ""


@dataclass
class LoadedBoard:
    root: Path
    board: Board | None
    board_doc: YamlDocument | None
    tickets: list[TicketFile]
    problems: list[Problem]
    board_digest: bytes = b""  # of board.yaml's bytes
    # Each folder's own problems, when they were found as it was read (``check``).
    checked: dict[str, list[Problem]] = field(default_factory=dict)
    # Read for checking only (``records=False``): what is left of each folder.
    light: list[FolderFacts] = field(default_factory=list)

    def folders(self) -> list[TicketFile] | list[FolderFacts]:
        """Every folder read, with its record or (read for checking only) without."""
        return self.light or self.tickets


FolderCheck = Callable[[TicketFile], list[Problem]]
# Given board.yaml (its record and the digest of its bytes): what checks a folder.
MakeCheck = Callable[[Board, bytes], FolderCheck]

T = TypeVar("T")
Parts = tuple[YamlDocument, tuple[Any, ...]]
"""A file's YAML document, and what else it holds (a reply's body and its first line)."""


@dataclass(frozen=True)
class Parse(Generic[T]):
    """How one kind of ticket file is read, in two steps: its text split into its YAML
    document and the rest (``split``), then those made into what loading keeps, its
    records (``made``). Between the two, a clean file is plain data (``plain``): what the
    build state keeps of it, since pickling that takes a third of the time pickling the
    records takes, and unpickling it and making the records again less than unpickling
    them."""

    split: Callable[[str, str, list[Problem]], Parts | None]
    made: Callable[[YamlDocument, tuple[Any, ...], str, list[Problem]], T | None]

    def __call__(self, data: bytes, rel: str, problems: list[Problem]) -> T | None:
        parts = self.parts(data, rel, problems)
        return None if parts is None else self.made(*parts, rel, problems)

    def parts(self, data: bytes, rel: str, problems: list[Problem]) -> Parts | None:
        text = _decode(data, rel, problems)
        return None if text is None else self.split(text, rel, problems)

    @staticmethod
    def plain(parts: Parts) -> tuple[Any, tuple[Any, ...]]:
        """A file's parts as plain data (text, numbers, lists and mappings)."""
        return parts[0].data, parts[1]

    def from_plain(self, plain: tuple[Any, tuple[Any, ...]]) -> T | None:
        """What ``made`` makes of a clean file's ``plain`` data; None should it find a
        problem after all (then the file is read again, to say where)."""
        problems: list[Problem] = []
        made = self.made(YamlDocument(plain[0]), plain[1], "", problems)
        return None if problems else made


class FileReader:
    """How a ticket file becomes its key (``blob_id``) and what ``parse`` makes of it:
    here, by reading it. The incremental layer gives one that takes unchanged files from
    the build state without opening them (``incremental.remembered``)."""

    def read(
        self, path: str, rel: str, folder: str, parse: Parse[T], problems: list[Problem]
    ) -> tuple[bytes, T | None] | None:
        """None when the file cannot be read at all (its problem added)."""
        data = self.bytes_of(path, rel, problems)
        if data is None:
            return None
        return blob_id(data), parse(data, rel, problems)

    @staticmethod
    def bytes_of(path: str, rel: str, problems: list[Problem]) -> bytes | None:
        """A file's bytes, or None with its problem added (too large, unreadable)."""
        return _read_bytes(path, rel, problems)

    def list_folder(
        self, root: Path, folder: str, rel_folder: str, problems: list[Problem]
    ) -> FolderFiles:
        """A ticket folder's files (``list_ticket_folder``): here, as the disk lists them."""
        return list_ticket_folder(root, folder, rel_folder, problems)

    def to_parse(self, folders: list[str]) -> int:
        """About how many of ``folders`` must be parsed (here: all): reading in several
        processes pays only for parsing."""
        return len(folders)

    def finish(self, folders: list[str] | None) -> None:
        """A process has read its folders; ``folders``: every folder of the board, given
        once in the main process when the whole board is read."""

    def checked_before(self, files: FolderFiles, board_digest: bytes) -> CheckedFolder | None:
        """When only checking: what reading and checking this folder gave before, if
        its files and board.yaml are known to be the same (here: never)."""
        return None

    def checked_now(self, files: FolderFiles, board_digest: bytes, found: CheckedFolder) -> None:
        """When only checking: what reading and checking this folder gave."""

    def kept(self, files: FolderFiles) -> TicketFile | None:
        """A folder known to be as an earlier run read it, without a problem: its
        ticket file, whose record and replies may be read only when first asked for
        (here: never known)."""
        return None

    def keep(self, files: FolderFiles, loaded: TicketFile) -> None:
        """A folder was read without a problem into ``loaded``."""


class FolderFiles(NamedTuple):
    """A ticket folder's files: its path in the board, ticket.yaml's path (None when
    missing) and each reply's number, path and path in the board."""

    folder: str
    ticket: str | None
    replies: list[tuple[int, str, str]]

    def rels(self) -> list[str]:
        """The files' paths in the board, ticket.yaml first."""
        return [f"{self.folder}/ticket.yaml", *(rel for _, _, rel in self.replies)]


class CheckedFolder(NamedTuple):
    """What a run that only checks keeps of a folder: what checks across the board
    read, the problems found reading its files, and its own problems."""

    facts: FolderFacts
    read: list[Problem]
    own: list[Problem]


def load_board(
    root: Path,
    reader: FileReader | None = None,
    *,
    workers: int = 1,
    check: MakeCheck | None = None,
    records: bool = True,
) -> LoadedBoard:
    """Read board.yaml and every ticket folder under ``root``, each ticket file through
    ``reader`` (by default read and parsed; the incremental layer gives one that keeps
    what unchanged files were read as).

    ``check`` makes the function that finds a folder's own problems, which then runs
    as each folder is read (``LoadedBoard.checked``). With ``workers`` (cores) > 1 and a
    large board, folders are read and checked in two processes a core. ``records=False``:
    only checking follows, so records and replies are not kept (``LoadedBoard.light``)
    and need not be sent back from those processes."""
    reader = reader or FileReader()
    problems: list[Problem] = []
    board, board_doc, board_digest = _load_board_file(root, problems)
    folders: list[tuple[str, str]] = []
    tickets_dir = root / "tickets"
    if tickets_dir.is_symlink():
        problems.append(_stray(root, tickets_dir, "tickets/ must be a folder, not a link"))
    elif tickets_dir.is_dir():
        folders = _ticket_folders(root, tickets_dir, problems)
    per_folder = None
    if check is not None and board is not None:
        per_folder = check(board, board_digest)
    part = _Part(root, folders, reader, per_folder, 1, records, board_digest)
    # Two processes per core: reading waits on the disk when the files are not in memory
    # (a board of 100,000 tickets: 16 s against 25 s with one per core), and costs
    # nothing more when they are.
    to_parse = reader.to_parse([rel for _, rel in folders])
    part.count = min(2 * workers, to_parse // (PARALLEL_FROM // 2))
    if part.count > 1 and "fork" in multiprocessing.get_all_start_methods():
        found = _load_in_parallel(part, problems)
    else:
        part.count = 1
        found = _load_part(0, part)
        problems += found.problems
    reader.finish([rel for _, rel in folders])
    loaded = LoadedBoard(root, board, board_doc, found.tickets, problems, board_digest)
    loaded.checked, loaded.light = found.checked, found.light
    loaded.tickets.sort(key=lambda t: t.refs.id)
    loaded.light.sort(key=lambda t: t.refs.id)
    return loaded


@dataclass
class _Part:
    """What the loading processes inherit when they are forked."""

    root: Path
    folders: list[tuple[str, str]]
    reader: FileReader
    check: FolderCheck | None
    count: int
    records: bool
    board_digest: bytes


@dataclass
class _Found:
    """What one process read: its folders, the problems found reading and checking them."""

    tickets: list[TicketFile] = field(default_factory=list)
    light: list[FolderFacts] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, list[Problem]] = field(default_factory=dict)


_PART: _Part | None = None


def default_workers() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _load_part(index: int, part: _Part | None = None) -> _Found:
    part = part or _PART
    assert part is not None  # noqa: S101 - set before the pool starts
    found = _Found()
    size = len(part.folders)
    # A run of neighbouring folders each: the build state keeps neighbours' entries
    # together (``state.CHUNKED``), and a chunk written by one process alone is not
    # read back and merged by another within its transaction.
    for folder, rel in part.folders[index * size // part.count : (index + 1) * size // part.count]:
        files = part.reader.list_folder(part.root, folder, rel, found.problems)
        if not part.records and part.check is not None:
            _check_only(part, files, found)
            continue
        loaded = part.reader.kept(files)
        if loaded is None:
            before = len(found.problems)
            loaded = read_ticket_folder(files, found.problems, part.reader)
            if loaded is None:
                continue
            if len(found.problems) == before:
                part.reader.keep(files, loaded)
        if part.check is not None:
            found.checked[loaded.folder] = part.check(loaded)
        found.tickets.append(loaded)
    if part.count > 1:
        part.reader.finish(None)
    return found


def _check_only(part: _Part, files: FolderFiles, found: _Found) -> None:
    """Read and check a folder keeping only what checks across the board read; or take
    all that from the reader, when it knows the folder unchanged."""
    assert part.check is not None  # noqa: S101 - checking is what this is for
    known = part.reader.checked_before(files, part.board_digest)
    if known is None:
        read: list[Problem] = []
        loaded = read_ticket_folder(files, read, part.reader)
        found.problems += read
        if loaded is None:
            return
        known = CheckedFolder(loaded.facts(), read, part.check(loaded))
        part.reader.checked_now(files, part.board_digest, known)
    else:
        found.problems += known.read
    found.light.append(known.facts)
    found.checked[known.facts.folder] = known.own


def _load_in_parallel(part: _Part, problems: list[Problem]) -> _Found:
    global _PART  # noqa: PLW0603 - handed to forked children, reset afterwards
    _PART = part
    try:
        # This process only waits: parsing here would leave its heap fragmented by
        # garbage, which every page-rendering process forked later would inherit.
        with Workers(part.count) as pool:
            results = pool.map(_load_part, range(part.count))
    finally:
        _PART = None
    every = _Found()
    for found in results:
        every.tickets += found.tickets
        every.light += found.light
        every.checked.update(found.checked)
        problems += found.problems
    return every


def _load_board_file(
    root: Path, problems: list[Problem]
) -> tuple[Board | None, YamlDocument | None, bytes]:
    path = root / "board.yaml"
    if not path.is_file():
        problems.append(Problem("board.yaml", 1, 1, "E007", "board.yaml is missing"))
        return None, None, b""
    data = _read_bytes(path, "board.yaml", problems)
    if data is None:
        return None, None, b""
    digest = hashlib.blake2b(data, digest_size=16).digest()
    text = _decode(data, "board.yaml", problems)
    doc = _parse_text("board.yaml", text, problems) if text is not None else None
    if doc is None:
        return None, None, digest
    return record_from(Board, doc, _rel(root, path), problems), doc, digest


def _entries(folder: Path | str) -> list[os.DirEntry[str]]:
    # os.scandir: one system call per folder, and file types without a stat per entry.
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def _ticket_folders(
    root: Path, tickets_dir: Path, problems: list[Problem]
) -> list[tuple[str, str]]:
    """Each ticket folder's path and its path in the board."""
    # Plain strings: at 100,000 folders, pathlib's parsing is a second of its own.
    folders: list[tuple[str, str]] = []
    for year in _entries(tickets_dir):
        if year.name in IGNORED_NAMES:
            continue
        if year.is_symlink() or not year.is_dir() or not YEAR_FOLDER.match(year.name):
            why = "expected a year folder such as tickets/2026/"
            problems.append(_stray(root, Path(year.path), why))
            continue
        for folder in _entries(Path(year.path)):
            if folder.name in IGNORED_NAMES:
                continue
            if folder.is_symlink() or not folder.is_dir() or not re.match(TICKET_ID, folder.name):
                why = "expected a ticket folder named like 2026-000042"
                problems.append(_stray(root, Path(folder.path), why))
                continue
            folders.append((folder.path, f"tickets/{year.name}/{folder.name}"))
    return folders


def load_ticket_folder(
    root: Path,
    folder: Path | str,
    problems: list[Problem],
    reader: FileReader | None = None,
    rel: str | None = None,
) -> TicketFile | None:
    """Read one ticket folder (``rel``: its path in the board, when the caller knows it);
    its problems go to ``problems``."""
    files = list_ticket_folder(root, folder, rel or _rel(root, Path(folder)), problems)
    return read_ticket_folder(files, problems, reader)


class FolderListing(NamedTuple):
    """A ticket folder's entries by name, sorted: whether it holds ticket.yaml, each
    reply's number and name, and every other name (``scan_ticket_folder``)."""

    ticket: bool
    replies: tuple[tuple[int, str], ...]
    strays: tuple[str, ...]


def list_ticket_folder(
    root: Path, folder: Path | str, rel_folder: str, problems: list[Problem]
) -> FolderFiles:
    """A ticket folder's files; anything else in it is a problem."""
    return listed_files(root, folder, rel_folder, scan_ticket_folder(folder), problems)


def scan_ticket_folder(folder: Path | str) -> FolderListing:
    """What a ticket folder holds, as the disk lists it now."""
    ticket = False
    replies: list[tuple[int, str]] = []
    strays: list[str] = []
    with os.scandir(folder) as listing:
        for entry in listing:
            if entry.name in IGNORED_NAMES:
                continue
            if entry.name == "ticket.yaml" and entry.is_file(follow_symlinks=False):
                ticket = True
                continue
            match = REPLY_FILE.match(entry.name)
            if match and entry.is_file(follow_symlinks=False):
                replies.append((int(match[1]), entry.name))
            elif entry.name != "ticket.yaml":
                strays.append(entry.name)
    return FolderListing(ticket, tuple(sorted(replies)), tuple(sorted(strays)))


def listed_files(
    root: Path, folder: Path | str, rel_folder: str, listing: FolderListing, problems: list[Problem]
) -> FolderFiles:
    """The files of a folder that holds ``listing``; anything else in it is a problem."""
    folder = str(folder)
    why = "a ticket folder holds ticket.yaml and reply-N.md files only"
    problems.extend(_stray(root, Path(folder, name), why) for name in listing.strays)
    return FolderFiles(
        rel_folder,
        f"{folder}/ticket.yaml" if listing.ticket else None,
        [(number, f"{folder}/{name}", f"{rel_folder}/{name}") for number, name in listing.replies],
    )


def read_ticket_folder(
    files: FolderFiles, problems: list[Problem], reader: FileReader | None = None
) -> TicketFile | None:
    """A ticket folder's files read (by ``reader``) into its record and replies; None when
    its ticket.yaml is missing or does not hold a ticket."""
    reader = reader or FileReader()
    rel_folder = files.folder
    ticket_rel = f"{rel_folder}/ticket.yaml"
    ticket = None
    digest = hashlib.blake2b(digest_size=16)
    keys = [b""]  # what the digest is made of (``TicketFile.keys``)
    if files.ticket is None:
        problems.append(Problem(ticket_rel, 1, 1, "E007", "ticket folder has no ticket.yaml"))
    else:
        read = reader.read(files.ticket, ticket_rel, rel_folder, _read_ticket, problems)
        if read is not None:
            digest.update(read[0])
            keys[0] = read[0]
            ticket = read[1]
    replies = []
    times = []
    for number, path, reply_rel in files.replies:
        read = reader.read(path, reply_rel, rel_folder, _read_reply, problems)
        if read is not None and read[1] is not None:
            meta, body, body_line, at = read[1]
            replies.append(ReplyFile(number, reply_rel, meta, body, body_line, path, read[0]))
            times.append((reply_rel, at))
    if ticket is None or files.ticket is None:
        return None
    for reply in replies:
        keys.append(b"%d" % reply.number + reply.digest)
        digest.update(keys[-1])
    record, refs = ticket
    return TicketFile(
        rel_folder,
        ticket_rel,
        record,
        files.ticket,
        replies,
        digest.digest(),
        refs,
        reply_times=tuple(times),
        keys=tuple(keys),
    )


def _positions(path: str, *, front_matter: bool) -> YamlDocument:
    """Where a file's values stand. Parsed again only when a problem needs a position:
    most files have none, and keeping every file's positions costs memory."""
    found: YamlDocument | None = None
    try:
        text = Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
        if front_matter:
            split = _front_matter(text, "", [])
            found = parse_with_positions(split[0], line_offset=1) if split else None
        else:
            found = parse_with_positions(text)
    except (OSError, UnicodeDecodeError, YamlProblem):
        found = None
    return found or YamlDocument(None)


TicketRead = tuple[Ticket, TicketRefs]
ReplyRead = tuple[ReplyMeta, str, int, float]


def _ticket_split(text: str, rel: str, problems: list[Problem]) -> Parts | None:
    doc = _parse_text(rel, text, problems)
    return None if doc is None else (doc, ())


def _ticket_made(
    doc: YamlDocument, _rest: tuple[Any, ...], rel: str, problems: list[Problem]
) -> TicketRead | None:
    ticket = record_from(Ticket, doc, rel, problems)
    return (ticket, TicketRefs.of(ticket)) if ticket is not None else None


def _reply_split(text: str, rel: str, problems: list[Problem]) -> Parts | None:
    split = _front_matter(text, rel, problems)
    if split is None:
        return None
    front, body, body_line = split
    doc = _parse_text(rel, front, problems, line_offset=1)
    return None if doc is None else (doc, (body, body_line))


def _reply_made(
    doc: YamlDocument, rest: tuple[Any, ...], rel: str, problems: list[Problem]
) -> ReplyRead | None:
    """A reply's front matter, its body, the line the body starts on, and its date in
    POSIX seconds (read without unpickling the front matter)."""
    meta = record_from(ReplyMeta, doc, rel, problems)
    return (meta, *rest, meta.date.timestamp()) if meta is not None else None


_read_ticket = Parse(_ticket_split, _ticket_made)
_read_reply = Parse(_reply_split, _reply_made)


def _front_matter(text: str, rel: str, problems: list[Problem]) -> tuple[str, str, int] | None:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        problems.append(
            Problem(rel, 1, 1, "E005", "a reply starts with a '---' line, then its front matter")
        )
        return None
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---"), None)
    if closing is None:
        problems.append(Problem(rel, 1, 1, "E005", "front matter has no closing '---' line"))
        return None
    rest = lines[closing + 1 :]
    blank = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "".join(rest[blank:]).strip()
    return "".join(lines[1:closing]), body, closing + 2 + blank


def blob_id(data: bytes) -> bytes:
    """A file's content key: the id git gives these bytes (``git hash-object``), so that
    keys git already holds (``incremental.changes``) and keys made here agree."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.digest()


def _read_bytes(path: Path | str, rel: str, problems: list[Problem]) -> bytes | None:
    try:
        # A descriptor, not a file object: at 20,000 files a board, the buffered file's
        # set-up costs more than the reading.
        fd = os.open(path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if size > MAX_FILE_BYTES:
                message = f"file is {size} bytes; the limit is {MAX_FILE_BYTES}"
                problems.append(Problem(rel, 1, 1, "E001", message))
                return None
            chunks = [os.read(fd, size + 1)]
            while chunks[-1]:  # to the end, as read() does, however the size was given
                chunks.append(os.read(fd, 1 << 16))
            return b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as error:
        problems.append(Problem(rel, 1, 1, "E001", f"cannot read file: {error.strerror}"))
        return None


def _decode(data: bytes, rel: str, problems: list[Problem]) -> str | None:
    try:
        # A byte-order mark is what some Windows editors write first; it carries no text.
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(Problem(rel, line, column, "E001", f"byte {error.start} is not UTF-8 text"))
        return None
    control = CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        code = f"U+{ord(control.group()):04X}"
        problems.append(Problem(rel, line, column, "E001", f"control character {code} in the text"))
        return None
    return text


def _parse_text(
    rel: str, text: str, problems: list[Problem], line_offset: int = 0
) -> YamlDocument | None:
    try:
        return parse_yaml(text, line_offset=line_offset)
    except YamlProblem as problem:
        where = problem.position
        problems.append(Problem(rel, where.line, where.column, problem.code, problem.message))
        return None


def record_from(model: type[R], doc: YamlDocument, rel: str, problems: list[Problem]) -> R | None:
    """The record a parsed file holds, or None with its problems (file, line, code) added."""
    if not isinstance(doc.data, dict):
        where = doc.position(())
        problems.append(
            Problem(rel, where.line, where.column, "E103", "the file must hold a mapping of fields")
        )
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        for detail in error.errors():
            loc = tuple(detail["loc"])
            code, message = _explain(detail)
            where = doc.position(loc)
            problems.append(Problem(rel, where.line, where.column, code, message))
        return None


_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _field_name(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "file"


def _explain(detail: Any) -> tuple[str, str]:  # noqa: ANN401 - pydantic's ErrorDetails
    """Turn one pydantic error into our code and a one-line message."""
    kind: str = detail["type"]
    loc = tuple(detail["loc"])
    name = _field_name(loc)
    value = detail.get("input")
    if kind == "missing":
        return "E101", f"missing required field '{name}'"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = difflib.get_close_matches(key, sorted(_ALL_FIELDS), n=1, cutoff=0.75)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        return "E102", f"unknown field '{name}'{suffix}"
    if kind in ("string_too_short", "too_short") or (
        kind == "string_pattern_mismatch" and detail.get("ctx", {}).get("pattern") == r"\S"
    ):
        return "E101", f"'{name}' must not be empty"
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return "E104", f"'{name}' is {describe_value(value)}; expected {expected}"
    if kind in ("string_too_long", "too_long"):
        limit = detail.get("ctx", {}).get("max_length")
        size = len(value) if isinstance(value, str | list) else "?"
        return "E104", f"'{name}' is too long ({size}; at most {limit})"
    if kind in ("not_allowed", "greater_than_equal", "less_than_equal"):
        return "E104", f"'{name}': {detail['msg']}"
    if kind == "no_utc_offset":
        return "E105", f"'{name}': {detail['msg']}"
    if kind == "bad_format":
        return "E106", f"'{name}': {detail['msg']}"
    if kind == "string_pattern_mismatch":
        return "E106", f"'{name}' is {describe_value(value)}, which is not in the expected form"
    if kind == "wrong_type":
        return "E103", f"'{name}': {detail['msg']}"
    expected = _EXPECTED.get(kind)
    if expected:
        note = " (write true or false)" if kind == "bool_type" and isinstance(value, str) else ""
        return "E103", f"'{name}' should be {expected}, not {describe_value(value)}{note}"
    return "E103", f"'{name}': {detail['msg']}"


def _model_fields(model: type[Record]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for arg in _nested_models(info.annotation):
            names |= _model_fields(arg)
    return names


def _nested_models(annotation: Any) -> list[type[Record]]:  # noqa: ANN401 - typing objects
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return [annotation]
    found: list[type[Record]] = []
    for arg in getattr(annotation, "__args__", ()):
        found += _nested_models(arg)
    return found


_ALL_FIELDS = set().union(*(_model_fields(m) for m in SCHEMA_MODELS.values()))


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _stray(root: Path, path: Path, why: str) -> Problem:
    kind = "link" if path.is_symlink() else ("folder" if path.is_dir() else "file")
    return Problem(_rel(root, path), 1, 1, "E006", f"unexpected {kind} '{path.name}': {why}")
