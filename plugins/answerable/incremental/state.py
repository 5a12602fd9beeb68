"""The build state: what earlier runs made of a board, in one SQLite file per board.

It lives in the user's cache folder, never in the board (boards travel through pull
requests, and a state file is data nobody reviews), at
``cache_root()/state/<digest of the board's path>.sqlite``. It holds what each ticket
file was parsed into, each folder's own problems, and what each page job wrote, each
under the content keys it was made from (``changes``), never a file time.

Nothing in it is ever needed: a state of another version, a corrupt or truncated file,
one that is locked or cannot be written, all mean "start empty" (the run is slower,
never different), and deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FORMAT = 1  # of the tables below; the code's own version is checked beside it
BUSY_SECONDS = 5.0  # how long a save waits for another run writing the same state
_CODE = Path(__file__).parent.parent
_INHERITED: list[sqlite3.Connection] = []
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, folder TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS checks (folder TEXT PRIMARY KEY, key BLOB NOT NULL, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    site TEXT NOT NULL, key BLOB NOT NULL, files BLOB NOT NULL, PRIMARY KEY (site, key)
) WITHOUT ROWID;
"""


def cache_root() -> Path:
    """ANSWERABLE_CACHE_DIR, else the XDG cache folder's answerable/."""
    explicit = os.environ.get("ANSWERABLE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "answerable"


def code_version() -> bytes:
    """Of this package's code: another version starts from an empty state."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_CODE.rglob("*.py")):
        digest.update(path.relative_to(_CODE).as_posix().encode() + path.read_bytes())
    return digest.digest()


def state_path(board_root: Path, folder: Path | None = None) -> Path:
    name = hashlib.blake2b(str(Path(board_root).resolve()).encode(), digest_size=8).hexdigest()
    return (folder or cache_root()) / "state" / f"{name}.sqlite"


class BuildState:
    """One board's state. Reads happen as asked; writes wait in memory until ``save``,
    which writes them in one transaction. Safe to use in a forked process: a process
    opens its own connection."""

    def __init__(self, board_root: Path, folder: Path | None = None) -> None:
        self.path = state_path(board_root, folder)
        self.version = FORMAT.to_bytes(2, "big") + code_version()
        self._db: sqlite3.Connection | None = None
        self._pid = 0  # of the process that opened ``_db``
        self._broken = False  # nothing more is read or written in this process
        self._files: dict[str, tuple[str, bytes, bytes]] = {}
        self._checks: dict[str, tuple[bytes, bytes]] = {}

    # Opening: any doubt about the file means an empty state.

    def ready(self) -> bool:
        """Open the state now (before processes are forked, so that a damaged file is
        replaced once); whether it can be used."""
        return self._connect() is not None

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._db is not None and self._pid == os.getpid():
            return self._db
        if self._db is not None:
            # A parent's connection is neither used nor closed after a fork (closing it
            # could checkpoint or unlock files the parent still uses): it is kept aside.
            _INHERITED.append(self._db)
        self._db = None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError):
                self._broken = True  # locked, or cannot be written: run without it
                return None
            self._db = self._replace()  # not a database (garbage, truncated): start anew
        except OSError:
            self._broken = True
        self._pid = os.getpid()
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_TABLES)
            row = db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
            if row is None or row[0] != self.version:
                # Another version's entries may mean other things: none is kept.
                db.execute("BEGIN IMMEDIATE")
                for table in ("files", "checks", "pages", "meta"):
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
                db.execute("INSERT INTO meta VALUES ('version', ?)", (self.version,))
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _replace(self) -> sqlite3.Connection | None:
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._open()
        except (sqlite3.Error, OSError):
            self._broken = True
            return None

    def _fail(self, error: sqlite3.Error) -> None:
        """A read or write went wrong midway. Locked or unwritable: the rest of this run
        does without the state. Damaged inside: it is replaced by an empty one, which
        keeps what this run reads from now on."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        if isinstance(error, sqlite3.OperationalError):
            self._broken = True
        else:
            self._db = self._replace()

    def _row(self, query: str, *args: object) -> tuple[Any, ...] | None:
        db = self._connect()
        if db is None:
            return None
        try:
            row: tuple[Any, ...] | None = db.execute(query, args).fetchone()
        except sqlite3.Error as error:
            self._fail(error)
            return None
        return row

    # Parsed files and folder checks: a value counts only under the key it was made from.

    def file(self, path: str, key: bytes) -> Any | None:  # noqa: ANN401 - what was put
        row = self._row("SELECT key, value FROM files WHERE path = ?", path)
        return _loads(row[1]) if row is not None and row[0] == key else None

    def put_file(self, path: str, folder: str, key: bytes, value: object) -> None:
        self._files[path] = (folder, key, pickle.dumps(value, protocol=5))

    def checks(self, folder: str, key: bytes) -> Any | None:  # noqa: ANN401 - what was put
        row = self._row("SELECT key, value FROM checks WHERE folder = ?", folder)
        return _loads(row[1]) if row is not None and row[0] == key else None

    def put_checks(self, folder: str, key: bytes, value: object) -> None:
        self._checks[folder] = (key, pickle.dumps(value, protocol=5))

    def save(self, folders: Iterable[str] | None = None) -> None:
        """Write what was put, in one transaction; with ``folders`` (every ticket folder
        on the board), forget those of folders that are gone. Never fails."""
        if not self._files and not self._checks and folders is None:
            return
        files = [(p, f, k, v) for p, (f, k, v) in self._files.items()]
        checks = [(f, k, v) for f, (k, v) in self._checks.items()]
        self._files, self._checks = {}, {}
        self._write(files, checks, folders)

    def _write(
        self,
        files: list[tuple[str, str, bytes, bytes]],
        checks: list[tuple[str, bytes, bytes]],
        folders: Iterable[str] | None,
    ) -> None:
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", files)
            db.executemany("INSERT OR REPLACE INTO checks VALUES (?, ?, ?)", checks)
            if folders is not None:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS present (folder TEXT PRIMARY KEY)")
                db.execute("DELETE FROM present")
                db.executemany("INSERT OR IGNORE INTO present VALUES (?)", ((f,) for f in folders))
                db.execute("DELETE FROM files WHERE folder NOT IN (SELECT folder FROM present)")
                db.execute("DELETE FROM checks WHERE folder NOT IN (SELECT folder FROM present)")
            db.execute("COMMIT")
        except sqlite3.Error as error:
            self._fail(error)

    # Page jobs: what each wrote, by its key (``page_cache``).

    def pages(self, site: str) -> dict[bytes, bytes]:
        db = self._connect()
        if db is None:
            return {}
        try:
            rows = db.execute("SELECT key, files FROM pages WHERE site = ?", (site,))
            return {bytes(key): bytes(files) for key, files in rows}
        except sqlite3.Error as error:
            self._fail(error)
            return {}

    def save_pages(self, site: str, entries: Iterator[tuple[bytes, bytes]]) -> None:
        """Keep exactly these jobs for ``site``, in one transaction."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM pages WHERE site = ?", (site,))
            db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?)", ((site, k, v) for k, v in entries)
            )
            db.execute("COMMIT")
        except sqlite3.Error as error:
            self._fail(error)

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None


def _loads(value: bytes) -> Any | None:  # noqa: ANN401 - what was put
    try:
        return pickle.loads(value)  # noqa: S301 - written by us, in a private folder
    except (EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
