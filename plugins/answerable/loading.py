"""Read a board's tree in one pass: every file parsed once, every problem collected.

A bad file never stops the pass: it is reported with its path and line, and the rest
of the board still loads. Only files that pass their schema become records.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from .problems import Problem
from .records import SCHEMA_MODELS, TICKET_ID, Board, Record, ReplyMeta, Ticket, describe_value
from .yaml_source import Position, YamlDocument, YamlProblem, parse_yaml

MAX_FILE_BYTES = 1024 * 1024  # a ticket is a few KiB; anything this large is a mistake
REPLY_FILE = re.compile(r"^reply-([1-9][0-9]{0,3})\.md$")
YEAR_FOLDER = re.compile(r"^[0-9]{4}$")
IGNORED_NAMES = {".gitkeep"}
# Characters no one types: NUL and the like hide text from reviewers and break tools.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

R = TypeVar("R", bound=Record)


@dataclass
class ReplyFile:
    number: int
    path: str
    meta: ReplyMeta
    body: str
    body_line: int
    doc: YamlDocument

    def position(self, *path: str | int) -> Position:
        return self.doc.position(path)


@dataclass
class TicketFile:
    folder: str  # e.g. tickets/2026/2026-000042
    path: str  # the ticket.yaml
    ticket: Ticket
    doc: YamlDocument
    replies: list[ReplyFile] = field(default_factory=list)

    def position(self, *path: str | int) -> Position:
        return self.doc.position(path)


@dataclass
class LoadedBoard:
    root: Path
    board: Board | None
    board_doc: YamlDocument | None
    tickets: list[TicketFile]
    problems: list[Problem]


def load_board(root: Path) -> LoadedBoard:
    """Read board.yaml and every ticket folder under ``root``."""
    problems: list[Problem] = []
    board, board_doc = _load_board_file(root, problems)
    tickets: list[TicketFile] = []
    tickets_dir = root / "tickets"
    if tickets_dir.is_symlink():
        problems.append(_stray(root, tickets_dir, "tickets/ must be a folder, not a link"))
    elif tickets_dir.is_dir():
        for folder in _ticket_folders(root, tickets_dir, problems):
            loaded = load_ticket_folder(root, folder, problems)
            if loaded is not None:
                tickets.append(loaded)
    tickets.sort(key=lambda t: t.ticket.id)
    return LoadedBoard(root, board, board_doc, tickets, problems)


def _load_board_file(
    root: Path, problems: list[Problem]
) -> tuple[Board | None, YamlDocument | None]:
    path = root / "board.yaml"
    if not path.is_file():
        problems.append(Problem("board.yaml", 1, 1, "E007", "board.yaml is missing"))
        return None, None
    text = _read_text(path, "board.yaml", problems)
    if text is None:
        return None, None
    doc = _parse_text("board.yaml", text, problems)
    if doc is None:
        return None, None
    return _validate(Board, doc, _rel(root, path), problems), doc


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    # os.scandir: one system call per folder, and file types without a stat per entry.
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def _ticket_folders(root: Path, tickets_dir: Path, problems: list[Problem]) -> list[Path]:
    folders: list[Path] = []
    for year in _entries(tickets_dir):
        if year.name in IGNORED_NAMES:
            continue
        if year.is_symlink() or not year.is_dir() or not YEAR_FOLDER.match(year.name):
            why = "expected a year folder such as tickets/2026/"
            problems.append(_stray(root, Path(year.path), why))
            continue
        for folder in _entries(Path(year.path)):
            if folder.name in IGNORED_NAMES:
                continue
            if folder.is_symlink() or not folder.is_dir() or not re.match(TICKET_ID, folder.name):
                why = "expected a ticket folder named like 2026-000042"
                problems.append(_stray(root, Path(folder.path), why))
                continue
            folders.append(Path(folder.path))
    return folders


def load_ticket_folder(root: Path, folder: Path, problems: list[Problem]) -> TicketFile | None:
    """Read one ticket folder; its problems go to ``problems``."""
    rel_folder = _rel(root, folder)
    ticket_rel = f"{rel_folder}/ticket.yaml"
    ticket_entry = None
    reply_paths: list[tuple[int, Path, str]] = []
    for entry in _entries(folder):
        if entry.name in IGNORED_NAMES:
            continue
        if entry.name == "ticket.yaml":
            ticket_entry = entry
            continue
        match = REPLY_FILE.match(entry.name)
        if match and entry.is_file(follow_symlinks=False):
            reply_paths.append((int(match[1]), Path(entry.path), f"{rel_folder}/{entry.name}"))
        else:
            why = "a ticket folder holds ticket.yaml and reply-N.md files only"
            problems.append(_stray(root, Path(entry.path), why))
    ticket = None
    doc = None
    if ticket_entry is None or not ticket_entry.is_file(follow_symlinks=False):
        problems.append(Problem(ticket_rel, 1, 1, "E007", "ticket folder has no ticket.yaml"))
    else:
        text = _read_text(Path(ticket_entry.path), ticket_rel, problems)
        doc = _parse_text(ticket_rel, text, problems) if text is not None else None
        ticket = _validate(Ticket, doc, ticket_rel, problems) if doc else None
    replies = [
        reply
        for number, path, rel in sorted(reply_paths)
        if (reply := _load_reply(path, rel, number, problems)) is not None
    ]
    if ticket is None or doc is None:
        return None
    return TicketFile(rel_folder, ticket_rel, ticket, doc, replies)


def _load_reply(path: Path, rel: str, number: int, problems: list[Problem]) -> ReplyFile | None:
    text = _read_text(path, rel, problems)
    if text is None:
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        problems.append(
            Problem(rel, 1, 1, "E005", "a reply starts with a '---' line, then its front matter")
        )
        return None
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---"), None)
    if closing is None:
        problems.append(Problem(rel, 1, 1, "E005", "front matter has no closing '---' line"))
        return None
    doc = _parse_text(rel, "".join(lines[1:closing]), problems, line_offset=1)
    if doc is None:
        return None
    meta = _validate(ReplyMeta, doc, rel, problems)
    if meta is None:
        return None
    rest = lines[closing + 1 :]
    blank = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "".join(rest[blank:]).strip()
    return ReplyFile(number, rel, meta, body, closing + 2 + blank, doc)


def _read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(rel, 1, 1, "E001", f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
            )
            return None
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(rel, 1, 1, "E001", f"cannot read file: {error.strerror}"))
        return None
    try:
        # A byte-order mark is what some Windows editors write first; it carries no text.
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(Problem(rel, line, column, "E001", f"byte {error.start} is not UTF-8 text"))
        return None
    control = CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        code = f"U+{ord(control.group()):04X}"
        problems.append(Problem(rel, line, column, "E001", f"control character {code} in the text"))
        return None
    return text


def _parse_text(
    rel: str, text: str, problems: list[Problem], line_offset: int = 0
) -> YamlDocument | None:
    try:
        return parse_yaml(text, line_offset=line_offset)
    except YamlProblem as problem:
        where = problem.position
        problems.append(Problem(rel, where.line, where.column, problem.code, problem.message))
        return None


def _validate(model: type[R], doc: YamlDocument, rel: str, problems: list[Problem]) -> R | None:
    if not isinstance(doc.data, dict):
        where = doc.position(())
        problems.append(
            Problem(rel, where.line, where.column, "E103", "the file must hold a mapping of fields")
        )
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        for detail in error.errors():
            loc = tuple(detail["loc"])
            code, message = _explain(detail)
            where = doc.position(loc)
            problems.append(Problem(rel, where.line, where.column, code, message))
        return None


_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _field_name(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "file"


def _explain(detail: Any) -> tuple[str, str]:  # noqa: ANN401 - pydantic's ErrorDetails
    """Turn one pydantic error into our code and a one-line message."""
    kind: str = detail["type"]
    loc = tuple(detail["loc"])
    name = _field_name(loc)
    value = detail.get("input")
    if kind == "missing":
        return "E101", f"missing required field '{name}'"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = difflib.get_close_matches(key, sorted(_ALL_FIELDS), n=1, cutoff=0.75)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        return "E102", f"unknown field '{name}'{suffix}"
    if kind in ("string_too_short", "too_short") or (
        kind == "string_pattern_mismatch" and detail.get("ctx", {}).get("pattern") == r"\S"
    ):
        return "E101", f"'{name}' must not be empty"
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return "E104", f"'{name}' is {describe_value(value)}; expected {expected}"
    if kind in ("string_too_long", "too_long"):
        limit = detail.get("ctx", {}).get("max_length")
        size = len(value) if isinstance(value, str | list) else "?"
        return "E104", f"'{name}' is too long ({size}; at most {limit})"
    if kind in ("not_allowed", "greater_than_equal", "less_than_equal"):
        return "E104", f"'{name}': {detail['msg']}"
    if kind == "no_utc_offset":
        return "E105", f"'{name}': {detail['msg']}"
    if kind == "bad_format":
        return "E106", f"'{name}': {detail['msg']}"
    if kind == "string_pattern_mismatch":
        return "E106", f"'{name}' is {describe_value(value)}, which is not in the expected form"
    if kind == "wrong_type":
        return "E103", f"'{name}': {detail['msg']}"
    expected = _EXPECTED.get(kind)
    if expected:
        note = " (write true or false)" if kind == "bool_type" and isinstance(value, str) else ""
        return "E103", f"'{name}' should be {expected}, not {describe_value(value)}{note}"
    return "E103", f"'{name}': {detail['msg']}"


def _model_fields(model: type[Record]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for arg in _nested_models(info.annotation):
            names |= _model_fields(arg)
    return names


def _nested_models(annotation: Any) -> list[type[Record]]:  # noqa: ANN401 - typing objects
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return [annotation]
    found: list[type[Record]] = []
    for arg in getattr(annotation, "__args__", ()):
        found += _nested_models(arg)
    return found


_ALL_FIELDS = set().union(*(_model_fields(m) for m in SCHEMA_MODELS.values()))


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _stray(root: Path, path: Path, why: str) -> Problem:
    kind = "link" if path.is_symlink() else ("folder" if path.is_dir() else "file")
    return Problem(_rel(root, path), 1, 1, "E006", f"unexpected {kind} '{path.name}': {why}")
