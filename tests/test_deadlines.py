"""Due times and statuses at a moment, against hand-computed expectations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from answerable.core.deadlines import Rules
from answerable.core.records import Board, ReplyMeta, Ticket
from answerable.core.status import Status, holder_at, state_at
from answerable.reading.loading import ReplyFile, TicketFile
from answerable.reading.yaml_source import YamlDocument, parse_yaml
from conftest import BOARD_YAML

CST = "+08:00"


def make_board(**changes: Any) -> Board:
    data = parse_yaml(BOARD_YAML).data
    data.update(changes)
    return Board.model_validate(data)


RULES = Rules(make_board())


def make_ticket(**fields: Any) -> Ticket:
    data = {
        "id": "2026-000001",
        "title": "墙砖脱落",
        "received": "2026-02-13T10:00:00+08:00",
        "channel": "web",
        "type": "complaint",
        "category": "urban-construction",
        "department": "housing",
        "submitter": "徐先生",
        "message": "外墙墙砖脱落。",
    }
    data.update(fields)
    return Ticket.model_validate(data)


def make_file(ticket: Ticket, replies: list[tuple[str, str, str]] = ()) -> TicketFile:  # type: ignore[assignment]
    files = [
        ReplyFile(
            number,
            f"reply-{number}.md",
            ReplyMeta.model_validate(
                {"date": when, "kind": kind, "department": dept}
                | ({"promised": "2026-12-31"} if kind == "interim" else {})
            ),
            "答复正文。",
            5,
            YamlDocument(None),
        )
        for number, (when, kind, dept) in enumerate(replies, start=1)
    ]
    return TicketFile("tickets/2026/2026-000001", "t.yaml", ticket, YamlDocument(None), files)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + CST)


def test_friday_before_spring_festival() -> None:
    deadline = RULES.deadline(make_ticket(received="2026-02-13T16:40:00+08:00"))
    assert deadline is not None
    assert deadline.due == at("2026-02-27T23:59:59")


def test_consultation_is_one_working_day() -> None:
    deadline = RULES.deadline(
        make_ticket(type="consultation", received="2026-09-30T09:00:00+08:00")
    )
    assert deadline is not None
    assert deadline.due == at("2026-10-08T23:59:59")


def test_received_on_holiday_counts_from_next_working_day() -> None:
    # Received Saturday 3 Oct (holiday): working days 8, 9, 10 (make-up Sat), 12, 13 Oct.
    deadline = RULES.deadline(make_ticket(received="2026-10-03T11:00:00+08:00"))
    assert deadline is not None
    assert deadline.due == at("2026-10-13T23:59:59")


def test_day_is_taken_in_the_board_time_zone() -> None:
    # 20:00 UTC on Thursday is 04:00 Friday in Shanghai: day zero is Friday.
    deadline = RULES.deadline(
        make_ticket(type="consultation", received="2026-11-19T20:00:00+00:00")
    )
    assert deadline is not None
    assert deadline.due == at("2026-11-23T23:59:59")


def test_urgent_counts_wall_clock_hours() -> None:
    deadline = RULES.deadline(make_ticket(urgent=True, received="2026-10-01T22:15:00+08:00"))
    assert deadline is not None
    assert deadline.due == at("2026-10-02T22:15:00")


def test_extension_counts_when_valid() -> None:
    ticket = make_ticket(
        received="2026-11-02T09:00:00+08:00",
        extensions=[
            {
                "requested": "2026-11-06T16:00:00+08:00",
                "approved": "2026-11-06T17:30:00+08:00",
                "approved_by": "city",
                "reason": "需协调多个部门现场核查",
                "due": "2026-11-20",
            }
        ],
    )
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.original == at("2026-11-09T23:59:59")
    assert deadline.due == at("2026-11-20T23:59:59")
    # Before the approval the old due time still stood.
    assert deadline.due_at(at("2026-11-06T17:00:00")) == at("2026-11-09T23:59:59")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"requested": "2026-11-10T09:00:00+08:00", "approved": "2026-11-10T10:00:00+08:00"},
            "E303",
        ),
        ({"approved": None}, None),
        ({"approved_by": None}, "E304"),
        ({"due": "2026-11-09"}, "E304"),
        ({"due": "2026-12-09"}, "E304"),  # 22 working days after 9 Nov
        ({"approved": "2026-11-05T10:00:00+08:00"}, "E309"),
    ],
)
def test_extension_that_does_not_count(change: dict[str, Any], code: str | None) -> None:
    extension = {
        "requested": "2026-11-06T16:00:00+08:00",
        "approved": "2026-11-06T17:30:00+08:00",
        "approved_by": "city",
        "reason": "需协调",
        "due": "2026-11-20",
    } | change
    ticket = make_ticket(received="2026-11-02T09:00:00+08:00", extensions=[extension])
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.due == at("2026-11-09T23:59:59")
    assert not deadline.checks[0].counted
    assert deadline.checks[0].code == code


def test_longest_extension_boundary_is_allowed() -> None:
    # 20 working days after Monday 9 Nov is Monday 7 Dec.
    ticket = make_ticket(
        received="2026-11-02T09:00:00+08:00",
        extensions=[
            {
                "requested": "2026-11-06T16:00:00+08:00",
                "approved": "2026-11-06T17:30:00+08:00",
                "approved_by": "city",
                "reason": "需协调",
                "due": "2026-12-07",
            }
        ],
    )
    deadline = RULES.deadline(ticket)
    assert deadline is not None
    assert deadline.due == at("2026-12-07T23:59:59")


RECEIVED = "2026-11-02T09:00:00+08:00"  # Monday; due end of Monday 9 Nov


@pytest.mark.parametrize(
    ("as_of", "replies", "status", "days_late"),
    [
        ("2026-11-05T12:00:00", [], Status.OPEN, 0),
        # Due at 23:59:59: exactly three hours left is not yet "less than three hours".
        ("2026-11-09T20:59:59", [], Status.OPEN, 0),
        ("2026-11-09T21:00:00", [], Status.DUE_SOON, 0),
        ("2026-11-09T23:59:59", [], Status.DUE_SOON, 0),
        ("2026-11-10T00:00:00", [], Status.OVERDUE, 1),
        ("2026-11-16T10:00:00", [], Status.OVERDUE, 5),
        (
            "2026-11-16T10:00:00",
            [("2026-11-09T23:59:59+08:00", "final")],
            Status.ANSWERED_ON_TIME,
            0,
        ),
        ("2026-11-16T10:00:00", [("2026-11-11T10:00:00+08:00", "final")], Status.ANSWERED_LATE, 2),
        # A reply after the moment does not exist yet at that moment.
        ("2026-11-10T10:00:00", [("2026-11-11T10:00:00+08:00", "final")], Status.OVERDUE, 1),
        # An interim reply does not stop the clock.
        ("2026-11-10T10:00:00", [("2026-11-03T10:00:00+08:00", "interim")], Status.OVERDUE, 1),
    ],
)
def test_status_at_a_moment(
    as_of: str, replies: list[tuple[str, str]], status: Status, days_late: int
) -> None:
    file = make_file(make_ticket(received=RECEIVED), [(d, k, "housing") for d, k in replies])
    state = state_at(file, RULES, at(as_of))
    assert state is not None
    assert state.status is status
    assert state.days_late == days_late


def test_not_received_yet() -> None:
    file = make_file(make_ticket(received=RECEIVED))
    assert state_at(file, RULES, at("2026-11-01T10:00:00")) is None


def test_working_days_taken_and_to_first_reply() -> None:
    file = make_file(
        make_ticket(received=RECEIVED),
        [
            ("2026-11-03T10:00:00+08:00", "interim", "housing"),
            ("2026-11-06T10:00:00+08:00", "final", "housing"),
        ],
    )
    state = state_at(file, RULES, at("2026-11-20T10:00:00"))
    assert state is not None
    assert (state.days_to_first_reply, state.days_to_final_reply, state.days_taken) == (1, 4, 4)


def test_withdrawn_and_duplicate() -> None:
    withdrawn = make_file(
        make_ticket(
            received=RECEIVED, withdrawn={"at": "2026-11-04T10:00:00+08:00", "reason": "已自行解决"}
        )
    )
    assert state_at(withdrawn, RULES, at("2026-11-03T10:00:00")).status is Status.OPEN  # type: ignore[union-attr]
    assert state_at(withdrawn, RULES, at("2026-11-20T10:00:00")).status is Status.WITHDRAWN  # type: ignore[union-attr]
    duplicate = make_file(make_ticket(received=RECEIVED, duplicate_of="2026-000002"))
    assert state_at(duplicate, RULES, at("2026-11-20T10:00:00")).status is Status.DUPLICATE  # type: ignore[union-attr]


def test_attribution_follows_transfers_then_final_reply() -> None:
    ticket = make_ticket(
        received=RECEIVED,
        department="district",
        transfers=[
            {"at": "2026-11-02T10:00:00+08:00", "from": "city", "to": "housing", "reason": "职责"},
            {
                "at": "2026-11-03T10:00:00+08:00",
                "from": "housing",
                "to": "district",
                "reason": "属地管理",
            },
        ],
    )
    assert holder_at(ticket, at("2026-11-02T09:30:00")) == "city"
    assert holder_at(ticket, at("2026-11-02T12:00:00")) == "housing"
    assert holder_at(ticket, at("2026-11-04T12:00:00")) == "district"
    answered = make_file(ticket, [("2026-11-05T10:00:00+08:00", "final", "district-street")])
    assert state_at(answered, RULES, at("2026-11-20T10:00:00")).department == "district-street"  # type: ignore[union-attr]


def test_warn_before_in_working_days() -> None:
    rules = Rules(make_board(warn_before="1 working day"))
    file = make_file(make_ticket(received=RECEIVED))
    assert state_at(file, rules, at("2026-11-06T10:00:00")).status is Status.OPEN  # type: ignore[union-attr]
    assert state_at(file, rules, at("2026-11-09T08:00:00")).status is Status.DUE_SOON  # type: ignore[union-attr]


# ---- invariants -----------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


def _due(
    received: datetime, n: int, holidays: list[date] = (), workdays: list[date] = ()
) -> datetime:  # type: ignore[assignment]
    board = make_board(
        calendar={"country": "CN", "add_holidays": [d.isoformat() for d in holidays],
                  "add_workdays": [d.isoformat() for d in workdays]},
        policies={"complaint": {"due": f"{n} working days"}},
    )  # fmt: skip
    ticket = make_ticket(received=received.isoformat() + CST)
    deadline = Rules(board).deadline(ticket)
    assert deadline is not None
    return deadline.due


@settings(max_examples=60, deadline=None)
@given(received=moments, n=st.integers(1, 20), holiday=days)
def test_adding_a_holiday_never_makes_a_due_time_earlier(
    received: datetime, n: int, holiday: date
) -> None:
    assert _due(received, n, holidays=[holiday]) >= _due(received, n)


@settings(max_examples=60, deadline=None)
@given(received=moments, n=st.integers(1, 20), workday=days)
def test_adding_a_working_day_never_makes_a_due_time_later(
    received: datetime, n: int, workday: date
) -> None:
    assert _due(received, n, workdays=[workday]) <= _due(received, n)


@settings(max_examples=60, deadline=None)
@given(received=moments, n=st.integers(0, 30))
def test_due_is_end_of_a_working_day_n_working_days_later(received: datetime, n: int) -> None:
    due = _due(received, n)
    cal = RULES.calendar
    assert due.time().isoformat() == "23:59:59"
    if n == 0:  # the end of the day of receipt, working day or not
        assert due.date() == received.date()
        return
    assert cal.is_working_day(due.date())
    assert cal.working_days_between(received.date(), due.date()) == n


@settings(max_examples=60, deadline=None)
@given(received=moments, n=st.integers(1, 10), earlier=moments, later=moments)
def test_status_moves_forward_in_time(
    received: datetime, n: int, earlier: datetime, later: datetime
) -> None:
    earlier, later = sorted((earlier, later))
    tz = RULES.zone
    file = make_file(make_ticket(received=received.isoformat() + CST))
    first = state_at(file, RULES, earlier.replace(tzinfo=tz))
    second = state_at(file, RULES, later.replace(tzinfo=tz))
    order = [Status.OPEN, Status.DUE_SOON, Status.OVERDUE]
    if first is not None:
        assert second is not None
        assert order.index(second.status) >= order.index(first.status)
        assert second.days_late >= first.days_late


@settings(max_examples=40, deadline=None)
@given(received=moments, reply_after=st.integers(0, 60 * 24 * 30))
def test_on_time_exactly_when_replied_by_the_due_time(received: datetime, reply_after: int) -> None:
    reply = received + timedelta(minutes=reply_after)
    file = make_file(
        make_ticket(received=received.isoformat() + CST),
        [(reply.isoformat() + CST, "final", "housing")],
    )
    state = state_at(file, RULES, reply.replace(tzinfo=RULES.zone) + timedelta(days=1))
    assert state is not None
    assert state.due is not None
    on_time = reply.replace(tzinfo=RULES.zone) <= state.due
    assert state.status is (Status.ANSWERED_ON_TIME if on_time else Status.ANSWERED_LATE)


def test_settled_since() -> None:
    final = ("2026-11-05T10:00:00+08:00", "final", "housing")
    answered = make_file(make_ticket(received=RECEIVED), [final])
    state = state_at(answered, RULES, at("2026-11-20T10:00:00"))
    assert state is not None
    assert state.settled_since == at("2026-11-05T10:00:00")
    # A supplement dated after the moment: the page will change when it comes.
    later = make_file(
        make_ticket(received=RECEIVED),
        [final, ("2026-11-21T10:00:00+08:00", "supplement", "housing")],
    )
    assert state_at(later, RULES, at("2026-11-20T10:00:00")).settled_since is None  # type: ignore[union-attr]
    assert state_at(later, RULES, at("2026-11-22T10:00:00")).settled_since == at(
        "2026-11-21T10:00:00"
    )  # type: ignore[union-attr]
    # An open ticket changes with time; a rating is an event too.
    assert (
        state_at(
            make_file(make_ticket(received=RECEIVED)), RULES, at("2026-11-20T10:00:00")
        ).settled_since
        is None
    )  # type: ignore[union-attr]
    rated = make_file(
        make_ticket(received=RECEIVED, rating={"value": "satisfied", "at": "2026-11-08T09:00:00+08:00", "source": "sms"}),
        [final],
    )  # fmt: skip
    assert state_at(rated, RULES, at("2026-11-07T10:00:00")).settled_since is None  # type: ignore[union-attr]
    assert state_at(rated, RULES, at("2026-11-09T10:00:00")).settled_since == at(
        "2026-11-08T09:00:00"
    )  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None)
@given(
    received=moments,
    reply_after=st.integers(0, 60 * 24 * 30),
    first=st.integers(0, 60 * 24 * 400),
    second=st.integers(0, 60 * 24 * 400),
)
def test_a_settled_state_is_the_same_at_every_later_moment(
    received: datetime, reply_after: int, first: int, second: int
) -> None:
    """What lets a settled ticket's page be kept across builds at later moments."""
    reply = received + timedelta(minutes=reply_after)
    file = make_file(
        make_ticket(received=received.isoformat() + CST),
        [(reply.isoformat() + CST, "final", "housing")],
    )
    settled = reply.replace(tzinfo=RULES.zone)
    one = state_at(file, RULES, settled + timedelta(minutes=first))
    two = state_at(file, RULES, settled + timedelta(minutes=second))
    assert one is not None
    assert two is not None
    assert one.settled_since == two.settled_since == settled
    assert replace(one, as_of=two.as_of) == two
