"""Every staff command masks personal data on the way in, as ``new`` does, and says so;
the office's official contacts stay in the office's words."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from answerable.cli.main import cli
from conftest import BoardWriter

TICKET = "tickets/2026/2026-000001/ticket.yaml"


def run(board: BoardWriter, *args: str) -> Result:
    return CliRunner().invoke(cli, [args[0], "--board", str(board.root), *args[1:]])


def valid(board: BoardWriter) -> bool:
    return CliRunner().invoke(cli, ["validate", str(board.root), "--strict"]).exit_code == 0


@pytest.fixture
def answered(board: BoardWriter) -> BoardWriter:
    board.ticket()
    board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    return board


# command, its arguments (ticket 2026-000001 has a final reply unless it is withdrawn),
# what is said about it, the file written, what must be there and what must not.
CASES = {
    "rate --comment": (
        ["rate", "2026-000001", "--value", "satisfied", "--source", "return-visit",
         "--comment", "满意，以后有事打我138.1234.5678", "--at", "2026-11-06T10:00:00+08:00"],
        "masked a mobile phone number (138****5678) in the comment",
        TICKET, "comment: 满意，以后有事打我138****5678", "1234",
    ),
    "extend --reason": (
        ["extend", "2026-000001", "--until", "2026-11-20", "--approved-by", "city",
         "--reason", "需现场核查，联系人手机１３８１２３４５６７８，座机0838-1234567",
         "--requested", "2026-11-03T14:00:00+08:00", "--approved", "2026-11-03T15:00:00+08:00"],
        "masked a mobile phone number (138****5678) in the reason",
        TICKET, "reason: 需现场核查，联系人手机138****5678，座机0838-1234567", "１２３４",
    ),
    "transfer --reason": (
        ["transfer", "2026-000001", "--to", "district", "--at", "2026-11-02T10:00:00+08:00",
         "--reason", "属地管理，经办人身份证110105 1949.12.31 002X"],
        "masked a resident ID number (110105********002X) in the reason",
        TICKET, "reason: 属地管理，经办人身份证110105********002X", "19491231",
    ),
    "withdraw --reason": (
        ["withdraw", "2026-000001", "--at", "2026-11-03T10:00:00+08:00",
         "--reason", "已自行解决，如需回访请拨0838-7654321"],
        "masked a landline phone number (0838-****4321) in the reason",
        TICKET, "reason: 已自行解决，如需回访请拨0838-****4321", "7654321",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_staff_command_masks_its_text(board: BoardWriter, name: str) -> None:
    args, note, path, present, absent = CASES[name]
    board.ticket()
    if name != "withdraw --reason":  # a withdrawal after the final reply is refused
        board.reply("2026-000001", 1, "2026-11-05T10:00:00+08:00")
    if name == "transfer --reason":
        board.ticket(department="city")
    result = run(board, *args)
    assert result.exit_code == 0, result.output
    assert note in result.stderr
    text = (board.root / path).read_text("utf-8")
    assert present in text
    assert absent not in text
    assert valid(board)


def test_withdrawal_reason_is_the_citizen_s_words(board: BoardWriter) -> None:
    # A landline is masked in the citizen's reason (above) but kept in the office's
    # extension reason: the classification decides, not the command.
    board.ticket()
    run(board, *CASES["withdraw --reason"][0])
    assert "0838-7654321" not in (board.root / TICKET).read_text("utf-8")


def test_reply_masks_the_body_and_the_signature(answered: BoardWriter, tmp_path: Path) -> None:
    body = tmp_path / "supplement.md"
    body.write_text(
        "徐先生：您好！补充说明：脱落墙砖已全部清理。经办人手机138/1234/5678，如有疑问请致电0838-1234567。此复。",
        "utf-8",
    )
    result = run(
        answered, "reply", "2026-000001", "--kind", "supplement", "--file", str(body),
        "--date", "2026-11-06T10:00:00+08:00", "--signed", "住建局 王科长 139·0000·1111",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "masked a mobile phone number (139****1111) in signed" in result.stderr
    assert "masked a mobile phone number (138****5678) in the reply" in result.stderr
    text = (answered.root / "tickets/2026/2026-000001/reply-2.md").read_text("utf-8")
    assert "signed: 住建局 王科长 139****1111" in text
    assert "经办人手机138****5678，如有疑问请致电0838-1234567。" in text
    assert valid(answered)


def test_reply_keeps_the_board_s_allowed_numbers(answered: BoardWriter, tmp_path: Path) -> None:
    board_yaml = answered.root / "board.yaml"
    board_yaml.write_text(
        board_yaml.read_text("utf-8") + "privacy:\n  allowed_numbers: ['139-0000-1111']\n",
        "utf-8",
    )
    body = tmp_path / "supplement.md"
    body.write_text("徐先生：您好！值班手机13900001111，可随时联系。此复。", "utf-8")
    result = run(
        answered, "reply", "2026-000001", "--kind", "supplement", "--file", str(body),
        "--date", "2026-11-06T10:00:00+08:00", "--signed", "住建局值班室 139 0000 1111",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "masked" not in result.stderr
    text = (answered.root / "tickets/2026/2026-000001/reply-2.md").read_text("utf-8")
    assert "值班手机13900001111" in text
    assert "signed: 住建局值班室 139 0000 1111" in text


def test_new_masks_tags_and_every_citizen_field(board: BoardWriter) -> None:
    result = run(
        board, "new", "--title", "路灯不亮 138.1234.5678", "--channel", "web", "--type", "help",
        "--category", "urban-construction", "--department", "housing",
        "--submitter", "王女士", "--location", "东区某小区3栋 座机028/8765/4321",
        "--tag", "路灯", "--tag", "回电139\u200b0000\u200b1111",
        "--message", "小区门口路灯坏了一周。", "--received", "2026-11-03T10:00:00+08:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "masked a mobile phone number (138****5678) in title" in result.stderr
    assert "masked a landline phone number (028-****4321) in location" in result.stderr
    assert "masked a mobile phone number (139****1111) in tags[1]" in result.stderr
    text = (board.root / TICKET).read_text("utf-8")
    assert "title: 路灯不亮 138****5678" in text
    assert "location: 东区某小区3栋 座机028-****4321" in text
    assert "tags: [路灯, 回电139****1111]" in text
    assert valid(board)


def test_rating_without_a_comment_is_unchanged(answered: BoardWriter) -> None:
    result = run(
        answered, "rate", "2026-000001", "--value", "satisfied", "--source", "online",
        "--at", "2026-11-06T10:00:00+08:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "comment" not in (answered.root / TICKET).read_text("utf-8")
