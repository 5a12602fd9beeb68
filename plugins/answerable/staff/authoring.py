"""Writing the board's files for staff: a new ticket, a reply, an extension, a transfer,
a rating, a withdrawal.

Each change is worked out in memory, checked with the same rules as ``answerable
validate`` on a copy of the ticket's folder, and only then written, atomically: what
is refused leaves no file behind, half-written or otherwise. New files are written from
one template (``ticket_yaml``, ``reply_md``), which the benchmark corpus uses too; existing
files are edited with ruamel.yaml's round trip, so comments, order and quoting stay as
staff wrote them.
"""

from __future__ import annotations

import functools
import io
import itertools
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from answerable.checks.problems import Problem, Severity
from answerable.core.records import ReplyMeta, Ticket

# Imported where they are used: writing new files from the template needs none of them
# (the benchmark corpus writes 100,000 folders with it), only checking and editing do.
if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from answerable.reading.loading import LoadedBoard, TicketFile

SCHEMA_LINE = "# yaml-language-server: $schema=../../../schemas/ticket.schema.json\n"


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def ordinary_mode(*, folder: bool) -> int:
    """The mode a file or folder the board's files live in gets from plain ``open`` or
    ``mkdir``: readable by others under the usual umask, as git would check it out."""
    return (0o777 if folder else 0o666) & ~_umask()


_STAGING = itertools.count()


def write_new_folder(folder: Path, files: dict[str, str], mode: int) -> None:
    """A new folder written whole: built beside its place, then renamed into place, so no
    reader sees it half-written. ``mode``: the folder's, as ``ordinary_mode`` gives it."""
    # A name of this process's own, made with the folder's mode: mkdtemp's random name
    # and its 0700 (for secrets) would cost two more system calls a folder.
    staging = f"{folder.parent}/.answerable-{os.getpid()}-{next(_STAGING)}"
    try:
        os.mkdir(staging, mode)
    except FileExistsError:  # left behind by a process of the same number
        staging = tempfile.mkdtemp(dir=folder.parent, prefix=".answerable-")
        os.chmod(staging, mode)
    else:
        if mode & _umask():  # the umask took bits the caller wants
            os.chmod(staging, mode)
    try:
        for name, text in files.items():
            # Plain system calls: a text-mode file object adds a few per file.
            handle = os.open(f"{staging}/{name}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                os.write(handle, text.encode("utf-8"))
            finally:
                os.close(handle)
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


class AuthoringError(Exception):
    """A change that is refused, with the problems that refuse it."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class Change:
    """A file to write: its path inside the board and its whole new text."""

    path: str
    text: str
    warnings: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    """What was changed on the way in, e.g. personal data that was masked."""


def _yaml() -> YAML:
    from ruamel.yaml import YAML  # noqa: PLC0415 - see the imports

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a citizen's long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _scalar(text: str) -> Any:  # noqa: ANN401 - a ruamel scalar
    """A timestamp or date as ruamel keeps it, so it is written plain, not quoted."""
    return _yaml().load(f"v: {text}")["v"]


def _dump(data: Any) -> str:  # noqa: ANN401 - ruamel's round-trip data
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue()


def _stamp(moment: datetime) -> Any:  # noqa: ANN401
    return _scalar(moment.isoformat(timespec="seconds"))


def _day(day: date) -> Any:  # noqa: ANN401
    return _scalar(day.isoformat())


def _mapping(**items: Any) -> CommentedMap:  # noqa: ANN401
    from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415 - see the imports

    result = CommentedMap()
    for key, value in items.items():
        if value is not None:
            result[key.rstrip("_")] = value
    return result


# ---- new files, from a template -------------------------------------------------------------
# A new ticket.yaml or reply-N.md is written from a template, not through a YAML library:
# libyaml's representer would cost a third of a millisecond a file and a ruamel dump
# several, and boards are made by the thousand (imports, the benchmark corpus). Existing
# files are still edited with ruamel's round trip above, which keeps what staff wrote.

# A value is written plain only when no YAML 1.1 or 1.2 reader could take it for anything
# but that text: no indicator first, no ':' or '#', and either some non-ASCII character
# (numbers, dates, booleans and nulls are all ASCII) or an ASCII word that is no boolean,
# or a ticket id.
# Else single-quoted; a value with a line break or a character YAML may not hold as it is
# is double-quoted, with escapes.
_PLAIN = re.compile(
    r"(?![\s\-?:,\[\]{}#&*!|>'\"%@`~])"
    "[\t\x20-\x22\x24-\x39\x3b-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
    r"(?<!\s)"
)  # one line of printable characters but ':' and '#'; see _NOT_ONE_LINE
# A ticket id is plain too: a date needs a second '-', a number none.
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*|[0-9]{4}-[0-9]{6}")
_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
# Outside one line of YAML's printable characters: controls, line breaks (\x85 and the
# Unicode separators too), surrogates, the byte order mark, U+FFFE and U+FFFF.
_NOT_ONE_LINE = re.compile(
    "[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_NOT_IN_BLOCK = re.compile(
    "[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)  # the same, but for the line breaks of a literal block
_FLOW_INDICATOR = re.compile(r"[,\[\]{}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def yaml_scalar(value: str, *, flow: bool = False) -> str:
    """``value`` as a YAML scalar that reads back as exactly this text; ``flow``: inside
    ``[...]``, where a comma or bracket ends a plain value."""
    return _yaml_text(value, flow)


@functools.lru_cache(maxsize=4096)  # codes, names and reasons come back ticket after ticket
def _yaml_text(value: str, flow: bool) -> str:
    if (
        _PLAIN.fullmatch(value)
        and (not value.isascii() or (_ASCII_WORD.fullmatch(value) and value.lower() not in _WORDS))
        and not (flow and _FLOW_INDICATOR.search(value))
    ):
        return value
    if _NOT_ONE_LINE.search(value):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + _NOT_ONE_LINE.sub(_escape, escaped) + '"'
    return "'" + value.replace("'", "''") + "'"


def yaml_value(value: Any, flow: bool = False) -> str:  # noqa: ANN401
    """A field's value as YAML: a moment to the second with its offset, a day, a flag, a
    number, or text."""
    kind = type(value)
    if kind is str:
        return _yaml_text(value, flow)
    if kind is datetime or isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(f"{value} has no UTC offset")
        return value.isoformat(timespec="seconds")
    if isinstance(value, str):
        return _yaml_text(str(value), flow)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    raise TypeError(f"no YAML template for {kind.__name__}")


def _value(value: Any) -> str:  # noqa: ANN401
    """``yaml_value`` outside a list, its two commonest cases first."""
    kind = type(value)
    if kind is str:
        return _yaml_text(value, False)
    if kind is datetime and value.tzinfo is not None:
        return value.isoformat(timespec="seconds")
    return yaml_value(value)


def literal_block(text: str) -> str:
    """A long text as a literal block (``|``): its lines, each indented, trailing spaces
    and the blank lines around it dropped; double-quoted when YAML may not hold it as is."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    cleaned = "\n".join(lines)
    if _NOT_IN_BLOCK.search(cleaned):
        return _yaml_text(cleaned + "\n", False) + "\n"
    return "|\n" + "".join(f"  {line}\n" if line else "\n" for line in lines)


TICKET_FIELDS = tuple(
    field.alias or name for name, field in Ticket.model_fields.items()
)  # ticket.yaml's keys, in the record's order
REPLY_FIELDS = tuple(ReplyMeta.model_fields)


def ticket_yaml(fields: Mapping[str, Any], *, schema_line: bool = True) -> str:
    """The text of a new ticket.yaml: ``fields`` are its keys (``transfers`` a list of
    mappings, ``rating`` a mapping ...), written in the record's order; a field that is
    None, False or empty is left out, as its default. Moments must carry their offset.
    ``schema_line``: the comment that points an editor to the schema in ``schemas/``.
    Mappings and lists of mappings are written in block style, indented as the
    round-trip writer above indents them; lists of values in flow style."""
    try:
        keys = sorted(fields, key=_TICKET_ORDER.__getitem__)
    except KeyError:
        unknown = sorted(set(fields) - _TICKET_ORDER.keys())
        raise ValueError(f"ticket.yaml has no field {', '.join(unknown)}") from None
    out = [SCHEMA_LINE] if schema_line else []
    add = out.append
    # Exact type checks first: a ticket is some twenty fields, boards are made by the
    # thousand, and an abstract-class check costs as much as writing the value.
    for key in keys:
        value = fields[key]
        if value is None or value is False:
            continue
        kind = type(value)
        if kind is str:
            if value:
                if key == "message":
                    add(f"message: {literal_block(value)}")
                else:
                    add(f"{key}: {_yaml_text(value, False)}\n")
        elif kind is list or kind is tuple or isinstance(value, list | tuple):
            if not value:
                continue
            first = value[0]
            if type(first) is dict or isinstance(first, Mapping):
                add(f"{key}:\n")
                for item in value:
                    lead = "  - "
                    for k, v in item.items():
                        if v is not None and v is not False and v != "":
                            add(f"{lead}{k}: {_value(v)}\n")
                            lead = "    "
            else:
                add(f"{key}: [{', '.join([yaml_value(v, True) for v in value])}]\n")
        elif kind is dict or isinstance(value, Mapping):
            if value:
                add(f"{key}:\n")
                for k, v in value.items():
                    if v is not None and v is not False and v != "":
                        add(f"  {k}: {_value(v)}\n")
        elif key == "message":
            add(f"message: {literal_block(value)}")
        else:
            add(f"{key}: {_value(value)}\n")
    return "".join(out)


_TICKET_ORDER = {key: index for index, key in enumerate(TICKET_FIELDS)}


def with_id(text: str, ticket_id: str) -> str:
    """A ticket.yaml that ``ticket_yaml`` wrote, given another id: the same text as
    ``ticket_yaml`` writes with that id, as only its id line differs. An import checks
    its rows in parallel under a stand-in id and numbers them in file order afterwards."""
    head = SCHEMA_LINE if text.startswith(SCHEMA_LINE) else ""
    if not text.startswith("id: ", len(head)):
        raise ValueError("not a ticket.yaml from ticket_yaml: its first field is not the id")
    rest = text.index("\n", len(head)) + 1
    return f"{head}id: {_yaml_text(ticket_id, False)}\n{text[rest:]}"


def reply_md(front: Mapping[str, Any], body: str) -> str:
    """The text of a new reply-N.md: front matter (``date``, ``department``, ``kind``,
    ``promised``, ``signed``, in that order; None left out), then the body."""
    unknown = front.keys() - _REPLY_KEYS
    if unknown:
        raise ValueError(f"a reply has no field {', '.join(sorted(unknown))}")
    out = ["---\n"]
    for key in REPLY_FIELDS:
        value = front.get(key)
        if value is not None and value is not False and value != "":
            out.append(f"{key}: {_value(value)}\n")
    out.append(f"---\n{body.strip()}\n")
    return "".join(out)


_REPLY_KEYS = frozenset(REPLY_FIELDS)


class Authoring:
    """Changes to one loaded board. Call a method, then ``write`` the change it returns."""

    def __init__(self, loaded: LoadedBoard) -> None:
        if loaded.board is None:
            raise AuthoringError("board.yaml could not be read; run 'answerable validate'")
        self.loaded = loaded
        self.board = loaded.board
        self.root = loaded.root
        self.tickets = {t.ticket.id: t for t in loaded.tickets}

    # -- helpers --

    def ticket(self, ticket_id: str) -> TicketFile:
        found = self.tickets.get(ticket_id)
        if found is None:
            raise AuthoringError(f"no ticket {ticket_id} on this board (or its files have errors)")
        return found

    def _edit(self, ticket_id: str, change: Callable[[CommentedMap, TicketFile], None]) -> Change:
        file = self.ticket(ticket_id)
        text = (self.root / file.path).read_text("utf-8").removeprefix("\ufeff")
        data = _yaml().load(text)
        change(data, file)
        return self._checked(file.folder, file.path, _dump(data))

    def _checked(self, folder: str, path: str, text: str) -> Change:
        """Check ``text`` as the new content of ``path`` with the rest of its folder."""
        return self._checked_files(folder, {path: text})[0]

    def _checked_files(self, folder: str, files: dict[str, str]) -> list[Change]:
        """Check new contents for files of one ticket folder, together with the rest of it."""
        from answerable.checks.validation import (  # noqa: PLC0415 - see the imports
            board_rules,
            privacy_problems,
            ticket_problems,
        )
        from answerable.reading.loading import load_ticket_folder  # noqa: PLC0415

        with tempfile.TemporaryDirectory(prefix="answerable-") as scratch:
            copy = Path(scratch) / folder
            source = self.root / folder
            if source.is_dir():
                shutil.copytree(source, copy)
            else:
                copy.mkdir(parents=True)
            for path, text in files.items():
                (Path(scratch) / path).write_text(text, "utf-8")
            problems: list[Problem] = []
            file = load_ticket_folder(Path(scratch), copy, problems)
            if file is not None:
                ids = Counter({*self.tickets, file.ticket.id})
                rules = board_rules(self.board)
                problems += ticket_problems(file, self.board, rules, ids)
                problems += privacy_problems(file, self.board)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            raise AuthoringError("the change would not validate; nothing was written", errors)
        warnings = tuple(p for p in problems if p.severity is Severity.WARNING)
        return [
            Change(path, text, tuple(w for w in warnings if w.path == path))
            for path, text in files.items()
        ]

    def write(self, change: Change) -> Path:
        """Write atomically: a temporary file beside the target, then a rename."""
        target = self.root / change.path
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=".answerable-", suffix=".tmp"
        )
        try:
            os.fchmod(handle, ordinary_mode(folder=False))  # mkstemp's 0600 is for secrets
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(change.text)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    # -- the changes --

    def next_id(self, year: int) -> str:
        numbers = [int(i[5:]) for i in self.tickets if i.startswith(f"{year}-")]
        folder = self.root / "tickets" / str(year)
        if folder.is_dir():  # folders whose files have errors still hold their number
            numbers += [
                int(p.name[5:]) for p in folder.iterdir() if re.fullmatch(r"\d{4}-\d{6}", p.name)
            ]
        return f"{year}-{max(numbers, default=0) + 1:06d}"

    def mask(self, fields: dict[str, Any]) -> list[str]:
        """Mask personal data in a new ticket's public text, in place; say what was masked.

        The fields are ticket.yaml's own (title, message, tags ...); which ones are text
        and whose words they are comes from the record models (``records.Voice``).
        """
        from answerable.checks.privacy import record_fields  # noqa: PLC0415 - see the imports

        notes: list[str] = []
        for text_field in record_fields(Ticket, "ticket"):
            step = text_field.steps[0]
            if step is None or not fields.get(step[1]):
                continue
            name = step[1]
            if text_field.steps[1:] == (None,) and isinstance(fields[name], list):
                fields[name] = [
                    self.masked(text_field.name, item, f"{name}[{index}]", notes)
                    if isinstance(item, str)
                    else item
                    for index, item in enumerate(fields[name])
                ]
            elif len(text_field.steps) == 1 and isinstance(fields[name], str):
                fields[name] = self.masked(text_field.name, fields[name], name, notes)
        return notes

    def masked(self, field_name: str, text: str, where: str, notes: list[str]) -> str:
        """``text`` masked as the field ``field_name`` (e.g. ticket.rating.comment) must be:
        a citizen's words wholly, the office's words but for its official contacts."""
        from answerable.checks.privacy import (  # noqa: PLC0415 - see the imports
            Voice,
            describe,
            field_voice,
            mask_personal_data,
        )

        voice = field_voice(field_name)
        if voice in (Voice.CODE, Voice.PRIVATE):
            return text
        result, findings = mask_personal_data(
            text, self.board.privacy, official_allowed=voice is Voice.STAFF
        )
        notes += [f"masked {describe(finding)} in {where}" for finding in findings]
        return result

    def new_ticket(self, fields: dict[str, Any], received: datetime) -> Change:
        """A new ticket with the next free id of the year it was received in.

        Personal data in the citizen's fields is masked on the way in.
        """
        fields = dict(fields)
        notes = self.mask(fields)
        ticket_id = self.next_id(received.astimezone(self._zone()).year)
        folder, text = self._ticket_text(ticket_id, fields, received)
        if (self.root / folder).exists():
            raise AuthoringError(f"{folder} exists already")
        change = self._checked(folder, f"{folder}/ticket.yaml", text)
        return replace(change, notes=tuple(notes))

    def imported_ticket(
        self,
        ticket_id: str,
        fields: dict[str, Any],
        received: datetime,
        source: dict[str, str],
        reply: tuple[str, datetime, str] | None,
    ) -> list[Change]:
        """A ticket from another system's export, with its reply (body, date, department)."""
        folder, text = self._ticket_text(ticket_id, fields, received, source)
        if (self.root / folder).exists():
            raise AuthoringError(f"{folder} exists already")
        files = {f"{folder}/ticket.yaml": text}
        if reply is not None:
            body, at, department = reply
            front = {"date": at, "department": department, "kind": "final"}
            front["signed"] = self._department_name(department)
            files[f"{folder}/reply-1.md"] = reply_md(front, body)
        return self._checked_files(folder, files)

    def write_folder(self, changes: list[Change]) -> Path:
        """Write a new ticket folder whole: built beside, then renamed into place."""
        folder = (self.root / changes[0].path).parent
        folder.parent.mkdir(parents=True, exist_ok=True)
        files = {Path(change.path).name: change.text for change in changes}
        write_new_folder(folder, files, ordinary_mode(folder=True))
        return folder

    def _ticket_text(
        self,
        ticket_id: str,
        fields: dict[str, Any],
        received: datetime,
        source: dict[str, str] | None = None,
    ) -> tuple[str, str]:
        data = {"id": ticket_id, "title": fields["title"], "received": received}
        keys = ("channel", "type", "category", "department", "co_departments", "submitter",
                "location", "urgent", "tags", "related", "message", "resolution")  # fmt: skip
        data.update((key, fields.get(key)) for key in keys)
        if fields.get("submitter_kind", "citizen") != "citizen":  # citizen is the default
            data["submitter_kind"] = fields["submitter_kind"]
        data["source"] = source
        return f"tickets/{ticket_id[:4]}/{ticket_id}", ticket_yaml(data)

    def reply(
        self,
        ticket_id: str,
        kind: str,
        body: str,
        at: datetime,
        department: str | None = None,
        promised: date | None = None,
        signed: str | None = None,
    ) -> Change:
        """The next reply-N.md of the ticket."""
        from answerable.checks.privacy import describe, mask_personal_data  # noqa: PLC0415
        from answerable.reading.loading import REPLY_FILE  # noqa: PLC0415 - see the imports

        file = self.ticket(ticket_id)
        folder = self.root / file.folder
        numbers = [int(m[1]) for p in folder.iterdir() if (m := REPLY_FILE.match(p.name))]
        number = max(numbers, default=0) + 1
        department = department or file.ticket.department
        notes: list[str] = []
        signed = signed or self._department_name(department)
        if signed is not None:
            signed = self.masked("reply.signed", signed, "signed", notes)
        # The body is the office's words too: its official contacts stay, nothing else.
        body, findings = mask_personal_data(body, self.board.privacy, official_allowed=True)
        notes += [f"masked {describe(finding)} in the reply" for finding in findings]
        front = {"date": at, "department": department, "kind": kind}
        text = reply_md({**front, "promised": promised, "signed": signed}, body)
        change = self._checked(file.folder, f"{file.folder}/reply-{number}.md", text)
        return replace(change, notes=tuple(notes))

    def extend(
        self,
        ticket_id: str,
        until: date,
        reason: str,
        approved_by: str,
        requested: datetime,
        approved: datetime,
    ) -> Change:
        notes: list[str] = []
        reason = self.masked("ticket.extensions[].reason", reason, "the reason", notes)

        def change(data: CommentedMap, _file: TicketFile) -> None:
            entry = _mapping(
                requested=_stamp(requested),
                approved=_stamp(approved),
                approved_by=approved_by,
                reason=reason,
                due=_day(until),
            )
            _append(data, "extensions", entry)

        return replace(self._edit(ticket_id, change), notes=tuple(notes))

    def transfer(self, ticket_id: str, to: str, reason: str, at: datetime) -> Change:
        notes: list[str] = []
        reason = self.masked("ticket.transfers[].reason", reason, "the reason", notes)

        def change(data: CommentedMap, file: TicketFile) -> None:
            current = file.ticket.department
            if to == current:
                raise AuthoringError(f"{ticket_id} is already with {to}")
            _append(data, "transfers", _mapping(at=_stamp(at), from_=current, to=to, reason=reason))
            data["department"] = to

        return replace(self._edit(ticket_id, change), notes=tuple(notes))

    def rate(
        self,
        ticket_id: str,
        value: str,
        source: str,
        at: datetime,
        comment: str | None = None,
        resolution: str | None = None,
    ) -> Change:
        """The citizen's rating from a return visit or online, and how far it was resolved."""
        notes: list[str] = []
        if comment:
            comment = self.masked("ticket.rating.comment", comment, "the comment", notes)

        def change(data: CommentedMap, file: TicketFile) -> None:
            if file.ticket.rating is not None:
                raise AuthoringError(f"{ticket_id} is rated already; a rating is not changed")
            data["rating"] = _mapping(value=value, at=_stamp(at), source=source, comment=comment)
            if resolution is not None:
                data["resolution"] = resolution

        return replace(self._edit(ticket_id, change), notes=tuple(notes))

    def withdraw(self, ticket_id: str, reason: str, at: datetime) -> Change:
        notes: list[str] = []
        reason = self.masked("ticket.withdrawn.reason", reason, "the reason", notes)

        def change(data: CommentedMap, file: TicketFile) -> None:
            if file.ticket.withdrawn is not None:
                raise AuthoringError(f"{ticket_id} is withdrawn already")
            data["withdrawn"] = _mapping(at=_stamp(at), reason=reason)

        return replace(self._edit(ticket_id, change), notes=tuple(notes))

    def _zone(self) -> Any:  # noqa: ANN401 - a tzinfo
        from zoneinfo import ZoneInfo  # noqa: PLC0415 - only new tickets need it

        return ZoneInfo(self.board.timezone)

    def _department_name(self, department_id: str) -> str | None:
        return next((d.name for d in self.board.departments if d.id == department_id), None)


def _append(data: CommentedMap, key: str, entry: CommentedMap) -> None:
    from ruamel.yaml.comments import CommentedSeq  # noqa: PLC0415 - see the imports

    existing = data.get(key)
    if not isinstance(existing, list):
        existing = CommentedSeq()
        data[key] = existing
    elif getattr(existing, "fa", None) is not None and existing.fa.flow_style():
        existing.fa.set_block_style()  # `transfers: []` becomes a block list
    existing.append(entry)
