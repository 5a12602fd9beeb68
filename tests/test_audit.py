"""The audit against real git repositories built in temporary folders, with fixed dates."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import git
import pytest

from answerable.reading.history import HistoryError, ReplyRecord, entered_times, read_history
from answerable.reading.loading import load_board
from answerable.staff.audit import AuditError, audit, read_rewrites
from conftest import BoardWriter

TICKET = "2026-000001"
FOLDER = f"tickets/2026/{TICKET}"
REPLY = f"{FOLDER}/reply-1.md"
SOURCE = 'source: {system: 12345热线, id: "X1", batch: "2026-11-01-hotline"}\n'


def make_repo(root: Path) -> git.Repo:
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test Clerk")
        config.set_value("user", "email", "clerk@example.org")
        config.set_value("commit", "gpgsign", "false")
    return repo


def dated(when: str) -> dict[str, str]:
    return {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}


def commit(repo: git.Repo, message: str, when: str) -> str:
    """Stage everything in the work tree and commit it at ``when``."""
    repo.git.add(A=True)
    repo.git.commit("-q", "-m", message, env=dated(when))
    return repo.head.commit.hexsha


@pytest.fixture
def repo(board: BoardWriter) -> git.Repo:
    """A repository whose first commit holds the board and one received ticket."""
    repository = make_repo(board.root)
    board.ticket(TICKET)
    commit(repository, "Receive 2026-000001", "2026-11-02T09:30:00+08:00")
    return repository


def findings(root: Path) -> list[tuple[str, int, str]]:
    loaded = load_board(root)
    assert loaded.problems == []
    return [(p.path, p.line, p.code) for p in audit(loaded, read_history(root))]


def test_honest_history_has_no_findings(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    sha = commit(repo, "Reply", "2026-11-03T16:05:00+08:00")
    history = read_history(board.root)
    assert history.head == sha
    assert history.replies == {
        REPLY: ReplyRecord(REPLY, sha, datetime.fromisoformat("2026-11-03T16:05:00+08:00"))
    }
    assert entered_times(history) == {REPLY: datetime.fromisoformat("2026-11-03T08:05:00Z")}
    assert not history.replies[REPLY].edited
    assert history.deleted_tickets == {}
    assert set(history.tickets) == {FOLDER}
    assert findings(board.root) == []


def test_backdated_reply_is_flagged_at_its_date_line(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    sha = commit(repo, "Reply", "2026-11-13T16:00:00+08:00")
    problems = audit(load_board(board.root), read_history(board.root))
    assert [(p.path, p.line, p.code) for p in problems] == [(REPLY, 2, "A001")]
    message = problems[0].message
    assert sha[:7] in message
    assert "2026-11-13T16:00:00+08:00" in message
    assert "10 days" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("stated", "setting", "flagged"),
    [
        ("2026-11-03T15:20:00+08:00", "", False),  # 23 hours: within the default 24 hours
        ("2026-11-03T13:20:00+08:00", "", True),  # 25 hours
        ("2026-11-04T13:40:00+08:00", "audit: {tolerance: 1 hour}\n", False),
        ("2026-11-04T13:40:00+08:00", "audit: {tolerance: 30 minutes}\n", True),
        ("2026-11-05T09:00:00+08:00", "", False),  # dated after the commit: not backdated
    ],
)
def test_tolerance_comes_from_the_board(
    board: BoardWriter, repo: git.Repo, stated: str, setting: str, flagged: bool
) -> None:
    if setting:
        (board.root / "board.yaml").write_text(
            (board.root / "board.yaml").read_text(encoding="utf-8") + setting, encoding="utf-8"
        )
    board.reply(TICKET, 1, stated)
    commit(repo, "Reply", "2026-11-04T14:20:00+08:00")
    assert findings(board.root) == ([(REPLY, 2, "A001")] if flagged else [])


def test_working_days_tolerance_is_an_audit_error(board: BoardWriter, repo: git.Repo) -> None:
    with (board.root / "board.yaml").open("a", encoding="utf-8") as file:
        file.write("audit: {tolerance: 2 working days}\n")
    loaded = load_board(board.root)
    with pytest.raises(AuditError, match="hours or minutes"):
        audit(loaded, read_history(board.root))


def test_imported_ticket_is_not_flagged_as_backdated(board: BoardWriter) -> None:
    repository = make_repo(board.root)
    board.ticket(TICKET, extra=SOURCE)
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repository, "Import batch 2026-11-01-hotline", "2026-11-13T16:00:00+08:00")
    loaded = load_board(board.root)
    assert loaded.tickets[0].ticket.source is not None
    history = read_history(board.root)
    assert REPLY in history.replies
    assert findings(board.root) == []


def test_reply_merged_from_a_branch_enters_at_the_merge(board: BoardWriter, repo: git.Repo) -> None:
    repo.git.checkout("-q", "-b", "reply-000001")
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    branch_sha = commit(repo, "Draft reply", "2026-11-03T15:30:00+08:00")
    repo.git.checkout("-q", "main")
    board.ticket("2026-000002")
    commit(repo, "Receive 2026-000002", "2026-11-05T10:00:00+08:00")
    merged = "2026-11-13T16:00:00+08:00"
    repo.git.merge("-q", "--no-ff", "-m", "Merge reply", "reply-000001", env=dated(merged))
    merge_sha = repo.head.commit.hexsha
    record = read_history(board.root).replies[REPLY]
    assert record.commit == merge_sha != branch_sha
    assert record.entered == datetime.fromisoformat(merged)
    assert record.edits == ()
    assert findings(board.root) == [(REPLY, 2, "A001")]


def test_branch_commits_do_not_count_as_edits(board: BoardWriter, repo: git.Repo) -> None:
    repo.git.checkout("-q", "-b", "reply-000001")
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00", body="初稿，尚待审核修改。")
    commit(repo, "Draft", "2026-11-03T15:30:00+08:00")
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Review", "2026-11-03T17:00:00+08:00")
    repo.git.checkout("-q", "main")
    board.ticket("2026-000002")
    commit(repo, "Receive 2026-000002", "2026-11-03T17:30:00+08:00")
    repo.git.merge(
        "-q", "--no-ff", "-m", "Merge", "reply-000001", env=dated("2026-11-03T18:00:00+08:00")
    )
    assert read_history(board.root).replies[REPLY].edits == ()
    assert findings(board.root) == []


def test_reply_edited_after_publication_is_flagged(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    first = commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    board.reply(
        TICKET,
        1,
        "2026-11-03T15:20:00+08:00",
        body="徐先生：您好！墙砖已全部修复完毕，感谢监督。此复。",
    )
    edit = commit(repo, "Quietly improve the reply", "2026-11-20T09:00:00+08:00")
    record = read_history(board.root).replies[REPLY]
    assert record.commit == first
    assert record.edits == ((edit, datetime.fromisoformat("2026-11-20T09:00:00+08:00")),)
    problems = audit(load_board(board.root), read_history(board.root))
    assert [(p.path, p.line, p.column, p.code) for p in problems] == [(REPLY, 1, 1, "A002")]
    assert edit[:7] in problems[0].message
    assert first[:7] in problems[0].message


def test_mode_change_alone_is_not_an_edit(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    repo.git.update_index("--chmod=+x", REPLY)
    repo.git.commit("-q", "-m", "chmod", env=dated("2026-11-04T09:00:00+08:00"))
    assert read_history(board.root).replies[REPLY].edits == ()


def test_deleted_ticket_folder_is_flagged(board: BoardWriter, repo: git.Repo) -> None:
    board.ticket("2026-000002")
    board.reply("2026-000002", 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Receive and answer 2026-000002", "2026-11-03T16:00:00+08:00")
    shutil.rmtree(board.root / "tickets/2026/2026-000002")
    sha = commit(repo, "Remove an embarrassing ticket", "2026-11-21T09:00:00+08:00")
    history = read_history(board.root)
    gone = "tickets/2026/2026-000002"
    assert history.deleted_tickets == {
        gone: (sha, datetime.fromisoformat("2026-11-21T09:00:00+08:00"))
    }
    assert set(history.deleted_replies) == {f"{gone}/reply-1.md"}
    assert set(history.replies) == set()
    problems = audit(load_board(board.root), history)
    assert [(p.path, p.line, p.code) for p in problems] == [(f"{gone}/ticket.yaml", 1, "A003")]
    assert sha[:7] in problems[0].message


def test_ticket_restored_after_deletion_is_not_flagged(board: BoardWriter, repo: git.Repo) -> None:
    shutil.rmtree(board.root / FOLDER)
    commit(repo, "Remove", "2026-11-03T16:00:00+08:00")
    board.ticket(TICKET)
    commit(repo, "Restore", "2026-11-03T17:00:00+08:00")
    assert read_history(board.root).deleted_tickets == {}
    assert findings(board.root) == []


def test_uncommitted_replies_are_not_in_history(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-10-01T15:20:00+08:00")  # backdated, but not yet public
    history = read_history(board.root)
    assert history.replies == {}
    assert findings(board.root) == []


def test_board_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repository = make_repo(tmp_path)
    (tmp_path / "README.md").write_text("a repository holding a board\n", encoding="utf-8")
    board = BoardWriter(tmp_path / "看板")
    board.ticket(TICKET)
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repository, "Board", "2026-11-13T16:00:00+08:00")
    assert set(read_history(board.root).replies) == {REPLY}
    assert findings(board.root) == [(REPLY, 2, "A001")]


def test_not_a_git_work_tree_is_an_audit_error(board: BoardWriter) -> None:
    with pytest.raises(HistoryError, match="not inside a git work tree"):
        read_history(board.root)


def test_bare_repository_is_an_audit_error(tmp_path: Path) -> None:
    git.Repo.init(tmp_path, bare=True)
    with pytest.raises(HistoryError, match="bare repository"):
        read_history(tmp_path)


def test_board_in_a_folder_of_the_repository_is_read(tmp_path: Path) -> None:
    board = BoardWriter(tmp_path / "boards" / "city")
    repository = make_repo(tmp_path)
    board.ticket(TICKET)
    commit(repository, "Receive", "2026-11-02T09:30:00+08:00")
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repository, "Reply", "2026-11-03T16:00:00+08:00")
    record = read_history(board.root).replies[REPLY]
    assert record.entered == datetime.fromisoformat("2026-11-03T16:00:00+08:00")


def test_repository_without_commits_is_an_audit_error(board: BoardWriter) -> None:
    make_repo(board.root)
    with pytest.raises(HistoryError, match="no commits"):
        read_history(board.root)


def test_shallow_clone_is_an_audit_error(
    board: BoardWriter, repo: git.Repo, tmp_path: Path
) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    clone = tmp_path.parent / f"{tmp_path.name}-clone"
    git.Repo.clone_from(board.root.as_uri(), clone, depth=1)
    with pytest.raises(HistoryError, match="shallow"):
        read_history(clone)


def test_many_replies_are_read_in_one_pass(tmp_path: Path) -> None:
    """50 commits of 10 tickets with 4 replies each, then edits and deletions."""
    repository = make_repo(tmp_path)
    stream: list[bytes] = []

    def blob(path: str, text: str) -> None:
        data = text.encode("utf-8")
        stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))

    def start(number: int, message: str) -> None:
        when = 1_793_600_000 + number * 86_400
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"committer Clerk <clerk@example.org> %d +0800\n" % when)
        stream.append(b"data %d\n%s\n" % (len(message), message.encode()))

    for number in range(50):
        start(number, f"batch {number}")
        for index in range(10):
            folder = f"tickets/2026/2026-{number * 10 + index:06d}"
            blob(f"{folder}/ticket.yaml", f"id: {folder[-11:]}\n")
            for reply in range(1, 5):
                blob(f"{folder}/reply-{reply}.md", f"---\nreply: {reply}\n---\n{folder}\n")
    start(50, "edit five replies, delete three tickets")
    for number in range(5):
        blob(f"tickets/2026/2026-{number:06d}/reply-1.md", "changed\n")
    for number in (100, 200, 300):
        stream.append(b"D tickets/2026/2026-%06d\n" % number)
    stream_file = tmp_path.parent / f"{tmp_path.name}.fast-import"
    stream_file.write_bytes(b"".join(stream))
    with stream_file.open("rb") as istream:
        repository.git.fast_import("--quiet", istream=istream)

    history = read_history(tmp_path)
    assert history.commits == 51
    assert len(history.replies) == 2000 - 3 * 4
    assert len(history.tickets) == 500 - 3
    assert len(history.deleted_replies) == 12
    assert sorted(history.deleted_tickets) == [
        "tickets/2026/2026-000100",
        "tickets/2026/2026-000200",
        "tickets/2026/2026-000300",
    ]
    edited = [record for record in history.replies.values() if record.edits]
    assert len(edited) == 5
    first = history.replies["tickets/2026/2026-000499/reply-4.md"]
    assert first.entered.timestamp() == 1_793_600_000 + 49 * 86_400
    assert first.entered.utcoffset() is not None


def audited(root: Path) -> list[tuple[str, int, str]]:
    """Findings with ticket.yaml compared version by version, as the command reads them."""
    return [
        (p.path, p.line, p.code)
        for p in audit(load_board(root), read_rewrites(root, read_history(root)))
    ]


def test_deleted_final_reply_is_flagged_with_its_path(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    (board.root / REPLY).unlink()
    sha = commit(repo, "Drop the reply", "2026-11-20T09:00:00+08:00")
    problems = audit(load_board(board.root), read_rewrites(board.root, read_history(board.root)))
    assert [(p.path, p.line, p.code) for p in problems] == [(REPLY, 1, "A004")]
    assert sha[:7] in problems[0].message
    assert "2026-11-20T09:00:00+08:00" in problems[0].message


def test_reply_renumbered_is_a_deletion(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    (board.root / REPLY).rename(board.root / f"{FOLDER}/reply-2.md")
    commit(repo, "Renumber", "2026-11-20T09:00:00+08:00")
    assert (REPLY, 1, "A004") in audited(board.root)


def test_uncommitted_deletion_is_not_flagged(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    (board.root / REPLY).unlink()  # not committed: the record still holds it
    assert audited(board.root) == []


RATING = (
    "rating: {value: %s, at: '2026-11-09T15:00:00+08:00', source: return-visit}\n"
    "resolution: resolved\n"
)


def rated(board: BoardWriter, value: str | None) -> None:
    board.ticket(TICKET, extra=RATING % value if value else "")


@pytest.mark.parametrize("after", [None, "satisfied"])
def test_rating_removed_or_changed_is_flagged(
    board: BoardWriter, repo: git.Repo, after: str | None
) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    rated(board, "unsatisfied")
    commit(repo, "Return visit", "2026-11-09T16:00:00+08:00")
    rated(board, after)
    sha = commit(repo, "Better figures", "2026-11-25T09:00:00+08:00")
    problems = audit(load_board(board.root), read_rewrites(board.root, read_history(board.root)))
    assert [(p.path, p.code) for p in problems] == [(f"{FOLDER}/ticket.yaml", "A005")]
    assert "rating" in problems[0].message
    assert sha[:7] in problems[0].message


def test_rating_rewritten_in_another_form_is_not_flagged(
    board: BoardWriter, repo: git.Repo
) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    rated(board, "unsatisfied")
    commit(repo, "Return visit", "2026-11-09T16:00:00+08:00")
    board.ticket(
        TICKET,
        extra="tags: [外墙]\n"  # a new fact added beside the rating: the normal course
        "rating:\n  value: unsatisfied\n  at: 2026-11-09T15:00:00+08:00\n"
        "  source: return-visit\nresolution: resolved\n",
    )
    commit(repo, "Tag", "2026-11-10T09:00:00+08:00")
    assert audited(board.root) == []


def test_rating_added_later_is_not_flagged(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-03T16:00:00+08:00")
    rated(board, "satisfied")
    commit(repo, "Return visit", "2026-11-09T16:00:00+08:00")
    assert audited(board.root) == []


def test_receipt_time_changed_is_flagged(board: BoardWriter, repo: git.Repo) -> None:
    board.ticket(TICKET, received="2026-11-04T09:14:00+08:00")  # two days more to answer
    commit(repo, "Fix the date", "2026-11-12T09:00:00+08:00")
    problems = audit(load_board(board.root), read_rewrites(board.root, read_history(board.root)))
    assert [(p.path, p.code) for p in problems] == [(f"{FOLDER}/ticket.yaml", "A005")]
    assert "received" in problems[0].message


def test_reply_date_edited_is_flagged(board: BoardWriter, repo: git.Repo) -> None:
    board.reply(TICKET, 1, "2026-11-13T15:20:00+08:00")
    commit(repo, "Reply", "2026-11-13T16:00:00+08:00")
    board.reply(TICKET, 1, "2026-11-05T15:20:00+08:00")  # moved back, within the deadline
    commit(repo, "Redate", "2026-11-13T17:00:00+08:00")
    # Edited (A002), and now dated 8 days before it entered the record (A001).
    assert audited(board.root) == [(REPLY, 1, "A002"), (REPLY, 2, "A001")]


def test_commit_dates_going_backwards_are_flagged(board: BoardWriter, repo: git.Repo) -> None:
    board.ticket("2026-000002")
    second = commit(repo, "Receive 2026-000002", "2026-11-20T09:00:00+08:00")
    (board.root / "README.md").write_text("看板说明\n", encoding="utf-8")  # not under tickets/
    early = commit(repo, "Readme", "2026-11-06T09:00:00+08:00")
    board.reply(TICKET, 1, "2026-11-06T09:30:00+08:00")
    commit(repo, "Reply, dated back like the commit before it", "2026-11-06T10:00:00+08:00")
    history = read_history(board.root)
    assert history.backwards == [
        (
            early,
            datetime.fromisoformat("2026-11-06T09:00:00+08:00"),
            second,
            datetime.fromisoformat("2026-11-20T09:00:00+08:00"),
        )
    ]
    problems = audit(load_board(board.root), history)
    assert [(p.path, p.code) for p in problems] == [("tickets", "A006")]
    assert early[:7] in problems[0].message
    assert second[:7] in problems[0].message


def test_commit_dates_on_a_merged_branch_may_be_earlier(board: BoardWriter, repo: git.Repo) -> None:
    repo.git.checkout("-q", "-b", "reply-000001")
    board.reply(TICKET, 1, "2026-11-03T15:20:00+08:00")
    commit(repo, "Draft", "2026-11-03T15:30:00+08:00")
    repo.git.checkout("-q", "main")
    board.ticket("2026-000002")
    commit(repo, "Receive 2026-000002", "2026-11-03T17:30:00+08:00")
    repo.git.merge(
        "-q", "--no-ff", "-m", "Merge", "reply-000001", env=dated("2026-11-03T18:00:00+08:00")
    )
    assert read_history(board.root).backwards == []
    assert audited(board.root) == []


TRANSFER = (
    "  - at: 2026-11-02T10:05:00+08:00\n    from: housing\n    to: {to}\n    reason: {reason}\n"
)


def transferred(board: BoardWriter, *entries: tuple[str, str], message: str | None = None) -> None:
    """The ticket with these transfers (to, reason), and its message rewritten if given."""
    path = board.ticket(TICKET, extra="transfers:\n" + "".join(
        TRANSFER.format(to=to, reason=reason) for to, reason in entries
    ) if entries else "")  # fmt: skip
    if message is not None:
        text = path.read_text("utf-8").replace(
            "自家楼盘外墙墙砖出现大片脱落，存在安全隐患。", message
        )
        path.write_text(text, "utf-8")


def test_citizen_s_words_rewritten_are_flagged(board: BoardWriter, repo: git.Repo) -> None:
    # The first commit published the message; a later one softened it.
    transferred(board, message="外墙有少量墙砖松动。")
    sha = commit(repo, "Soften the message", "2026-11-05T09:00:00+08:00")
    problems = audit(load_board(board.root), read_rewrites(board.root, read_history(board.root)))
    assert [(p.path, p.code) for p in problems] == [(f"{FOLDER}/ticket.yaml", "A005")]
    assert "the published message was removed or changed" in problems[0].message
    assert sha[:7] in problems[0].message


def test_a_published_transfer_removed_or_rewritten_is_flagged(
    board: BoardWriter, repo: git.Repo
) -> None:
    transferred(board, ("district", "属地管理"))
    commit(repo, "Transfer", "2026-11-02T11:00:00+08:00")
    transferred(board, ("district", "职责调整"))  # the published reason rewritten
    commit(repo, "Reword", "2026-11-06T09:00:00+08:00")
    problems = audit(load_board(board.root), read_rewrites(board.root, read_history(board.root)))
    assert [(p.code, "transfers" in p.message) for p in problems] == [("A005", True)]


def test_a_new_transfer_added_is_the_normal_course(board: BoardWriter, repo: git.Repo) -> None:
    transferred(board, ("district", "属地管理"))
    commit(repo, "Transfer", "2026-11-02T11:00:00+08:00")
    transferred(board, ("district", "属地管理"), ("housing", "退回原单位"))
    commit(repo, "Transfer back", "2026-11-03T09:00:00+08:00")
    assert audited(board.root) == []
