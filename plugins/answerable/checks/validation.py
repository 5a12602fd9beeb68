"""Rules between files and in time: what a reviewer would otherwise check by hand.

``validate`` returns every problem of a loaded board, those found while reading
included, sorted by file and line. Each rule's code is listed in ``problems.CODES``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import NamedTuple

from answerable.checks.privacy import (
    TextField,
    Voice,
    checked_fields,
    describe,
    find_personal_data,
    line_and_column,
    record_texts,
)
from answerable.checks.problems import Problem
from answerable.core.calendar import CalendarError
from answerable.core.deadlines import Rules
from answerable.core.departments import Departments
from answerable.core.records import Board, Record, ReplyMeta, Ticket
from answerable.reading.loading import (
    FolderFacts,
    LoadedBoard,
    ReplyFile,
    TicketFile,
    reply_written,
)
from answerable.reading.yaml_source import Position, YamlDocument

# Sentences that carry no substance of their own: greetings, thanks, sign-offs.
_PLEASANTRY = re.compile(
    r"^(\S{1,8}[：:,，]?)?(您好|你好|感谢|谢谢|此复|特此|祝|dear|hello|thank|regards|best)",
    re.IGNORECASE,
)
_SALUTATION = re.compile(r"^\S{1,8}(先生|女士|同学|老师|同志|公司|厂|店)[：:,，]?$")
# A referral: the reply only tells the citizen to call or go somewhere else.
_REFERRAL = re.compile(
    r"(致电|拨打|来电|联系|咨询电话|前往|到\S{0,12}(办理|咨询)"
    r"|please (call|contact|phone|ring)|call )",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[。！!？?；;\n]+|(?<=[.])\s+")


def validate(loaded: LoadedBoard, as_of: datetime | None = None) -> list[Problem]:
    """``as_of``: the moment the site shows; tickets and replies dated after it are
    named in notices (N001, N002), since no page shows them."""
    problems = list(loaded.problems)
    board = loaded.board
    if board is not None and loaded.board_doc is not None:
        rules = _board_problems(board, loaded.board_doc, problems)
        problems.extend(board_privacy_problems(board, loaded.board_doc))
        problems.extend(page_privacy_problems(loaded.root, board))
        ids = Counter(t.refs.id for t in loaded.folders())
        for facts in loaded.folders():
            problems.extend(_reference_problems(facts, ids))
        for file in loaded.tickets:  # the folders not checked as they were read
            if file.folder not in loaded.checked:
                problems.extend(folder_problems(file, board, rules))
        for found in loaded.checked.values():
            problems.extend(found)
    if as_of is not None:
        limit = as_of.timestamp()  # once, not once a ticket
        for facts in loaded.folders():
            problems.extend(after_moment(facts, as_of, loaded.root, limit))
    return sorted(set(problems))


def folder_check(board: Board, _board_digest: bytes = b"") -> Callable[[TicketFile], list[Problem]]:
    """What finds one folder's own problems while the board is read (``load_board``'s
    ``check``), in whichever process reads the folder."""
    rules = board_rules(board)
    listed = _Listed.of(board)
    return lambda file: folder_problems(file, board, rules, listed)


def folder_problems(
    file: TicketFile, board: Board, rules: Rules | None, listed: _Listed | None = None
) -> list[Problem]:
    """The problems of one ticket folder on its own, privacy included: they depend only
    on the folder's files and board.yaml."""
    return [*_own_problems(file, board, rules, listed), *privacy_problems(file, board)]


class _Listed(NamedTuple):
    """The ids board.yaml lists, which every ticket's fields are checked against: made
    once for a board, not once a ticket."""

    departments: set[str]
    # A ticket's field, the ids board.yaml lists for it, and the code of a value it lacks.
    known: tuple[tuple[str, set[str], str], ...]

    @classmethod
    def of(cls, board: Board) -> _Listed:
        known = (
            ("category", {c.id for c in board.categories}, "E204"),
            ("type", {t.id for t in board.types}, "E205"),
            ("channel", {c.id for c in board.channels}, "E206"),
        )
        return cls({d.id for d in board.departments}, known)


def after_moment(
    file: TicketFile | FolderFacts, as_of: datetime, root: Path, limit: float
) -> Iterator[Problem]:
    """A ticket received, or a reply dated, after the moment the site shows (``limit``:
    ``as_of`` in POSIX seconds): the site leaves it out until then (``status.state_at``),
    so it is named here."""
    left_out = "it is left out of every page, file and figure"
    if file.refs.received > limit:
        where = file.position("received")
        received = file.written("received")
        message = (
            f"ticket {file.refs.id} was received {received}, after the moment the board "
            f"shows ({as_of.isoformat()}): {left_out}"
        )
        yield Problem(file.path, where.line, where.column, "N001", message)
        return  # its replies are left out with it
    for path, at in file.reply_times:
        if at > limit:
            where, date = reply_written(root, path, "date")
            message = (
                f"reply dated {date}, after the moment the board shows "
                f"({as_of.isoformat()}): {left_out}"
            )
            yield Problem(path, where.line, where.column, "N002", message)


def left_out_folders(errors: list[Problem]) -> set[str | None]:
    """The ticket folders that errors are about; None for an error outside any ticket."""
    folders: set[str | None] = set()
    for problem in errors:
        parts = problem.path.split("/")
        folders.add("/".join(parts[:3]) if parts[0] == "tickets" and len(parts) >= 3 else None)
    return folders


def _board_problems(board: Board, doc: YamlDocument, problems: list[Problem]) -> Rules | None:
    def add(path: tuple[str | int, ...], code: str, message: str) -> None:
        where = doc.position(path)
        problems.append(Problem("board.yaml", where.line, where.column, code, message))

    for kind in ("departments", "categories", "types", "channels"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(board, kind)):
            if item.id in seen:
                add((kind, index, "id"), "E150", f"{kind}: id '{item.id}' is listed twice")
            seen.add(item.id)
    departments = Departments(board)
    for index, department in enumerate(board.departments):
        if department.parent is not None and department.parent not in departments:
            add(
                ("departments", index, "parent"),
                "E203",
                f"department '{department.id}' has unknown parent '{department.parent}'",
            )
        elif department.id in departments.ancestors(department.id) or (
            department.parent == department.id
        ):
            add(
                ("departments", index, "parent"),
                "E150",
                f"department '{department.id}' is its own ancestor",
            )
    type_ids = {t.id for t in board.types}
    for index, item in enumerate(board.types):
        if item.id in ("urgent", "longest_extension"):
            add(
                ("types", index, "id"),
                "E150",
                f"'{item.id}' is reserved in policies; choose another type id",
            )
    for type_id in sorted(
        type_ids - set(board.policies.type_ids()) - {"urgent", "longest_extension"}
    ):
        add(("policies",), "E150", f"ticket type '{type_id}' has no policy (its deadline)")
    for type_id in board.policies.type_ids():
        if type_id not in type_ids:
            add(("policies", type_id), "E205", f"policy for unknown ticket type '{type_id}'")
    if board.audit.tolerance.in_working_days:
        message = "audit.tolerance is measured on the clock: write hours or minutes"
        add(("audit", "tolerance"), "E150", message)
    both = set(board.calendar.add_holidays) & set(board.calendar.add_workdays)
    for day in sorted(both):
        add(("calendar",), "E150", f"{day} is both an added holiday and an added working day")
    try:
        return Rules(board)
    except CalendarError as error:
        add(("calendar", "country"), "E104", f"no official calendar for this country: {error}")
        return None


def board_rules(board: Board) -> Rules | None:
    """The board's time rules, or None when its calendar cannot be built."""
    try:
        return Rules(board)
    except CalendarError:
        return None


def ticket_problems(
    file: TicketFile, board: Board, rules: Rules | None, ids: Counter[str]
) -> Iterator[Problem]:
    """Every rule about one ticket folder, given the ids of all tickets on the board."""
    yield from _reference_problems(file, ids)
    yield from _own_problems(file, board, rules)


def _reference_problems(file: TicketFile | FolderFacts, ids: Counter[str]) -> Iterator[Problem]:
    """The rules that read other tickets: unique ids, links to tickets that exist."""
    ticket = file.refs  # not the record: a folder read for checking only has none

    def at(code: str, message: str, *path: str | int) -> Problem:
        where = file.position(*path)
        return Problem(file.path, where.line, where.column, code, message)

    if ids[ticket.id] > 1:
        yield at("E202", f"id '{ticket.id}' is used by {ids[ticket.id]} tickets", "id")
    for index, related in enumerate(ticket.related):
        if related not in ids or related == ticket.id:
            yield at("E207", f"related ticket '{related}' does not exist", "related", index)
    if ticket.duplicate_of is not None and (
        ticket.duplicate_of not in ids or ticket.duplicate_of == ticket.id
    ):
        yield at(
            "E207", f"duplicate_of names no other ticket: '{ticket.duplicate_of}'", "duplicate_of"
        )


def _own_problems(
    file: TicketFile, board: Board, rules: Rules | None, listed: _Listed | None = None
) -> Iterator[Problem]:
    """The rules one folder and board.yaml decide alone."""
    ticket = file.ticket
    listed = listed or _Listed.of(board)

    def at(code: str, message: str, *path: str | int) -> Problem:
        where = file.position(*path)
        return Problem(file.path, where.line, where.column, code, message)

    folder_year, folder_id = file.folder.split("/")[-2:]
    if ticket.id != folder_id:
        yield at("E201", f"id '{ticket.id}' differs from the folder name '{folder_id}'", "id")
    elif ticket.id[:4] != folder_year:
        yield at("E201", f"ticket {ticket.id} is filed under the year folder {folder_year}", "id")

    departments = listed.departments
    for name, allowed, code in listed.known:
        value = getattr(ticket, name)
        if value not in allowed:
            yield at(code, f"{name} '{value}' is not listed in board.yaml", name)
    if ticket.department not in departments:
        yield at(
            "E203", f"department '{ticket.department}' is not listed in board.yaml", "department"
        )
    for index, co in enumerate(ticket.co_departments):
        if co not in departments:
            yield at(
                "E203", f"co-department '{co}' is not listed in board.yaml", "co_departments", index
            )
    yield from _transfer_problems(file, departments, at)
    for index, extension in enumerate(ticket.extensions):
        if extension.approved_by is not None and extension.approved_by not in departments:
            yield at(
                "E203",
                f"approved_by '{extension.approved_by}' is not a department",
                "extensions", index, "approved_by",
            )  # fmt: skip
        if extension.requested < ticket.received:
            yield at(
                "E309", "extension requested before the ticket was received", "extensions", index
            )
    for name in ("rating", "withdrawn", "hidden"):
        event = getattr(ticket, name)
        if event is not None and event.at < ticket.received:
            yield at("E309", f"{name} dated before the ticket was received", name, "at")

    deadline = rules.deadline(ticket) if rules else None
    if deadline is not None:
        for check in deadline.checks:
            if check.code and check.message:
                yield at(check.code, check.message, "extensions", check.index)
    yield from _reply_problems(file, board, departments, deadline.due if deadline else None, rules)


def _transfer_problems(
    file: TicketFile, departments: set[str], at: Callable[..., Problem]
) -> Iterator[Problem]:
    ticket = file.ticket
    previous_time = ticket.received
    holder: str | None = None
    for index, transfer in enumerate(ticket.transfers):
        for end in ("from", "to"):
            value = transfer.from_ if end == "from" else transfer.to
            if value not in departments:
                yield at(
                    "E203", f"transfer {end} '{value}' is not a department", "transfers", index, end
                )
        if transfer.at < previous_time:
            yield at(
                "E309",
                "transfer dated before the receipt or the previous transfer",
                "transfers",
                index,
                "at",
            )
        if holder is not None and transfer.from_ != holder:
            yield at(
                "E208",
                f"transfer from '{transfer.from_}', but the ticket was with '{holder}'",
                "transfers", index, "from",
            )  # fmt: skip
        holder = transfer.to
        previous_time = transfer.at
    if holder is not None and holder != ticket.department:
        yield at(
            "E208",
            f"the last transfer goes to '{holder}', but department is '{ticket.department}'",
            "department",
        )


def _reply_problems(
    file: TicketFile,
    board: Board,
    departments: set[str],
    due: object,
    rules: Rules | None,
) -> Iterator[Problem]:
    ticket = file.ticket

    def at(reply: ReplyFile, code: str, message: str, *path: str) -> Problem:
        where = reply.position(*path)
        return Problem(reply.path, where.line, where.column, code, message)

    finals = [r for r in file.replies if r.meta.kind == "final"]
    final = min(finals, key=lambda r: r.meta.date, default=None)
    previous: ReplyFile | None = None
    for expected, reply in enumerate(file.replies, start=1):
        meta = reply.meta
        if reply.number != expected:
            yield at(
                reply,
                "E310",
                f"reply files must be numbered 1, 2, 3 ...; expected reply-{expected}.md",
            )
        if previous is not None and meta.date < previous.meta.date:
            yield at(reply, "E310", f"dated before reply-{previous.number}.md", "date")
        previous = reply
        if meta.date < ticket.received:
            yield at(reply, "E301", "reply dated before the ticket was received", "date")
        if meta.department not in departments:
            yield at(
                reply,
                "E203",
                f"department '{meta.department}' is not listed in board.yaml",
                "department",
            )
        if meta.kind == "final" and reply is not final:
            yield at(
                reply,
                "E305",
                f"a second final reply; the first is {final.path if final else ''}",
                "kind",
            )
        if meta.kind == "supplement" and (final is None or meta.date < final.meta.date):
            yield at(reply, "E306", "a supplement comes after the final reply it adds to", "kind")
        if meta.kind == "interim" and meta.promised is None:
            yield at(reply, "E307", "an interim reply must state a promised date", "kind")
        if meta.kind != "interim" and meta.promised is not None:
            yield at(reply, "E102", "only interim replies carry a promised date", "promised")
        if (
            meta.kind == "interim"
            and meta.promised is not None
            and rules is not None
            and due is not None
            and rules.end_of_day(meta.promised) > due  # type: ignore[operator]
        ):
            yield at(
                reply,
                "E308",
                f"promised {meta.promised}, after the due time {due.isoformat()}",
                "promised",  # type: ignore[attr-defined]
            )
        yield from _quality_problems(reply, board)

    def ticket_at(code: str, message: str, *path: str) -> Problem:
        where = file.position(*path)
        return Problem(file.path, where.line, where.column, code, message)

    if ticket.rating is not None and (final is None or ticket.rating.at < final.meta.date):
        yield ticket_at("E302", "rating given before any final reply", "rating", "at")
    if ticket.resolution is not None and final is None:
        yield ticket_at("E302", "resolution stated, but there is no final reply", "resolution")
    if ticket.withdrawn is not None and final is not None and ticket.withdrawn.at > final.meta.date:
        yield ticket_at(
            "E311", "withdrawn after the final reply; add a supplement instead", "withdrawn"
        )


_ALLOWED = "only board.yaml's privacy.allowed_numbers may appear"


def privacy_problems(file: TicketFile, board: Board) -> Iterator[Problem]:
    """Citizens' words may hold nothing personal; the office's words (replies, their
    signatures, reasons for a transfer or an extension) only its official contacts.

    Every string field of ticket.yaml and of a reply's front matter is checked, in the
    voice its record model declares for it: the site, feeds, open data and the search
    index then show no string that was not checked.
    """
    fields = checked_fields(Ticket, "ticket")
    yield from _field_problems(file.path, partial(_position, file), file.ticket, fields, board)
    fields = checked_fields(ReplyMeta, "reply")
    for reply in file.replies:
        position = partial(_position, reply)
        yield from _field_problems(reply.path, position, reply.meta, fields, board)
        for finding in find_personal_data(reply.body, board.privacy, official_allowed=True):
            line, column = line_and_column(reply.body, finding)
            message = f"reply holds {describe(finding)}; {_ALLOWED}"
            yield Problem(reply.path, reply.body_line + line - 1, column, "E502", message)


def _position(file: TicketFile | ReplyFile, where: tuple[str | int, ...]) -> Position:
    return file.position(*where)


def board_privacy_problems(board: Board, doc: YamlDocument) -> Iterator[Problem]:
    """The names board.yaml gives the site (the board's, departments', categories') are
    the office's words: official contacts only."""
    fields = checked_fields(Board, "board")
    yield from _field_problems("board.yaml", doc.position, board, fields, board)


# The ordinary pages (about, how to submit) are the office's words on every visit.
PAGE_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".html", ".htm", ".rst", ".txt"})
MAX_PAGE_BYTES = 1024 * 1024  # as for the board's own files (E001)


def page_privacy_problems(root: Path, board: Board) -> Iterator[Problem]:
    """The pages in content/ are the office's words on the site: official contacts only."""
    content = root / "content"
    for path in sorted(content.rglob("*")) if content.is_dir() else ():
        if path.suffix.lower() not in PAGE_SUFFIXES or path.is_symlink() or not path.is_file():
            continue
        if path.stat().st_size > MAX_PAGE_BYTES:
            continue  # not a page a reader is shown whole; the build says what it skips
        text = path.read_bytes().decode("utf-8", "replace")
        rel = path.relative_to(root).as_posix()
        for finding in find_personal_data(text, board.privacy, official_allowed=True):
            line, column = line_and_column(text, finding)
            yield Problem(rel, line, column, "E502", f"page holds {describe(finding)}; {_ALLOWED}")


def _field_problems(
    path: str,
    position: Callable[[tuple[str | int, ...]], Position],
    record: Record,
    fields: tuple[tuple[TextField, Voice], ...],
    board: Board,
) -> Iterator[Problem]:
    settings = board.privacy
    for where, text, voice in record_texts(record, fields):
        staff = voice is Voice.STAFF
        findings = find_personal_data(text, settings, official_allowed=staff)
        if not findings:
            continue
        at = position(where)
        name = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in where)
        for finding in findings:
            line, _ = line_and_column(text, finding)
            inside = f" (line {line} of it)" if "\n" in text.strip() else ""
            held = f"'{name[1:]}'{inside} holds {describe(finding)}"
            if staff:
                yield Problem(path, at.line, at.column, "E502", f"{held}; {_ALLOWED}")
            else:
                yield Problem(path, at.line, at.column, "E501", f"{held}; mask it")


def _quality_problems(reply: ReplyFile, board: Board) -> Iterator[Problem]:
    def body_problem(code: str, message: str) -> Problem:
        return Problem(reply.path, reply.body_line, 1, code, message)

    length = len(re.sub(r"\s", "", reply.body))
    minimum = board.shallow_reply.min_chars
    if length < minimum:
        yield body_problem(
            "W401", f"reply is {length} characters; the board asks for at least {minimum}"
        )
        return
    if is_referral_only(reply.body):
        yield body_problem(
            "W402", "reply only refers the citizen elsewhere; answer with the policy or the result"
        )


def is_referral_only(body: str) -> bool:
    """True when every substantive sentence of ``body`` only sends the citizen elsewhere."""
    # A sentence is part of the body, so a body without a referral has no sentence with
    # one: most bodies are decided without being split.
    if _REFERRAL.search(body) is None:
        return False
    substantive = False
    for sentence in _SENTENCE_END.split(body):
        sentence = sentence.strip()  # noqa: PLW2901 - the sentence as the rules read it
        if not sentence or _PLEASANTRY.search(sentence) or _SALUTATION.match(sentence):
            continue
        if _REFERRAL.search(sentence) is None:
            return False
        substantive = True
    return substantive
