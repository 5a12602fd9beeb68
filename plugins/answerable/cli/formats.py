"""What the commands print, for people, programs and CI: problems, overdue lists, figures,
audits and imports. The commands compute; this module only formats."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from answerable.checks.problems import Problem

if TYPE_CHECKING:  # the records stay unloaded for a command that prints none
    from answerable.core.stats import Table
    from answerable.core.status import TicketState
    from answerable.reading.history import History
    from answerable.staff.importing import Outcome

    DepartmentName = Callable[[str], str]

# Characters that would end a line, move the cursor, recolour or clear a terminal, or
# reorder what follows (Trojan Source): C0 and C1 controls, DEL, the Unicode line and
# paragraph separators, and the bidirectional embeddings, overrides and isolates.
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE = [
    *range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029,
    *range(0x202A, 0x202F), *range(0x2066, 0x206A),
]  # fmt: skip
_SHOWN = {
    code: _SHORT.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in _UNSAFE
}
_SHOWN[ord("\\")] = "\\\\"
# Commands that CI systems read anywhere in a line, not only at its start: GitHub's
# legacy ##[error] and ##[stop-commands], Azure Pipelines' ##vso[...], TeamCity's
# ##teamcity[...]. Their '[' is shown escaped, which no CI system reads.
_ANYWHERE = re.compile(r"(##[A-Za-z]*)\[")
# GitHub reads \r and \n itself (percent-encoded below); every other character as above.
_SHOWN_IN_GITHUB = {k: v for k, v in _SHOWN.items() if chr(k) not in "\r\n"}


def shown(value: object) -> str:
    """``value`` as one line of plain text that no terminal or CI log reads as more:
    a line break prints as the two characters ``\\n``, every other control character
    as an escape (``\\r``, ``\\t``, ``\\x1b``, ``\\u2028``, ``\\u202e``), a backslash as two,
    so that what is shown can always be told apart from what was written, and the
    ``[`` of a command CI reads mid-line (``##[error]``, ``##vso[``) as ``\\x5b``. Every text
    or Markdown output passes each value it did not write itself through this."""
    text = str(value).translate(_SHOWN)
    return _ANYWHERE.sub(r"\1\\x5b", text) if "##" in text else text


def problem_line(problem: Problem) -> str:
    """A problem as ``path:line:col: CODE message``, on one line whatever its text holds."""
    return f"{shown(problem.path)}:{problem.line}:{problem.column}: {problem.code} " + shown(
        problem.message
    )


def _count(problems: Sequence[Problem], severity: str) -> int:
    return sum(p.severity == severity for p in problems)


def problems_text(problems: Sequence[Problem]) -> str:
    lines = [problem_line(p) for p in problems]
    summary = f"{_count(problems, 'error')} error(s), {_count(problems, 'warning')} warning(s)"
    notices = _count(problems, "notice")
    lines.append(summary + (f", {notices} notice(s)" if notices else ""))
    return "\n".join(lines)


def problems_json(problems: Sequence[Problem]) -> str:
    data = {
        "errors": _count(problems, "error"),
        "warnings": _count(problems, "warning"),
        "notices": _count(problems, "notice"),
        "problems": [p.as_dict() for p in problems],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _escape_data(text: str) -> str:
    # GitHub's rules for a workflow command's message (actions/toolkit, command.ts):
    # % first, so that the escapes themselves are not read twice; then \r and \n.
    text = text.translate(_SHOWN_IN_GITHUB)
    text = _ANYWHERE.sub(r"\1\\x5b", text) if "##" in text else text
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # A property also ends at ',' (the next property) and at ':' (the '::' before the message).
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(
    level: str, path: str, line: int, column: int, title: str, message: str
) -> str:
    """A GitHub Actions workflow command that annotates a file in the pull request."""
    props = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (("file", path), ("line", line), ("col", column), ("title", title))
    )
    return f"::{level} {props}::{_escape_data(message)}"


def problems_github(problems: Sequence[Problem]) -> str:
    return "\n".join(
        github_annotation(p.severity.value, p.path, p.line, p.column, p.code, p.message)
        for p in problems
    )


def when(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "-"


def left_text(state: TicketState) -> str:
    """'3 working days late', '2:15 left': how the deadline stands."""
    left = state.time_left
    if left is None:
        return "-"
    if left < timedelta(0):
        if state.days_late:
            return f"{state.days_late} working day{'s' if state.days_late != 1 else ''} late"
        return f"{_clock(-left)} late"
    return f"{_clock(left)} left"


def _clock(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d {hours}h {minutes:02d}m" if days else f"{hours}h {minutes:02d}m"


def overdue_record(state: TicketState, department_name: str) -> dict[str, Any]:
    ticket = state.ticket
    return {
        "id": ticket.id,
        "status": state.status.value,
        "title": ticket.title,
        "department": state.department,
        "department_name": department_name,
        "received": ticket.received.isoformat(),
        "due": when(state.due),
        "working_days_late": state.days_late,
        "seconds_left": int(state.time_left.total_seconds()) if state.time_left else None,
        "path": state.file.path,
    }


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table_text(headers: Sequence[str], rows: Iterable[Sequence[str]], right: set[int]) -> str:
    """A plain text table; columns in ``right`` are right-aligned (numbers)."""
    body = [list(headers), *[list(r) for r in rows]]
    widths = [max(width(row[i]) for row in body) for i in range(len(headers))]
    lines = []
    for row in body:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# ---- overdue: the tickets overdue (``late``) and due soon, in the order to list them ----


def overdue_json(
    as_of: datetime, late: Sequence[TicketState], soon: Sequence[TicketState], name: DepartmentName
) -> str:
    data = {
        "as_of": as_of.isoformat(),
        "overdue": [overdue_record(s, name(s.department)) for s in late],
        "due_soon": [overdue_record(s, name(s.department)) for s in soon],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def overdue_github(
    as_of: datetime, late: Sequence[TicketState], soon: Sequence[TicketState], name: DepartmentName
) -> str:
    lines = []
    for level, states in (("error", late), ("warning", soon)):
        for s in states:
            message = (
                f"{s.ticket.id} {s.status.value}: {left_text(s)}, "
                f"due {when(s.due)}, {name(s.department)}"
            )
            lines.append(github_annotation(level, s.file.path, 1, 1, s.status.value, message))
    lines.append(f"{len(late)} overdue, {len(soon)} due soon at {as_of.isoformat()}")
    return "\n".join(lines)


def overdue_markdown(
    as_of: datetime, late: Sequence[TicketState], soon: Sequence[TicketState], name: DepartmentName
) -> str:
    lines = [
        f"### Overdue and due-soon tickets at {as_of.isoformat()}\n",
        "| Ticket | Status | Department | Due | How late |",
        "|---|---|---|---|---|",
    ]
    for s in [*late, *soon]:
        title = shown(s.ticket.title).replace("|", "\\|")
        department = shown(name(s.department)).replace("|", "\\|")
        lines.append(
            f"| {s.ticket.id} {title} | {s.status.value} | {department} "
            f"| {when(s.due)} | {left_text(s)} |"
        )
    lines.append(f"\n{len(late)} overdue, {len(soon)} due soon.")
    return "\n".join(lines)


def overdue_text(
    as_of: datetime, late: Sequence[TicketState], soon: Sequence[TicketState], name: DepartmentName
) -> str:
    rows = [
        [
            s.ticket.id,
            s.status.value,
            left_text(s),
            when(s.due),
            shown(name(s.department)),
            shown(s.ticket.title),
        ]
        for s in [*late, *soon]
    ]
    headers = ["id", "status", "late / left", "due", "department", "title"]
    return "\n".join(
        [
            f"Tickets at {as_of.isoformat()}:",
            table_text(headers, rows, set()),
            f"{len(late)} overdue, {len(soon)} due soon",
        ]
    )


# ---- stats ------------------------------------------------------------------------------


def stats_text(board_name: str, result: Table) -> str:
    """A figures table with its heading and the notes that explain the ranks."""
    period = result.period.label if result.period else "all tickets"
    head = f"{shown(board_name)}: {period}, statuses at {result.as_of.isoformat()}"
    headers = [
        "rank", result.by, "received", "answered", "reply", "on time", "rank sat.",
        "satisfied", "days 1st", "days final", "overdue", "rated", "unsat.",
    ]  # fmt: skip
    rows = []
    for row in [*result.rows, None]:
        f = row.figures if row else result.total
        rank = "" if row is None else (str(row.on_time_rank) if row.on_time_rank else "-")
        sat_rank = (
            "" if row is None else (str(row.satisfaction_rank) if row.satisfaction_rank else "-")
        )
        flag = " !" if row is not None and row.below_threshold else ""
        rows.append(
            [
                rank,
                shown(row.name) if row else "total",
                str(f.received),
                str(f.answered),
                percent(f.reply_rate),
                percent(f.on_time_rate),
                sat_rank,
                percent(f.satisfaction_rate) + flag,
                number(f.median_days_to_first_reply),
                number(f.median_days_to_final_reply),
                str(f.overdue),
                str(f.rated),
                str(f.unsatisfied),
            ]
        )
    table = table_text(headers, rows, right=set(range(2, len(headers))))
    notes = [
        f"Ranked by the 95% Wilson lower bound; fewer than {result.min_ranked} decided (or rated) "
        "tickets: listed, not ranked (-).",
    ]
    if result.named:
        names = ", ".join(shown(r.name) for r in result.named)
        notes.append(f"! under the satisfaction threshold of {percent(result.threshold)}: {names}")
    return "\n".join([head, "", table, "", *notes])


# ---- audit: ``stated`` is each reply's own date, by path ---------------------------------


def _audit_records(history: History, stated: Mapping[str, datetime]) -> list[dict[str, Any]]:
    return [
        {
            "path": record.path,
            "commit": record.commit,
            "entered": record.entered.isoformat(),
            "stated": stated[record.path].isoformat() if record.path in stated else None,
            "edits": [{"commit": sha, "at": at.isoformat()} for sha, at in record.edits],
        }
        for record in sorted(history.replies.values(), key=lambda r: r.path)
    ]


def audit_json(
    findings: Sequence[Problem], history: History, stated: Mapping[str, datetime]
) -> str:
    data = json.loads(problems_json(findings))
    data["replies"] = _audit_records(history, stated)
    return json.dumps(data, ensure_ascii=False, indent=2)


def audit_replies_text(history: History, stated: Mapping[str, datetime]) -> str:
    """Every reply with its stated date and the commit that added it; one line each."""
    lines = []
    for r in _audit_records(history, stated):
        entered = f"entered {r['entered']} in {r['commit'][:7]}"
        lines.append(f"{shown(r['path'])}: stated {r['stated'] or '-'}, {entered}")
    return "\n".join(lines)


# ---- import ---------------------------------------------------------------------------


def import_text(outcome: Outcome, source_name: str, *, dry_run: bool) -> str:
    """The counts of an import, then each rejected or masked row by its number."""
    verb = "would create" if dry_run else "created"
    counts = (
        f"read {outcome.records} row(s): {verb} {len(outcome.created)} ticket(s), "
        f"{len(outcome.already)} already imported, {len(outcome.bad)} rejected"
    )
    blank = f"; {outcome.blank} empty row(s) skipped" if outcome.blank else ""
    if outcome.header_row > 1:
        blank += f"; the header is row {outcome.header_row}, the rows above it a title"
    lines = [counts + blank]
    source = shown(source_name)
    lines += [f"{source}:{number}: rejected: {shown(why)}" for number, why in outcome.bad]
    lines += [f"{source}:{number}: {shown(what)}" for number, what in outcome.masked]
    if outcome.provenance:
        lines.append(f"provenance: {shown(outcome.provenance)}")
    return "\n".join(lines)
