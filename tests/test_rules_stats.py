"""The figures, periods and groupings of docs/statistics.md, on small boards built here and
counted by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from answerable.core.deadlines import Rules
from answerable.core.departments import Departments
from answerable.core.snapshot import Snapshot
from answerable.core.stats import Figures, Period, PeriodError, table
from answerable.core.status import TicketState, state_at
from answerable.reading.loading import LoadedBoard
from test_deadlines import at, make_board, make_file, make_ticket

AS_OF = "2026-11-30T12:00:00"

# ---- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),  # a leap year
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
    ],
)
def test_periods(text: str, start: date, end: date) -> None:
    period = Period.parse(f" {text} ")
    assert (period.label, period.start, period.end) == (text, start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-q4", "26", "2026-1", "2026-11-01", ""])  # fmt: skip
def test_not_periods(text: str) -> None:
    with pytest.raises(PeriodError) as error:
        Period.parse(text)
    assert str(error.value) == f"'{text}' is not a period; write 2026, 2026-Q4 or 2026-11"


def test_a_period_includes_its_first_and_last_day() -> None:
    november = Period.parse("2026-11")
    assert date(2026, 11, 1) in november
    assert date(2026, 11, 30) in november
    assert date(2026, 10, 31) not in november
    assert date(2026, 12, 1) not in november
    assert "2026-11-15" not in november


def test_a_period_is_whole_months() -> None:
    assert Period.parse("2026-Q4").months == {(2026, 10), (2026, 11), (2026, 12)}
    assert Period.parse("2026").months == {(2026, month) for month in range(1, 13)}
    assert Period.parse("2028-02").months == {(2028, 2)}
    for start, end in [
        (date(2026, 11, 2), date(2026, 11, 30)),  # not from the first
        (date(2026, 11, 1), date(2026, 11, 29)),  # not to the last
        (date(2026, 12, 1), date(2026, 11, 30)),  # ends before it starts
    ]:
        with pytest.raises(PeriodError) as error:
            Period("made by hand", start, end)
        assert str(error.value) == "'made by hand' is not whole months from its start to its end"
    assert Period("two months", date(2026, 11, 1), date(2026, 12, 31)).months == {
        (2026, 11),
        (2026, 12),
    }


# ---- figures ------------------------------------------------------------------------------

DEPARTMENTS = [
    {"id": "city", "name": "市政府办公室", "level": "city"},
    {"id": "housing", "name": "住房和城乡建设局", "parent": "city"},
    {"id": "district", "name": "东区人民政府", "parent": "city", "level": "district"},
    {"id": "water", "name": "水务公司"},  # no level, no parent
]


def states(tickets: list[dict[str, Any]], **board: Any) -> tuple[Any, Rules, list[TicketState]]:
    """One state per ticket at AS_OF; each ticket dict may give ``reply`` (a final reply's
    time) besides its fields."""
    settings = make_board(**{"departments": DEPARTMENTS, **board})
    rules = Rules(settings)
    found = []
    for number, given in enumerate(tickets, start=1):
        fields = dict(given)
        reply = fields.pop("reply", None)
        department = fields.setdefault("department", "housing")
        fields.setdefault("received", "2026-11-02T09:00:00+08:00")
        ticket = make_ticket(id=f"2026-{number:06d}", **fields)
        file = make_file(ticket, [(reply, "final", department)] if reply else [])
        state = state_at(file, rules, at(AS_OF))
        assert state is not None
        found.append(state)
    return settings, rules, found


ON_TIME = "2026-11-05T10:00:00+08:00"  # received Mon 2 Nov, due end of Mon 9 Nov
LATE = "2026-11-12T10:00:00+08:00"
WITHDRAWN = {"at": "2026-11-03T10:00:00+08:00", "reason": "已解决"}


def rated(value: str) -> dict[str, str]:
    return {"value": value, "at": "2026-11-20T09:00:00+08:00", "source": "sms"}


def test_figures_of_a_small_board_by_hand() -> None:
    # 1 withdrawn, 1 duplicate, then: on time (satisfied), on time (basically satisfied),
    # late (unsatisfied), overdue (no reply, due 9 Nov, seen 30 Nov), open (received 27 Nov,
    # due end of Fri 4 Dec), in that order, so the withdrawn and duplicate come first.
    _, _, found = states(
        [
            {"withdrawn": WITHDRAWN, "reply": ON_TIME, "rating": rated("satisfied")},
            {"duplicate_of": "2026-000003"},
            {"reply": ON_TIME, "rating": rated("satisfied")},
            {"reply": ON_TIME, "rating": rated("basically-satisfied")},
            {"reply": LATE, "rating": rated("unsatisfied")},
            {},
            {"received": "2026-11-27T09:00:00+08:00"},
        ]
    )
    figures = Figures.of(found)
    assert figures.as_dict() == {
        "received": 7,
        "withdrawn": 1,
        "duplicates": 1,
        "expected": 5,  # 7 − 1 − 1
        "answered": 3,
        "reply_rate": 3 / 5,
        "decided": 4,  # 3 answered + 1 overdue
        "on_time": 2,
        "late": 1,
        "on_time_rate": 2 / 4,
        # 2/4: p = 0.5, z²/2n = 0.480182, z²/4n² = 0.060023, √(0.0625 + 0.060023) = 0.350033,
        # × z = 0.686051; (0.5 + 0.480182 − 0.686051) / 1.960365 = 0.150039.
        "on_time_lower_bound": pytest.approx(0.150039, abs=5e-6),
        "overdue": 1,
        "due_soon": 0,
        "open": 1,
        # Working days from Mon 2 Nov: to Thu 5 Nov 3, to Thu 12 Nov 8 → 3, 3, 8: median 3.
        "median_days_to_first_reply": 3,
        "median_days_to_final_reply": 3,
        # The withdrawn ticket's rating is not counted: it is not expected to be answered.
        "rated": 3,
        "satisfied": 1,
        "basically_satisfied": 1,
        "unsatisfied": 1,
        "satisfaction_rate": 2 / 3,
        # 2/3: p = 0.666667, z²/2n = 0.640243, z²/4n² = 0.106707, √(0.074074 + 0.106707)
        # = 0.425184, × z = 0.833345; (0.666667 + 0.640243 − 0.833345) / 2.280486 = 0.207660.
        "satisfaction_lower_bound": pytest.approx(0.207660, abs=5e-6),
    }


def test_empty_figures_have_no_rates() -> None:
    figures = Figures.of([])
    data = figures.as_dict()
    for key in ("reply_rate", "on_time_rate", "on_time_lower_bound", "satisfaction_rate",
                "satisfaction_lower_bound", "median_days_to_first_reply",
                "median_days_to_final_reply"):  # fmt: skip
        assert data[key] is None, key


# ---- groupings and tables -------------------------------------------------------------------


def test_every_group_of_board_yaml_gets_a_row_even_empty() -> None:
    settings, rules, found = states([{"type": "consultation", "channel": "hotline"}])
    by_type = table(settings, found, at(AS_OF), rules.local_date, by="type")
    assert [(r.key, r.name, r.figures.received) for r in by_type.rows] == [
        ("consultation", "咨询", 1),
        ("help", "求助", 0),
        ("complaint", "投诉", 0),
        ("suggestion", "建议", 0),
    ]
    assert all(row.level is None for row in by_type.rows)
    by_channel = table(settings, found, at(AS_OF), rules.local_date, by="channel")
    assert [(r.key, r.figures.received) for r in by_channel.rows][:3] == [
        ("web", 0),
        ("hotline", 1),
        ("email", 0),
    ]
    assert len(by_channel.rows) == 8  # the default channels
    by_category = table(settings, found, at(AS_OF), rules.local_date, by="category")
    assert [(r.key, r.name, r.figures.received) for r in by_category.rows] == [
        ("urban-construction", "城乡建设", 1),
        ("environment", "环境保护", 0),
    ]
    assert (by_category.min_ranked, by_category.threshold, by_category.by) == (2, 0.85, "category")


def test_a_ticket_naming_an_unknown_group_gets_a_row_of_its_own() -> None:
    settings, rules, found = states([{"category": "transport"}])
    result = table(settings, found, at(AS_OF), rules.local_date, by="category")
    assert [(r.key, r.name, r.figures.received) for r in result.rows][-1] == (
        "transport",
        "transport",
        1,
    )


def test_levels_are_inherited_and_a_department_without_one_is_dash() -> None:
    # Level rows in the order of board.yaml: city (city, and housing by inheritance),
    # district, street (no ticket, still a row); then "-" for a department without one.
    departments = [*DEPARTMENTS, {"id": "street", "name": "街道办", "parent": "district", "level": "street"}]  # fmt: skip
    _, _, found = states(
        [{"department": "district"}, {"department": "housing"}, {"department": "water"}],
        departments=departments,
    )
    settings = make_board(departments=departments)
    rules = Rules(settings)
    result = table(settings, found, at(AS_OF), rules.local_date, by="level")
    assert [(r.key, r.figures.received) for r in result.rows] == [
        ("city", 1),
        ("district", 1),
        ("street", 0),
        ("-", 1),
    ]
    assert all(row.level is None for row in result.rows)  # a level row has no level column
    by_department = table(settings, found, at(AS_OF), rules.local_date)
    assert {r.key: r.level for r in by_department.rows} == {
        "city": "city",
        "housing": "city",
        "district": "district",
        "water": None,
        "street": "street",
    }


def test_a_snapshot_counts_each_level_as_its_departments_together() -> None:
    # The snapshot sums a level's figures from its departments' (each ticket counts for
    # its department's level); by hand: city is city's and housing's tickets (2 in
    # November, 1 in October), district its own, "-" the department without a level.
    departments = [*DEPARTMENTS, {"id": "street", "name": "街道办", "parent": "district", "level": "street"}]  # fmt: skip
    settings, rules, found = states(
        [
            {"department": "housing", "reply": ON_TIME, "rating": rated("satisfied")},
            {"department": "city", "reply": LATE},
            {"department": "district"},  # overdue: due 9 Nov, seen 30 Nov
            {"department": "water", "reply": ON_TIME, "rating": rated("unsatisfied")},
            {
                "department": "housing",
                "received": "2026-10-12T09:00:00+08:00",
                "reply": "2026-10-13T10:00:00+08:00",
            },
            {"department": "district", "withdrawn": WITHDRAWN},
        ],
        departments=departments,
    )
    loaded = LoadedBoard(Path("."), settings, None, [s.file for s in found], [])
    snapshot = Snapshot(loaded, settings, rules, Departments(settings), at(AS_OF), found)
    whole = snapshot.table("level")
    assert [(r.key, r.figures.received, r.figures.answered, r.figures.on_time,
             r.figures.late, r.figures.overdue, r.figures.withdrawn, r.figures.satisfied,
             r.figures.unsatisfied) for r in whole.rows] == [
        ("city", 3, 3, 2, 1, 0, 0, 1, 0),
        ("district", 2, 0, 0, 0, 1, 1, 0, 0),
        ("street", 0, 0, 0, 0, 0, 0, 0, 0),
        ("-", 1, 1, 1, 0, 0, 0, 0, 1),
    ]  # fmt: skip
    november = snapshot.table("level", Period.parse("2026-11"))
    assert [(r.key, r.figures.received) for r in november.rows] == [
        ("city", 2), ("district", 2), ("street", 0), ("-", 1),
    ]  # fmt: skip
    # And the same, to the working days and the order of the rows, as counting every
    # ticket for its level.
    for period in (None, Period.parse("2026-11"), Period.parse("2026-10")):
        ticket_by_ticket = table(settings, found, at(AS_OF), rules.local_date, "level", period)
        assert snapshot.table("level", period) == ticket_by_ticket


def test_only_keeps_the_named_groups_and_ranks_them_among_themselves() -> None:
    # housing 2/2 on time, district 1/2, water 0/2 (min_ranked 2). Only district and
    # water: district is first (rank 1), water second; housing's tickets are left out.
    tickets = [
        {"department": "housing", "reply": ON_TIME},
        {"department": "housing", "reply": ON_TIME},
        {"department": "district", "reply": ON_TIME},
        {"department": "district", "reply": LATE},
        {"department": "water", "reply": LATE},
        {"department": "water", "reply": LATE},
    ]
    settings, rules, found = states(tickets)
    result = table(settings, found, at(AS_OF), rules.local_date, only=["water", "district"])
    assert [(r.key, r.on_time_rank) for r in result.rows] == [("district", 1), ("water", 2)]
    assert result.total.received == 4


def test_ranked_rows_by_rank_not_by_board_order() -> None:
    # water (last in board.yaml) 2/2 on time ranks 1, housing 0/2 ranks 2.
    tickets = [
        {"department": "housing", "reply": LATE},
        {"department": "housing", "reply": LATE},
        {"department": "water", "reply": ON_TIME},
        {"department": "water", "reply": ON_TIME},
    ]
    settings, rules, found = states(tickets)
    result = table(settings, found, at(AS_OF), rules.local_date)
    assert [(r.key, r.on_time_rank) for r in result.rows] == [
        ("water", 1),
        ("housing", 2),
        ("city", None),
        ("district", None),
    ]


def test_a_period_takes_tickets_by_their_receipt_in_the_board_time_zone() -> None:
    # Received 31 Oct 16:30 UTC = 1 Nov 00:30 in Shanghai: a November ticket.
    settings, rules, found = states(
        [
            {"received": "2026-10-31T16:30:00+00:00"},
            {"received": "2026-10-31T15:59:59+00:00"},  # 31 Oct 23:59:59 in Shanghai
            {"received": "2026-11-30T09:00:00+08:00"},
        ]
    )
    result = table(settings, found, at(AS_OF), rules.local_date, period=Period.parse("2026-11"))
    assert result.total.received == 2  # 1 Nov 00:30 and 30 Nov 09:00
    assert result.as_dict()["period"] == {"label": "2026-11", "start": "2026-11-01", "end": "2026-11-30"}  # fmt: skip


def test_a_table_of_a_period_sums_its_months_and_groups() -> None:
    # housing: Mon 7 Sep, answered Fri 11 Sep (4 working days, on time: due Mon 14 Sep);
    # Mon 2 Nov, answered Thu 5 Nov (3, on time); Mon 2 Nov, answered Thu 12 Nov (8, late:
    # due Mon 9 Nov). water: Tue 1 Sep, never answered, overdue at 30 Nov.
    settings, rules, found = states(
        [
            {"received": "2026-09-07T09:00:00+08:00", "reply": "2026-09-11T10:00:00+08:00"},
            {"department": "water", "received": "2026-09-01T09:00:00+08:00"},
            {"reply": ON_TIME},
            {"reply": LATE},
        ]
    )

    def figures(period: str | None) -> dict[str, tuple[int, int, int, int, float | None]]:
        chosen = Period.parse(period) if period else None
        result = table(settings, found, at(AS_OF), rules.local_date, period=chosen)
        rows = {r.key: r.figures for r in result.rows}
        rows["total"] = result.total
        return {
            key: (f.received, f.on_time, f.late, f.overdue, f.median_days_to_final_reply)
            for key, f in rows.items()
            if f.received
        }

    assert figures("2026-11") == {"housing": (2, 1, 1, 0, 5.5), "total": (2, 1, 1, 0, 5.5)}
    assert figures("2026-Q4") == figures("2026-11")
    assert figures("2026-Q3") == {
        "housing": (1, 1, 0, 0, 4),
        "water": (1, 0, 0, 1, None),
        "total": (2, 1, 0, 1, 4),
    }
    # The year sums both quarters; every ticket is of 2026, so no period is the same.
    year = {"housing": (3, 2, 1, 0, 4), "water": (1, 0, 0, 1, None), "total": (4, 2, 1, 1, 4)}
    assert figures("2026") == year
    assert figures(None) == year
    assert figures("2026-10") == {}
    # Summed parts are the figures of the whole, whatever the parts.
    assert Figures.summed([Figures.of(found[:1]), Figures.of(found[1:])]) == Figures.of(found)
    assert Figures.summed([Figures.of(found[::2]), Figures.of(found[1::2])]) == Figures.of(found)


def test_unknown_groups_come_in_the_order_of_their_first_ticket_in_the_period() -> None:
    # "north" is first of all (October), but in November "south" comes first. None is
    # ranked (min_ranked 10), so rows keep the order of their groups.
    settings, rules, found = states(
        [
            {"category": "north", "received": "2026-10-12T09:00:00+08:00"},
            {"category": "south"},
            {"category": "north"},
        ],
        min_ranked=10,
    )
    november = Period.parse("2026-11")
    result = table(settings, found, at(AS_OF), rules.local_date, by="category", period=november)
    assert [(r.key, r.figures.received) for r in result.rows][-2:] == [("south", 1), ("north", 1)]
    whole = table(settings, found, at(AS_OF), rules.local_date, by="category")
    assert [(r.key, r.figures.received) for r in whole.rows][-2:] == [("north", 2), ("south", 1)]


def test_the_json_of_a_table_has_the_documented_keys_and_values() -> None:
    # housing: 2 on time, rated satisfied and unsatisfied (min_ranked 2, threshold 0.85).
    settings, rules, found = states(
        [
            {"reply": ON_TIME, "rating": rated("satisfied")},
            {"reply": ON_TIME, "rating": rated("unsatisfied")},
        ]
    )
    data = table(settings, found, at(AS_OF), rules.local_date).as_dict()
    assert {k: v for k, v in data.items() if k not in ("total", "rows")} == {
        "as_of": "2026-11-30T12:00:00+08:00",
        "period": None,
        "by": "department",
        "min_ranked": 2,
        "satisfaction_threshold": 0.85,
    }
    housing = next(row for row in data["rows"] if row["key"] == "housing")
    assert housing == housing | {
        "key": "housing",
        "name": "住房和城乡建设局",
        "level": "city",
        "on_time_rank": 1,
        "satisfaction_rank": 1,
        "below_threshold": True,  # 1 of 2 = 50%, rated twice
        "received": 2,
    }
    assert set(housing) == {"key", "name", "level", "on_time_rank", "satisfaction_rank",
                            "below_threshold", *data["total"]}  # fmt: skip
