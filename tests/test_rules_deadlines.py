"""The deadline rules of docs/statistics.md, each against values worked out by hand.

Working days come from the official 2026 schedule of the State Council (国务院办公厅
关于2026年部分节假日安排的通知), listed here by hand, never from the calendar module.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from answerable.core.deadlines import Rules
from answerable.core.status import Status, state_at
from test_deadlines import RULES, at, make_board, make_file, make_ticket

# Weekdays off in 2026: 元旦 1-2 Jan (3 Jan is a Saturday), 春节 16-20 and 23 Feb,
# 清明 6 Apr, 劳动节 1, 4, 5 May, 端午 19 Jun, 中秋 25 Sep, 国庆 1, 2, 5, 6, 7 Oct.
OFF_2026 = {
    date(2026, 1, 1), date(2026, 1, 2),
    date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
    date(2026, 2, 20), date(2026, 2, 23),
    date(2026, 4, 6),
    date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5),
    date(2026, 6, 19),
    date(2026, 9, 25),
    date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7),
}  # fmt: skip
# Weekend days worked in 2026 (调休): Sun 4 Jan, Sat 14 and 28 Feb, Sat 9 May, Sun 20 Sep,
# Sat 10 Oct.
MAKE_UP_2026 = {
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
    date(2026, 9, 20), date(2026, 10, 10),
}  # fmt: skip


def working(day: date) -> bool:
    """The hand oracle: Monday to Friday unless listed off, or a listed make-up day."""
    assert day.year == 2026, "the hand list covers 2026 only"
    return day in MAKE_UP_2026 or (day.weekday() < 5 and day not in OFF_2026)


def hand_add(day: date, n: int) -> date:
    """The n-th working day after ``day`` (``day`` itself for 0), by walking the hand list."""
    while n:
        day += timedelta(days=1)
        n -= working(day)
    return day


def extension(**change: Any) -> dict[str, Any]:
    return {
        "requested": "2026-11-06T16:00:00+08:00",
        "approved": "2026-11-06T17:30:00+08:00",
        "approved_by": "city",
        "reason": "需协调多个部门现场核查",
        "due": "2026-11-20",
    } | change


RECEIVED = "2026-11-02T09:00:00+08:00"  # Monday; 5 working days: due end of Monday 9 Nov


# ---- the hand oracle itself agrees with the worked examples of the docs ------------------


def test_the_hand_list_gives_the_documented_examples() -> None:
    assert hand_add(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert hand_add(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert hand_add(date(2026, 10, 3), 5) == date(2026, 10, 13)
    assert hand_add(date(2026, 11, 2), 5) == date(2026, 11, 9)


# ---- working days between two dates ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 30 Sep → 12 Oct: 1-7 Oct off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12 = 4.
        (date(2026, 9, 30), date(2026, 10, 12), 4),
        # 13 Feb → 27 Feb: Sat 14 (make-up), then 24, 25, 26, 27 Feb = 5.
        (date(2026, 2, 13), date(2026, 2, 27), 5),
        # 31 Dec 2025 → 5 Jan 2026: 1-3 Jan off, Sun 4 Jan (make-up), Mon 5 = 2.
        (date(2025, 12, 31), date(2026, 1, 5), 2),
        # Start day excluded, end day included: Mon 2 Nov → Mon 2 Nov = 0, → Tue 3 Nov = 1.
        (date(2026, 11, 2), date(2026, 11, 2), 0),
        (date(2026, 11, 2), date(2026, 11, 3), 1),
        # A span of holidays only: 1 Oct → 7 Oct = 0.
        (date(2026, 10, 1), date(2026, 10, 7), 0),
        # End before start counts nothing.
        (date(2026, 11, 9), date(2026, 11, 2), 0),
    ],
)
def test_working_days_between_by_hand(start: date, end: date, expected: int) -> None:
    assert RULES.calendar.working_days_between(start, end) == expected


@settings(max_examples=80, deadline=None)
@given(
    start=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    length=st.integers(0, 60),
)
def test_working_days_between_against_the_hand_list(start: date, length: int) -> None:
    end = min(start + timedelta(days=length), date(2026, 12, 31))
    expected = sum(working(start + timedelta(days=k)) for k in range(1, (end - start).days + 1))
    assert RULES.calendar.working_days_between(start, end) == expected


# ---- due times ------------------------------------------------------------------------


def test_zero_working_days_is_the_end_of_the_day_of_receipt() -> None:
    rules = Rules(make_board(policies={"complaint": {"due": "0 working days"}}))
    # Monday 2 Nov 09:00 → end of Monday 2 Nov.
    deadline = rules.deadline(make_ticket(received=RECEIVED))
    assert deadline is not None
    assert deadline.due == at("2026-11-02T23:59:59")
    # Received on Saturday 3 Oct, a holiday: still the end of that day, as documented.
    deadline = rules.deadline(make_ticket(received="2026-10-03T11:00:00+08:00"))
    assert deadline is not None
    assert deadline.due == at("2026-10-03T23:59:59")
    # A reply at 23:59:59 that day is on time; one at 00:00:00 the next day is late.
    on_time = make_file(make_ticket(received=RECEIVED), [("2026-11-02T23:59:59+08:00", "final", "housing")])  # fmt: skip
    late = make_file(make_ticket(received=RECEIVED), [("2026-11-03T00:00:00+08:00", "final", "housing")])  # fmt: skip
    assert state_at(on_time, rules, at("2026-11-04T00:00:00")).status is Status.ANSWERED_ON_TIME  # type: ignore[union-attr]
    assert state_at(late, rules, at("2026-11-04T00:00:00")).status is Status.ANSWERED_LATE  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None)
@given(
    received=st.datetimes(datetime(2026, 1, 1), datetime(2026, 11, 30, 23, 59, 59)),
    n=st.integers(0, 20),
)
def test_due_is_the_end_of_the_nth_working_day_by_the_hand_list(received: datetime, n: int) -> None:
    rules = Rules(make_board(policies={"complaint": {"due": f"{n} working days"}}))
    deadline = rules.deadline(make_ticket(received=received.isoformat() + "+08:00"))
    assert deadline is not None
    expected = datetime.combine(hand_add(received.date(), n), datetime.min.time())
    assert deadline.due == at((expected + timedelta(hours=23, minutes=59, seconds=59)).isoformat())


@settings(max_examples=60, deadline=None)
@given(
    received=st.datetimes(datetime(2026, 1, 1), datetime(2026, 11, 30, 23, 59, 59)),
    offset=st.integers(-3, 3),
)
def test_on_time_up_to_the_last_second_of_the_due_day(received: datetime, offset: int) -> None:
    # 5 working days; a final reply ``offset`` seconds from 23:59:59 of the hand due day.
    due_day = hand_add(received.date(), 5)
    reply = datetime.combine(due_day, datetime.min.time()) + timedelta(
        hours=23, minutes=59, seconds=59 + offset
    )
    file = make_file(
        make_ticket(received=received.replace(microsecond=0).isoformat() + "+08:00"),
        [(reply.isoformat() + "+08:00", "final", "housing")],
    )
    state = state_at(file, RULES, at("2026-12-31T12:00:00"))
    assert state is not None
    assert state.status is (Status.ANSWERED_ON_TIME if offset <= 0 else Status.ANSWERED_LATE)


def test_urgent_ticket_on_a_board_without_an_urgent_policy_keeps_its_type() -> None:
    policies = {"complaint": {"due": "5 working days"}, "consultation": {"due": "1 working day"}}
    rules = Rules(make_board(policies=policies))
    # Urgent complaint received Thursday 1 Oct 22:15 (holiday): no urgent policy, so its
    # type's 5 working days from 1 Oct: 8, 9, 10 (make-up Sat), 12, 13 Oct.
    deadline = rules.deadline(make_ticket(urgent=True, received="2026-10-01T22:15:00+08:00"))
    assert deadline is not None
    assert deadline.due == at("2026-10-13T23:59:59")
    # With the urgent policy (24 hours): 2 Oct 22:15, as the docs say.
    deadline = RULES.deadline(make_ticket(urgent=True, received="2026-10-01T22:15:00+08:00"))
    assert deadline is not None
    assert deadline.due == at("2026-10-02T22:15:00")


# ---- extensions -----------------------------------------------------------------------


def test_extension_requested_exactly_at_the_due_time_counts() -> None:
    # Due end of Mon 9 Nov; requested at 23:59:59 that day is "no later than" it.
    ticket = make_ticket(
        received=RECEIVED,
        extensions=[
            extension(requested="2026-11-09T23:59:59+08:00", approved="2026-11-10T09:00:00+08:00")
        ],
    )
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.checks[0].counted
    assert deadline.due == at("2026-11-20T23:59:59")


def test_extension_requested_one_second_after_the_due_time_does_not_count() -> None:
    ticket = make_ticket(
        received=RECEIVED,
        extensions=[
            extension(requested="2026-11-10T00:00:00+08:00", approved="2026-11-10T09:00:00+08:00")
        ],
    )
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.checks[0].code == "E303"
    assert deadline.due == at("2026-11-09T23:59:59")


def test_second_extension_requested_exactly_at_the_due_time_set_by_the_first() -> None:
    # The first moves the due time to the end of Fri 20 Nov; the second is requested at
    # exactly 2026-11-20T23:59:59 and moves it to the end of Fri 27 Nov.
    ticket = make_ticket(
        received=RECEIVED,
        extensions=[
            extension(),
            extension(
                requested="2026-11-20T23:59:59+08:00",
                approved="2026-11-21T10:00:00+08:00",
                due="2026-11-27",
            ),
        ],
    )
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert [c.counted for c in deadline.checks] == [True, True]
    assert deadline.due == at("2026-11-27T23:59:59")


def test_extension_approved_at_the_same_second_it_was_requested_counts() -> None:
    moment = "2026-11-06T16:00:00+08:00"
    ticket = make_ticket(
        received=RECEIVED, extensions=[extension(requested=moment, approved=moment)]
    )
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.checks[0].counted


def test_extension_counts_from_the_very_moment_it_was_approved() -> None:
    # Requested Mon 9 Nov 20:00, before the due time; approved Tue 10 Nov 09:00:00, after
    # it. At 08:59:59 the old due time (end of 9 Nov) stood: overdue. At 09:00:00 exactly
    # the new one (end of 20 Nov) stands: open again.
    ticket = make_ticket(
        received=RECEIVED,
        extensions=[
            extension(requested="2026-11-09T20:00:00+08:00", approved="2026-11-10T09:00:00+08:00")
        ],
    )
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.due_at(at("2026-11-10T08:59:59")) == at("2026-11-09T23:59:59")
    assert deadline.due_at(at("2026-11-10T09:00:00")) == at("2026-11-20T23:59:59")
    file = make_file(ticket)
    assert state_at(file, RULES, at("2026-11-10T08:59:59")).status is Status.OVERDUE  # type: ignore[union-attr]
    assert state_at(file, RULES, at("2026-11-10T09:00:00")).status is Status.OPEN  # type: ignore[union-attr]


def test_a_final_reply_at_the_moment_of_approval_is_judged_by_the_new_due_time() -> None:
    ticket = make_ticket(
        received=RECEIVED,
        extensions=[
            extension(requested="2026-11-09T20:00:00+08:00", approved="2026-11-10T09:00:00+08:00")
        ],
    )
    answered = make_file(ticket, [("2026-11-10T09:00:00+08:00", "final", "housing")])
    state = state_at(answered, RULES, at("2026-11-30T12:00:00"))
    assert state is not None
    assert state.status is Status.ANSWERED_ON_TIME


def test_longest_extension_one_working_day_past_the_limit() -> None:
    # Original due Mon 9 Nov; 20 working days later is Mon 7 Dec (10-13, 16-20, 23-27 Nov,
    # 30 Nov-4 Dec, 7 Dec). 8 Dec is the 21st: refused.
    assert hand_add(date(2026, 11, 9), 20) == date(2026, 12, 7)
    ticket = make_ticket(received=RECEIVED, extensions=[extension(due="2026-12-08")])
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.checks[0].code == "E304"
    assert deadline.due == at("2026-11-09T23:59:59")


# ---- the board's own days, subdivisions, and missing policies ---------------------------


def test_the_boards_own_holidays_and_working_days_move_the_due_time() -> None:
    # Received Mon 2 Nov, 5 working days. With Wed 4 Nov off: 3, 5, 6, 9, 10 → Tue 10 Nov.
    # With Sat 7 Nov worked: 3, 4, 5, 6, 7 → Sat 7 Nov.
    off = Rules(make_board(calendar={"country": "CN", "add_holidays": ["2026-11-04"]}))
    worked = Rules(make_board(calendar={"country": "CN", "add_workdays": ["2026-11-07"]}))
    assert off.deadline(make_ticket(received=RECEIVED)).due == at("2026-11-10T23:59:59")  # type: ignore[union-attr]
    assert worked.deadline(make_ticket(received=RECEIVED)).due == at("2026-11-07T23:59:59")  # type: ignore[union-attr]
    # Between Mon 2 and Fri 6 Nov with 4 Nov off: 3, 5, 6 = 3 working days.
    assert off.calendar.working_days_between(date(2026, 11, 2), date(2026, 11, 6)) == 3
    assert off.calendar.is_working_day(date(2026, 11, 4)) is False


def test_the_boards_subdivision_decides_regional_holidays() -> None:
    # Scotland: St Andrew's Day, Monday 30 Nov 2026, is a bank holiday; England works.
    # A consultation (1 working day) received Fri 27 Nov is due Tue 1 Dec in Scotland and
    # Mon 30 Nov in England.
    def due(subdivision: str) -> datetime:
        board = make_board(
            timezone="Europe/London",
            calendar={"country": "GB", "subdivision": subdivision},
        )
        ticket = make_ticket(type="consultation", received="2026-11-27T10:00:00+00:00")
        deadline = Rules(board).deadline(ticket)
        assert deadline is not None
        return deadline.due

    assert due("SCT") == datetime.fromisoformat("2026-12-01T23:59:59+00:00")
    assert due("ENG") == datetime.fromisoformat("2026-11-30T23:59:59+00:00")


def test_a_type_without_a_policy_has_no_due_time() -> None:
    rules = Rules(make_board(policies={"complaint": {"due": "5 working days"}}))
    ticket = make_ticket(type="help", received=RECEIVED)
    assert rules.deadline(ticket) is None
    state = state_at(make_file(ticket), rules, at("2027-06-01T12:00:00"))
    assert state is not None
    assert (state.due, state.status) == (None, Status.OPEN)


# ---- what validation is told about each extension ---------------------------------------


def test_each_extension_check_names_its_place_and_its_rule() -> None:
    first = extension()
    second = extension(approved_by=None, due="2026-11-27")
    third = extension(requested="2026-11-07T10:00:00+08:00", approved="2026-11-07T09:00:00+08:00")
    ticket = make_ticket(received=RECEIVED, extensions=[first, second, third])
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    checks = deadline.checks
    assert [c.index for c in checks] == [0, 1, 2]
    assert [c.extension for c in checks] == list(ticket.extensions)
    assert [c.counted for c in checks] == [True, False, False]
    assert checks[1].counted is False
    assert (checks[0].code, checks[0].message) == (None, None)
    assert (checks[1].code, checks[1].message) == (
        "E304",
        "an approved extension must name who approved it (approved_by)",
    )
    assert (checks[2].code, checks[2].message) == (
        "E309",
        "extension approved before it was requested",
    )


def test_longest_extension_in_working_days_message() -> None:
    # Original due date Mon 9 Nov; to Tue 8 Dec is 21 working days (see above).
    ticket = make_ticket(received=RECEIVED, extensions=[extension(due="2026-12-08")])
    check = RULES.deadline(ticket).checks[0]  # type: ignore[union-attr]
    assert check.message == (
        "extensions add 21 working days to the original due time; the board allows 20 working days"
    )


def test_longest_extension_on_the_wall_clock() -> None:
    # Original due 2026-11-09T23:59:59. 240 hours = 10 days: to the end of Thu 19 Nov is
    # exactly 240 hours (allowed, not more); to the end of Fri 20 Nov is 11 days (refused).
    board = make_board(
        policies={"complaint": {"due": "5 working days"}, "longest_extension": "240 hours"}
    )
    rules = Rules(board)
    allowed = rules.deadline(
        make_ticket(received=RECEIVED, extensions=[extension(due="2026-11-19")])
    )
    assert allowed is not None
    assert allowed.due == at("2026-11-19T23:59:59")
    refused = rules.deadline(
        make_ticket(received=RECEIVED, extensions=[extension(due="2026-11-20")])
    )
    assert refused is not None
    assert refused.due == at("2026-11-09T23:59:59")
    assert (refused.checks[0].code, refused.checks[0].message) == (
        "E304",
        "extensions add 11 days, 0:00:00 to the original due time; the board allows 240 hours",
    )
