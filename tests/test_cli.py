"""The command line on small boards with hand-computed figures."""

from __future__ import annotations

import importlib.abc
import json
import shutil
import sys

import click
import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from conftest import BoardWriter

AS_OF = "2026-11-20T21:30:00+08:00"  # a Friday evening


@pytest.fixture
def story(board: BoardWriter) -> BoardWriter:
    """Six tickets whose figures are worked out by hand in the tests below."""
    rated = "rating: {{value: {value}, at: 2026-11-16T10:00:00+08:00, source: return-visit}}\n"
    # 1: complaint Mon 2 Nov, due end of Mon 9 Nov; final Thu 5 Nov: on time, 3 working days.
    board.ticket(
        "2026-000001", extra=rated.format(value="unsatisfied") + "resolution: unresolved\n"
    )
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    # 2: same due time; final Wed 11 Nov: 2 working days late, 7 working days taken.
    board.ticket("2026-000002", extra=rated.format(value="basically-satisfied"))
    board.reply("2026-000002", 1, "2026-11-11T10:00:00+08:00")
    # 3: complaint Mon 9 Nov, due end of Mon 16 Nov, no reply: overdue by 17-20 Nov = 4.
    board.ticket("2026-000003", received="2026-11-09T10:00:00+08:00")
    # 4: consultation Thu 19 Nov, due end of Fri 20 Nov: 2h29m59s left at 21:30, due soon.
    board.ticket(
        "2026-000004",
        received="2026-11-19T10:00:00+08:00",
        type="consultation",
        department="district",
    )
    # 5: help Wed 18 Nov, due Wed 25 Nov, interim reply Thu 19 Nov: open.
    board.ticket(
        "2026-000005", received="2026-11-18T10:00:00+08:00", type="help", department="district"
    )
    board.reply("2026-000005", 1, "2026-11-19T10:00:00+08:00", kind="interim", department="district",
                extra="promised: 2026-11-25\n")  # fmt: skip
    # 6: complaint Fri 9 Oct, final Mon 12 Oct by the street office (Sat 10 Oct is a working day).
    board.ticket("2026-000006", received="2026-10-09T10:00:00+08:00", department="district-street",
                 extra="rating: {value: satisfied, at: 2026-10-13T10:00:00+08:00, source: online}\n")  # fmt: skip
    board.reply("2026-000006", 1, "2026-10-12T10:00:00+08:00", department="district-street")
    return board


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_story_validates(story: BoardWriter) -> None:
    result = run("validate", str(story.root))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 error(s), 0 warning(s)"


def test_stats_by_department(story: BoardWriter) -> None:
    result = run("stats", "--board", str(story.root), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["as_of"] == AS_OF
    rows = {row["key"]: row for row in data["rows"]}
    housing = rows["housing"]
    assert (housing["received"], housing["answered"], housing["decided"]) == (3, 2, 3)
    assert (housing["on_time"], housing["late"], housing["overdue"]) == (1, 1, 1)
    assert housing["reply_rate"] == pytest.approx(2 / 3)
    assert housing["on_time_rate"] == pytest.approx(1 / 3)
    assert housing["median_days_to_first_reply"] == 5  # median of 3 and 7
    assert housing["median_days_to_final_reply"] == 5
    assert (housing["rated"], housing["basically_satisfied"], housing["unsatisfied"]) == (2, 1, 1)
    assert housing["satisfaction_rate"] == pytest.approx(0.5)
    assert housing["below_threshold"] is True
    assert housing["on_time_rank"] == 1  # the only one with 2 or more decided tickets
    district = rows["district"]
    assert (district["received"], district["answered"], district["decided"]) == (2, 0, 0)
    assert (district["due_soon"], district["open"]) == (1, 1)
    assert district["on_time_rate"] is None
    assert district["median_days_to_first_reply"] == 1
    street = rows["district-street"]
    assert (street["on_time"], street["satisfied"], street["satisfaction_rate"]) == (1, 1, 1.0)
    assert street["on_time_rank"] is None  # 1 decided < min_ranked 2: listed, not ranked
    assert data["total"]["received"] == 6
    assert data["total"]["on_time_rate"] == pytest.approx(2 / 4)


def test_stats_period_and_grouping(story: BoardWriter) -> None:
    result = run(
        "stats",
        "--board",
        str(story.root),
        "--as-of",
        AS_OF,
        "--period",
        "2026-10",
        "--format",
        "json",
    )
    data = json.loads(result.output)
    assert data["period"] == {"label": "2026-10", "start": "2026-10-01", "end": "2026-10-31"}
    assert data["total"]["received"] == 1
    result = run(
        "stats", "--board", str(story.root), "--as-of", AS_OF, "--by", "level", "--format", "json"
    )
    levels = {row["key"]: row["received"] for row in json.loads(result.output)["rows"]}
    assert levels == {"city": 3, "district": 2, "street": 1}
    result = run(
        "stats", "--board", str(story.root), "--as-of", AS_OF, "--by", "type", "--format", "json"
    )
    types = {row["key"]: row["received"] for row in json.loads(result.output)["rows"]}
    assert types == {"consultation": 1, "help": 1, "complaint": 4, "suggestion": 0}


def test_stats_text_names_units_under_threshold(story: BoardWriter) -> None:
    result = run("stats", "--board", str(story.root), "--as-of", AS_OF)
    assert result.exit_code == 0
    assert f"statuses at {AS_OF}" in result.output
    assert "under the satisfaction threshold of 85.0%: 测试市住房和城乡建设局" in result.output


def test_overdue_lists_and_fails(story: BoardWriter) -> None:
    result = run("overdue", "--board", str(story.root), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(t["id"], t["working_days_late"], t["due"]) for t in data["overdue"]] == [
        ("2026-000003", 4, "2026-11-16T23:59:59+08:00")
    ]
    assert [(t["id"], t["seconds_left"]) for t in data["due_soon"]] == [
        ("2026-000004", 2 * 3600 + 29 * 60 + 59)
    ]


def test_overdue_earlier_moment_is_clean(story: BoardWriter) -> None:
    result = run("overdue", "--board", str(story.root), "--as-of", "2026-11-13T12:00:00+08:00")
    assert result.exit_code == 0
    assert "0 overdue, 0 due soon" in result.output


def test_overdue_fail_on_due_soon(story: BoardWriter) -> None:
    args = ["overdue", "--board", str(story.root), "--as-of", "2026-11-20T22:00:00+08:00"]
    shutil.rmtree(story.root / "tickets/2026/2026-000003")  # the only overdue ticket
    assert run(*args).exit_code == 0
    assert run(*args, "--fail-on-due-soon").exit_code == 1


@pytest.mark.parametrize("fmt", ["github", "markdown", "text"])
def test_overdue_formats(story: BoardWriter, fmt: str) -> None:
    result = run("overdue", "--board", str(story.root), "--as-of", AS_OF, "--format", fmt)
    assert result.exit_code == 1
    if fmt == "github":
        assert result.output.splitlines()[0].startswith(
            "::error file=tickets/2026/2026-000003/ticket.yaml,line=1,col=1,title=overdue::2026-000003 overdue: 4 working days late"
        )
        assert "::warning file=tickets/2026/2026-000004/ticket.yaml" in result.output
    elif fmt == "markdown":
        assert (
            "| 2026-000003 小区外墙墙砖脱落 | overdue | 测试市住房和城乡建设局 |" in result.output
        )
    else:
        assert "2026-000003  overdue   4 working days late" in result.output


def test_validate_github_annotations(board: BoardWriter) -> None:
    board.ticket(extra="urgent: no\n")
    result = run("validate", str(board.root), "--format", "github")
    assert result.exit_code == 1
    assert result.output.startswith(
        "::error file=tickets/2026/2026-000001/ticket.yaml,line=11,col=1,title=E103::'urgent' should be true or false"
    )


def test_warnings_pass_unless_strict(board: BoardWriter) -> None:
    board.ticket()
    board.reply("2026-000001", 1, "2026-11-03T10:00:00+08:00", body="已收悉。")
    assert run("validate", str(board.root)).exit_code == 0
    assert run("validate", str(board.root), "--strict").exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "/no/such/board"],
        ["validate", "--format", "xml"],
        ["stats", "--as-of", "2026-11-20T21:30:00"],
        ["stats", "--as-of", "yesterday"],
        ["stats", "--period", "2026-13"],
        ["overdue", "--format", "csv"],
        ["schema", "everything"],
    ],
)
def test_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Error:" in result.output


def test_stats_on_unreadable_board_is_a_clear_error(tmp_path) -> None:
    (tmp_path / "board.yaml").write_text("name: [\n", "utf-8")
    result = CliRunner().invoke(cli, ["stats", "--board", str(tmp_path)])
    assert result.exit_code == 2
    assert "board.yaml could not be read" in result.output


def test_stats_skips_bad_files_with_a_warning(story: BoardWriter) -> None:
    story.write("tickets/2026/2026-000007/ticket.yaml", "id: 2026-000007\n")
    result = CliRunner().invoke(
        cli, ["stats", "--board", str(story.root), "--as-of", AS_OF, "--format", "json"]
    )
    assert result.exit_code == 0
    assert "problem(s) in 1 file(s)" in result.stderr
    assert json.loads(result.stdout)["total"]["received"] == 6


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help text"
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} --{param.name} has no help text"


def test_a_late_answer_stays_late_after_a_later_extension(board: BoardWriter) -> None:
    extension = (
        "extensions:\n  - {requested: 2026-11-09T10:00:00+08:00, approved: 2026-11-12T10:00:00+08:00,"
        " approved_by: city, reason: 需协调, due: 2026-11-20}\n"
    )
    board.ticket(extra=extension)  # due end of 9 Nov; extension approved only on 12 Nov
    board.reply("2026-000001", 1, "2026-11-11T10:00:00+08:00")
    result = run("stats", "--board", str(board.root), "--as-of", AS_OF, "--format", "json")
    total = json.loads(result.output)["total"]
    assert (total["on_time"], total["late"]) == (0, 1)


def test_validate_reads_the_board_from_the_environment(story: BoardWriter) -> None:
    result = CliRunner(env={"ANSWERABLE_BOARD": str(story.root)}).invoke(cli, ["validate"])
    assert result.exit_code == 0
    assert result.output.strip() == "0 error(s), 0 warning(s)"


def test_naming_needs_the_minimum_of_ratings(board: BoardWriter) -> None:
    board.ticket(
        extra="rating: {value: unsatisfied, at: 2026-11-16T10:00:00+08:00, source: online}\n"
    )
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    data = json.loads(
        run("stats", "--board", str(board.root), "--as-of", AS_OF, "--format", "json").output
    )
    housing = next(r for r in data["rows"] if r["key"] == "housing")
    assert (housing["rated"], housing["satisfaction_rate"]) == (1, 0.0)
    assert housing["below_threshold"] is False  # one rating is below min_ranked (2)


@pytest.mark.parametrize("command", ["stats", "overdue", "build", "new", "import"])
def test_a_folder_without_board_yaml_is_named_at_once(tmp_path, command: str) -> None:
    """A user who types the wrong folder is told which folder and what it lacks."""
    (tmp_path / "tickets").mkdir()  # looks like a board's folder, but has no board.yaml
    extra = [str(tmp_path / "export.csv")] if command == "import" else []
    if extra:
        (tmp_path / "export.csv").write_text("留言编号\n1\n", "utf-8")
    result = CliRunner().invoke(cli, [command, "--board", str(tmp_path), *extra])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{tmp_path.resolve()} holds no board.yaml" in result.output


def test_ctrl_c_while_the_command_is_imported_says_aborted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C before the command's modules are all imported: the same "Aborted!" and
    exit status as Ctrl-C during a command, not a traceback."""
    from answerable.cli.start import main as command

    class Interrupted(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: object, target: object = None) -> None:
            if name == "answerable.cli.main":
                raise KeyboardInterrupt

    monkeypatch.delitem(sys.modules, "answerable.cli.main")
    monkeypatch.setattr(sys, "meta_path", [Interrupted(), *sys.meta_path])
    with pytest.raises(SystemExit) as stop:
        command()
    assert stop.value.code == 1
    assert capsys.readouterr().err == "\nAborted!\n"
