"""Each ticket's pieces of the pages and files made of many tickets, kept from one build
to the next: its row in the lists, its part of the whole-board open-data files.

The open-data files of the whole board (every request, every ticket as JSON and as CSV)
change whenever one ticket does, and writing them meant making a piece for each of
10,000 tickets again. A settled ticket's piece is the same at every later moment, so
it is kept in the build state under the key of what it shows (the ticket's view and
what every page shares) and joined back in; only the pieces of changed and still open
tickets are made again.

The same holds for a ticket's row in the lists, rendered again for every list page of
every rebuild that shows it. The pieces are read in the rendering processes, as a file
is written in the order of the tickets (``pieces``) or one by one (``text``), without
holding them all; new ones are written by the process that made them, a batch at a
time, with a connection that never makes or replaces the state's file (``flush``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import groupby
from typing import BinaryIO, NamedTuple

from answerable.incremental.state import BuildState, Fragment


class Piece(NamedTuple):
    """What a whole-board file needs of one ticket: its name (the ticket id; the pieces
    come in the order of names), its folder, the key of what its piece shows (None: not
    kept, it changes with the moment) and how to make the piece."""

    name: str
    folder: str
    key: bytes | None
    make: Callable[[], str]


BATCH = 2_000  # pieces written at once: a cold build of 100,000 tickets makes 500,000
BATCH_CHARACTERS = 8_000_000  # or fewer, when large: a block of a whole-board file is
# a hundred pieces, and 2,000 blocks held at once took 300 MiB at 100,000 tickets
BLOCK = "/block"  # after a kind: the kept blocks of its pieces


def block(piece: Piece) -> str:
    """The block of a piece in a whole-board file: the tickets whose ids differ only in
    their last two characters (2026-000100 to 2026-000199), up to 100 pieces that are
    next to each other in id order. Old tickets settle, so most blocks are kept whole:
    a rebuild reads a hundred times fewer pieces, and checks a hundred times fewer keys."""
    return piece.name[:-2]


LAYOUT = "layout"  # a kind of fragment: where each block stands in a file (``BlockPart``)
Placed = tuple[str, bytes, int, int, bytes]
"""A block in a file: its name, key, offset and length in bytes, and digest."""


def _placed_line(name: str, key: bytes, offset: int, length: int, digest: bytes) -> str:
    return f"{name}\t{key.hex()}\t{offset}\t{length}\t{digest.hex()}\n"


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=8).digest()


class BlockPart:
    """A block of a whole-board file, for ``publishing.write_if_changed``, which says
    where in the file it starts. A kept block is copied from the file written last when
    the bytes found where it stood there are its bytes (``placed``); else its text
    (``text``) is written. Either way, where it stands now is noted in ``layout``, kept
    for the next build, which then copies most of the file instead of reading every
    block back from the state and encoding it again."""

    __slots__ = ("key", "layout", "name", "placed", "text")

    def __init__(
        self,
        name: str,
        key: bytes,
        layout: list[Placed],
        text: Callable[[], str],
        placed: Placed | None = None,
    ) -> None:
        self.name, self.key, self.layout, self.text, self.placed = name, key, layout, text, placed

    def write(self, file: BinaryIO, last: BinaryIO | None, at: int) -> int:
        """Write the block into ``file`` at ``at``, from ``last`` (the file written last)
        when it holds it; how many bytes were written."""
        data = None
        if self.placed is not None and last is not None:
            _, _, offset, length, digest = self.placed
            last.seek(offset)
            data = last.read(length)
            if len(data) != length or _digest(data) != digest:
                data = None
        if data is None:
            data = self.text().encode("utf-8")
            digest = _digest(data)
        file.write(data)
        self.layout.append((self.name, self.key, at, len(data), digest))
        return len(data)


class _Kept:
    """Kept fragments in the order of their names, looked up in that order."""

    def __init__(self, rows: Iterator[tuple[str, bytes, str]]) -> None:
        self.rows = rows
        self.current = next(rows, None)

    def find(self, name: str) -> tuple[bytes, str] | None:
        """The key and text kept as ``name``; names must be asked for in order."""
        while self.current is not None and self.current[0] < name:
            self.current = next(self.rows, None)
        if self.current is not None and self.current[0] == name:
            return self.current[1], self.current[2]
        return None


class FragmentStore:
    """The pieces kept in ``state`` (None: none kept), under keys that add ``base``:
    the digest of what every page shares (code, templates, settings, board.yaml)."""

    def __init__(self, state: BuildState | None, base: bytes) -> None:
        self.state = state
        self.base = base
        self.made: list[Fragment] = []  # not yet written
        self.held = 0  # characters of their texts

    def keeps_none(self) -> bool:
        """Whether no piece is kept: every one will be made."""
        return self.state is None or not self.state.keeps_fragments()

    def pieces(
        self, kind: str, wanted: Iterable[Piece], sep: str = ""
    ) -> Iterator[str | BlockPart]:
        """The texts of the wanted pieces joined by ``sep``, a block at a time (``block``),
        for ``publishing.write_if_changed``. A block of pieces that are all kept by their
        keys is kept whole: copied from the file written last, where the layout kept
        with it says it stands (its bytes checked against their digest), else taken
        back from the state in one read. The pieces of any other block are each kept,
        or made (and noted for saving), and the block kept whole once all its keys are
        known."""
        if self.state is None:
            for _, group in groupby(wanted, block):
                yield sep.join(piece.make() for piece in group)
            return
        last = self._layout(kind)
        layout: list[Placed] = []  # of the file being written, noted as it is
        pieces = _Kept(self.state.fragments(kind))
        for name, group in groupby(wanted, block):
            chosen = list(group)
            if not all(piece.key is not None for piece in chosen):
                yield sep.join(self._piece(kind, piece, pieces, keep=True) for piece in chosen)
                continue
            full = self._block_key(kind, chosen)
            placed = last.get(name)
            if placed is not None and placed[1] == full:
                kept = partial(self._kept_block, kind, name, full, chosen, sep, pieces)
                yield BlockPart(name, full, layout, kept, placed)
                continue
            text = self._kept_block(kind, name, full, chosen, sep, pieces)
            yield BlockPart(name, full, layout, partial(str, text))
        self._keep((LAYOUT, kind, "", self.base, "".join(_placed_line(*p) for p in layout)))

    def _kept_block(
        self, kind: str, name: str, full: bytes, chosen: list[Piece], sep: str, pieces: _Kept
    ) -> str:
        """A block whose pieces are all kept by their keys: its text kept whole under
        ``full``, else made (and kept so) of its pieces, each kept or made."""
        found = self.state.fragment(kind + BLOCK, name) if self.state is not None else None
        if found is not None and found[0] == full:
            return found[1]
        text = sep.join(self._piece(kind, piece, pieces, keep=False) for piece in chosen)
        self._keep((kind + BLOCK, name, chosen[0].folder, full, text))
        return text

    def _layout(self, kind: str) -> dict[str, Placed]:
        """Where each block stood in the ``kind`` file written last, by its name (none
        when what every page shares has changed since)."""
        found = self.state.fragment(LAYOUT, kind) if self.state is not None else None
        placed: dict[str, Placed] = {}
        if found is None or found[0] != self.base:
            return placed
        for line in found[1].splitlines():
            try:
                name, key, offset, length, digest = line.split("\t")
                numbers = int(offset), int(length)
                placed[name] = (name, bytes.fromhex(key), *numbers, bytes.fromhex(digest))
            except ValueError:
                return {}  # not as ``_placed_line`` wrote it: nothing is copied
        return placed

    def _piece(self, kind: str, piece: Piece, kept: _Kept, *, keep: bool) -> str:
        """One piece: kept under its key, or made (and kept if ``keep``: the pieces of a
        block kept whole are not kept one by one as well)."""
        if piece.key is None:
            return piece.make()
        full = self._full_key(kind, piece.key)
        found = kept.find(piece.name)
        if found is not None and found[0] == full:
            return found[1]
        text = piece.make()
        if keep:
            self._keep((kind, piece.name, piece.folder, full, text))
        return text

    def _block_key(self, kind: str, pieces: list[Piece]) -> bytes:
        digest = hashlib.blake2b(self.base + kind.encode() + BLOCK.encode(), digest_size=16)
        for piece in pieces:
            digest.update(piece.name.encode() + b"\0" + piece.key)  # type: ignore[operator]
        return digest.digest()

    def text(self, kind: str, name: str, folder: str, key: bytes, make: Callable[[], str]) -> str:
        """One piece, looked up by its name (for pieces asked for in no order)."""
        if self.state is None:
            return make()
        full = self._full_key(kind, key)
        found = self.state.fragment(kind, name)
        if found is not None and found[0] == full:
            return found[1]
        text = make()
        self._keep((kind, name, folder, full, text))
        return text

    def _full_key(self, kind: str, key: bytes) -> bytes:
        return hashlib.blake2b(self.base + kind.encode() + key, digest_size=16).digest()

    def _keep(self, made: Fragment) -> None:
        self.made.append(made)
        self.held += len(made[4])
        if len(self.made) >= BATCH or self.held >= BATCH_CHARACTERS:
            self.flush()

    def flush(self) -> None:
        """Write the pieces made in this process (each rendering process writes its own:
        sending them back would hold them all at once)."""
        if self.state is not None and self.made and not self.state.write_fragments(self.made):
            self.state = None  # cannot be written: made afresh, and not kept, from now on
        self.made = []
        self.held = 0
