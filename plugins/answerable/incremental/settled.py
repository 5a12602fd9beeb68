"""Settled and quiet tickets' states kept from run to run: the figures need no record.

A ticket whose files date nothing after the moment, and whose status the clock can no
longer change (answered, withdrawn, duplicate, overdue), stands the same at every later
moment but for the working days an unanswered one has taken, and is late
(``TicketState.quiet_since``, ``status.move_to``). Its state is kept in the build
state under its folder's digest and board.yaml's; a later run takes it from there with
a summary of its record (what lists, figures and links read), and reads the record
itself, and the replies, only when a page asks for more (``kept.KeptTicketFile``).
"""

from __future__ import annotations

import hashlib
from collections import namedtuple
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from answerable.core.status import (
    ReplyFacts,
    Status,
    TicketState,
    first_and_final,
    holds_at,
    move_to,
    state_at,
)
from answerable.core.status import states_at as plain_states_at
from answerable.incremental.kept import KeptTicketFile

if TYPE_CHECKING:
    from answerable.core.deadlines import Rules
    from answerable.core.records import Ticket
    from answerable.incremental.state import BuildState
    from answerable.reading.loading import ReplyFile, TicketFile

StatesAt = Callable[[Iterable["TicketFile"], "Rules", datetime], list[TicketState]]

# The record's fields the lists, figures and links of other pages read.
SUMMARY = (
    "id",
    "title",
    "received",
    "type",
    "category",
    "channel",
    "department",
    "co_departments",
    "related",
    "duplicate_of",
    "resolution",
    "hidden",
    "withdrawn",
    "source",
    "urgent",
)
_STATE = (
    "status",
    "department",
    "due",
    "days_to_first_reply",
    "days_to_final_reply",
    "days_taken",
    "days_late",
    "rating",
    "quiet_since",
    "as_of",
)


_STATUSES = {status.value: status for status in Status}  # a look-up, not Enum's call


class TicketSummary(namedtuple("TicketSummary", (*SUMMARY, "kept_file"))):
    """The fields of a ticket's record in ``SUMMARY``; any other is the record's own,
    read when first asked for. A tuple, made in one step from the kept row: setting
    fifteen attributes one by one was the largest part of reading a state back."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - the record's field
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.kept_file.ticket, name)


class KeptRating(NamedTuple):
    """A settled ticket's rating as its kept state holds it: the record's fields, which
    is all the figures and pages read (a record took five times as long to unpickle)."""

    value: str
    at: datetime
    source: str
    comment: str | None


class KeptState(TicketState):
    """A quiet state kept from an earlier run; its replies are its file's, read when
    first asked for (all of them count: none is dated after ``quiet_since``)."""

    @cached_property
    def replies(self) -> tuple[ReplyFile, ...]:  # type: ignore[override]
        return tuple(self.file.replies)

    @property
    def reply_paths(self) -> tuple[str, ...]:
        return tuple(self.file.reply_paths())

    @property
    def reply_facts(self) -> tuple[ReplyFacts, ...]:
        return self.__dict__["_reply_facts"]  # type: ignore[no-any-return]

    @cached_property  # asked by the figures, the views and the pages: worked out once
    def answered_at(self) -> datetime | None:  # type: ignore[override]
        return next((reply.at for reply in self.reply_facts if reply.kind == "final"), None)

    @property
    def reply_witnessed(self) -> tuple[datetime | None, ...]:
        return (None,) * len(self.file.reply_times)  # a witnessed folder is never kept

    @cached_property
    def first_reply(self) -> ReplyFile | None:  # type: ignore[override]
        return first_and_final(self.replies)[0]

    @cached_property
    def final_reply(self) -> ReplyFile | None:  # type: ignore[override]
        return first_and_final(self.replies)[1]


def kept_states(state: BuildState | None, board_digest: bytes) -> StatesAt:
    """``status.states_at``, with quiet states kept in ``state`` (None: none kept)."""
    if state is None:
        return plain_states_at

    def states_at(files: Iterable[TicketFile], rules: Rules, as_of: datetime) -> list[TicketState]:
        found: list[TicketState] = []
        for file in files:
            # A reply's witnessed moment counts in the state: such a folder is not kept.
            kept = isinstance(file, KeptTicketFile) and not file.witnessed_any
            key = hashlib.blake2b(file.digest + board_digest, digest_size=16).digest()
            if kept:
                row = state.get("settled", file.folder, key)
                restored = _restored(file, row) if row else None
                if restored is not None and holds_at(restored, as_of):
                    # Read back just now, and held by nothing else: moved in place.
                    move_to(restored, rules, as_of)
                    found.append(restored)
                    continue
            made = state_at(file, rules, as_of)
            if made is None:
                continue
            found.append(made)
            if made.quiet_since is not None and not file.witnessed_any:
                state.put("settled", file.folder, file.folder, key, _row(made))
        state.save()
        return found

    return states_at


def _row(made: TicketState) -> tuple[Any, ...]:
    ticket = made.ticket
    summary = tuple(getattr(ticket, name) for name in SUMMARY)
    state = [made.status.value, *(getattr(made, name) for name in _STATE[1:])]
    rating = made.rating
    if rating is not None:
        state[_STATE.index("rating")] = KeptRating(
            rating.value, rating.at, rating.source, rating.comment
        )
    return (summary, made.reply_facts, *state)


def _restored(file: TicketFile, row: tuple[Any, ...]) -> TicketState:
    """The state kept in ``row``, at the moment it was kept."""
    summary = tuple.__new__(TicketSummary, (*row[0], file))
    restored = object.__new__(KeptState)
    values = restored.__dict__
    values.update(zip(_STATE, row[2:], strict=True))
    values["status"] = _STATUSES[row[2]]
    values.update(file=file, ticket=cast("Ticket", summary), _reply_facts=row[1])
    return restored
