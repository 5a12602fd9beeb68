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
from typing import NamedTuple

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


class FragmentStore:
    """The pieces kept in ``state`` (None: none kept), under keys that add ``base``:
    the digest of what every page shares (code, templates, settings, board.yaml)."""

    def __init__(self, state: BuildState | None, base: bytes) -> None:
        self.state = state
        self.base = base
        self.made: list[Fragment] = []  # not yet written

    def pieces(self, kind: str, wanted: Iterable[Piece]) -> Iterator[str]:
        """The text of each wanted piece, in order: kept, or made (and noted for saving)."""
        kept = self.state.fragments(kind) if self.state is not None else iter(())
        current = next(kept, None)
        for piece in wanted:
            if piece.key is None or self.state is None:
                yield piece.make()
                continue
            # Both come sorted by name: step the kept ones up to this piece.
            while current is not None and current[0] < piece.name:
                current = next(kept, None)
            full = self._full_key(kind, piece.key)
            if current is not None and current[0] == piece.name and current[1] == full:
                yield current[2]
                continue
            text = piece.make()
            self._keep((kind, piece.name, piece.folder, full, text))
            yield text

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
        if len(self.made) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the pieces made in this process (each rendering process writes its own:
        sending them back would hold them all at once)."""
        if self.state is not None and self.made and not self.state.write_fragments(self.made):
            self.state = None  # cannot be written: made afresh, and not kept, from now on
        self.made = []
