"""Plain-text renderings for the terminal and for CI: problems, overdue lists, tables."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from .problems import Problem
from .status import TicketState


def problem_line(p: Problem) -> str:
    return f"{p.path}:{p.line}:{p.column}: {p.code} {p.message}"


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
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
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
