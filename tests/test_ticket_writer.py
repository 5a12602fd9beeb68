"""The one writer of new ticket files (``staff.authoring.ticket_yaml`` and ``reply_md``):
what it writes reads back, by both YAML readers and the board's loader, as exactly the
values it was given."""

from __future__ import annotations

import io
import os
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from answerable.checks.problems import Problem
from answerable.reading.loading import load_ticket_folder
from answerable.staff.authoring import (
    SCHEMA_LINE,
    reply_md,
    ticket_yaml,
    with_id,
    write_new_folder,
    yaml_scalar,
)

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when it is there
CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def read_both(text: str) -> tuple[Any, Any]:
    """The text as PyYAML (YAML 1.1) and ruamel (YAML 1.2) read it."""
    safe = yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
    return safe, YAML(typ="safe").load(io.StringIO(text))


FULL: dict[str, Any] = {
    "id": "2026-000042",
    "title": "路灯不亮",
    "received": at("2026-11-02T09:15:00"),
    "channel": "hotline",
    "type": "complaint",
    "category": "urban-construction",
    "department": "housing",
    "co_departments": ["street"],
    "submitter": "某科技有限公司",
    "submitter_kind": "enterprise",
    "location": "青溪区锦华路",
    "urgent": True,
    "tags": ["路灯", "安全隐患"],
    "related": ["2026-000007"],
    "duplicate_of": "2026-000001",
    "message": "路灯坏了一个月。\n\n晚上很黑，  \n希望尽快修复。",
    "transfers": [
        {"at": at("2026-11-02T10:05:00"), "from": "city", "to": "housing", "reason": "属地办理"}
    ],
    "extensions": [
        {
            "requested": at("2026-11-05T10:00:00"),
            "approved": at("2026-11-05T11:00:00"),
            "approved_by": "city",
            "reason": "需要现场勘查",
            "due": date(2026, 11, 20),
        },
        {"requested": at("2026-11-18T10:00:00"), "reason": "再次延期", "due": date(2026, 12, 1)},
    ],
    "rating": {"value": "satisfied", "at": at("2026-11-21T09:00:00"), "source": "sms"},
    "resolution": "resolved",
    "withdrawn": {"at": at("2026-11-22T09:00:00"), "reason": "问题已自行解决"},
    "hidden": {"at": at("2026-11-23T09:00:00"), "reason": "含有他人隐私"},
    "source": {"system": "12345 热线", "id": "0042", "batch": "12345-2b58889ad6f5"},
}

# Worked out from the rules: the record's order, block mappings, flow lists, the message
# as a literal block without its trailing spaces, moments to the second with their offset.
FULL_TEXT = """\
id: 2026-000042
title: 路灯不亮
received: 2026-11-02T09:15:00+08:00
channel: hotline
type: complaint
category: urban-construction
department: housing
co_departments: [street]
submitter: 某科技有限公司
submitter_kind: enterprise
location: 青溪区锦华路
urgent: true
tags: [路灯, 安全隐患]
related: [2026-000007]
duplicate_of: 2026-000001
message: |
  路灯坏了一个月。

  晚上很黑，
  希望尽快修复。
transfers:
  - at: 2026-11-02T10:05:00+08:00
    from: city
    to: housing
    reason: 属地办理
extensions:
  - requested: 2026-11-05T10:00:00+08:00
    approved: 2026-11-05T11:00:00+08:00
    approved_by: city
    reason: 需要现场勘查
    due: 2026-11-20
  - requested: 2026-11-18T10:00:00+08:00
    reason: 再次延期
    due: 2026-12-01
rating:
  value: satisfied
  at: 2026-11-21T09:00:00+08:00
  source: sms
resolution: resolved
withdrawn:
  at: 2026-11-22T09:00:00+08:00
  reason: 问题已自行解决
hidden:
  at: 2026-11-23T09:00:00+08:00
  reason: 含有他人隐私
source:
  system: 12345 热线
  id: '0042'
  batch: '12345-2b58889ad6f5'
"""


def test_every_field_is_written_in_the_records_order() -> None:
    assert ticket_yaml(FULL, schema_line=False) == FULL_TEXT
    assert ticket_yaml(FULL).startswith(SCHEMA_LINE + "id: ")


def test_a_ticket_given_its_id_later_is_the_text_written_with_it() -> None:
    # An import writes under a stand-in id and numbers the ticket afterwards.
    stand_in = ticket_yaml({**FULL, "id": "2026-000000"})
    assert with_id(stand_in, "2026-000042") == ticket_yaml(FULL)
    assert with_id(ticket_yaml(FULL, schema_line=False), "2026-000043") == ticket_yaml(
        {**FULL, "id": "2026-000043"}, schema_line=False
    )
    with pytest.raises(ValueError, match="first field is not the id"):
        with_id(ticket_yaml({**FULL, "id": None}), "2026-000042")


def test_the_loader_reads_back_every_value(tmp_path: Path) -> None:
    folder = tmp_path / "tickets" / "2026" / "2026-000042"
    folder.mkdir(parents=True)
    (folder / "ticket.yaml").write_text(ticket_yaml(FULL), "utf-8")
    front = {
        "date": at("2026-11-03T15:20:00"),
        "department": "housing",
        "kind": "interim",
        "promised": date(2026, 11, 20),
        "signed": "测试市住房和城乡建设局",
    }
    (folder / "reply-1.md").write_text(reply_md(front, "\n已收悉，正在核查。\n\n"), "utf-8")
    problems: list[Problem] = []
    file = load_ticket_folder(tmp_path, folder, problems)
    assert problems == []
    assert file is not None
    ticket = file.ticket
    assert ticket.received == FULL["received"]
    assert ticket.tags == ["路灯", "安全隐患"]
    assert ticket.related == ["2026-000007"]
    assert ticket.message == "路灯坏了一个月。\n\n晚上很黑，\n希望尽快修复。\n"
    assert ticket.transfers[0].from_ == "city"
    assert ticket.extensions[1].approved is None
    assert ticket.extensions[1].due == date(2026, 12, 1)
    assert ticket.rating is not None
    assert ticket.rating.comment is None
    assert ticket.hidden is not None
    assert ticket.hidden.reason == "含有他人隐私"
    assert ticket.source is not None
    assert (ticket.source.system, ticket.source.id) == ("12345 热线", "0042")
    [reply] = file.replies
    assert reply.meta.promised == date(2026, 11, 20)
    assert reply.meta.signed == "测试市住房和城乡建设局"
    assert reply.body.strip() == "已收悉，正在核查。"


def test_reply_front_matter_in_its_order_without_empty_fields() -> None:
    front = {"signed": None, "kind": "final", "department": "housing"}
    text = reply_md({**front, "date": at("2026-11-03T15:20:00")}, "  答复。 ")
    assert text == (
        "---\ndate: 2026-11-03T15:20:00+08:00\ndepartment: housing\nkind: final\n---\n答复。\n"
    )


HOSTILE = [
    "yes", "No", "null", "~", "true", "12", "1e3", "0x1F", "2026-11-20", "12:30", "1_000",
    "- item", "? key", ": x", "a: b", "a #b", "#x", "&anchor", "*alias", "!tag", "|", ">",
    "'quoted'", '"quoted"', "%x", "@x", "`x", " leading", "trailing ", "", "a\nb", "tab\there",
    "bell\x07", "\ufeffbom", "line\u2028sep", "next\x85line", "emoji 😀", "back\\slash",
    "路灯: 不亮", "[x]", "{x}", "a, b", "普通文字", "word", "2026-000042", "2026-11-20T10:00",
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_reads_back_as_itself(value: str) -> None:
    text = f"title: {yaml_scalar(value)}\ntags: [{yaml_scalar(value, flow=True)}, x]\n"
    for data in read_both(text):
        assert data == {"title": value, "tags": [value, "x"]}


@pytest.mark.parametrize(
    "message", ["含控制字符\x07的留言", "第一行\n\n  缩进的第二行", "a: b\n# c"]
)
def test_a_message_reads_back_as_its_cleaned_text(message: str) -> None:
    fields = {**FULL, "message": message}
    for data in read_both(ticket_yaml(fields)):
        cleaned = "\n".join(line.rstrip() for line in message.strip().splitlines()) + "\n"
        assert data["message"] == cleaned


def test_a_field_the_record_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="no field colour"):
        ticket_yaml({**FULL, "colour": "red"})
    with pytest.raises(ValueError, match="no field note"):
        reply_md({"note": "x"}, "body")


def test_a_moment_without_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        ticket_yaml({**FULL, "received": datetime(2026, 11, 2, 9, 15)})


def test_a_new_folder_gets_the_mode_asked_for_and_leaves_no_staging(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_new_folder(tmp_path / "a", {"ticket.yaml": "id: x\n"}, 0o775)  # more than umask
        write_new_folder(tmp_path / "b", {"ticket.yaml": "id: y\n"}, 0o755)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o775
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o755
    assert (tmp_path / "a" / "ticket.yaml").read_text("utf-8") == "id: x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_a_folder_that_holds_files_is_kept_and_nothing_is_left(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ticket.yaml").write_text("id: old\n", "utf-8")
    with pytest.raises(OSError, match="not empty"):
        write_new_folder(tmp_path / "a", {"ticket.yaml": "id: x\n"}, 0o755)
    assert [p.name for p in tmp_path.iterdir()] == ["a"]
    assert (tmp_path / "a" / "ticket.yaml").read_text("utf-8") == "id: old\n"
