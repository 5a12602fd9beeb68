"""Ticket folders kept as an earlier run read them, their records read when first asked.

A rebuild after one reply reads every folder of the board, but pages and figures need
the records of only a few: the changed tickets and those still open. A folder whose
files git vouches for, and which an earlier run read without a problem, becomes a
``KeptTicketFile``: what checks across the board read (its id, the tickets it names,
when it and its replies were dated) comes from the build state at once; its record and
replies are read from the state only when something asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from answerable.reading.loading import (
    FolderFiles,
    ReplyFile,
    TicketFile,
    TicketRefs,
    read_ticket_folder,
)

if TYPE_CHECKING:
    from answerable.core.records import Ticket
    from answerable.reading.loading import FileReader

# What the state keeps of a folder: its digest, refs and replies' paths and dates.
Facts = tuple[bytes, TicketRefs, tuple[tuple[str, float], ...]]


class KeptTicketFile(TicketFile):
    """A ticket folder whose record and replies are read when first asked for."""

    def __init__(self, files: FolderFiles, facts: Facts, reader: FileReader) -> None:
        # Not the dataclass's __init__: it would set the record and replies.
        assert files.ticket is not None  # noqa: S101 - a kept folder has its ticket.yaml
        self.folder = files.folder
        self.path = f"{files.folder}/ticket.yaml"
        self.doc = files.ticket
        self.digest, self.refs, self.reply_times = facts
        self._files = files
        self._reader = reader

    @property  # type: ignore[override]
    def ticket(self) -> Ticket:
        found = self.__dict__.get("_ticket")
        return found if found is not None else self._read()[0]

    @ticket.setter
    def ticket(self, value: Ticket) -> None:
        self.__dict__["_ticket"] = value

    @property  # type: ignore[override]
    def replies(self) -> list[ReplyFile]:
        found = self.__dict__.get("_replies")
        return found if found is not None else self._read()[1]

    @replies.setter
    def replies(self, value: list[ReplyFile]) -> None:
        self.__dict__["_replies"] = value

    def reply_paths(self) -> list[str]:
        return [path for path, _ in self.reply_times]  # known without reading them

    @property  # type: ignore[override]
    def keys(self) -> tuple[bytes, ...]:
        """What the folder's digest is made of (``TicketFile.keys``), from the files' ids
        the reader knows (git's, or read now): worked out when asked for, not kept for
        every folder (17 MB at 100,000 tickets); empty when one is not known."""
        key_of = self._reader.known_key  # type: ignore[attr-defined] - the state's reader
        ticket = key_of(self.path)
        replies = [(number, key_of(rel)) for number, _, rel in self._files.replies]
        if ticket is None or any(key is None for _, key in replies):
            return ()
        return (ticket, *(b"%d" % number + key for number, key in replies))

    def _read(self) -> tuple[Ticket, list[ReplyFile]]:
        problems: list[Any] = []
        loaded = read_ticket_folder(self._files, problems, self._reader)
        if loaded is None or problems:
            # Vouched for by git and read before without a problem: only a change to the
            # files while this run reads them comes here.
            raise RuntimeError(f"{self.folder}: changed while the board was being read")
        self.ticket, self.replies = loaded.ticket, loaded.replies
        return loaded.ticket, loaded.replies

    def __reduce__(self) -> tuple[Any, ...]:
        # To another process as a plain ticket file: the state's reader stays here.
        return TicketFile, (
            self.folder,
            self.path,
            self.ticket,
            self.doc,
            self.replies,
            self.digest,
            self.refs,
            self.reply_times,
            self.witnessed_any,
            self.keys,
        )
