"""Every string the board's files hold is checked for personal data, or classified as
not free text: the list and each field's voice come from the record models, and each
public field is tried with a number in it through ``answerable validate``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel, Field

from answerable.checks.privacy import Voice, field_texts, field_voices, public_fields
from answerable.checks.schema import json_schema
from answerable.cli.main import cli
from answerable.core.records import DURATION_PATTERN, SCHEMA_MODELS, Ticket
from conftest import BOARD_YAML

# ---- the list of fields -----------------------------------------------------------------


def model_string_fields() -> set[str]:
    return {f.name for kind, model in SCHEMA_MODELS.items() for f in public_fields(model, kind)}


def test_every_string_field_is_classified() -> None:
    unclassified = sorted(name for name, voice in field_voices().items() if voice is None)
    assert unclassified == [], (
        f"{unclassified}: a string field the site may show; say in core/records.py whose "
        "words it is (Annotated[..., Voice.CITIZEN] or Voice.STAFF), or that it is a code "
        "(Voice.CODE) or never shown (Voice.PRIVATE)"
    )
    assert set(field_voices()) == model_string_fields()


# The fields as they were classified when the list moved into the models; a field
# added later declares its own voice, and one of these changes only on purpose.
CLASSIFIED = {
    "board.name": Voice.STAFF,
    "board.locale": Voice.CODE,
    "board.timezone": Voice.CODE,
    "board.calendar.country": Voice.CODE,
    "board.calendar.subdivision": Voice.CODE,
    "board.types[].id": Voice.CODE,
    "board.types[].name": Voice.STAFF,
    "board.channels[].id": Voice.CODE,
    "board.channels[].name": Voice.STAFF,
    "board.departments[].id": Voice.CODE,
    "board.departments[].name": Voice.STAFF,
    "board.departments[].parent": Voice.CODE,
    "board.departments[].level": Voice.CODE,
    "board.categories[].id": Voice.CODE,
    "board.categories[].name": Voice.STAFF,
    "board.privacy.allowed_numbers[]": Voice.PRIVATE,
    "board.privacy.allowed_email_domains[]": Voice.PRIVATE,
    "board.privacy.protected_names[]": Voice.PRIVATE,
    "ticket.id": Voice.CODE,
    "ticket.title": Voice.CITIZEN,
    "ticket.channel": Voice.CODE,
    "ticket.type": Voice.CODE,
    "ticket.category": Voice.CODE,
    "ticket.department": Voice.CODE,
    "ticket.co_departments[]": Voice.CODE,
    "ticket.submitter": Voice.CITIZEN,
    "ticket.submitter_kind": Voice.CODE,
    "ticket.location": Voice.CITIZEN,
    "ticket.tags[]": Voice.CITIZEN,
    "ticket.related[]": Voice.CODE,
    "ticket.duplicate_of": Voice.CODE,
    "ticket.message": Voice.CITIZEN,
    "ticket.transfers[].from": Voice.CODE,
    "ticket.transfers[].to": Voice.CODE,
    "ticket.transfers[].reason": Voice.STAFF,
    "ticket.extensions[].approved_by": Voice.CODE,
    "ticket.extensions[].reason": Voice.STAFF,
    "ticket.rating.value": Voice.CODE,
    "ticket.rating.source": Voice.CODE,
    "ticket.rating.comment": Voice.CITIZEN,
    "ticket.resolution": Voice.CODE,
    "ticket.withdrawn.reason": Voice.CITIZEN,
    "ticket.hidden.reason": Voice.STAFF,
    "ticket.source.system": Voice.PRIVATE,
    "ticket.source.id": Voice.PRIVATE,
    "ticket.source.batch": Voice.PRIVATE,
    "reply.department": Voice.CODE,
    "reply.kind": Voice.CODE,
    "reply.signed": Voice.STAFF,
}


@pytest.mark.parametrize("name", sorted(CLASSIFIED))
def test_each_field_keeps_its_voice(name: str) -> None:
    assert field_voices()[name] is CLASSIFIED[name]


def schema_strings(schema: dict[str, Any], node: dict[str, Any], name: str) -> set[str]:
    """The free-text string fields a JSON Schema describes, walked independently of the
    models: timestamps, dates and durations are strings in YAML but not text."""
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    found: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for part in node.get(key, []):
            found |= schema_strings(schema, part, name)
    if node.get("type") == "object" or "properties" in node:
        for key, child in node.get("properties", {}).items():
            found |= schema_strings(schema, child, f"{name}.{key}")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            found |= schema_strings(schema, extra, f"{name}{{}}")
    elif node.get("type") == "array":
        found |= schema_strings(schema, node["items"], f"{name}[]")
    elif node.get("type") == "string" or "enum" in node or "const" in node:
        not_text = node.get("format") in ("date", "date-time") or (
            node.get("pattern") == DURATION_PATTERN
        )
        if not not_text:
            found.add(name)
    return found


def test_the_json_schemas_name_the_same_string_fields() -> None:
    from_schemas = set()
    for kind in SCHEMA_MODELS:
        schema = json_schema(kind)
        from_schemas |= schema_strings(schema, schema, kind)
    assert from_schemas == model_string_fields()


def test_a_new_string_field_is_checked_before_anyone_classifies_it() -> None:
    class Amended(Ticket):
        handler_note: str | None = None
        contacts: list[dict[str, str]] | None = None

    fields = {f.name: f for f in public_fields(Amended, "ticket")}
    # Checked as a citizen's words, the strictest reading, until it is classified.
    assert fields["ticket.handler_note"].voice is Voice.CITIZEN
    assert fields["ticket.contacts[]"].voice is Voice.CITIZEN
    assert fields["ticket.handler_note"].declared is None
    assert fields["ticket.contacts[]"].declared is None


def test_a_field_declares_its_voice_in_its_annotation() -> None:
    class Amended(Ticket):
        handler_note: Annotated[str, Voice.STAFF] | None = None
        contacts: list[Annotated[str, Voice.PRIVATE]] | None = None
        # The field's own declaration wins over one its type alias carries.
        code: Annotated[Annotated[str, Voice.CITIZEN], Voice.CODE] = "x"

    fields = {f.name: f.voice for f in public_fields(Amended, "ticket")}
    assert fields["ticket.handler_note"] is Voice.STAFF
    assert fields["ticket.contacts[]"] is Voice.PRIVATE
    assert fields["ticket.code"] is Voice.CODE
    # One record held by two fields takes each field's voice where it declares none.
    assert fields["ticket.withdrawn.reason"] is Voice.CITIZEN
    assert fields["ticket.hidden.reason"] is Voice.STAFF


# ---- a number in each public field ------------------------------------------------------

TICKET = """\
id: 2026-000001
title: {title}
received: 2026-11-02T09:14:00+08:00
channel: web
type: complaint
category: urban-construction
department: housing
submitter: {submitter}
location: {location}
tags: [{tags}]
message: |
  自家楼盘外墙墙砖出现大片脱落，存在安全隐患。
  {message}
"""
REPLY = """\
---
date: 2026-11-05T10:00:00+08:00
department: housing
kind: final
signed: {signed}
---
{body}
"""
CLEAN = {
    "title": "小区外墙墙砖脱落",
    "submitter": "徐先生",
    "location": "东区某小区",
    "tags": "外墙, 安全",
    "message": "请尽快处理。",
    "signed": "测试市住房和城乡建设局",
    "body": "徐先生：您好！经现场核查，已安排物业对脱落墙砖进行清理并设置警示区域。此复。",
}
# Each mobile number written as a person might: dots, full-width digits, a zero-width
# space, a slash, a line break inside.
MOBILE = "138.1234.5678"

# field: (file, what replaces which placeholder or what is appended, line of the field)
TICKET_FILE = "tickets/2026/2026-000001/ticket.yaml"
REPLY_FILE = "tickets/2026/2026-000001/reply-1.md"
CASES: dict[str, tuple[str, dict[str, str], str, int]] = {
    "ticket.title": (TICKET_FILE, {"title": f"墙砖脱落 {MOBILE}"}, "", 2),
    "ticket.submitter": (TICKET_FILE, {"submitter": "徐先生１３８１２３４５６７８"}, "", 8),
    "ticket.location": (TICKET_FILE, {"location": "东区某小区 138/1234/5678"}, "", 9),
    "ticket.tags[]": (TICKET_FILE, {"tags": "外墙, 138\u200b1234\u200b5678"}, "", 10),
    # A line break inside the number, in the second line of the message block.
    "ticket.message": (TICKET_FILE, {"message": "电话138\n  1234 5678"}, "", 11),
    "ticket.transfers[].reason": (
        TICKET_FILE,
        {},
        "transfers:\n"
        "  - at: 2026-11-02T10:00:00+08:00\n"
        "    from: city\n"
        "    to: housing\n"
        f"    reason: 属地管理，联系人手机{MOBILE}\n",
        18,
    ),
    "ticket.extensions[].reason": (
        TICKET_FILE,
        {},
        "extensions:\n"
        "  - requested: 2026-11-03T14:00:00+08:00\n"
        "    approved: 2026-11-03T15:00:00+08:00\n"
        "    approved_by: city\n"
        "    reason: 需现场核查，请联系138·1234·5678\n"
        "    due: 2026-11-20\n",
        18,
    ),
    "ticket.rating.comment": (
        TICKET_FILE,
        {},
        "rating:\n"
        "  value: satisfied\n"
        "  at: 2026-11-06T10:00:00+08:00\n"
        "  source: return-visit\n"
        f"  comment: 满意，有事打我{MOBILE}\n"
        "resolution: resolved\n",
        18,
    ),
    "ticket.withdrawn.reason": (
        TICKET_FILE,
        {},
        "withdrawn:\n  at: 2026-11-03T10:00:00+08:00\n  reason: 已自行解决，身份证110105 19491231 002X\n",
        16,
    ),
    "ticket.hidden.reason": (
        TICKET_FILE,
        {},
        f"hidden:\n  at: 2026-11-03T10:00:00+08:00\n  reason: 应本人{MOBILE}要求隐藏\n",
        16,
    ),
    "reply.signed": (REPLY_FILE, {"signed": f"张科长 {MOBILE}"}, "", 5),
}
# Only a withdrawn ticket has no reply: a reply after the withdrawal is E311.
NO_REPLY = {"ticket.withdrawn.reason", "ticket.hidden.reason"}
# A field at the top of ticket.yaml is tried without a hand-written case: appended
# after the message block, on line 14.
TOP = re.compile(r"ticket\.([a-z_]+)(\[\])?")


def public_names() -> set[str]:
    return {
        name
        for name, voice in field_voices().items()
        if voice in (Voice.CITIZEN, Voice.STAFF) and not name.startswith("board.")
    }


def case(name: str) -> tuple[str, dict[str, str], str, int]:
    if name in CASES:
        return CASES[name]
    key, many = TOP.fullmatch(name).groups()  # type: ignore[union-attr]
    value = f"备注{MOBILE}"
    return TICKET_FILE, {}, f"{key}: [{value}]\n" if many else f"{key}: {value}\n", 14


def test_every_public_field_has_a_case() -> None:
    # A nested or a reply's field needs its own case in CASES.
    assert {name for name in public_names() if not TOP.fullmatch(name)} <= set(CASES)
    assert set(CASES) <= public_names()  # nothing stale


def write_board(root: Path, values: dict[str, str], extra: str, *, reply: bool) -> None:
    (root / "board.yaml").write_text(BOARD_YAML, "utf-8")
    folder = root / "tickets/2026/2026-000001"
    folder.mkdir(parents=True)
    fields = CLEAN | values
    (folder / "ticket.yaml").write_text(TICKET.format(**fields) + extra, "utf-8")
    if reply:
        (folder / "reply-1.md").write_text(REPLY.format(**fields), "utf-8")


def validate(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"])
    return result.exit_code, json.loads(result.output)["problems"]


def test_the_clean_board_is_valid(tmp_path: Path) -> None:
    write_board(tmp_path, {}, "", reply=True)
    assert validate(tmp_path) == (0, [])


@pytest.mark.parametrize("name", sorted(public_names()))
def test_a_number_in_a_public_field_is_reported_at_its_file_and_line(
    tmp_path: Path, name: str
) -> None:
    path, values, extra, line = case(name)
    write_board(tmp_path, values, extra, reply=name not in NO_REPLY)
    code, problems = validate(tmp_path)
    expected = "E502" if field_voices()[name] is Voice.STAFF else "E501"
    assert code == 1
    assert [(p["path"], p["line"], p["code"]) for p in problems] == [(path, line, expected)]
    # The message names the kind and the masked form, never the number itself.
    assert "13812345678" not in problems[0]["message"]
    assert "1234" not in problems[0]["message"].replace("****", "")


@pytest.mark.parametrize(
    "name",
    sorted(n for n in public_names() if field_voices()[n] is Voice.STAFF and n != "reply.signed"),
)
def test_an_office_landline_is_allowed_in_the_office_s_words(tmp_path: Path, name: str) -> None:
    extra = case(name)[2]
    extra = extra.replace("138·1234·5678", "0838-1234567").replace(MOBILE, "0838-1234567")
    write_board(tmp_path, {}, extra, reply=name not in NO_REPLY)
    assert validate(tmp_path) == (0, [])


def test_a_signature_may_carry_the_office_s_landline_but_not_a_mobile(tmp_path: Path) -> None:
    write_board(tmp_path, {"signed": "住建局 0838-1234567"}, "", reply=True)
    assert validate(tmp_path) == (0, [])


def test_a_landline_in_a_citizen_s_rating_comment_is_an_error(tmp_path: Path) -> None:
    extra = CASES["ticket.rating.comment"][2].replace(MOBILE, "028.8765.4321")
    write_board(tmp_path, {}, extra, reply=True)
    code, problems = validate(tmp_path)
    assert code == 1
    assert [(p["path"], p["line"], p["code"]) for p in problems] == [(TICKET_FILE, 18, "E501")]
    assert "028-****4321" in problems[0]["message"]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("name: 测试市网络问政平台", "name: 测试市网络问政平台 值班13812345678", 1),
        (
            "{id: housing, name: 测试市住房和城乡建设局, parent: city}",
            "{id: housing, name: 测试市住房和城乡建设局（138 1234 5678）, parent: city}",
            17,
        ),
        (
            "{id: environment, name: 环境保护}",
            '{id: environment, name: "环境保护 138/1234/5678"}',
            22,
        ),
    ],
)
def test_names_in_board_yaml_are_the_office_s_words(
    tmp_path: Path, old: str, new: str, line: int
) -> None:
    write_board(tmp_path, {}, "", reply=True)
    board = tmp_path / "board.yaml"
    board.write_text(board.read_text("utf-8").replace(old, new), "utf-8")
    code, problems = validate(tmp_path)
    assert code == 1
    assert [(p["path"], p["line"], p["code"]) for p in problems] == [("board.yaml", line, "E502")]


def test_privacy_settings_and_import_provenance_are_not_checked(tmp_path: Path) -> None:
    # The allowed numbers are numbers by design; an import's source id is never shown.
    write_board(
        tmp_path, {}, "source: {system: hotline, id: '13812345678', batch: b1}\n", reply=True
    )
    board = tmp_path / "board.yaml"
    board.write_text(
        board.read_text("utf-8") + "privacy:\n  allowed_numbers: ['13900001111']\n", "utf-8"
    )
    assert validate(tmp_path) == (0, [])


def test_the_line_inside_a_long_message_is_named(tmp_path: Path) -> None:
    write_board(tmp_path, {"message": "第二行\n  电话１３８ １２３４ ５６７８"}, "", reply=True)
    _, problems = validate(tmp_path)
    # The message block starts on line 11; its text's third line holds the number.
    assert [(p["line"], p["code"]) for p in problems] == [(11, "E501")]
    assert (
        "'message' (line 3 of it) holds a mobile phone number (138****5678)"
        in (problems[0]["message"])
    )


# ---- the ordinary pages ---------------------------------------------------------------------


def test_a_page_in_content_is_the_office_s_words(board) -> None:
    """The about and how-to-submit pages are on every visit: a staff member's mobile
    there is an error at its line; the office's landline and hotline stay."""
    board.ticket()
    board.write(
        "content/pages/how-to-submit.md",
        "Title: 如何留言\n\n"  # line 1
        "工作时间请拨打12345或本办座机0838-1234567。\n"  # line 3: official, allowed
        "夜间请联系值班员：139 0000 1111。\n",  # line 4: a mobile
    )
    result = CliRunner().invoke(cli, ["validate", str(board.root)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "E502" in line]
    # "夜间请联系值班员：" is 9 characters: the number starts in column 10.
    assert lines == [
        "content/pages/how-to-submit.md:4:10: E502 page holds a mobile phone number "
        "(139****1111); only board.yaml's privacy.allowed_numbers may appear"
    ]


class _Note(BaseModel):
    text: str
    lines: list[Annotated[str, "a constraint, not a voice"]] = []
    either: int | str = 0


class _Holder(BaseModel):
    note: Annotated[_Note, Voice.STAFF]
    notes: list[Annotated[_Note, Voice.PRIVATE]] = []
    own: Annotated[_Note, Voice.STAFF] | None = None


def test_a_record_takes_the_voice_of_the_field_that_holds_it_through_lists_and_unions() -> None:
    """A record's fields that declare no voice take the one declared where the record is
    held, through a list, a union or an Annotated part that is no voice."""
    found = {f.name: f.declared for f in public_fields(_Holder, "x")}
    assert found == {
        "x.note.text": Voice.STAFF,
        "x.note.lines[]": Voice.STAFF,
        "x.note.either": Voice.STAFF,
        "x.notes[].text": Voice.PRIVATE,
        "x.notes[].lines[]": Voice.PRIVATE,
        "x.notes[].either": Voice.PRIVATE,
        "x.own.text": Voice.STAFF,
        "x.own.lines[]": Voice.STAFF,
        "x.own.either": Voice.STAFF,
    }


def test_each_field_reaches_its_values_through_records_and_lists() -> None:
    holder = _Holder(
        note=_Note(text="甲", lines=["乙", "丙"]),
        notes=[_Note(text="丁"), _Note(text="戊", either="己")],
    )
    fields = {f.name: f for f in public_fields(_Holder, "x")}
    assert list(field_texts(holder, fields["x.note.lines[]"])) == [
        (("note", "lines", 0), "乙"),
        (("note", "lines", 1), "丙"),
    ]
    assert list(field_texts(holder, fields["x.notes[].text"])) == [
        (("notes", 0, "text"), "丁"),
        (("notes", 1, "text"), "戊"),
    ]
    assert list(field_texts(holder, fields["x.notes[].either"])) == [(("notes", 1, "either"), "己")]
    assert list(field_texts(holder, fields["x.own.text"])) == []


class _Aliased(BaseModel):
    from_: str = Field(alias="from")
    either: int | str = 0


def test_a_field_of_the_record_itself_is_read_by_its_key_in_the_file() -> None:
    """A field one step away: its path is the key as the file writes it, and only a
    string that says something is read (not an empty one, not a number)."""
    fields = {f.name: f for f in public_fields(_Aliased, "x")}
    written = _Aliased.model_validate({"from": "庚", "either": "辛"})
    assert field_texts(written, fields["x.from"]) == [(("from",), "庚")]
    assert field_texts(written, fields["x.either"]) == [(("either",), "辛")]
    empty = _Aliased.model_validate({"from": "", "either": 7})
    assert field_texts(empty, fields["x.from"]) == []
    assert field_texts(empty, fields["x.either"]) == []
