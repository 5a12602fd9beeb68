"""What the built site shows of the board's strings: only what privacy checks read.

A real board with a distinct mark in every string field is built, search index
included; the marks of the fields classified as never shown must appear in no page,
feed, data file or search fragment, and those of the checked fields do appear (so the
build really shows text and the search is not empty)."""

from __future__ import annotations

import gzip

import pytest

from answerable.checks.privacy import Voice, field_voices
from conftest import BOARD_YAML, BoardWriter
from sitebuild import build_site

# A mark per field: Chinese words unlikely anywhere else, no personal data.
MARKS = {
    "board.privacy.allowed_numbers[]": "0838-7654321",
    "board.privacy.allowed_email_domains[]": "yinbiao-shuiwu.gov.cn",
    "board.privacy.protected_names[]": "隐标甲乙",
    "ticket.source.system": "来源系统丙丁",
    "ticket.source.id": "来源编号戊己",
    "ticket.source.batch": "批次庚辛",
    "ticket.title": "标题壬癸",
    "ticket.submitter": "署名子丑",
    "ticket.location": "地点寅卯",
    "ticket.tags[]": "标签辰巳",
    "ticket.message": "留言午未",
    "ticket.transfers[].reason": "转办申酉",
    "ticket.extensions[].reason": "延期戌亥",
    "ticket.rating.comment": "评价青赤",
    "reply.signed": "落款黄白",
}
PRIVACY = f"""\
privacy:
  allowed_numbers: ['{MARKS["board.privacy.allowed_numbers[]"]}']
  allowed_email_domains: [{MARKS["board.privacy.allowed_email_domains[]"]}]
  protected_names: [{MARKS["board.privacy.protected_names[]"]}]
"""
TICKET = f"""\
id: 2026-000001
title: 小区外墙墙砖脱落{MARKS["ticket.title"]}
received: 2026-11-02T09:14:00+08:00
channel: web
type: complaint
category: urban-construction
department: housing
submitter: 徐先生{MARKS["ticket.submitter"]}
location: 东区某小区{MARKS["ticket.location"]}
tags: [外墙, {MARKS["ticket.tags[]"]}]
message: |
  自家楼盘外墙墙砖出现大片脱落，存在安全隐患。{MARKS["ticket.message"]}
transfers:
  - at: 2026-11-02T10:00:00+08:00
    from: city
    to: housing
    reason: 属地管理{MARKS["ticket.transfers[].reason"]}
extensions:
  - requested: 2026-11-03T14:00:00+08:00
    approved: 2026-11-03T15:00:00+08:00
    approved_by: city
    reason: 需现场核查{MARKS["ticket.extensions[].reason"]}
    due: 2026-11-20
rating:
  value: satisfied
  at: 2026-11-06T10:00:00+08:00
  source: return-visit
  comment: 墙砖已清理{MARKS["ticket.rating.comment"]}
resolution: resolved
source: {{system: {MARKS["ticket.source.system"]}, id: {MARKS["ticket.source.id"]}, batch: {MARKS["ticket.source.batch"]}}}
"""


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Every text the built site holds: files as text, search fragments unzipped."""
    board = BoardWriter(tmp_path_factory.mktemp("board"))
    board.write("board.yaml", BOARD_YAML + PRIVACY)
    board.write("tickets/2026/2026-000001/ticket.yaml", TICKET)
    board.reply(
        "2026-000001",
        1,
        "2026-11-05T10:00:00+08:00",
        extra=f"signed: 住建局{MARKS['reply.signed']}\n",
    )
    site = build_site(
        board.root, tmp_path_factory.mktemp("site"), ANSWERABLE_AS_OF="2026-11-20T12:00:00+08:00"
    )
    texts = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":  # Pagefind's index and fragments are gzip files
            data = gzip.decompress(data)
        texts.append(data.decode("utf-8", errors="replace"))
    assert any("pagefind" in str(p) for p in site.rglob("*.pf_fragment"))
    return "\n".join(texts)


@pytest.mark.parametrize("name", sorted(MARKS))
def test_a_field_is_shown_only_if_it_is_checked(shown: str, name: str) -> None:
    checked = field_voices()[name] in (Voice.CITIZEN, Voice.STAFF)
    assert (MARKS[name] in shown) == checked
