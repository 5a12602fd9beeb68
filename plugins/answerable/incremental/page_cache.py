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
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from answerable.incremental.state import BuildState

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


def stamped_paths(packed: bytes) -> list[str]:
    """The paths in the site that ``packed`` (made by ``stamps``) records."""
    return [rel for rel, _ in _unpack(packed)]


def _unpack(packed: bytes) -> Iterator[tuple[str, tuple[int, int, int]]]:
    offset = 0
    while offset < len(packed):
        size, inode, mtime, length = _FIGURES.unpack_from(packed, offset)
        offset += _FIGURES.size
        yield packed[offset : offset + length].decode(), (size, inode, mtime)
        offset += length


class PageCache:
    """What each page job wrote, kept in the build state under ``site`` (one board may
    be built into several content folders)."""

    def __init__(self, state: BuildState, site: str, base: bytes, moment: bytes) -> None:
        self.state = state
        self.site = site
        self.base = base
        self.moment = moment
        self.entries = state.pages(site)
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
        if packed is None:
            return None
        # ``_unpack`` written out: this runs for every page of every build.
        offset, end, head = 0, len(packed), _FIGURES.size
        try:
            while offset < end:
                size, inode, mtime, length = _FIGURES.unpack_from(packed, offset)
                offset += head + length
                status = os.stat(os.path.join(output, packed[offset - length : offset].decode()))
                if (status.st_size, status.st_ino, status.st_mtime_ns) != (size, inode, mtime):
                    return None
        except (OSError, struct.error, UnicodeDecodeError, ValueError):
            return None  # gone, or what the state holds of it is damaged: made again
        return packed

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
    """What every page shares: this plugin's code, the templates, the settings, ``parts``."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(CODE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(CODE_DIR).as_posix().encode() + path.read_bytes())
    for name, source in sorted(templates):
        digest.update(name.encode() + b"\x00" + source.encode())
    digest.update(json.dumps(settings, sort_keys=True, default=_plain).encode())
    for part in parts:
        digest.update(
            part if isinstance(part, bytes) else json.dumps(part, default=_plain).encode()
        )
    return digest.digest()


def _plain(value: Any) -> Any:  # noqa: ANN401 - any setting
    """A stable stand-in for a value JSON cannot hold (no memory addresses)."""
    code = getattr(value, "__code__", None)
    if code is not None:
        return (
            f"{value.__module__}.{value.__qualname__}:{hashlib.blake2b(code.co_code).hexdigest()}"
        )
    if isinstance(value, (set, frozenset)):
        return sorted(repr(v) for v in value)
    url, title = getattr(value, "url", None), getattr(value, "title", None)
    if url is not None:
        return [str(url), str(title), str(getattr(value, "content", ""))]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    text = repr(value)
    return type(value).__name__ if " at 0x" in text else text
