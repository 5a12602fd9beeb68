"""Pages already on disk, by the digest of what they show: a rebuild renders only the rest.

A job's key digests its own inputs (a ticket's files, the rows of a list page); the base
digest covers what every page shares (the plugin's code, the templates, the settings,
board.yaml), and the moment joins every key but those of pages time cannot change. Keys
are content digests, never file times: a checkout that touches every file changes
nothing. A cached page counts only while its file is still the very one this cache saw
written (same inode, size and modification time), so a site edited or rebuilt by other
means is rendered afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from answerable.incremental.state import BuildState, code_version
from answerable.processes import in_background

CODE_DIR = Path(__file__).parent.parent
# What a job wrote, one bytes object per job: for each file its size, inode,
# modification time (ns), the length of its path in the site, then the path. At
# 200,000 pages, tuples of Python ints and strings took 80 MiB in every process.
_FIGURES = struct.Struct("<QQqH")


def _figures(output: Path, rel: str) -> tuple[int, int, int]:
    status = os.stat(os.path.join(output, rel))  # a str path: one per page
    return status.st_size, status.st_ino, status.st_mtime_ns


def stamps(output: Path, paths: Iterable[str], last: Path | None = None) -> bytes:
    """How the files at ``paths`` stand now, packed: in ``output``, or where not written
    there, in the ``last`` site (a rename into the site keeps inode and times)."""
    packed = bytearray()
    for rel in paths:
        name = rel.encode()
        try:
            figures = _figures(output, rel)
        except FileNotFoundError:
            if last is None:
                raise
            figures = _figures(last, rel)
        packed += _FIGURES.pack(*figures, len(name))
        packed += name
    return bytes(packed)


def _intact(packed: bytes, folder: Path) -> bool:
    """Whether every file ``packed`` names (as ``stamps`` packed them) is still the one
    written, in ``folder``."""
    # Written out: this runs for every page of every build.
    offset, end, head = 0, len(packed), _FIGURES.size
    try:
        while offset < end:
            size, inode, mtime, length = _FIGURES.unpack_from(packed, offset)
            offset += head + length
            status = os.stat(os.path.join(folder, packed[offset - length : offset].decode()))
            if (status.st_size, status.st_ino, status.st_mtime_ns) != (size, inode, mtime):
                return False
    except (OSError, struct.error, UnicodeDecodeError, ValueError):
        return False  # gone, or what the state holds of it is damaged: made again
    return bool(packed)  # damaged, naming no file: every job writes one


@dataclass(frozen=True)
class Looked:
    """The kept pages' files in ``folder``, looked at by another process while this one
    went on (``look_meanwhile``)."""

    folder: Path
    changed: Callable[[], frozenset[bytes] | None]
    """The keys of the entries whose files are not all as written (waits for them);
    None when the looking process failed, and they are looked at here instead."""


def look_meanwhile(entries: Mapping[bytes, bytes], folder: Path) -> Looked:
    """Start looking at the files of every kept page in ``folder`` now, in a forked
    process: one ``stat`` a page (0.2 s of a rebuild of 10,000 tickets) then costs the
    build nothing while it works out the board and its jobs."""

    def changed() -> frozenset[bytes]:
        return frozenset(key for key, packed in entries.items() if not _intact(packed, folder))

    result = in_background(changed)

    def waited() -> frozenset[bytes] | None:
        try:
            return result()
        except (OSError, RuntimeError):  # ended without an answer (killed, out of memory)
            return None

    return Looked(folder, cache(waited))


class PageCache:
    """What each page job wrote, kept in the build state under ``site`` (one board may
    be built into several content folders)."""

    def __init__(
        self,
        state: BuildState,
        site: str,
        base: bytes,
        moment: bytes,
        entries: dict[bytes, bytes] | None = None,
        looked: Looked | None = None,
    ) -> None:
        """``entries``: ``state.pages(site)``, when read already; ``looked``: their files
        looked at meanwhile (``look_meanwhile``)."""
        self.state = state
        self.site = site
        self.base = base
        self.moment = moment
        self.entries = state.pages(site) if entries is None else entries
        self.looked = looked
        self.stale: list[bytes] | None = None
        """The entries of the last build that this one does not keep (``keep_only``);
        None: not known, every entry is replaced when saving."""

    def full_key(self, key: bytes, timeless: bool = False) -> bytes:
        """``key`` with what every page shares, and the moment unless the page is
        ``timeless`` (a settled ticket's page reads nothing that time changes)."""
        moment = b"" if timeless else self.moment
        return hashlib.blake2b(self.base + key + moment, digest_size=16).digest()

    def unchanged(self, key: bytes, output: Path) -> bytes | None:
        """The files a job with ``key`` wrote (as ``stamps`` packed them), if they are
        all still there untouched."""
        packed = self.entries.get(key)
        if not packed:
            return None  # not kept; or damaged, naming no file (every job writes one)
        looked = self.looked
        changed = looked.changed() if looked is not None and looked.folder == output else None
        if changed is not None:
            return None if key in changed else packed
        return packed if _intact(packed, output) else None

    def keep_only(self, kept: Mapping[bytes, bytes]) -> None:
        """Of the last build's entries, only ``kept`` hold for this one: the others are
        dropped now (what they held is no longer needed) and when saving."""
        self.stale = [key for key in self.entries if key not in kept]
        self.entries = {}

    def save(self, made: Mapping[bytes, bytes]) -> None:
        """Keep exactly this build's pages: those ``keep_only`` kept and those ``made``
        now; a page of an older build is never trusted. Only what changed is written: at
        100,000 tickets, writing all 214,000 entries again took 1.85 s of a rebuild. A
        state that cannot be written only makes the next build slower."""
        self.state.save_pages(self.site, iter(made.items()), self.stale)


def base_digest(
    templates: Iterable[tuple[str, str]], settings: Mapping[str, Any], *parts: object
) -> bytes:
    """What every page shares: this plugin's code and the libraries it makes pages with,
    the templates, the settings, ``parts``.

    A setting whose digest could not tell it from another (an object that shows only
    its address) makes the digest this run's own: no page of another run is taken for
    this one's."""
    # The Python code and the libraries by the state's version; the rest (the theme, the
    # catalogs) file by file.
    digest = hashlib.blake2b(code_version(), digest_size=16)
    for path in sorted(CODE_DIR.rglob("*")):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
            digest.update(path.relative_to(CODE_DIR).as_posix().encode() + path.read_bytes())
    for name, source in sorted(templates):
        digest.update(name.encode() + b"\x00" + source.encode())
    plain = _Plain()
    try:
        digest.update(json.dumps(settings, sort_keys=True, default=plain).encode())
        for part in parts:
            digest.update(
                part if isinstance(part, bytes) else json.dumps(part, default=plain).encode()
            )
    except (_Undigestible, TypeError, ValueError, RecursionError):
        # Not to be told apart from another value (or not JSON's: keys that are not
        # text, a cycle): nothing kept is trusted for it.
        digest.update(os.urandom(16))
    return digest.digest()


class _Undigestible(Exception):  # noqa: N818 - not an error: a value we cannot digest
    pass


class _Plain:
    """A stable stand-in for a value JSON cannot hold (no memory addresses), made of
    everything that decides what the value does: a function by its whole code (its
    constants and names too), its defaults, the values it closes over and the globals
    it reads; an object by its attributes."""

    def __init__(self) -> None:
        self.seen: set[int] = set()  # functions and objects being digested (cycles)

    def __call__(self, value: Any) -> Any:  # noqa: ANN401 - any setting
        if id(value) in self.seen:
            return f"<again {type(value).__qualname__}>"
        code = getattr(value, "__code__", None)
        if isinstance(code, CodeType):
            self.seen.add(id(value))
            return self._function(value, code)
        if isinstance(value, partial):
            self.seen.add(id(value))
            return ["partial", value.func, value.args, value.keywords]
        if isinstance(value, (set, frozenset)):
            return sorted(repr(v) for v in value)
        url, title = getattr(value, "url", None), getattr(value, "title", None)
        if url is not None:
            return [str(url), str(title), str(getattr(value, "content", ""))]
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        if isinstance(value, ModuleType):
            return f"<module {value.__name__}>"
        text = repr(value)
        if " at 0x" not in text:
            return text
        attributes = getattr(value, "__dict__", None)
        if not isinstance(attributes, dict):
            raise _Undigestible(text)
        self.seen.add(id(value))
        return [type(value).__module__, type(value).__qualname__, attributes]

    def _function(self, function: Any, code: CodeType) -> list[Any]:  # noqa: ANN401
        names = _global_names(code)
        space = getattr(function, "__globals__", {})
        cells = getattr(function, "__closure__", None) or ()
        return [
            f"{function.__module__}.{function.__qualname__}",
            _code_digest(code),
            getattr(function, "__defaults__", None),
            getattr(function, "__kwdefaults__", None),
            [_contents(cell) for cell in cells],
            {name: space[name] for name in sorted(names) if name in space},
        ]


def _code_digest(code: CodeType) -> str:
    """Of what ``code`` does: its instructions, names and constants, the code nested in
    it included (not marshal's bytes: they depend on how often each constant is
    referenced in the running process)."""
    digest = hashlib.blake2b(code.co_code, digest_size=16)
    for part in (
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        (code.co_flags, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount),
    ):
        digest.update(repr(part).encode() + b"\x00")
    for constant in code.co_consts:
        digest.update(_constant(constant).encode() + b"\x00")
    return digest.hexdigest()


def _constant(value: object) -> str:
    if isinstance(value, CodeType):
        return _code_digest(value)
    if isinstance(value, (tuple, frozenset)):
        items = [_constant(item) for item in value]
        if isinstance(value, frozenset):
            items.sort()  # a set's order follows its strings' hashes, new in every run
        return f"{type(value).__name__}({', '.join(items)})"
    return repr(value)


def _global_names(code: CodeType) -> set[str]:
    """The names ``code`` and the code nested in it may read as globals."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            names |= _global_names(constant)
    return names


def _contents(cell: Any) -> Any:  # noqa: ANN401 - whatever a closure holds
    try:
        return cell.cell_contents
    except ValueError:  # not set yet
        return "<empty>"
