"""The status rules of docs/statistics.md at their boundaries: what has happened by as_of
counts, the moment itself included."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from answerable.core.deadlines import Rules
from answerable.core.status import (
    Status,
    TicketState,
    count_witnessed,
    event_times,
    holder_at,
    later_state,
    state_at,
)
from test_deadlines import RULES, at, make_board, make_file, make_ticket

RECEIVED = "2026-11-02T09:00:00+08:00"  # Monday; 5 working days: due end of Monday 9 Nov
TRANSFERS = [
    {"at": "2026-11-03T10:00:00+08:00", "from": "city", "to": "housing", "reason": "职责"},
    {"at": "2026-11-04T10:00:00+08:00", "from": "housing", "to": "district", "reason": "属地"},
]


def test_a_transfer_counts_from_its_very_moment() -> None:
    ticket = make_ticket(received=RECEIVED, department="district", transfers=TRANSFERS)
    assert holder_at(ticket, at("2026-11-04T09:59:59")) == "housing"
    assert holder_at(ticket, at("2026-11-04T10:00:00")) == "district"
    # An unanswered ticket counts for its holder at as_of.
    file = make_file(ticket)
    assert state_at(file, RULES, at("2026-11-03T09:59:59")).department == "city"  # type: ignore[union-attr]
    assert state_at(file, RULES, at("2026-11-03T10:00:00")).department == "housing"  # type: ignore[union-attr]


def test_a_withdrawal_counts_from_its_very_moment() -> None:
    ticket = make_ticket(
        received=RECEIVED, withdrawn={"at": "2026-11-04T10:00:00+08:00", "reason": "已自行解决"}
    )
    file = make_file(ticket)
    assert state_at(file, RULES, at("2026-11-04T09:59:59")).status is Status.OPEN  # type: ignore[union-attr]
    assert state_at(file, RULES, at("2026-11-04T10:00:00")).status is Status.WITHDRAWN  # type: ignore[union-attr]


def test_withdrawn_and_duplicate_tickets_are_never_late() -> None:
    # Seen on Mon 16 Nov, five working days after the due date: not counted late.
    withdrawn = make_file(
        make_ticket(
            received=RECEIVED, withdrawn={"at": "2026-11-04T10:00:00+08:00", "reason": "撤回"}
        )
    )
    duplicate = make_file(make_ticket(received=RECEIVED, duplicate_of="2026-000009"))
    for file in (withdrawn, duplicate):
        state = state_at(file, RULES, at("2026-11-16T10:00:00"))
        assert state is not None
        assert state.days_late == 0


def test_a_rating_counts_from_its_very_moment() -> None:
    rating = {"value": "satisfied", "at": "2026-11-08T09:00:00+08:00", "source": "sms"}
    file = make_file(
        make_ticket(received=RECEIVED, rating=rating),
        [("2026-11-05T10:00:00+08:00", "final", "housing")],
    )
    assert state_at(file, RULES, at("2026-11-08T08:59:59")).rating is None  # type: ignore[union-attr]
    assert state_at(file, RULES, at("2026-11-08T09:00:00")).rating is not None  # type: ignore[union-attr]


def test_the_replies_by_as_of_first_and_final() -> None:
    file = make_file(
        make_ticket(received=RECEIVED),
        [
            ("2026-11-03T10:00:00+08:00", "interim", "housing"),
            ("2026-11-06T10:00:00+08:00", "final", "housing"),
            ("2026-11-10T10:00:00+08:00", "supplement", "housing"),
        ],
    )
    interim, final, supplement = file.replies
    early = state_at(file, RULES, at("2026-11-04T10:00:00"))
    assert early is not None
    assert (early.replies, early.first_reply, early.final_reply) == ((interim,), interim, None)
    later = state_at(file, RULES, at("2026-11-20T10:00:00"))
    assert later is not None
    assert later.replies == (interim, final, supplement)
    assert (later.first_reply, later.final_reply) == (interim, final)


def test_event_times_are_every_public_event() -> None:
    ticket = make_ticket(
        received=RECEIVED,
        department="district",
        transfers=TRANSFERS,
        extensions=[
            {
                "requested": "2026-11-06T16:00:00+08:00",
                "approved": "2026-11-06T17:30:00+08:00",
                "approved_by": "city",
                "reason": "需协调",
                "due": "2026-11-20",
            }
        ],
        rating={"value": "satisfied", "at": "2026-11-21T09:00:00+08:00", "source": "sms"},
    )
    file = make_file(ticket, [("2026-11-18T10:00:00+08:00", "final", "district")])
    assert sorted(event_times(file)) == [
        at("2026-11-02T09:00:00"),  # received
        at("2026-11-03T10:00:00"),  # transfers
        at("2026-11-04T10:00:00"),
        at("2026-11-06T17:30:00"),  # extension approved
        at("2026-11-18T10:00:00"),  # final reply
        at("2026-11-21T09:00:00"),  # rating
    ]


# ---- when a reply counts: its date, or its merge on a board with witnessed_since ---------
# The rule (docs/statistics.md, "When a reply counts"): on a board with witnessed_since, a
# reply committed on or after 00:00 of that day in the board's time zone counts from the
# later of its date and its commit; an imported reply keeps its export's time.

STATED = "2026-11-05T10:00:00+08:00"
REPLY_PATH = "reply-1.md"  # make_file names each reply by its number


def witnessed_reply(
    since: str | None, merged: str, *, imported: bool = False
) -> tuple[datetime, datetime | None]:
    """The reply's counted time and witnessed time, after count_witnessed."""
    board = make_board(**({"witnessed_since": date.fromisoformat(since)} if since else {}))
    extra = {"source": {"system": "12345热线", "id": "X1", "batch": "b"}} if imported else {}
    file = make_file(make_ticket(received="2026-11-02T09:14:00+08:00", **extra),
                     [(STATED, "final", "housing")])  # fmt: skip
    count_witnessed([file], Rules(board), {REPLY_PATH: datetime.fromisoformat(merged)})
    reply = file.replies[0]
    return reply.at, reply.witnessed


def test_a_reply_merged_after_witnessed_since_counts_from_its_merge() -> None:
    counted, witnessed = witnessed_reply("2026-11-01", "2026-11-20T16:00:00+08:00")
    assert witnessed == counted == datetime.fromisoformat("2026-11-20T16:00:00+08:00")


def test_a_merge_earlier_than_the_stated_time_leaves_the_stated_time() -> None:
    # Merged at 09:00, dated 10:00 the same day: the later of the two is the date.
    counted, _ = witnessed_reply("2026-11-01", "2026-11-05T09:00:00+08:00")
    assert counted == datetime.fromisoformat(STATED)


def test_witnessed_since_starts_at_midnight_in_the_board_s_zone() -> None:
    # witnessed_since 2026-11-20: from 2026-11-20T00:00:00+08:00, which is 16:00 UTC on
    # the 19th. A merge at exactly that moment counts; one second earlier does not.
    counted, _ = witnessed_reply("2026-11-20", "2026-11-19T16:00:00+00:00")
    assert counted == datetime.fromisoformat("2026-11-20T00:00:00+08:00")
    counted, witnessed = witnessed_reply("2026-11-20", "2026-11-19T15:59:59+00:00")
    assert (counted, witnessed) == (datetime.fromisoformat(STATED), None)


def test_no_witnessed_since_keeps_stated_times() -> None:
    assert witnessed_reply(None, "2026-11-20T16:00:00+08:00") == (
        datetime.fromisoformat(STATED),
        None,
    )


def test_an_imported_reply_keeps_its_export_s_time() -> None:
    assert witnessed_reply("2026-11-01", "2026-11-20T16:00:00+08:00", imported=True) == (
        datetime.fromisoformat(STATED),
        None,
    )


def test_a_reply_is_matched_by_its_own_path() -> None:
    file = make_file(make_ticket(received="2026-11-02T09:14:00+08:00"),
                     [(STATED, "final", "housing")])  # fmt: skip
    board = make_board(witnessed_since=date(2026, 11, 1))
    late = datetime.fromisoformat("2026-11-20T16:00:00+08:00")
    count_witnessed([file], Rules(board), {"reply-2.md": late})  # another reply's time
    assert file.replies[0].witnessed is None


def test_a_reply_no_longer_witnessed_counts_from_its_date_again() -> None:
    # The same files counted twice (a build that reads git, then one that does not):
    # the second count leaves nothing of the first.
    board = make_board(witnessed_since=date.fromisoformat("2026-11-01"))
    file = make_file(make_ticket(received="2026-11-02T09:14:00+08:00"),
                     [(STATED, "final", "housing")])  # fmt: skip
    rules = Rules(board)
    count_witnessed(
        [file], rules, {REPLY_PATH: datetime.fromisoformat("2026-11-20T16:00:00+08:00")}
    )
    assert file.replies[0].witnessed is not None
    count_witnessed([file], rules, {})
    assert file.replies[0].witnessed is None
    assert file.replies[0].at == datetime.fromisoformat(STATED)


# ---- a quiet state at another moment: only the working days of an unanswered ticket run on --
# Received Friday 13 Feb 2026 (a complaint: due Friday 27 Feb 23:59:59, across the Spring
# Festival holiday, test_deadlines).


def _fields(state: TicketState | None) -> tuple[object, ...] | None:
    if state is None:
        return None
    return (
        state.as_of, state.status, state.department, state.due, state.days_taken,
        state.days_late, state.days_to_first_reply, state.days_to_final_reply, state.rating,
        [r.path for r in state.replies], state.settled_since, state.quiet_since,
    )  # fmt: skip


MOMENTS = [
    "2026-03-02T09:00:00",
    "2026-03-09T18:00:00",
    "2026-04-07T12:00:00",
    "2027-01-04T09:00:00",
]


@pytest.mark.parametrize(
    ("replies", "extra", "status"),
    [
        ([], {}, Status.OVERDUE),
        ([("2026-02-16T10:00:00+08:00", "interim", "housing")], {}, Status.OVERDUE),
        ([("2026-02-26T10:00:00+08:00", "final", "housing")], {}, Status.ANSWERED_ON_TIME),
        ([("2026-03-02T08:00:00+08:00", "final", "housing")], {}, Status.ANSWERED_LATE),
        (
            [],
            {"withdrawn": {"at": "2026-02-20T10:00:00+08:00", "reason": "已解决"}},
            Status.WITHDRAWN,
        ),
        ([], {"duplicate_of": "2026-000009"}, Status.DUPLICATE),
    ],
)
def test_a_quiet_state_at_a_later_moment_is_the_state_worked_out_then(
    replies: list[tuple[str, str, str]], extra: dict[str, object], status: Status
) -> None:
    file = make_file(make_ticket(received="2026-02-13T16:40:00+08:00", **extra), replies)
    first = state_at(file, RULES, at("2026-03-02T09:00:00"))
    assert first is not None
    assert first.status is status
    assert first.quiet_since is not None
    for moment in map(at, MOMENTS):
        assert _fields(later_state(first, RULES, moment)) == _fields(state_at(file, RULES, moment))


def test_an_overdue_ticket_s_days_run_on_and_an_answered_one_s_do_not() -> None:
    waiting = make_file(make_ticket(received="2026-02-13T16:40:00+08:00"))
    answered = make_file(make_ticket(received="2026-02-13T16:40:00+08:00"),
                         [("2026-03-02T08:00:00+08:00", "final", "housing")])  # fmt: skip
    monday, next_monday = at("2026-03-02T09:00:00"), at("2026-03-09T09:00:00")
    for file, grows in ((waiting, 5), (answered, 0)):  # Mon 2 to Mon 9 March: 5 working days
        before = state_at(file, RULES, monday)
        after = later_state(before, RULES, next_monday)  # type: ignore[arg-type]
        assert after is not None
        assert after.days_taken - before.days_taken == grows  # type: ignore[union-attr]
        assert after.days_late - before.days_late == grows  # type: ignore[union-attr]


def test_a_state_the_clock_or_an_event_can_still_change_is_not_moved() -> None:
    received = "2026-02-13T16:40:00+08:00"
    # Open: the clock turns it due soon, then overdue.
    open_ = state_at(make_file(make_ticket(received=received)), RULES, at("2026-02-16T09:00:00"))
    assert open_ is not None
    assert open_.status is Status.OPEN
    assert open_.quiet_since is None
    assert later_state(open_, RULES, at("2026-03-09T09:00:00")) is None
    # A final reply dated after the moment: it answers the ticket then.
    ahead = make_file(
        make_ticket(received=received), [("2026-03-05T10:00:00+08:00", "final", "housing")]
    )
    overdue = state_at(ahead, RULES, at("2026-03-02T09:00:00"))
    assert overdue is not None
    assert overdue.status is Status.OVERDUE
    assert overdue.quiet_since is None
    # Overdue at 2 March, quiet since its receipt: at a moment before its due time it was
    # not overdue yet, and before its receipt it did not exist.
    waiting = state_at(make_file(make_ticket(received=received)), RULES, at("2026-03-02T09:00:00"))
    assert waiting is not None
    assert waiting.quiet_since == datetime.fromisoformat(received)
    assert later_state(waiting, RULES, at("2026-02-27T23:59:59")) is None
    assert later_state(waiting, RULES, at("2026-02-13T16:00:00")) is None
    assert later_state(waiting, RULES, at("2026-02-28T00:00:00")) is not None


def test_a_quiet_state_is_not_moved_to_a_moment_before_it_became_quiet() -> None:
    received = "2026-02-13T16:40:00+08:00"
    # An interim reply after the due time: overdue before it and after it, but the
    # replies by 2 March do not hold it yet.
    interim = make_file(make_ticket(received=received), [("2026-03-05T10:00:00+08:00", "interim", "housing")])  # fmt: skip
    later = state_at(interim, RULES, at("2026-03-09T09:00:00"))
    assert later is not None
    assert later.quiet_since == at("2026-03-05T10:00:00")
    assert later_state(later, RULES, at("2026-03-02T09:00:00")) is None
    # Answered late on 2 March: on 1 March it was still overdue.
    late = make_file(make_ticket(received=received), [("2026-03-02T08:00:00+08:00", "final", "housing")])  # fmt: skip
    answered = state_at(late, RULES, at("2026-03-09T09:00:00"))
    assert answered is not None
    assert later_state(answered, RULES, at("2026-03-01T09:00:00")) is None


def test_a_due_soon_ticket_is_not_quiet() -> None:
    # Due Friday 27 Feb 23:59:59; the board warns 3 hours before.
    file = make_file(make_ticket(received="2026-02-13T16:40:00+08:00"))
    soon = state_at(file, RULES, at("2026-02-27T23:00:00"))
    assert soon is not None
    assert soon.status is Status.DUE_SOON
    assert soon.quiet_since is None
    assert later_state(soon, RULES, at("2026-03-09T09:00:00")) is None


def test_a_file_passed_over_does_not_end_the_count() -> None:
    # The first file has nothing witnessed; the second's reply is counted from its merge.
    board = make_board(witnessed_since=date.fromisoformat("2026-11-01"))
    quiet = make_file(make_ticket(id="2026-000001", received="2026-11-02T09:14:00+08:00"))
    witnessed = make_file(make_ticket(id="2026-000002", received="2026-11-02T09:14:00+08:00"),
                          [(STATED, "final", "housing")])  # fmt: skip
    merged = datetime.fromisoformat("2026-11-20T16:00:00+08:00")
    count_witnessed([quiet, witnessed], Rules(board), {REPLY_PATH: merged})
    assert witnessed.replies[0].witnessed == merged
