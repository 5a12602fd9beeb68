"""The build state: what earlier runs made of a board, in one SQLite file per board.

It lives in the user's cache folder, never in the board (boards travel through pull
requests, and a state file is data nobody reviews), at
``cache_root()/state/<digest of the board's path>.sqlite``. It holds each clean ticket
file's plain data, each folder's own problems, each settled ticket's rows in the
lists and parts of the whole-board files, and what each page job wrote, each under the
content keys it was made from (``changes``), never a file time.

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
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 8  # of the tables below; the code's own version is checked beside it
Fragment = tuple[str, str, str, bytes, str]
"""A piece of a page kept: kind, name, folder, key, text."""
BUSY_SECONDS = 5.0  # how long a save waits for another run writing the same state
_CODE = Path(__file__).parent.parent
_INHERITED: list[sqlite3.Connection] = []
# Entries by name (a file's or a folder's path), each under the key it was made from:
# files: a clean ticket file's plain data (``loading.Parse``), by its blob id; checks:
# a folder's own problems, by its files and board.yaml; checked: all a run that only
# checks keeps of a folder (``loading.CheckedFolder``), by the same; kept: what a folder
# read without a problem gives before its record is read (``kept``), by its files;
# settled: a settled ticket's state (``settled``), by its folder's digest and
# board.yaml's; listed: the names in a ticket folder (``loading.FolderListing``), by
# the folder's own stamp.
ENTRIES = ("files", "checks", "checked", "kept", "settled", "listed")
# Of these, the tables of one entry a folder, which nearly every run reads whole: kept
# in chunks, a chunk holding the folders whose names differ only in their last two
# characters (about a hundred tickets) as one pickle. One pickle an entry spent more
# on finding its classes and checking its digest than on its values: at 10,000
# tickets, reading the five tables took 0.51 s as rows and 0.34 s as chunks.
CHUNKED = ("checks", "checked", "kept", "settled", "listed")
_TABLES = (
    "CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, folder TEXT NOT NULL, "
    "key BLOB NOT NULL, value BLOB NOT NULL);\n"
    + "".join(
        # entries: how many the chunk holds; folders: their names, a line each.
        f"CREATE TABLE IF NOT EXISTS {table} (chunk TEXT PRIMARY KEY, "
        "entries INTEGER NOT NULL, folders TEXT NOT NULL, value BLOB NOT NULL);\n"
        for table in CHUNKED
    )
    + """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fragments (
    kind TEXT NOT NULL, name TEXT NOT NULL, folder TEXT NOT NULL, key BLOB NOT NULL,
    text TEXT NOT NULL, PRIMARY KEY (kind, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pages (
    site TEXT NOT NULL, key BLOB NOT NULL, files BLOB NOT NULL, PRIMARY KEY (site, key)
) WITHOUT ROWID;
"""
)
Entry = tuple[str, bytes, Any]
"""Of a chunked table: the folder, the key the value was made from, the value."""


def chunk_of(folder: str) -> str:
    """The chunk that holds a folder's entries (``CHUNKED``)."""
    return folder[:-2]


def cache_root() -> Path:
    """ANSWERABLE_CACHE_DIR, else the XDG cache folder's answerable/."""
    explicit = os.environ.get("ANSWERABLE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "answerable"


# Libraries whose releases change what a build makes of the same files: the working-day
# calendar (a year's official holidays reach python-holidays in a later release), dates
# and numbers, parsing and checking, Markdown and its cleaning, the templates, Pelican
# and its feeds.
LIBRARIES = (
    "holidays",
    "Babel",
    "PyYAML",
    "pydantic",
    "pydantic-core",
    "python-stdnum",
    "Markdown",
    "pyromark",
    "nh3",
    "Jinja2",
    "MarkupSafe",
    "pelican",
    "feedgenerator",
)


@cache  # the code does not change while it runs; a build opens the state several times
def code_version() -> bytes:
    """Of this package's code, the libraries it makes pages with and Python: another
    version of any of them starts from an empty state."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "none"
        digest.update(f"{name} {version}\0".encode())
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
        self._empty = False  # made empty by this run: nothing to look up
        self._chunks: dict[tuple[str, str], dict[str, Any]] = {}  # read, by table and chunk
        self._pages_read: dict[str, bytes | None] = {}  # which save of each site's pages
        self._puts: dict[str, dict[str, Entry]] = {t: {} for t in ENTRIES}
        self._wrote = 0  # the id of the process that last wrote what it put
        self._reading: tuple[int, sqlite3.Connection | None] | None = None  # by process id
        self._writing: tuple[int, sqlite3.Connection | None] | None = None  # as well

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
        if _cut_short(self.path):
            raise sqlite3.DatabaseError(f"{self.path}: shorter than its header says")
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
            row = db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
            if row is None or row[0] != self.version:
                # Another version's tables may hold other things: none is kept.
                db.execute("BEGIN IMMEDIATE")
                for table in (*ENTRIES, "fragments", "pages", "meta"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in filter(str.strip, _TABLES.split(";")):
                    db.execute(statement)
                db.execute("INSERT INTO meta VALUES ('version', ?)", (self.version,))
                db.execute("COMMIT")
                self._empty = True
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

    def get(self, table: str, name: str, key: bytes) -> Any | None:  # noqa: ANN401 - as put
        """What was put under ``name`` in ``table``, if it was made from ``key``. Each
        entry is given once a run: what a caller makes of it is its own."""
        if self._empty:
            return None
        if table in CHUNKED:
            entry = self._chunk(table, chunk_of(name)).pop(name, None)
            return entry[2] if _sound(entry) and entry[1] == key else None
        row = self._row(f"SELECT key, value FROM {table} WHERE name = ?", name)  # noqa: S608
        return _loads(row[1]) if row is not None and row[0] == key else None

    def _chunk(self, table: str, chunk: str) -> dict[str, Any]:
        """The entries of one chunk of a ``CHUNKED`` table, read once a run, when one of
        its folders is first asked for: folders are asked for in order, so a run holds
        about one chunk that is read and not yet taken (holding every chunk at once, a
        check of 100,000 tickets took 70 MiB more)."""
        found = self._chunks.get((table, chunk))
        if found is None:
            row = self._row(f"SELECT value FROM {table} WHERE chunk = ?", chunk)  # noqa: S608
            found = self._chunks[table, chunk] = _entries(row[0] if row else None)
        return found

    def count(self, table: str) -> int:
        """How many entries ``table`` holds (0 without a usable state)."""
        if self._empty:
            return 0
        query = "SELECT total(entries) FROM {}" if table in CHUNKED else "SELECT count(*) FROM {}"
        row = self._row(query.format(table))
        return int(row[0]) if row and isinstance(row[0], (int, float)) else 0

    def known_folders(self) -> int:
        """How many ticket folders the state knows: one entry each in the checks of a
        build or of a run that only checks (0 without a usable state)."""
        return max(self.count("checks"), self.count("checked"))

    def put(self, table: str, name: str, folder: str, key: bytes, value: object) -> None:
        """Keep ``value`` for ``name`` (of the ticket folder ``folder``; in a ``CHUNKED``
        table, the folder itself), made from ``key``; written by ``save``. A value is
        not changed after it is put: it is pickled when saved."""
        self._puts[table][name] = (folder, key, value)

    def save(self, folders: Iterable[str] | None = None) -> None:
        """Write what was put, in one transaction; with ``folders`` (every ticket folder
        on the board), forget those of folders that are gone. Never fails."""
        puts, self._puts = self._puts, {t: {} for t in ENTRIES}
        if not any(puts.values()) and (folders is None or self._wrote != os.getpid()):
            return  # nothing new; entries of folders gone wait for a run that writes
        db = self._connect()
        if db is None:
            return
        # Pickled before the transaction, which other processes wait for: at 100,000
        # tickets four reading processes save at about the same time.
        files = [(n, f, k, _dumps(v)) for n, (f, k, v) in puts.pop("files").items()]
        chunks: dict[tuple[str, str], dict[str, Entry]] = {}
        for table, entries in puts.items():
            for name, entry in entries.items():
                chunks.setdefault((table, chunk_of(name)), {})[name] = entry
        made = {where: _chunk_row(entries) for where, entries in chunks.items()}
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", files)
            for (table, chunk), mine in made.items():
                # Read again within the transaction: another process may have written
                # to the same chunk since this one read it.
                held = _held(db, table, chunk)
                if held is not None:
                    held.update(chunks[table, chunk])
                    mine = _chunk_row(held)  # noqa: PLW2901 - merged with what it held
                _write_chunk(db, table, chunk, mine)
            listed = None
            if folders is not None:
                folders = list(folders)
                # The same folders as the last run that listed them: none is gone.
                listed = hashlib.blake2b("\0".join(folders).encode(), digest_size=16).digest()
                row = db.execute("SELECT value FROM meta WHERE name = 'folders'").fetchone()
                if row is not None and row[0] == listed:
                    folders = None
            if folders is not None:
                _forget_gone(db, set(folders))
            if listed is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('folders', ?)", (listed,))
            db.execute("COMMIT")
            self._wrote = os.getpid()
        except sqlite3.Error as error:
            self._fail(error)

    # Each settled ticket's row in the lists and parts of the whole-board files, by their
    # keys (``fragments``).

    def fragments(self, kind: str) -> Iterator[tuple[str, bytes, str]]:
        """Each ``kind`` fragment kept: its name, key and text, in the order of names."""
        db = self._reader()
        if db is None:
            return
        try:
            rows = db.execute(
                "SELECT name, key, text FROM fragments WHERE kind = ? ORDER BY name", (kind,)
            )
            for name, sealed, text in rows:
                key = _opened(sealed, text)
                if key is not None:
                    yield name, key, text
        except sqlite3.Error:
            self._reading = (os.getpid(), None)  # any trouble ends the reading: made afresh

    def fragment(self, kind: str, name: str) -> tuple[bytes, str] | None:
        """The key and text of the ``kind`` fragment kept as ``name``, if any."""
        db = self._reader()
        if db is None:
            return None
        try:
            row = db.execute(
                "SELECT key, text FROM fragments WHERE kind = ? AND name = ?", (kind, name)
            ).fetchone()
        except sqlite3.Error:
            self._reading = (os.getpid(), None)
            return None
        key = _opened(row[0], row[1]) if row is not None else None
        return (key, row[1]) if key is not None else None

    def keeps_fragments(self) -> bool:
        """Whether any fragment is kept (for this process to read)."""
        return self._reader() is not None

    def _reader(self) -> sqlite3.Connection | None:
        """This process's connection for reading fragments, which never writes (each
        rendering process reads its own, while any of them may write with ``_writer``)."""
        if self._empty or self._broken:
            return None
        if self._reading is not None and self._reading[0] == os.getpid():
            return self._reading[1]
        db = None
        with contextlib.suppress(sqlite3.Error):
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_SECONDS)
            if db.execute("SELECT 1 FROM fragments LIMIT 1").fetchone() is None:
                # None kept (a cold build): each process would look up every row of its
                # lists in vain, 21,000 queries at 10,000 tickets.
                db.close()
                db = None
        self._reading = (os.getpid(), db)  # None: not readable, not tried again
        return db

    def write_fragments(self, rows: Iterable[Fragment]) -> bool:
        """Keep these fragments (kind, name, folder, key, text) in one transaction of this
        process's own: a rendering process writes what it made, in batches, and never
        replaces the file. False when they cannot be written (nothing more is tried)."""
        db = self._writer()
        if db is None:
            return False
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?, ?, ?)", _sealed(rows))
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.close()
            self._writing = (os.getpid(), None)
            return False
        return True

    def _writer(self) -> sqlite3.Connection | None:
        """This process's connection for writing fragments: one that never makes or
        replaces the file (the main process has opened it, or found it unusable)."""
        if self._broken or not self.path.exists():
            return None
        if self._writing is not None and self._writing[0] == os.getpid():
            return self._writing[1]
        db = None
        with contextlib.suppress(sqlite3.Error):
            # Two rendering processes may write at once: one waits for the other.
            db = sqlite3.connect(self.path, timeout=6 * BUSY_SECONDS, isolation_level=None)
        self._writing = (os.getpid(), db)
        return db

    # Page jobs: what each wrote, by its key (``page_cache``).

    def pages(self, site: str) -> dict[bytes, bytes]:
        db = self._connect()
        if db is None:
            return {}
        try:
            self._pages_read[site] = self._pages_saved(db, site)
            rows = db.execute("SELECT key, files FROM pages WHERE site = ?", (site,))
            return {
                key: files
                for key, files in rows
                if isinstance(key, bytes) and isinstance(files, bytes)
            }
        except sqlite3.Error as error:
            self._fail(error)
            return {}

    @staticmethod
    def _pages_saved(db: sqlite3.Connection, site: str) -> bytes | None:
        """Which save of ``site``'s pages the state holds (None: none yet)."""
        row = db.execute("SELECT value FROM meta WHERE name = ?", (f"pages {site}",)).fetchone()
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def save_pages(
        self,
        site: str,
        entries: Iterator[tuple[bytes, bytes]],
        stale: Iterable[bytes] | None = None,
    ) -> None:
        """Keep these jobs for ``site``, in one transaction: beside those kept but the
        ``stale`` ones, or (None, or another build saved since ``pages`` read them)
        instead of all kept."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            saved = self._pages_saved(db, site)
            if stale is not None and saved != self._pages_read.get(site):
                # Another build saved since this one read them: what it kept is not
                # known to be this build's, so only what this build made is kept.
                stale = None
            if stale is None:
                db.execute("DELETE FROM pages WHERE site = ?", (site,))
            else:
                db.executemany(
                    "DELETE FROM pages WHERE site = ? AND key = ?", ((site, k) for k in stale)
                )
            count = int.from_bytes(saved or b"", "big") + 1  # this save, counted
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                (f"pages {site}", count.to_bytes(8, "big")),
            )
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


def _cut_short(path: Path) -> bool:
    """Whether the file holds fewer pages than its header counts: SQLite reads the pages
    cut off as empty ones, and a truncated state could be read and written on without a
    word. The count is trusted only when the header says it is current (offsets 24 and
    92 of the SQLite file format agree)."""
    try:
        with open(path, "rb") as file:
            header = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return False  # not a database at all: SQLite says so itself
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    current = header[24:28] == header[92:96]
    return current and size < pages * page_size


def _entries(value: object) -> dict[str, Any]:
    """A chunk's entries as ``_write_chunk`` wrote them; none when its bytes are not
    those (each entry is looked at when asked for: ``_sound``)."""
    found = _loads(value)
    return found if type(found) is dict else {}


def _sound(entry: object) -> bool:
    return type(entry) is tuple and len(entry) == 3 and type(entry[1]) is bytes


def _held(db: sqlite3.Connection, table: str, chunk: str) -> dict[str, Any] | None:
    """What a chunk holds now (None: no such chunk), read within a transaction."""
    row = db.execute(f"SELECT value FROM {table} WHERE chunk = ?", (chunk,)).fetchone()  # noqa: S608
    return None if row is None else _entries(row[0])


def _chunk_row(entries: dict[str, Any]) -> tuple[int, str, bytes]:
    """A chunk as its table holds it: how many entries, their names, their pickle."""
    names = sorted(entries)
    return len(names), "\n".join(names), _dumps({name: entries[name] for name in names})


def _write_chunk(
    db: sqlite3.Connection, table: str, chunk: str, row: tuple[int, str, bytes]
) -> None:
    if not row[0]:
        db.execute(f"DELETE FROM {table} WHERE chunk = ?", (chunk,))  # noqa: S608
        return
    db.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)", (chunk, *row))  # noqa: S608


def _forget_gone(db: sqlite3.Connection, present: set[str]) -> None:
    """Drop the entries of the folders not ``present``: the chunks that name one are
    read and written again, and no other."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS present (folder TEXT PRIMARY KEY)")
    db.execute("DELETE FROM present")
    db.executemany("INSERT OR IGNORE INTO present VALUES (?)", ((f,) for f in present))
    for table in ("files", "fragments"):
        db.execute(
            f"DELETE FROM {table} WHERE folder != '' "  # noqa: S608 - '': of no folder
            "AND folder NOT IN (SELECT folder FROM present)"
        )
    for table in CHUNKED:
        rows = db.execute(f"SELECT chunk, folders FROM {table}").fetchall()  # noqa: S608
        for chunk, names in rows:
            if isinstance(names, str) and present.issuperset(names.split("\n")):
                continue
            held = _held(db, table, chunk) or {}
            kept = {n: e for n, e in held.items() if n in present}
            _write_chunk(db, table, chunk, _chunk_row(kept))


def _dumps(value: object) -> bytes:
    """``value`` pickled, after a digest of the pickle: SQLite keeps no checksum of its
    own, and damaged bytes can still unpickle into something else."""
    data = pickle.dumps(value, protocol=5)
    return hashlib.blake2b(data, digest_size=8).digest() + data


def _loads(value: object) -> Any | None:  # noqa: ANN401 - what was put
    """What ``_dumps`` wrote, or None when its bytes are not those it wrote (or what the
    column holds is not bytes at all: SQLite keeps any value in any column)."""
    if not isinstance(value, bytes):
        return None
    data = value[8:]
    if hashlib.blake2b(data, digest_size=8).digest() != value[:8]:
        return None
    try:
        return pickle.loads(data)  # noqa: S301 - written by us, in a private folder
    except Exception:
        return None


def _sealed(rows: Iterable[Fragment]) -> Iterator[Fragment]:
    """Each fragment with a digest of its text after its key: a text is joined into
    pages as it is, so damaged bytes must not pass for it."""
    for kind, name, folder, key, text in rows:
        yield kind, name, folder, key + _text_digest(text), text


def _opened(sealed: bytes, text: object) -> bytes | None:
    """The key ``_sealed`` stored with ``text``, or None when the text is not the one
    sealed (or not text at all)."""
    if not isinstance(sealed, bytes) or not isinstance(text, str) or len(sealed) <= 8:
        return None
    return sealed[:-8] if _text_digest(text) == sealed[-8:] else None


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
