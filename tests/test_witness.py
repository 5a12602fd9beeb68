"""Figures count a reply from the later of its date and when git's main line first held
it, on boards with ``witnessed_since``: real git repositories with fixed commit dates."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click.testing
import git
import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from answerable.reading.loading import load_board
from answerable.reading.witness import read_witness
from conftest import BoardWriter
from sitebuild import build_site, page
from test_audit import commit, make_repo

TICKET = "2026-000001"
AS_OF = "2026-11-25T09:00:00+08:00"
STATED = "2026-11-05T10:00:00+08:00"  # a Thursday
MERGED = "2026-11-20T16:00:00+08:00"  # the Friday two weeks later


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def since(board: BoardWriter, day: str | None) -> None:
    if day is not None:
        with (board.root / "board.yaml").open("a", encoding="utf-8") as file:
            file.write(f"witnessed_since: {day}\n")


def backdated(board: BoardWriter, *, extra: str = "") -> git.Repo:
    """A complaint received Mon 2 Nov, whose final reply states Thu 5 Nov but was merged
    on Fri 20 Nov."""
    repo = make_repo(board.root)
    board.ticket(TICKET, extra=extra)  # received 2026-11-02T09:14:00+08:00, 5 working days
    commit(repo, "Receive", "2026-11-02T09:30:00+08:00")
    board.reply(TICKET, 1, STATED)
    commit(repo, "Merge the reply", MERGED)
    return repo


def figures(root: Path, as_of: str = AS_OF) -> tuple[dict[str, object], str]:
    result = run("stats", "--board", str(root), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["total"], result.stderr


# The complaint is due at the end of Monday 9 November (day zero Mon 2 Nov; working days
# 3, 4, 5, 6, 9 Nov). Counted from the merge on Friday 20 November, it is late, and took
# 14 working days (3-6, 9-13, 16-20 Nov: 4 + 5 + 5). Counted from its stated Thursday 5
# November, it is on time and took 3 working days (3, 4, 5 Nov).
LATE = {"answered": 1, "on_time": 0, "late": 1, "median_days_to_final_reply": 14}
ON_TIME = {"answered": 1, "on_time": 1, "late": 0, "median_days_to_final_reply": 3}


def picked(total: dict[str, object]) -> dict[str, object]:
    return {key: total[key] for key in LATE}


def test_reply_merged_late_counts_late(board: BoardWriter) -> None:
    since(board, "2026-11-01")
    backdated(board)
    total, notes = figures(board.root)
    assert picked(total) == LATE
    assert notes == ""


@pytest.mark.parametrize("day", ["2026-11-21", None])
def test_stated_time_counts_before_witnessed_since(board: BoardWriter, day: str | None) -> None:
    since(board, day)  # adopted the day after the merge, or never
    backdated(board)
    total, notes = figures(board.root)
    assert picked(total) == ON_TIME
    assert notes == ""


def test_witnessed_since_counts_its_whole_day(board: BoardWriter) -> None:
    since(board, "2026-11-20")  # the merge was at 16:00 that day, Beijing time
    backdated(board)
    assert picked(figures(board.root)[0]) == LATE


def test_imported_reply_keeps_its_exports_time(board: BoardWriter) -> None:
    since(board, "2026-11-01")
    backdated(board, extra='source: {system: 12345热线, id: "X1", batch: "2026-11-20-hotline"}\n')
    assert picked(figures(board.root)[0]) == ON_TIME


def test_overdue_counts_the_reply_only_once_it_was_public(board: BoardWriter) -> None:
    since(board, "2026-11-01")
    backdated(board)
    # Thursday 12 November: the reply states 5 November but no one could read it yet.
    result = run("overdue", "--board", str(board.root), "--as-of", "2026-11-12T09:00:00+08:00")
    assert result.exit_code == 1, result.output
    assert f"{TICKET}  overdue" in result.stdout
    # Without witnessed_since, the same history shows it answered on time.
    (board.root / "board.yaml").write_text(
        (board.root / "board.yaml").read_text("utf-8").replace("witnessed_since: 2026-11-01\n", ""),
        encoding="utf-8",
    )
    result = run("overdue", "--board", str(board.root), "--as-of", "2026-11-12T09:00:00+08:00")
    assert result.exit_code == 0, result.output


def test_board_outside_git_keeps_stated_times_with_a_notice(board: BoardWriter) -> None:
    since(board, "2026-11-01")
    board.ticket(TICKET)
    board.reply(TICKET, 1, STATED)
    total, notes = figures(board.root)
    assert picked(total) == ON_TIME
    assert notes.startswith("notice: replies count by the dates they state")
    assert "not inside a git work tree" in notes


def test_git_pointed_at_another_repository_still_reads_the_boards(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hook or a CI step that sets GIT_DIR to its own repository: the figures still
    count the board's history (the reply merged late), not an empty one."""
    since(board, "2026-11-01")
    backdated(board)
    other = tmp_path_factory.mktemp("other")
    git.Repo.init(other)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    total, notes = figures(board.root)
    assert picked(total) == LATE
    assert notes == ""
    witness = read_witness(board.root, None, history=True, cache=False)
    assert witness.error is None
    assert witness.history is not None
    assert witness.history.replies


def test_shallow_clone_keeps_stated_times_with_a_notice(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    since(board, "2026-11-01")
    backdated(board)
    clone = tmp_path_factory.mktemp("clone") / "board"
    git.Repo.clone_from(board.root.as_uri(), clone, depth=1)
    total, notes = figures(clone)
    assert picked(total) == ON_TIME
    assert "shallow" in notes
    assert picked(figures(board.root)[0]) == LATE  # the whole history: late


def test_ticket_page_shows_both_times_and_the_build_counts_them(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    since(board, "2026-11-01")
    backdated(board)
    # The demo's settings do not show the history; witnessed times count all the same.
    out = build_site(
        board.root, tmp_path_factory.mktemp("site"), ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False
    )
    soup = page(out, f"tickets/{TICKET}.html")
    line = soup.select_one(".event-final .witnessed")
    assert line is not None
    times = [t["datetime"] for t in line.find_all("time")]
    assert times == ["2026-11-05T10:00:00+08:00", "2026-11-20T16:00:00+08:00"]
    text = line.get_text(" ", strip=True)
    assert "答复时间" in text
    assert "公开记录时间" in text
    # The same figures as 'answerable stats': answered 9 working days late (10-13 and
    # 16-20 November after the due Monday 9 November).
    assert soup.select_one(".ticket-status .status").get_text(strip=True) == "超期办结"
    assert "9个工作日" in soup.get_text()
    # Open data gives the time the figures count, beside the working days counted from it.
    with (out / "data/tickets.csv").open(encoding="utf-8", newline="") as file:
        (row,) = csv.DictReader(file)
    assert row["final_reply"] == MERGED
    assert row["working_days_to_final_reply"] == "14"
    # The feed's entry: published as stated, updated when it counts (news when merged).
    feed = (out / "feeds/replies.atom.xml").read_text("utf-8")
    assert "<published>2026-11-05T10:00:00+08:00</published>" in feed
    assert "<updated>2026-11-20T16:00:00+08:00</updated>" in feed


def test_ticket_page_in_english(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    board.write(
        "board.yaml",
        (board.root / "board.yaml").read_text("utf-8").replace("locale: zh_CN", "locale: en"),
    )
    since(board, "2026-11-01")
    backdated(board)
    out = build_site(
        board.root, tmp_path_factory.mktemp("site"), ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False
    )
    line = page(out, f"tickets/{TICKET}.html").select_one(".event-final .witnessed")
    assert line is not None
    text = line.get_text(" ", strip=True)
    assert text.startswith("Reply dated")
    assert "entered the public record" in text


def test_ticket_page_shows_one_time_when_the_stated_one_counts(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    since(board, "2026-11-21")
    backdated(board)
    out = build_site(
        board.root,
        tmp_path_factory.mktemp("site"),
        ANSWERABLE_AS_OF=AS_OF,
        ANSWERABLE_SEARCH=False,
        ANSWERABLE_HISTORY=True,
    )
    soup = page(out, f"tickets/{TICKET}.html")
    assert soup.select_one(".event-final .witnessed") is None
    assert soup.select_one(".event-final .entered") is not None  # the history, as before


def test_rebuild_after_the_merge_counts_the_merge(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same files, first uncommitted, then merged late: the cached page must change."""
    since(board, "2026-11-01")
    repo = make_repo(board.root)
    board.ticket(TICKET)
    commit(repo, "Receive", "2026-11-02T09:30:00+08:00")
    board.reply(TICKET, 1, STATED)  # in the work tree only: its stated time counts
    out = tmp_path_factory.mktemp("site")
    build_site(board.root, out, ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False)
    status = page(out, f"tickets/{TICKET}.html").select_one(".ticket-status .status")
    assert status.get_text(strip=True) == "按期办结"
    commit(repo, "Merge the reply", MERGED)
    build_site(board.root, out, ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False)
    status = page(out, f"tickets/{TICKET}.html").select_one(".ticket-status .status")
    assert status.get_text(strip=True) == "超期办结"


def test_build_outside_git_says_it_keeps_stated_times(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    since(board, "2026-11-01")
    board.ticket(TICKET)
    board.reply(TICKET, 1, STATED)
    out = build_site(
        board.root, tmp_path_factory.mktemp("site"), ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False
    )
    status = page(out, f"tickets/{TICKET}.html").select_one(".ticket-status .status")
    assert status.get_text(strip=True) == "按期办结"
    notices = [
        r.getMessage() for r in caplog.records if "replies count by the dates" in r.getMessage()
    ]
    assert len(notices) == 1
    assert "not inside a git work tree" in notices[0]


def test_board_without_witnessed_since_never_reads_git(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    board.ticket(TICKET)
    board.reply(TICKET, 1, STATED)
    build_site(
        board.root, tmp_path_factory.mktemp("site"), ANSWERABLE_AS_OF=AS_OF, ANSWERABLE_SEARCH=False
    )
    assert not [r for r in caplog.records if "git" in r.getMessage()]
    assert figures(board.root)[1] == ""


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_init_sets_witnessed_since_and_fetches_the_whole_history(
    tmp_path: Path, locale: str
) -> None:
    from datetime import date

    import yaml

    from answerable.staff.scaffold import init_board

    init_board(
        tmp_path / "board",
        name="Springfield",
        locale=locale,
        timezone="Asia/Shanghai",
        country="CN",
        city="Springfield",
        today=date(2026, 12, 1),
    )
    root = tmp_path / "board"
    assert "\nwitnessed_since: 2026-12-01\n" in (root / "board.yaml").read_text("utf-8")
    assert run("validate", str(root)).exit_code == 0
    for name in ("validate", "pages", "overdue"):
        workflow = yaml.safe_load((root / f".github/workflows/{name}.yml").read_text("utf-8"))
        checkouts = [
            step
            for job in workflow["jobs"].values()
            for step in job["steps"]
            if str(step.get("uses", "")).startswith("actions/checkout")
        ]
        assert checkouts, name
        assert all(step.get("with", {}).get("fetch-depth") == 0 for step in checkouts), name


def test_times_read_since_the_last_read_equal_a_whole_read(board: BoardWriter) -> None:
    """The kept times and history grow with the commits since; a rewritten line is read
    whole."""
    since(board, "2026-11-01")
    repo = backdated(board)
    board_record = load_board(board.root).board

    def both() -> tuple[dict[str, object], dict[str, object]]:
        # The whole history a site shows, read on from the last read, equals a whole read.
        shown = read_witness(board.root, board_record, history=True).history
        shown_whole = read_witness(board.root, board_record, history=True, cache=False).history
        assert shown is not None
        assert shown_whole is not None
        assert replace(shown, after=None) == replace(shown_whole, after=None)
        kept = read_witness(board.root, board_record).times
        whole = read_witness(board.root, board_record, cache=False).times
        return kept, whole

    kept, whole = both()
    reply = f"tickets/2026/{TICKET}/reply-1.md"
    assert kept == whole == {reply: datetime.fromisoformat(MERGED)}
    # A new ticket with a reply, then the first reply deleted and restored.
    board.ticket("2026-000002")
    board.reply("2026-000002", 1, "2026-11-23T10:00:00+08:00")
    commit(repo, "Second", "2026-11-23T11:00:00+08:00")
    kept, whole = both()
    assert kept == whole
    assert kept["tickets/2026/2026-000002/reply-1.md"] == datetime.fromisoformat(
        "2026-11-23T11:00:00+08:00"
    )
    text = (board.root / reply).read_text("utf-8")
    (board.root / reply).unlink()
    commit(repo, "Delete", "2026-11-24T09:00:00+08:00")
    kept, whole = both()
    assert kept == whole
    assert reply not in kept
    (board.root / reply).write_text(text, encoding="utf-8")
    commit(repo, "Restore", "2026-11-24T10:00:00+08:00")
    kept, whole = both()
    assert kept == whole
    assert kept[reply] == datetime.fromisoformat(MERGED)  # its first time, as before
    # The main line rewritten: the reply merged again, later; the kept times are not used.
    repo.git.reset("--hard", "-q", "HEAD~4")  # back to the receipt, before any reply
    board.reply(TICKET, 1, STATED)
    commit(repo, "Merge again", "2026-11-26T09:00:00+08:00")
    kept, whole = both()
    assert kept == whole == {reply: datetime.fromisoformat("2026-11-26T09:00:00+08:00")}
