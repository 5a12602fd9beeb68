"""The ranking and naming rules of docs/statistics.md, against values worked out by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest

from answerable.core.deadlines import Rules
from answerable.core.ranking import rank, wilson_lower
from answerable.core.stats import table
from answerable.core.status import state_at
from test_deadlines import at, make_board, make_file, make_ticket

# ---- the Wilson lower bound ------------------------------------------------------------

# z = 1.959964, z² = 3.841459. For s = n (p = 1) the formula reduces to
# L = (1 + z²/2n − z·√(z²/4n²)) / (1 + z²/n) = (1 + z²/2n − z²/2n) / (1 + z²/n) = n / (n + z²).
#   1/1:   1 / 4.841459          = 0.206549
#   10/10: 10 / 13.841459        = 0.722467
# For 9/10: p = 0.9, z²/2n = 0.192073, z²/4n² = 0.009604,
#   √(0.09/10 + 0.009604) = √0.018604 = 0.136395, × z = 0.267330,
#   (0.9 + 0.192073 − 0.267330) / (1 + 0.384146) = 0.824743 / 1.384146 = 0.595850.
# For 45/50: z²/2n = 0.038415, z²/4n² = 0.000384, √(0.0018 + 0.000384) = √0.002184
#   = 0.046735, × z = 0.091599; (0.9 + 0.038415 − 0.091599) / 1.076829 = 0.786398.
# For 48/50: √(0.96·0.04/50 + 0.000384) = √0.001152 = 0.033943, × z = 0.066528;
#   (0.96 + 0.038415 − 0.066528) / 1.076829 = 0.865399.
# For 90/100: z²/2n = 0.019207, z²/4n² = 0.000096, √(0.0009 + 0.000096) = √0.000996
#   = 0.031560, × z = 0.061857; (0.9 + 0.019207 − 0.061857) / 1.038415 = 0.825634.
# For 0/n: p = 0, L = (z²/2n − z·√(z²/4n²)) / … = (z²/2n − z²/2n) / … = 0.
DOCS_TABLE = [
    (1, 1, 0.206549, "20.7%"),
    (9, 10, 0.595850, "59.6%"),
    (10, 10, 0.722467, "72.2%"),
    (45, 50, 0.786398, "78.6%"),
    (48, 50, 0.865399, "86.5%"),
    (90, 100, 0.825634, "82.6%"),
]


@pytest.mark.parametrize(("s", "n", "bound", "shown"), DOCS_TABLE)
def test_wilson_lower_bound_of_the_docs_table(s: int, n: int, bound: float, shown: str) -> None:
    value = wilson_lower(s, n)
    assert value is not None
    assert value == pytest.approx(bound, abs=5e-6)
    assert f"{value:.1%}" == shown


def test_wilson_of_nothing_and_of_no_success() -> None:
    assert wilson_lower(0, 0) is None
    assert wilson_lower(0, 5) == pytest.approx(0.0, abs=1e-12)
    # 5/5: 5 / (5 + 3.841459) = 0.565518
    assert wilson_lower(5, 5) == pytest.approx(0.565518, abs=5e-6)


def test_wilson_is_never_negative() -> None:
    assert all((wilson_lower(0, n) or 0.0) >= 0.0 for n in range(1, 200))


def test_ninety_of_a_hundred_above_ten_of_ten_above_one_of_one() -> None:
    ranks = rank([("one", 1, 1), ("ten", 10, 10), ("hundred", 90, 100)], minimum=1)
    assert ranks == {"hundred": 1, "ten": 2, "one": 3}


# ---- ranks ------------------------------------------------------------------------------


def test_competition_ranks_after_a_tie() -> None:
    # 10/10 = 0.722; 9/10 twice = 0.596 (same bound, same sample: shared rank 2);
    # 8/10: p = 0.8, √(0.016 + 0.009604) = 0.160011, × z = 0.313617,
    # (0.8 + 0.192073 − 0.313617) / 1.384146 = 0.490162: rank 4, not 3.
    ranks = rank([("a", 10, 10), ("b", 9, 10), ("c", 9, 10), ("d", 8, 10)], minimum=5)
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_three_way_tie_then_rank_five() -> None:
    ranks = rank([("a", 10, 10), ("b", 9, 10), ("c", 9, 10), ("d", 9, 10), ("e", 8, 10)], minimum=5)
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 2, "e": 5}


def test_equal_bound_larger_sample_first() -> None:
    # 0/6 and 0/9 both have the lower bound 0 (see above): the larger sample, 9, is first,
    # whatever the order given. Equal bound and equal sample share the rank.
    assert rank([("small", 0, 6), ("large", 0, 9)], minimum=5) == {"large": 1, "small": 2}
    assert rank([("large", 0, 9), ("small", 0, 6)], minimum=5) == {"large": 1, "small": 2}
    assert rank([("x", 0, 6), ("y", 0, 6), ("z", 0, 9)], minimum=5) == {"z": 1, "x": 2, "y": 2}


def test_minimum_sample_is_inclusive() -> None:
    # 5 decided with min 5: ranked; 4 decided: listed, not ranked; 0 never ranked.
    ranks = rank([("five", 4, 5), ("four", 4, 4), ("none", 0, 0)], minimum=5)
    assert ranks == {"five": 1, "four": None, "none": None}
    assert rank([("none", 0, 0)], minimum=0) == {"none": None}


def test_rank_is_by_bound_not_by_rate() -> None:
    # 4/4 = 100% but 4 / 7.841459 = 0.510109; 45/50 = 90% with 0.786398: the 90% is first.
    assert wilson_lower(4, 4) == pytest.approx(0.510109, abs=5e-6)
    assert rank([("small", 4, 4), ("big", 45, 50)], minimum=1) == {"big": 1, "small": 2}


# ---- the table: row order and naming ----------------------------------------------------

DEPARTMENTS = [
    {"id": "city", "name": "市政府办公室", "level": "city"},
    {"id": "housing", "name": "住房和城乡建设局", "parent": "city"},
    {"id": "water", "name": "水务局", "parent": "city"},
    {"id": "transport", "name": "交通运输局", "parent": "city"},
]
RATINGS = ("satisfied", "basically-satisfied", "unsatisfied")


def _board_table(groups: dict[str, list[tuple[bool, str | None]]], **board: Any) -> Any:
    """A board whose department ``key`` has one ticket per ``(on_time, rating)``: received
    Mon 2 Nov 09:00, due end of Mon 9 Nov, answered on Thu 5 Nov (on time) or Thu 12 Nov
    (late), rated on 20 Nov when a rating is given; seen on 30 Nov."""
    settings = make_board(departments=DEPARTMENTS, **board)
    rules = Rules(settings)
    states = []
    number = 0
    for department, tickets in groups.items():
        for on_time, rating in tickets:
            number += 1
            fields: dict[str, Any] = {
                "id": f"2026-{number:06d}",
                "received": "2026-11-02T09:00:00+08:00",
                "department": department,
            }
            if rating:
                fields["rating"] = {"value": rating, "at": "2026-11-20T09:00:00+08:00", "source": "sms"}  # fmt: skip
            reply = "2026-11-05T10:00:00+08:00" if on_time else "2026-11-12T10:00:00+08:00"
            file = make_file(make_ticket(**fields), [(reply, "final", department)])
            states.append(state_at(file, rules, at("2026-11-30T12:00:00")))
    return table(settings, states, at("2026-11-30T12:00:00"), rules.local_date)


def test_rows_by_on_time_rank_then_unranked_in_board_order() -> None:
    # min_ranked 2. water 2/2 on time (2/5.841 = 0.342), transport 1/2 (lower), city and
    # housing 1 decided each: unranked, listed after in board.yaml order (city, housing),
    # not in the order of their rates (housing 1/1 = 100% before city 0/1).
    result = _board_table(
        {
            "housing": [(True, None)],
            "city": [(False, None)],
            "transport": [(True, None), (False, None)],
            "water": [(True, None), (True, None)],
        }
    )
    assert [(r.key, r.on_time_rank) for r in result.rows] == [
        ("water", 1),
        ("transport", 2),
        ("city", None),
        ("housing", None),
    ]
    # Figures by hand: 6 tickets, 4 on time, 2 late.
    assert (result.total.received, result.total.on_time, result.total.late) == (6, 4, 2)
    assert result.total.on_time_rate == pytest.approx(4 / 6)


def test_naming_exactly_at_the_threshold_is_not_named() -> None:
    # Threshold 0.75, min_ranked 2.
    # water: 3 of 4 satisfied (one basically) = 0.75 exactly: not below, not named.
    # housing: 2 of 3 = 0.667 < 0.75: named.
    # transport: 0 of 1: below, but rated fewer than min_ranked times: not named.
    # city: 2 of 2 = 100%: not named.
    result = _board_table(
        {
            "water": [(True, "satisfied"), (True, "satisfied"), (True, "basically-satisfied"), (True, "unsatisfied")],
            "housing": [(True, "satisfied"), (True, "satisfied"), (True, "unsatisfied")],
            "transport": [(True, "unsatisfied")],
            "city": [(True, "satisfied"), (True, "satisfied")],
        },
        satisfaction_threshold=0.75,
    )  # fmt: skip
    assert [row.key for row in result.named] == ["housing"]
    water = next(row for row in result.rows if row.key == "water")
    assert water.figures.satisfaction_rate == 0.75
    assert not water.below_threshold


def test_naming_needs_min_ranked_ratings_inclusive() -> None:
    # min_ranked 2: two unsatisfied ratings of two (0%) name the unit; one of one does not.
    result = _board_table(
        {
            "water": [(True, "unsatisfied"), (True, "unsatisfied")],
            "housing": [(True, "unsatisfied")],
        }
    )
    assert [row.key for row in result.named] == ["water"]


def test_satisfaction_rank_counts_basically_satisfied() -> None:
    # water: 2 basically satisfied of 2 = 2/2 → 0.342; housing: 1 satisfied, 1 unsatisfied
    # = 1/2: p = 0.5, √(0.125 + 0.240091) = 0.604228, × z = 1.184265,
    # (0.5 + 0.960365 − 1.184265) / 2.920729 = 0.094531.
    result = _board_table(
        {
            "water": [(True, "basically-satisfied"), (True, "basically-satisfied")],
            "housing": [(True, "satisfied"), (False, "unsatisfied")],
        }
    )
    rows = {row.key: row for row in result.rows}
    assert rows["water"].satisfaction_rank == 1
    assert rows["housing"].satisfaction_rank == 2
    assert rows["housing"].figures.satisfaction_lower == pytest.approx(0.094531, abs=5e-6)
    assert math.isclose(rows["water"].figures.satisfaction_lower or 0, 2 / (2 + 1.959964**2), abs_tol=2e-6)  # fmt: skip


def test_no_success_ranks_below_any_success() -> None:
    # 0/5 has the lower bound 0; 1/5: p = 0.2, z²/2n = 0.384146, z²/4n² = 0.038415,
    # √(0.032 + 0.038415) = √0.070415 = 0.265358, × z = 0.520091, (0.2 + 0.384146 − 0.520091) / 1.768292
    # = 0.036224 > 0.
    assert wilson_lower(1, 5) == pytest.approx(0.036224, abs=5e-6)
    assert rank([("none", 0, 5), ("one", 1, 5)], minimum=5) == {"one": 1, "none": 2}


def test_most_lists_counts_above_zero_largest_first_then_tie_then_key() -> None:
    from dataclasses import dataclass

    from answerable.core.ranking import most

    @dataclass
    class Item:
        key: str
        count: int
        rate: float

    items = [Item("b", 2, 0.5), Item("a", 2, 0.5), Item("c", 5, 0.1), Item("d", 0, 1.0)]
    assert [i.key for i in most(items, lambda i: i.count)] == ["c", "a", "b"]
    items[1].rate = 0.9  # a higher rate first when the counts are equal
    assert [i.key for i in most(items, lambda i: i.count, tie=lambda i: -i.rate)] == ["c", "a", "b"]
    assert [i.key for i in most(items, lambda i: i.count, tie=lambda i: i.rate)] == ["c", "b", "a"]
