"""Reading and checking a board, with what earlier runs made of unchanged files.

This wraps ``reading.loading`` and ``checks.validation`` without their knowing: a file
is looked up in the build state under its content key (``changes``), and parsed only
when the state has nothing for that key; a folder's own problems are looked up under
its files' keys, board.yaml's digest and the code's version, and found afresh only
when missing. A file git vouches for is not even opened.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from answerable.checks.problems import Problem
from answerable.core.records import Board
from answerable.incremental import pickling
from answerable.incremental.changes import AskedGit, known_keys
from answerable.incremental.kept import KeptTicketFile
from answerable.incremental.state import BuildState, chunk_of
from answerable.reading.loading import (
    CheckedFolder,
    FileReader,
    FolderCheck,
    FolderFiles,
    FolderListing,
    LoadedBoard,
    MakeCheck,
    Parse,
    TicketFile,
    blob_id,
    list_ticket_folder,
    listed_files,
    load_board,
    scan_ticket_folder,
)

T = TypeVar("T")
_STAMP = struct.Struct("<Qqq")  # a folder's inode, modification and change times (ns)
SETTLED_NS = 3_000_000_000  # FAT's clock ticks every 2 s; most others' in ns to ms


class RememberingReader(FileReader):
    """Takes a file's parse from the state when its key is known there."""

    def __init__(self, root: Path, state: BuildState, asked: AskedGit | None = None) -> None:
        self.state = state
        self._root = root
        self._asked = asked if state.ready() else None  # opened now: before any fork
        if asked is not None and self._asked is None:
            asked.keys()  # not needed after all: git is waited for, not left running
        self.known = state.known_folders()  # folders whose work the state holds
        self.read_keys: dict[str, bytes] = {}  # of the files this process opened
        self._bytes: dict[str, bytes] = {}  # read to be keyed, then to be parsed
        self.unreadable: set[str] = set()  # a problem of the moment, not of the content
        self._chunk = ""  # of the folder read last
        # How many files this process opened and parsed: what an unchanged board costs.
        self.opened = 0
        self.parsed = 0

    @cached_property
    def keys(self) -> dict[str, bytes]:
        """git's key of each file it vouches for (``changes``), by its path in the board:
        waited for when first wanted, so that board.yaml and the list of folders are
        read while git works (at 100,000 tickets it takes about half a second)."""
        if not self.state.ready():
            return {}
        return self._asked.keys() if self._asked is not None else known_keys(self._root)

    def read(
        self, path: str, rel: str, folder: str, parse: Parse[T], problems: list[Problem]
    ) -> tuple[bytes, T | None] | None:
        key = self.keys.get(rel)
        if key is not None:
            made = self._kept(rel, key, parse)
            if made is not None:
                return key, made
        data = self._bytes.pop(rel, None)
        if data is None:
            self.opened += 1
            data = self.bytes_of(path, rel, problems)
        if data is None:
            self.unreadable.add(rel)
            return None
        own_key = self.read_keys[rel] = blob_id(data)
        made = self._kept(rel, own_key, parse) if own_key != key else None
        if made is not None:
            return own_key, made
        self.parsed += 1
        own: list[Problem] = []
        parts = parse.parts(data, rel, own)
        made = parse.made(*parts, rel, own) if parts is not None else None
        if parts is not None and not own:
            # Only a clean file is kept, as plain data: a file with a problem is read
            # again at every run until it is mended, and says where the problem is.
            self.state.put("files", rel, folder, own_key, parse.plain(parts))
        problems.extend(own)
        return own_key, made

    def _kept(self, rel: str, key: bytes, parse: Parse[T]) -> T | None:
        """What a clean file whose key is ``key`` is parsed into, from the state."""
        plain = self.state.get("files", rel, key)
        return parse.from_plain(plain) if type(plain) is tuple and len(plain) == 2 else None

    def list_folder(
        self, root: Path, folder: str, rel_folder: str, problems: list[Problem]
    ) -> FolderFiles:
        chunk = chunk_of(rel_folder)
        if chunk != self._chunk:
            # Folders come in order, so a chunk passed is finished: written now, not held
            # to the end (a first `validate` of 100,000 tickets peaked at 416 MiB, now 278
            # MiB), and a first read that is stopped keeps the chunks it finished.
            self.state.save()
            self._chunk = chunk
        # A folder's modification and change times move whenever a name in it is added,
        # removed or renamed (not when a file's content changes: the files' keys see
        # that): while the folder's stamp is the one noted with its names, the names are
        # those noted, and listing it (five system calls, 30 µs and more) is spared.
        try:
            status = os.stat(folder)
        except OSError:
            return list_ticket_folder(root, folder, rel_folder, problems)
        stamp = _STAMP.pack(status.st_ino, status.st_mtime_ns, status.st_ctime_ns)
        listing = self.state.get("listed", rel_folder, stamp)
        if not isinstance(listing, FolderListing):
            listing = scan_ticket_folder(folder)
            # Noted only when the folder's last change is older than a file system's
            # coarsest clock: a later change then moves its stamp for certain.
            if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) > SETTLED_NS:
                self.state.put("listed", rel_folder, rel_folder, stamp, listing)
        return listed_files(root, folder, rel_folder, listing, problems)

    def to_parse(self, folders: list[str]) -> int:
        # Folders whose ticket.yaml git does not vouch for, or that the state cannot hold:
        # unchanged folders come from the state faster in one process than through
        # several (each record would be unpickled, pickled back and unpickled again).
        changed = sum(1 for folder in folders if f"{folder}/ticket.yaml" not in self.keys)
        # Counted by what the state holds of each folder (``known``): its files over two
        # undercounted them (at 100,000 tickets, 1.96 files a folder made an unchanged
        # board look 2,161 folders short, and it was read in several processes: 54 s
        # instead of 14 to read and check).
        return max(changed, len(folders) - self.known)

    def finish(self, folders: list[str] | None) -> None:
        self.state.save(folders)

    def checked_before(self, files: FolderFiles, board_digest: bytes) -> CheckedFolder | None:
        key = self._folder_key(files, board_digest, self.keys.get)
        found = self.state.get("checked", files.folder, key) if key is not None else None
        return found if isinstance(found, CheckedFolder) else None

    def checked_now(self, files: FolderFiles, board_digest: bytes, found: CheckedFolder) -> None:
        key = self._folder_key(files, board_digest, self.known_key)
        if key is not None and self.unreadable.isdisjoint(files.rels()):
            self.state.put("checked", files.folder, files.folder, key, found)

    def kept(self, files: FolderFiles) -> TicketFile | None:
        read_now: dict[str, bytes] = {}
        key = self._folder_key(files, b"", self._key_of(files, read_now))
        found = self.state.get("kept", files.folder, key) if key is not None else None
        if found is None:
            self._bytes.update(read_now)  # to be parsed next: not read twice
            return None
        return KeptTicketFile(files, found, self)

    def keep(self, files: FolderFiles, loaded: TicketFile) -> None:
        key = self._folder_key(files, b"", self.known_key)
        if key is not None and self.unreadable.isdisjoint(files.rels()):
            facts = (loaded.digest, loaded.refs, loaded.reply_times)
            self.state.put("kept", files.folder, files.folder, key, facts)

    def known_key(self, rel: str) -> bytes | None:
        """A file's key as this process knows it: read here, else git's."""
        return self.read_keys.get(rel, self.keys.get(rel))

    def _key_of(
        self, files: FolderFiles, read_now: dict[str, bytes]
    ) -> Callable[[str], bytes | None]:
        """A file's key: git's, else its content's (read here into ``read_now``)."""

        def key_of(rel: str) -> bytes | None:
            key = self.keys.get(rel)
            if key is not None:  # git's: every file of a folder but the changed ones
                return key
            if rel == f"{files.folder}/ticket.yaml":
                path = files.ticket
            else:
                path = next((p for _, p, r in files.replies if r == rel), None)
            if path is not None:
                self.opened += 1
                data = self.bytes_of(path, rel, [])
                if data is not None:
                    key, read_now[rel] = blob_id(data), data
                    self.read_keys[rel] = key
            return key

        return key_of

    def _folder_key(
        self, files: FolderFiles, board_digest: bytes, key_of: Callable[[str], bytes | None]
    ) -> bytes | None:
        """Of a folder's files (each by its path and key), board.yaml and the code; None
        when a file's key is not known."""
        if files.ticket is None:
            return None
        digest = hashlib.blake2b(board_digest + self.state.version, digest_size=16)
        for rel in files.rels():
            key = key_of(rel)
            if key is None:
                return None
            digest.update(rel.encode() + b"\0" + key)
        return digest.digest()


def remembered_checks(state: BuildState, make: MakeCheck) -> MakeCheck:
    """``make``'s folder check, with each folder's problems kept in ``state``."""

    def make_remembered(board: Board, board_digest: bytes) -> FolderCheck:
        made: list[FolderCheck] = []  # made at the first folder not known: the rules cost
        if not state.known_folders():
            # Nothing known: every folder is checked, and the rules (their calendar imports
            # python-holidays, 0.08 s) are made here, once, before the reading processes
            # start, instead of once in each of them.
            made.append(make(board, board_digest))
        shared = board_digest + state.version

        def remembered(file: TicketFile) -> list[Problem]:
            key = hashlib.blake2b(file.digest + shared, digest_size=16).digest()
            found: list[Problem] | None = state.get("checks", file.folder, key)
            if found is None:
                if not made:
                    made.append(make(board, board_digest))
                found = made[0](file)
                state.put("checks", file.folder, file.folder, key, found)
            return found

        return remembered

    return make_remembered


def load_remembered(
    root: Path,
    state: BuildState | None,
    *,
    workers: int = 1,
    check: MakeCheck | None = None,
    records: bool = True,
    asked: AskedGit | None = None,
) -> LoadedBoard:
    """``load_board`` with the state (None: without one, every file read afresh);
    ``asked``: git, asked about the board's files earlier (``changes.AskedGit``)."""
    pickling.register()  # records cross from reading processes compactly, state or not
    if state is None:
        if asked is not None:
            asked.keys()  # not needed after all: git is waited for, not left running
        return load_board(root, workers=workers, check=check, records=records)
    reader = RememberingReader(root, state, asked)
    if records:
        # A folder is known when it is kept, and checked if checks are asked for (a run
        # that only reads, such as `answerable stats`, keeps no checks).
        kept = state.count("kept")
        reader.known = kept if check is None else min(kept, state.count("checks"))
    if check is not None:
        check = remembered_checks(state, check)
    return load_board(root, reader, workers=workers, check=check, records=records)
