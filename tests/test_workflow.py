"""Staff's commands in a real git repository: each step writes valid files and is committed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from answerable.cli.main import cli
from conftest import BoardWriter
from sitebuild import build_site, page


def git(root: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "值班员", "GIT_AUTHOR_EMAIL": "duty@example.gov.cn",
           "GIT_COMMITTER_NAME": "值班员", "GIT_COMMITTER_EMAIL": "duty@example.gov.cn"}  # fmt: skip
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    result = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def run(root: Path, *args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, [args[0], "--board", str(root), *args[1:]], input=input)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def repo(board: BoardWriter) -> Path:
    git(board.root, "init", "-q", "-b", "main")
    git(board.root, "add", "-A")
    git(board.root, "commit", "-q", "-m", "board", when="2026-11-01T09:00:00+08:00")
    return board.root


def test_a_ticket_from_registration_to_rating(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp_path = tmp_path_factory.mktemp("outside")  # drafts and the site, outside the board
    steps = [
        (["new", "--title", "小区外墙墙砖脱落", "--channel", "hotline", "--type", "complaint",
          "--category", "urban-construction", "--department", "city", "--submitter", "徐先生",
          "--location", "东区某小区", "--message", "外墙墙砖大片脱落，\n存在安全隐患。",
          "--received", "2026-11-02T09:14:00+08:00"], "2026-11-02T09:20:00+08:00"),
        (["transfer", "2026-000001", "--to", "housing", "--reason", "职责分工",
          "--at", "2026-11-02T10:05:00+08:00"], "2026-11-02T10:06:00+08:00"),
        (["extend", "2026-000001", "--until", "2026-11-20", "--reason", "需协调施工单位现场核查",
          "--approved-by", "city", "--requested", "2026-11-03T14:00:00+08:00",
          "--approved", "2026-11-03T15:00:00+08:00"], "2026-11-03T15:05:00+08:00"),
        (["reply", "2026-000001", "--kind", "interim", "--promised", "2026-11-20",
          "--date", "2026-11-03T15:20:00+08:00", "--file", "{interim}"], "2026-11-03T15:30:00+08:00"),
        (["reply", "2026-000001", "--kind", "final", "--date", "2026-11-18T10:00:00+08:00",
          "--file", "{final}"], "2026-11-18T10:10:00+08:00"),
        (["rate", "2026-000001", "--value", "basically-satisfied", "--source", "return-visit",
          "--comment", "墙砖已清理", "--resolution", "resolved", "--at", "2026-11-19T10:00:00+08:00"],
         "2026-11-19T10:10:00+08:00"),
    ]  # fmt: skip
    interim = tmp_path / "interim.md"
    interim.write_text(
        "徐先生：您好！您反映的问题已收悉，我局已安排人员现场核查，将于11月20日前答复处理结果。",
        "utf-8",
    )
    final = tmp_path / "final.md"
    final.write_text(
        "徐先生：您好！经现场核查，脱落墙砖已清理，外墙已由维修资金完成修复。此复。", "utf-8"
    )
    for template, when in steps:
        args = [a.format(interim=interim, final=final) for a in template]
        output = run(repo, *args)
        assert output.startswith("wrote tickets/2026/2026-000001/")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", args[0], when=when)
        check = CliRunner().invoke(cli, ["validate", str(repo), "--strict"])
        assert check.exit_code == 0, (args[0], check.output)

    folder = repo / "tickets/2026/2026-000001"
    assert sorted(p.name for p in folder.iterdir()) == ["reply-1.md", "reply-2.md", "ticket.yaml"]
    text = (folder / "ticket.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/ticket.schema.json\n")
    assert "department: housing" in text
    assert "  - at: 2026-11-02T10:05:00+08:00\n    from: city\n    to: housing" in text
    assert "message: |\n  外墙墙砖大片脱落，\n  存在安全隐患。\n" in text
    assert "signed: 测试市住房和城乡建设局" in (folder / "reply-2.md").read_text("utf-8")
    assert len(git(repo, "log", "--oneline").splitlines()) == 7

    # Every step was committed within minutes of its stated date: the audit is silent.
    audit = CliRunner().invoke(cli, ["audit", str(repo), "--format", "json"])
    assert audit.exit_code == 0, audit.output
    report = json.loads(audit.output)
    assert report["problems"] == []
    assert [(r["path"].rsplit("/", 1)[-1], r["entered"]) for r in report["replies"]] == [
        ("reply-1.md", "2026-11-03T15:30:00+08:00"),
        ("reply-2.md", "2026-11-18T10:10:00+08:00"),
    ]

    site = build_site(
        repo,
        tmp_path / "site",
        ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00",
        ANSWERABLE_HISTORY=True,
    )
    soup = page(site, "tickets/2026-000001.html")
    kinds = [li["class"][1] for li in soup.select("ol.timeline li")]
    assert kinds == [
        "event-received",
        "event-transfer",
        "event-extension",
        "event-interim",
        "event-final",
        "event-rating",
    ]
    assert soup.select_one(".ticket-status .status-answered-on-time") is not None
    entered = [
        p.get_text(" ", strip=True)
        for p in soup.select("li.event-interim .entered, li.event-final .entered")
    ]
    assert len(entered) == 2
    assert "2026年11月3日 15:30" in entered[0]
    assert "2026年11月18日 10:10" in entered[1]


def test_refused_changes_write_nothing(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    board.ticket()
    before = sorted(p.relative_to(board.root).as_posix() for p in board.root.rglob("*"))
    body = tmp_path_factory.mktemp("drafts") / "body.md"
    body.write_text("徐先生：您好！您反映的问题已收悉，我局将尽快核查处理。", "utf-8")
    refusals = [
        ["transfer", "2026-000001", "--to", "nowhere", "--reason", "x", "--at", "2026-11-03T10:00:00+08:00"],
        ["reply", "2026-000001", "--kind", "interim", "--file", str(body), "--date", "2026-11-03T10:00:00+08:00"],
        ["reply", "2026-000001", "--kind", "supplement", "--file", str(body), "--date", "2026-11-03T10:00:00+08:00"],
        ["reply", "2026-000001", "--file", str(body), "--date", "2026-11-01T10:00:00+08:00"],
        ["extend", "2026-000001", "--until", "2026-12-31", "--reason", "x", "--approved-by", "city",
         "--requested", "2026-11-03T10:00:00+08:00"],
        ["extend", "2026-000001", "--until", "2026-11-20", "--reason", "x", "--approved-by", "city",
         "--requested", "2026-11-12T10:00:00+08:00"],
        ["rate", "2026-000001", "--value", "satisfied", "--source", "online", "--at", "2026-11-03T10:00:00+08:00"],
        ["withdraw", "2026-000009", "--reason", "x"],
        ["new", "--title", "t", "--channel", "fax", "--type", "help", "--category", "environment",
         "--department", "city", "--submitter", "王女士", "--message", "m", "--received", "2026-11-03T10:00:00+08:00"],
    ]  # fmt: skip
    for args in refusals:
        result = CliRunner().invoke(cli, [args[0], "--board", str(board.root), *args[1:]])
        assert result.exit_code == 1, (args, result.output)
        assert "Error:" in result.output
        assert "Traceback" not in result.output
    after = sorted(p.relative_to(board.root).as_posix() for p in board.root.rglob("*"))
    assert after == before


def test_new_prompts_for_what_flags_leave_out(board: BoardWriter) -> None:
    board.ticket()
    answers = "路灯不亮\nweb\nhelp\nurban-construction\nhousing\n王女士\n小区门口路灯坏了一周。\n"
    result = CliRunner().invoke(
        cli,
        ["new", "--board", str(board.root), "--received", "2026-11-03T10:00:00+08:00"],
        input=answers,
    )
    assert result.exit_code == 0, result.output
    assert "wrote tickets/2026/2026-000002/ticket.yaml" in result.output
    assert CliRunner().invoke(cli, ["validate", str(board.root)]).exit_code == 0


def test_withdraw_then_site_keeps_the_record(
    board: BoardWriter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp_path = tmp_path_factory.mktemp("outside")
    board.ticket()
    run(
        board.root,
        "withdraw",
        "2026-000001",
        "--reason",
        "问题已自行解决",
        "--at",
        "2026-11-03T10:00:00+08:00",
    )
    site = build_site(
        board.root,
        tmp_path / "site",
        ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00",
        ANSWERABLE_HISTORY=True,
    )
    soup = page(site, "tickets/2026-000001.html")
    assert soup.select_one(".status-withdrawn") is not None
    assert "问题已自行解决" in soup.select_one("li.event-withdrawn").get_text()


def test_audit_finds_a_planted_backdated_reply(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    body = tmp_path_factory.mktemp("drafts") / "body.md"
    body.write_text("徐先生：您好！经现场核查，脱落墙砖已清理，外墙维修已完成。此复。", "utf-8")
    board = BoardWriter.__new__(BoardWriter)
    board.root = repo
    board.ticket()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ticket", when="2026-11-02T09:30:00+08:00")
    # A reply written on 13 November but dated 4 November, as if it had been on time.
    run(repo, "reply", "2026-000001", "--file", str(body), "--date", "2026-11-04T10:00:00+08:00")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "reply", when="2026-11-13T16:00:00+08:00")
    result = CliRunner().invoke(cli, ["audit", str(repo)])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith("tickets/2026/2026-000001/reply-1.md:2:1: A001 ")
    github = CliRunner().invoke(cli, ["audit", str(repo), "--format", "github"])
    assert github.output.startswith(
        "::error file=tickets/2026/2026-000001/reply-1.md,line=2,col=1,title=A001::"
    )


def test_audit_outside_git_is_a_clear_error(board: BoardWriter) -> None:
    result = CliRunner().invoke(cli, ["audit", str(board.root)])
    assert result.exit_code == 2
    assert "not inside a git work tree" in result.output


def test_change_log_lists_corrections_edits_and_withdrawals(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    drafts = tmp_path_factory.mktemp("drafts")
    final, supplement = drafts / "final.md", drafts / "supplement.md"
    final.write_text("徐先生：您好！经核查，补偿金额为1500元，将于本月底前发放。此复。", "utf-8")
    supplement.write_text("更正：上述答复中补偿金额应为1800元，特此更正并致歉。", "utf-8")
    board = BoardWriter.__new__(BoardWriter)
    board.root = repo
    board.ticket()
    board.ticket("2026-000002")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tickets", when="2026-11-02T09:30:00+08:00")
    run(repo, "reply", "2026-000001", "--file", str(final), "--date", "2026-11-05T10:00:00+08:00")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "final", when="2026-11-05T10:05:00+08:00")
    run(
        repo,
        "reply",
        "2026-000001",
        "--kind",
        "supplement",
        "--file",
        str(supplement),
        "--date",
        "2026-11-06T10:00:00+08:00",
    )
    run(
        repo,
        "withdraw",
        "2026-000002",
        "--reason",
        "问题已解决",
        "--at",
        "2026-11-06T11:00:00+08:00",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "supplement, withdrawal", when="2026-11-06T11:05:00+08:00")
    reply = repo / "tickets/2026/2026-000001/reply-1.md"
    reply.write_text(reply.read_text("utf-8").replace("1500元", "1800元"), "utf-8")  # a silent edit
    git(repo, "commit", "-q", "-am", "fix amount", when="2026-11-07T09:00:00+08:00")

    site = build_site(
        repo,
        tmp_path_factory.mktemp("site"),
        ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00",
        ANSWERABLE_HISTORY=True,
    )
    rows = page(site, "changes.html").select("table.changes tbody tr")
    kinds = [row["class"][0] for row in rows]
    assert kinds == ["change-edited", "change-withdrawn", "change-supplement"]
    assert "reply-1.md" in rows[0].get_text()
    assert "问题已解决" in rows[1].get_text()
    audit = CliRunner().invoke(cli, ["audit", str(repo)])
    assert audit.exit_code == 1
    assert " A002 " in audit.output


def test_new_masks_personal_data_on_the_way_in(board: BoardWriter) -> None:
    result = CliRunner().invoke(
        cli,
        ["new", "--board", str(board.root), "--title", "路灯不亮", "--channel", "web", "--type", "help",
         "--category", "urban-construction", "--department", "housing", "--submitter", "王女士",
         "--message", "小区门口路灯坏了一周，请联系我13812345678，邮箱wang.li@163.com。",
         "--received", "2026-11-03T10:00:00+08:00"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "masked a mobile phone number (138****5678) in message" in result.stderr
    text = (board.root / "tickets/2026/2026-000001/ticket.yaml").read_text("utf-8")
    assert "13812345678" not in text
    assert "138****5678" in text
    assert "w***@163.com" in text
    assert CliRunner().invoke(cli, ["validate", str(board.root)]).exit_code == 0
