"""A board at a moment: which moment, which tickets, and the same board at another moment
(the reports' view), against statuses worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from answerable.checks.validation import validate
from answerable.core.snapshot import BoardError, open_board, resolve_as_of, take_snapshot
from answerable.core.stats import Period
from answerable.reading.loading import load_board
from conftest import BoardWriter
from test_deadlines import make_board


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


NOW = at("2026-12-31T12:00:00")


@pytest.fixture
def loaded(tmp_path: Path):  # type: ignore[no-untyped-def]
    # 000001: received Tue 10 Nov, no reply: due end of Tue 17 Nov.
    # 000002: received Mon 2 Nov, final reply Thu 5 Nov 10:00 (on time).
    # 000003: received Fri 20 Nov, no reply: due end of Fri 27 Nov.
    board = BoardWriter(tmp_path)
    board.ticket("2026-000001", received="2026-11-10T09:00:00+08:00")
    board.ticket("2026-000002", received="2026-11-02T09:00:00+08:00")
    board.reply("2026-000002", 1, "2026-11-05T10:00:00+08:00")
    board.ticket("2026-000003", received="2026-11-20T09:00:00+08:00")
    return load_board(tmp_path)


def seen(snapshot) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(s.ticket.id, s.status.value) for s in snapshot.states]


def test_statuses_at_the_moment_and_at_other_moments(loaded) -> None:  # type: ignore[no-untyped-def]
    snapshot = take_snapshot(loaded, at("2026-11-30T12:00:00"))
    assert seen(snapshot) == [
        ("2026-000001", "overdue"),
        ("2026-000002", "answered-on-time"),
        ("2026-000003", "overdue"),
    ]
    # 4 Nov: only 000002 received, not answered yet (its reply comes on 5 Nov).
    assert seen(snapshot.at(at("2026-11-04T12:00:00"))) == [("2026-000002", "open")]
    # 12 Nov: 000002 answered; 000001 open; 000003 not received yet. In id order.
    earlier = snapshot.at(at("2026-11-12T12:00:00"))
    assert seen(earlier) == [("2026-000001", "open"), ("2026-000002", "answered-on-time")]
    assert earlier.as_of == at("2026-11-12T12:00:00")
    assert all(s.as_of == at("2026-11-12T12:00:00") for s in earlier.states)
    # 18 Nov: 000001 overdue since 00:00.
    assert seen(snapshot.at(at("2026-11-18T00:00:00")))[0] == ("2026-000001", "overdue")
    # The same moment is the same snapshot.
    assert snapshot.at(snapshot.as_of) is snapshot
    # The snapshot at another moment is a whole board: its table, and further moments.
    assert (earlier.loaded, earlier.board, earlier.rules, earlier.departments) == (
        snapshot.loaded,
        snapshot.board,
        snapshot.rules,
        snapshot.departments,
    )
    assert earlier.table().total.received == 2
    assert seen(earlier.at(at("2026-11-04T12:00:00"))) == [("2026-000002", "open")]


def test_a_settled_state_reused_at_another_moment_is_the_state_then(loaded) -> None:  # type: ignore[no-untyped-def]
    snapshot = take_snapshot(loaded, at("2026-11-30T12:00:00"))
    moment = at("2026-11-12T12:00:00")
    reused = snapshot.at(moment).states[1]
    fresh = take_snapshot(loaded, moment).states[1]
    assert reused == fresh
    assert replace(reused, as_of=snapshot.as_of) == snapshot.states[1]


def test_received_from_leaves_out_earlier_tickets(loaded) -> None:  # type: ignore[no-untyped-def]
    snapshot = take_snapshot(loaded, at("2026-11-30T12:00:00"))
    # From 10 Nov (00:00 in the board's zone): 000001 (10 Nov) and 000003, not 000002.
    later = snapshot.at(at("2026-11-30T12:00:00"), received_from=date(2026, 11, 10))
    assert [s.ticket.id for s in later.states] == ["2026-000001", "2026-000003"]
    later = snapshot.at(at("2026-11-30T12:00:00"), received_from=date(2026, 11, 11))
    assert [s.ticket.id for s in later.states] == ["2026-000003"]
    # At the snapshot's own moment these are its own states, not worked out again, in a
    # snapshot that answers as the first does: its board, rules, departments and moment.
    assert later.states[0] is snapshot.states[2]
    assert later.as_of == snapshot.as_of
    assert (later.loaded, later.board, later.departments) == (
        snapshot.loaded, snapshot.board, snapshot.departments
    )  # fmt: skip
    table = later.table("department")
    # 000003, due end of Fri 27 Nov, is overdue on 30 Nov.
    assert (table.as_of, table.total.received, table.total.overdue) == (snapshot.as_of, 1, 1)
    assert [s.ticket.id for s in later.at(at("2026-11-25T12:00:00")).states] == [
        "2026-000001", "2026-000002", "2026-000003"
    ]  # fmt: skip
    earlier = snapshot.at(at("2026-11-20T12:00:00"), received_from=date(2026, 11, 10))
    assert [(s.ticket.id, s.status.value) for s in earlier.states] == [
        ("2026-000001", "overdue"),  # due end of Tue 17 Nov
        ("2026-000003", "open"),  # received Fri 20 Nov 09:00, due end of Fri 27 Nov
    ]


def test_the_snapshot_table_uses_its_states_and_options(loaded) -> None:  # type: ignore[no-untyped-def]
    snapshot = take_snapshot(loaded, at("2026-11-30T12:00:00"))
    total = snapshot.table().total
    assert (total.received, total.overdue, total.on_time) == (3, 2, 1)
    by_type = snapshot.table(by="type", period=Period.parse("2026-11"), only=["complaint"])
    assert [(r.key, r.figures.received) for r in by_type.rows] == [("complaint", 3)]
    assert by_type.period == Period.parse("2026-11")
    assert snapshot.table(period=Period.parse("2026-10")).total.received == 0


def test_which_moment_a_board_describes() -> None:
    board = make_board(as_of="2026-11-20T21:30:00+08:00")
    assert resolve_as_of(board, at("2026-11-01T00:00:00"), NOW) == at("2026-11-01T00:00:00")
    assert resolve_as_of(board, None, NOW) == at("2026-11-20T21:30:00")
    assert resolve_as_of(make_board(), None, NOW) == NOW


def test_a_moment_is_told_in_the_boards_zone_whatever_offset_it_came_with() -> None:
    """The same moment gives the same site: 01:00 UTC is 09:00 in Shanghai."""
    board = make_board()
    given = [
        datetime.fromisoformat("2026-11-21T01:00:00+00:00"),
        datetime.fromisoformat("2026-11-21T09:00:00+08:00"),
        datetime.fromisoformat("2026-11-20T20:00:00-05:00"),
    ]
    told = {resolve_as_of(board, moment, NOW).isoformat() for moment in given}
    assert told == {"2026-11-21T09:00:00+08:00"}
    frozen = make_board(as_of="2026-11-20T13:30:00+00:00")
    assert resolve_as_of(frozen, None, NOW).isoformat() == "2026-11-20T21:30:00+08:00"
    now = datetime.fromisoformat("2026-11-30T04:00:00+00:00")
    assert resolve_as_of(board, None, now).isoformat() == "2026-11-30T12:00:00+08:00"
    # A board kept in UTC, whose offset is zero.
    utc = make_board(timezone="UTC")
    assert resolve_as_of(utc, given[1], NOW).isoformat() == "2026-11-21T01:00:00+00:00"


def test_an_unreadable_board_is_a_board_error(tmp_path: Path) -> None:
    BoardWriter(tmp_path).write("board.yaml", "name: [\n")
    loaded = load_board(tmp_path)
    message = "board.yaml could not be read; run 'answerable validate' for details"
    with pytest.raises(BoardError) as error:
        take_snapshot(loaded, NOW)
    assert str(error.value) == message
    with pytest.raises(BoardError) as error:
        open_board(loaded, None, NOW)
    assert str(error.value) == message


def test_a_board_whose_calendar_cannot_be_built_is_a_board_error(tmp_path: Path) -> None:
    board = BoardWriter(tmp_path)
    board.write("board.yaml", (tmp_path / "board.yaml").read_text("utf-8").replace("country: CN", "country: XX"))  # fmt: skip
    loaded = load_board(tmp_path)
    assert loaded.board is not None  # the country is checked when the calendar is built
    with pytest.raises(BoardError) as error:
        open_board(loaded, at("2026-11-30T12:00:00"), NOW)
    assert str(error.value).startswith("board.yaml: calendar: ")
    assert "XX" in str(error.value)


def test_open_board_takes_the_resolved_moment(loaded) -> None:  # type: ignore[no-untyped-def]
    snapshot = open_board(loaded, at("2026-11-12T12:00:00"), NOW)
    assert snapshot.as_of == at("2026-11-12T12:00:00")
    assert len(snapshot.states) == 2
    assert open_board(loaded, None, NOW).as_of == NOW  # the test board has no as_of


def test_the_snapshot_counts_the_witnessed_times_it_is_given(board: BoardWriter) -> None:
    """open_board hands the witnessed times to the core: the complaint received Mon 2 Nov
    is due at the end of Mon 9 Nov; its reply dated Thu 5 Nov but merged Fri 20 Nov
    counts late on a board with witnessed_since, and on time without the times."""
    board.write("board.yaml", (board.root / "board.yaml").read_text("utf-8")
                + "witnessed_since: 2026-11-01\n")  # fmt: skip
    board.ticket()  # received 2026-11-02T09:14:00+08:00, a complaint: 5 working days
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    moment = datetime.fromisoformat("2026-11-25T09:00:00+08:00")
    merged = datetime.fromisoformat("2026-11-20T16:00:00+08:00")
    path = "tickets/2026/2026-000001/reply-1.md"
    late = open_board(load_board(board.root), moment, moment, {path: merged})
    assert late.states[0].status.value == "answered-late"
    on_time = open_board(load_board(board.root), moment, moment)
    assert on_time.states[0].status.value == "answered-on-time"


def test_overdue_and_due_soon_are_asked_of_the_snapshot(loaded) -> None:  # type: ignore[no-untyped-def]
    # 30 Nov: 000001 (due 17 Nov) and 000003 (due 27 Nov) overdue, the longest first.
    snapshot = take_snapshot(loaded, at("2026-11-30T12:00:00"))
    assert [s.ticket.id for s in snapshot.overdue] == ["2026-000001", "2026-000003"]
    assert snapshot.due_soon == []
    # 27 Nov 22:00: 000003 is due at midnight, within the board's 3 hours: due soon.
    evening = snapshot.at(at("2026-11-27T22:00:00"))
    assert [s.ticket.id for s in evening.overdue] == ["2026-000001"]
    assert [s.ticket.id for s in evening.due_soon] == ["2026-000003"]


def test_a_period_table_of_the_snapshot_takes_tickets_by_their_local_day(tmp_path: Path) -> None:
    """The snapshot finds a period's tickets by bisection over receipt times: its bounds
    are the period's first and last days in the board's time zone (Shanghai, UTC+8),
    to the last fraction of a second."""
    board = BoardWriter(tmp_path)
    board.ticket("2026-000001", received="2026-10-31T15:59:59+00:00")  # 31 Oct 23:59:59
    board.ticket("2026-000002", received="2026-10-31T16:00:00+00:00")  # 1 Nov 00:00:00
    board.ticket("2026-000003", received="2026-11-30T15:59:59.500000+00:00")  # 30 Nov, late
    board.ticket("2026-000004", received="2026-11-30T16:00:00+00:00")  # 1 Dec 00:00:00
    snapshot = take_snapshot(load_board(tmp_path), NOW)
    november = snapshot.table("department", Period.parse("2026-11"))
    assert november.total.received == 2
    assert snapshot.table("department", Period.parse("2026-10")).total.received == 1
    assert snapshot.table("department", Period.parse("2026-12")).total.received == 1
    assert snapshot.table("department", Period.parse("2026-Q4")).total.received == 4
    assert snapshot.table("department").total.received == 4


def test_top_ten_counts_and_asks_each_table_once(loaded) -> None:  # type: ignore[no-untyped-def]
    snapshot = take_snapshot(loaded, at("2026-11-30T12:00:00"))
    volume, unsatisfied = snapshot.top_ten(Period.parse("2026-11"))
    assert len({s.department for s in snapshot.states}) == 1  # all three in one department
    assert [row.figures.received for row in volume] == [3]
    assert unsatisfied == []  # nobody rated: no department is listed for a count of 0
    assert snapshot.table("department", Period.parse("2026-11")) is snapshot.table(
        "department", Period.parse("2026-11")
    )


def test_top_ten_is_ten_by_count_in_the_period(tmp_path: Path) -> None:
    """Twelve departments: in November unit-01 received 1 message, unit-02 2, ...
    unit-12 12; in October unit-01 received 20 more. November's ten with the most are
    unit-12 down to unit-03 (October's do not count). Unsatisfied ratings in November:
    unit-05 two, eleven others one each (not unit-01): unit-05 first, then those with one
    by their id, ten in all, so unit-12 is left out."""
    board = BoardWriter(tmp_path)
    units = "".join(
        f"  - {{id: unit-{n:02d}, name: 测试单位{n:02d}, parent: city}}\n" for n in range(1, 13)
    )
    text = (tmp_path / "board.yaml").read_text("utf-8")
    board.write("board.yaml", text.replace("categories:\n", units + "categories:\n", 1))
    unhappy = dict.fromkeys(range(2, 13), 1) | {5: 2}
    rating = "rating: {value: unsatisfied, at: 2026-11-29T09:00:00+08:00, source: online}\n"
    made = 0

    def ticket(unit: int, received: str, rated: bool) -> None:
        nonlocal made
        made += 1
        ticket_id = f"2026-{made:06d}"
        department = f"unit-{unit:02d}"
        board.ticket(
            ticket_id, received=received, department=department, extra=rating if rated else ""
        )
        board.reply(ticket_id, 1, received[:8] + "28T10:00:00+08:00", department=department)

    for _ in range(20):
        ticket(1, "2026-10-12T09:00:00+08:00", rated=False)
    for unit in range(1, 13):
        for index in range(unit):
            ticket(unit, "2026-11-02T09:00:00+08:00", rated=index < unhappy.get(unit, 0))
    loaded = load_board(tmp_path)
    assert validate(loaded) == []
    snapshot = take_snapshot(loaded, at("2026-11-30T12:00:00"))
    volume, unsatisfied = snapshot.top_ten(Period.parse("2026-11"))
    assert [(row.key, row.figures.received) for row in volume] == [
        (f"unit-{n:02d}", n) for n in range(12, 2, -1)
    ]
    assert [(row.key, row.figures.unsatisfied) for row in unsatisfied] == [
        ("unit-05", 2),
        *((f"unit-{n:02d}", 1) for n in (2, 3, 4, 6, 7, 8, 9, 10, 11)),
    ]


def test_overdue_tickets_are_listed_by_due_time_not_by_id(tmp_path: Path) -> None:
    """000001 received Mon 16 Nov (due end of Mon 23 Nov), 000002 received Mon 9 Nov (due
    end of Mon 16 Nov): on 30 Nov both are overdue, 000002 the longest."""
    board = BoardWriter(tmp_path)
    board.ticket("2026-000001", received="2026-11-16T09:00:00+08:00")
    board.ticket("2026-000002", received="2026-11-09T09:00:00+08:00")
    snapshot = take_snapshot(load_board(tmp_path), at("2026-11-30T12:00:00"))
    assert [s.ticket.id for s in snapshot.overdue] == ["2026-000002", "2026-000001"]


def test_received_from_starts_at_midnight_in_the_board_s_zone(tmp_path: Path) -> None:
    """A report from 1 Nov holds a ticket received 1 Nov 00:30 in Shanghai (31 Oct 16:30
    UTC), and not one received a second before that midnight."""
    board = BoardWriter(tmp_path)
    board.ticket("2026-000001", received="2026-10-31T15:59:59+00:00")  # 31 Oct 23:59:59
    board.ticket("2026-000002", received="2026-10-31T16:30:00+00:00")  # 1 Nov 00:30
    snapshot = take_snapshot(load_board(tmp_path), NOW)
    report = snapshot.at(at("2026-11-30T23:59:59"), received_from=date(2026, 11, 1))
    assert [s.ticket.id for s in report.states] == ["2026-000002"]
