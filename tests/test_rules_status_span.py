"""How long a shown status holds (docs/statistics.md, /domain rules): open (green) while
at least the board's warning time is left, due soon (yellow) while less is left, overdue
(red) after the due time; answered tickets keep their status. Expected moments are
worked out by hand from the rules and the official calendar, to the second."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from answerable.core.deadlines import Rules
from answerable.core.status import Status, StatusSpan, state_at, status_span
from test_deadlines import RULES, at, make_board, make_file, make_ticket

# Tuesday 17 November 2026; a complaint has 5 working days: Wed 18, Thu 19, Fri 20,
# Mon 23, Tue 24, so it is due at the end of Tuesday 24 November (23:59:59).
RECEIVED = "2026-11-17T10:00:00+08:00"


def span(file: Any, moment: str, rules: Rules = RULES) -> StatusSpan | None:
    state = state_at(file, rules, at(moment))
    assert state is not None
    found = status_span(state, rules)
    if found is not None:  # the span's own claim, checked against the status rule
        assert state_at(file, rules, found.until).status is state.status  # type: ignore[union-attr]
        assert state_at(file, rules, found.until + timedelta(seconds=1)).status is found.then  # type: ignore[union-attr]
    return found


def test_three_hours_warning_green_until_three_hours_before_the_end_of_the_due_day() -> None:
    file = make_file(make_ticket(received=RECEIVED))
    green = StatusSpan(Status.OPEN, at("2026-11-24T20:59:59"), Status.DUE_SOON)
    assert span(file, "2026-11-20T12:00:00") == green
    assert span(file, "2026-11-24T20:59:59") == green  # its last second
    yellow = StatusSpan(Status.DUE_SOON, at("2026-11-24T23:59:59"), Status.OVERDUE)
    assert span(file, "2026-11-24T21:00:00") == yellow
    assert span(file, "2026-11-24T23:59:59") == yellow
    # Overdue stays overdue however long it waits: nothing but a new event changes it.
    assert span(file, "2026-11-25T00:00:00") is None
    assert span(file, "2027-03-01T00:00:00") is None


def test_working_days_warning_turns_yellow_at_midnight_even_on_a_weekend() -> None:
    """warn_before 2 working days: due soon when fewer than two working days are left
    after the day. Sun 22 Nov: Mon 23 and Tue 24 are left (2), open; Mon 23: only Tue
    24 (1), due soon. So open until the end of Sunday, not of Friday."""
    rules = Rules(make_board(warn_before="2 working days"))
    file = make_file(make_ticket(received=RECEIVED))
    green = StatusSpan(Status.OPEN, at("2026-11-22T23:59:59"), Status.DUE_SOON)
    assert span(file, "2026-11-18T09:00:00", rules) == green
    assert span(file, "2026-11-22T23:59:59", rules) == green
    yellow = StatusSpan(Status.DUE_SOON, at("2026-11-24T23:59:59"), Status.OVERDUE)
    assert span(file, "2026-11-23T00:00:00", rules) == yellow


def test_working_days_warning_across_the_spring_festival() -> None:
    """Received Wed 11 Feb 2026: Thu 12, Fri 13, Sat 14 (a make-up working day, 调休),
    then the holiday 15-23 Feb, Tue 24, Wed 25: due at the end of Wed 25 Feb. With 3
    working days' warning, Fri 13 still has Sat 14, Tue 24 and Wed 25 after it (3):
    open; the make-up Saturday has 2 after it: due soon, for eleven calendar days."""
    rules = Rules(make_board(warn_before="3 working days"))
    file = make_file(make_ticket(received="2026-02-11T10:00:00+08:00"))
    assert span(file, "2026-02-12T09:00:00", rules) == StatusSpan(
        Status.OPEN, at("2026-02-13T23:59:59"), Status.DUE_SOON
    )
    assert span(file, "2026-02-18T12:00:00", rules) == StatusSpan(
        Status.DUE_SOON, at("2026-02-25T23:59:59"), Status.OVERDUE
    )


def test_an_urgent_ticket_counts_hours_on_the_wall_clock() -> None:
    """24 hours from Fri 20 Nov 10:00 is Sat 21 Nov 10:00; three hours before is 07:00."""
    file = make_file(make_ticket(received="2026-11-20T10:00:00+08:00", urgent=True))
    assert span(file, "2026-11-20T10:00:00") == StatusSpan(
        Status.OPEN, at("2026-11-21T07:00:00"), Status.DUE_SOON
    )
    assert span(file, "2026-11-21T07:00:01") == StatusSpan(
        Status.DUE_SOON, at("2026-11-21T10:00:00"), Status.OVERDUE
    )


def test_answered_tickets_keep_their_status() -> None:
    on_time = make_file(
        make_ticket(received=RECEIVED), [("2026-11-23T10:00:00+08:00", "final", "housing")]
    )
    late = make_file(
        make_ticket(received=RECEIVED), [("2026-11-26T10:00:00+08:00", "final", "housing")]
    )
    assert span(on_time, "2026-11-23T10:00:00") is None
    assert span(late, "2026-12-31T10:00:00") is None


def test_a_reply_dated_ahead_ends_the_span_at_its_moment_an_interim_one_does_not() -> None:
    """The files hold a final reply dated Mon 23 Nov 10:00, after the moment shown: the
    ticket is open until the second before it, then answered on time."""
    file = make_file(
        make_ticket(received=RECEIVED),
        [
            ("2026-11-21T10:00:00+08:00", "interim", "housing"),
            ("2026-11-23T10:00:00+08:00", "final", "housing"),
        ],
    )
    assert span(file, "2026-11-20T12:00:00") == StatusSpan(
        Status.OPEN, at("2026-11-23T09:59:59"), Status.ANSWERED_ON_TIME
    )


def test_a_withdrawal_dated_ahead_ends_the_span() -> None:
    withdrawn = {"at": "2026-11-22T10:00:00+08:00", "reason": "已自行解决"}
    file = make_file(make_ticket(received=RECEIVED, withdrawn=withdrawn))
    assert span(file, "2026-11-20T12:00:00") == StatusSpan(
        Status.OPEN, at("2026-11-22T09:59:59"), Status.WITHDRAWN
    )


def extended(approved: str) -> Any:
    """Asked for on the due day at 10:00, to Fri 4 Dec (8 working days more: within the
    board's 20), approved at ``approved``."""
    extension = {
        "requested": "2026-11-24T10:00:00+08:00",
        "approved": approved,
        "approved_by": "city",
        "reason": "需协调多个部门",
        "due": "2026-12-04",
    }
    return make_file(make_ticket(received=RECEIVED, extensions=[extension]))


def test_an_extension_approved_later_turns_a_due_soon_ticket_open_again() -> None:
    file = extended("2026-11-24T22:00:00+08:00")
    # Before the band changes, the approval is still to come: green, then due soon.
    assert span(file, "2026-11-20T12:00:00") == StatusSpan(
        Status.OPEN, at("2026-11-24T20:59:59"), Status.DUE_SOON
    )
    # Due soon at 21:30 against the due time in force; at 22:00 the new one counts.
    assert span(file, "2026-11-24T21:30:00") == StatusSpan(
        Status.DUE_SOON, at("2026-11-24T21:59:59"), Status.OPEN
    )
    # Then open until three hours before the end of Fri 4 Dec.
    assert span(file, "2026-11-24T22:00:00") == StatusSpan(
        Status.OPEN, at("2026-12-04T20:59:59"), Status.DUE_SOON
    )


def test_an_extension_approved_after_the_due_time_ends_an_overdue_span() -> None:
    """Requested before the due time, approved the next morning: overdue until then."""
    file = extended("2026-11-25T09:00:00+08:00")
    assert span(file, "2026-11-25T08:00:00") == StatusSpan(
        Status.OVERDUE, at("2026-11-25T08:59:59"), Status.OPEN
    )


@pytest.mark.parametrize("minutes", [0, 30])
def test_no_warning_time_goes_from_open_to_overdue(minutes: int) -> None:
    """warn_before 0 minutes: never due soon; 30 minutes: due soon from 23:29:59 on."""
    rules = Rules(make_board(warn_before=f"{minutes} minutes"))
    file = make_file(make_ticket(received=RECEIVED))
    expected = (
        StatusSpan(Status.OPEN, at("2026-11-24T23:59:59"), Status.OVERDUE)
        if minutes == 0
        else StatusSpan(Status.OPEN, at("2026-11-24T23:29:59"), Status.DUE_SOON)
    )
    assert span(file, "2026-11-20T12:00:00", rules) == expected


def test_one_working_days_warning_is_yellow_on_the_due_day_alone() -> None:
    """warn_before 1 working day: due soon from the first day with fewer than one
    working day left after it, the due day itself (Tue 24 Nov: none after it). So open
    until the end of Monday 23, due soon through Tuesday."""
    rules = Rules(make_board(warn_before="1 working day"))
    file = make_file(make_ticket(received=RECEIVED))
    assert span(file, "2026-11-18T09:00:00", rules) == StatusSpan(
        Status.OPEN, at("2026-11-23T23:59:59"), Status.DUE_SOON
    )
    assert span(file, "2026-11-24T00:00:00", rules) == StatusSpan(
        Status.DUE_SOON, at("2026-11-24T23:59:59"), Status.OVERDUE
    )


def test_a_final_reply_at_the_last_green_second_ends_the_span_a_second_earlier() -> None:
    """The clock alone would keep it open until Tue 24 Nov 20:59:59; a final reply dated
    that very second answers it then, so it is open until 20:59:58."""
    file = make_file(
        make_ticket(received=RECEIVED), [("2026-11-24T20:59:59+08:00", "final", "housing")]
    )
    assert span(file, "2026-11-20T12:00:00") == StatusSpan(
        Status.OPEN, at("2026-11-24T20:59:58"), Status.ANSWERED_ON_TIME
    )
