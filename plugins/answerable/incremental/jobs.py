"""Pages and the jobs that make them: the unit the page cache keys and the build owns.

A ``Job`` names the one file it writes before it is made, so that the build knows the
files it owns (for staging and stale removal) without rendering anything, and a cache
can key it by its inputs alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Page:
    save_as: str
    template: str
    context: dict[str, Any]
    text: str | Iterable[str] | None = None
    """A file written as it is (a feed, open data): no template. Pieces of it, for the
    largest files, which are then written as they are made."""


@dataclass(frozen=True, slots=True)
class Job:
    """One page, made when ``make`` is called. ``key`` digests everything it shows beyond
    what all pages share (code, templates, settings, board.yaml); None: made every time.
    The moment is part of every key unless ``timeless``: pages of settled tickets do not
    change with it."""

    save_as: str
    make: Callable[[], Page]
    key: bytes | None = None
    timeless: bool = False


def digests(parts: Iterable[bytes]) -> bytes:
    """Digests of one length (a page's tickets') as one part of a key: joined, where
    ``job_key`` would write out the repr of each (a third of the lists' keys at 100,000
    tickets)."""
    return b"".join(parts)


def job_key(*parts: object) -> bytes:
    """A digest of plain values and digests, for ``Job.key``."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.digest()
