"""The demo board's figures for two departments, worked out by hand from its files.

Working days use China's 2026 calendar: 25 September and 1-7 October off, Sunday 20
September and Saturday 10 October worked. "WD" below: working days after the receipt
date up to and including the reply date.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from sitebuild import ROOT


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["stats", "--board", str(ROOT), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["as_of"] == "2026-11-20T21:30:00+08:00"
    return {row["key"]: row for row in data["rows"]}


def test_qingxi_housing(rows: dict[str, dict]) -> None:
    # 11 tickets: 000002 000009 000020 000030 000036 000038 000046 000057 000063 000064 000069.
    # 000038 withdrawn; 000064 (due end of 20 Nov, 2h29m left) due soon; 000069 open.
    # Finals (WD): 002 5, 009 7 (late: due 16 Sep, answered 18 Sep), 020 15 (extended to
    # 21 Oct, answered 20 Oct), 030 5, 036 4, 046 7 (late: due 30 Oct, answered 3 Nov),
    # 057 4, 063 5. Sorted 4 4 5 5 5 7 7 15: median 5.
    # First replies add 064's interim on 16 Nov (1 WD): 1 2 4 4 5 5 5 7 7, median 5.
    # Rated: 002 basically, 009 unsatisfied, 020 030 036 057 063 satisfied.
    row = rows["qingxi-housing"]
    assert (row["received"], row["withdrawn"], row["duplicates"], row["expected"]) == (11, 1, 0, 10)
    assert (row["answered"], row["on_time"], row["late"], row["overdue"]) == (8, 6, 2, 0)
    assert (row["due_soon"], row["open"], row["decided"]) == (1, 1, 8)
    assert row["reply_rate"] == pytest.approx(8 / 10)
    assert row["on_time_rate"] == pytest.approx(6 / 8)
    assert (row["median_days_to_final_reply"], row["median_days_to_first_reply"]) == (5, 5)
    assert (row["rated"], row["satisfied"], row["basically_satisfied"], row["unsatisfied"]) == (
        7,
        5,
        1,
        1,
    )
    assert row["satisfaction_rate"] == pytest.approx(6 / 7)
    assert row["below_threshold"] is False  # 85.7% is not under 85%


def test_city_hrss(rows: dict[str, dict]) -> None:
    # 12 tickets: 000003 000010 000016 000023 000034 000041 000050 000053 000054 000062
    # 000072 000075. 000054 duplicates 000053; 000072 withdrawn; 000062 overdue (due
    # 18 Nov, no reply). Finals (WD): 003 4, 010 5, 016 1, 023 1, 034 7 (late: due
    # 19 Oct, answered 21 Oct), 041 4, 050 6 (late: due 5 Nov, answered 6 Nov), 053 5,
    # 075 0. Sorted 0 1 1 4 4 5 5 6 7: median 4. Decided: 9 answered + 1 overdue = 10.
    # Rated: 003 010 016 053 satisfied, 034 basically.
    row = rows["city-hrss"]
    assert (row["received"], row["withdrawn"], row["duplicates"], row["expected"]) == (12, 1, 1, 10)
    assert (row["answered"], row["on_time"], row["late"], row["overdue"], row["decided"]) == (
        9,
        7,
        2,
        1,
        10,
    )
    assert row["reply_rate"] == pytest.approx(9 / 10)
    assert row["on_time_rate"] == pytest.approx(7 / 10)
    assert row["median_days_to_final_reply"] == 4
    assert (row["rated"], row["satisfied"], row["basically_satisfied"], row["unsatisfied"]) == (
        5,
        4,
        1,
        0,
    )
    assert row["satisfaction_rate"] == pytest.approx(1.0)


def test_the_story_ranks_fairly(rows: dict[str, dict]) -> None:
    # linjiang-commerce: 3 of 6 ratings satisfied, named under the 85% threshold.
    commerce = rows["linjiang-commerce"]
    assert (commerce["rated"], commerce["unsatisfied"], commerce["below_threshold"]) == (6, 3, True)
    # city-environment answered all 4 decided tickets on time but has fewer than
    # min_ranked (5) decided: listed, not ranked, not at the top by chance.
    environment = rows["city-environment"]
    assert (environment["decided"], environment["on_time_rate"], environment["on_time_rank"]) == (
        4,
        1.0,
        None,
    )
