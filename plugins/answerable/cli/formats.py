"""Plain-text renderings for the terminal and for CI: problems, overdue lists, tables."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from answerable.checks.problems import Problem

if TYPE_CHECKING:  # the records stay unloaded for a command that prints none
    from answerable.core.status import TicketState

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
