"""Pages and the jobs that make them: the unit the page cache keys and the build owns.

A ``Job`` names the one file it writes before it is made, so that the build knows the
files it owns (for staging and stale removal) without rendering anything, and a cache
can key it by its inputs alone. A ``Block`` does the same for many files that only
their own inputs change (the settled tickets' pages): kept, or made, together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from answerable.incremental.fragments import BlockPart

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    save_as: str
    template: str
    context: dict[str, Any]
    text: str | Iterable[str | BlockPart] | None = None
    """A file written as it is (a feed, open data): no template. Pieces of it, for the
    largest files, which are then written as they are made (a kept block copied from
    the file as it was: ``fragments.BlockPart``)."""


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

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.save_as,)


@dataclass(frozen=True, slots=True)
class Block:
    """Timeless files, one an item (a settled ticket's page, its Open311 file), kept
    while ``key`` is and made all together when it is not: at 100,000 tickets a job, a
    key and a look-up for each such file were a tenth of a rebuild after one reply
    (docs/performance.md)."""

    paths: tuple[str, ...]
    make: Callable[[], Iterator[Page]]
    key: bytes
    timeless: bool = True


def blocks(
    kind: str,
    groups: Mapping[str, list[T]],
    path: Callable[[T], str],
    digest: Callable[[T], bytes],
    make: Callable[[T], Page],
) -> list[Block]:
    """Each group of items (``groups``, by name) as one block of files, one an item at
    ``path``: its key is their paths and ``digest``s, so a change of one item (or an
    item that joins or leaves the group) makes its block's files again, and no other
    block's. A block made again renders all its files, and writes only those that
    changed."""
    made = []
    for group, items in groups.items():
        paths = [path(item) for item in items]
        # The count first: the paths, then the digests (of one length), read back alike.
        head = "\0".join([kind, group, str(len(paths)), *paths]).encode()
        key = hashlib.blake2b(head + b"".join([digest(item) for item in items]), digest_size=16)
        made.append(Block(tuple(paths), partial(_pages, make, items), key.digest()))
    return made


def _pages(make: Callable[[T], Page], items: list[T]) -> Iterator[Page]:
    return (make(item) for item in items)


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
