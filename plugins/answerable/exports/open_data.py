"""Open data: an Open311 GeoReport v2 read API as static files, and CSV/JSON downloads.

Other systems read the board through these files. They carry what the public site
shows and nothing more: never the submitter, not even the masked name, and no content
of a hidden ticket.
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache, partial
from typing import Any

from answerable.core.status import Status, event_times
from answerable.incremental.fragments import BlockPart, FragmentStore, Piece
from answerable.incremental.jobs import Block, Job, Page, job_key
from answerable.site.labels import N_
from answerable.site.urls import OPEN_DATA
from answerable.site.views import Site, TicketRow, TicketView

OPEN311 = "open311/v2"
CLOSED = {
    Status.ANSWERED_ON_TIME,
    Status.ANSWERED_LATE,
    Status.WITHDRAWN,
    Status.DUPLICATE,
}
TICKET_COLUMNS = [
    "id", "title", "status", "type", "category", "channel", "department", "department_name",
    "co_departments", "urgent", "received", "due", "first_reply", "final_reply",
    "working_days_to_first_reply", "working_days_to_final_reply", "working_days_late",
    "rating", "resolution", "location", "url",
]  # fmt: skip
DEPARTMENT_COLUMNS = [
    "key", "name", "level", "received", "withdrawn", "duplicates", "expected", "answered",
    "reply_rate", "decided", "on_time", "late", "on_time_rate", "on_time_lower_bound",
    "overdue", "due_soon", "open", "median_days_to_first_reply", "median_days_to_final_reply",
    "rated", "satisfied", "basically_satisfied", "unsatisfied", "satisfaction_rate",
    "satisfaction_lower_bound", "on_time_rank", "satisfaction_rank", "below_threshold",
]  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _json(data: object) -> str:
    # Compact: json's C encoder writes it; with an indent the pure-Python one runs, 10× slower.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Escaped so that no file can be read as HTML, even by a server that mislabels it.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _dump(data: object) -> str:
    return _json(data) + "\n"


def _dump_list(items: Iterable[object], before: str = "", after: str = "") -> Iterator[str]:
    """A JSON array written item by item, as ``_dump`` would write it whole: the files
    of the whole board would otherwise be held in memory several times over (their
    rows, the text, its escaped copy, its bytes), hundreds of MiB at 100,000 tickets."""
    return _joined(map(_json, items), before, after)


def _joined(
    texts: Iterable[str | BlockPart], before: str = "", after: str = ""
) -> Iterator[str | BlockPart]:
    """A JSON array of items already written (``_json``), piece by piece."""
    yield before + "["
    for number, text in enumerate(texts):
        if number:
            yield ","
        yield text
    yield "]" + after + "\n"


# What a spreadsheet skips before it looks for a formula: white space of every kind
# (spaces, tabs, line breaks, the ideographic space U+3000, no-break spaces) and the
# invisible zero-width characters.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_LEADING = re.compile(f"^[\\s{_INVISIBLE}]+")
_FORMULA = "=+-@"
# The characters besides \r and \n that Python's str.splitlines() (and so many a
# reader) ends a line at.
_OTHER_BREAK = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection):
    text that begins with a tab or a carriage return, or whose first character after
    white space is = + - @ (or a full-width ＝ ＋ － ＠), gets a ' in front."""
    if value is None:
        return ""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in "\t\r":
        return "'" + value
    if first.isspace() or first in _INVISIBLE:
        first = _LEADING.sub("", value, count=1)[:1]
    return "'" + value if first and _formula_sign(first) else value


@cache
def _formula_sign(char: str) -> bool:
    # Spreadsheets read the full-width (and small) forms of = + - @ as the signs too;
    # NFKC maps them there.
    return char in _FORMULA or unicodedata.normalize("NFKC", char)[:1] in _FORMULA


def _updated(view: TicketView) -> datetime:
    """The latest public event of a ticket at the snapshot's moment."""
    state = view.state
    return max(t for t in event_times(state.file) if t <= state.as_of)


def open311_request(site: Site, view: TicketView) -> dict[str, Any]:
    """One service request in GeoReport v2's fields."""
    state = view.state
    ticket = state.ticket
    notes = [view.status_label]
    # Until when the status holds, not the time left: the file states no moment, and
    # stays true (and unwritten) until the status changes.
    deadline = site.deadline_note(view)
    if deadline:
        notes.append(deadline)
    if view.resolution_label:
        notes.append(view.resolution_label)
    hidden = ticket.hidden is not None
    return {
        "service_request_id": ticket.id,
        "status": "closed" if state.status in CLOSED else "open",
        "status_notes": "; ".join(notes),
        "service_code": ticket.category,
        "service_name": view.category.text,
        "description": None if hidden else ticket.message,
        "title": None if hidden else ticket.title,
        "agency_responsible": view.department.text,
        "service_notice": view.type_name,
        "requested_datetime": ticket.received.isoformat(),
        "updated_datetime": _updated(view).isoformat(),
        "expected_datetime": _iso(state.due),
        "address": None if hidden else ticket.location,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "url": view.url,
    }


def open311_services(site: Site) -> list[dict[str, Any]]:
    return [
        {
            "service_code": category.id,
            "service_name": category.name,
            "description": category.name,
            "metadata": False,
            "type": "batch",
            "keywords": "",
            "group": "",
        }
        for category in site.board.categories
    ]


def _ticket_row(view: TicketView) -> dict[str, Any]:
    state = view.state
    ticket = state.ticket
    hidden = ticket.hidden is not None
    return {
        "id": ticket.id,
        "title": "" if hidden else ticket.title,
        "status": state.status.value,
        "type": ticket.type,
        "category": ticket.category,
        "channel": ticket.channel,
        "department": state.department,
        "department_name": view.department.text,
        "co_departments": " ".join(ticket.co_departments),
        "urgent": ticket.urgent,
        "received": ticket.received.isoformat(),
        "due": _iso(state.due),
        # The times the figures count: a reply merged later than its date counts from then.
        "first_reply": _iso(state.first_reply.at if state.first_reply else None),
        "final_reply": _iso(state.final_reply.at if state.final_reply else None),
        "working_days_to_first_reply": state.days_to_first_reply,
        "working_days_to_final_reply": state.days_to_final_reply,
        "working_days_late": state.days_late,
        "rating": state.rating.value if state.rating else None,
        "resolution": ticket.resolution,
        "location": None if hidden else ticket.location,
        "url": view.url,
    }


def _csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """RFC 4180: CRLF between records, and a field with a line break, a comma or a
    quote in quotes (its quotes doubled), so that no text can start a row of its own."""
    return _csv_file(columns, map(_CsvLine(columns), rows))


def _csv_file(columns: list[str], lines: Iterable[str | BlockPart]) -> Iterator[str | BlockPart]:
    """A CSV file of rows already written (``_CsvLine``), with its header."""
    # A BOM so that spreadsheet programs open the Chinese text as UTF-8.
    yield "\ufeff" + _CsvLine(columns)(dict(zip(columns, columns, strict=True)))
    yield from lines


class _CsvLine:
    """One row's line of a CSV file with ``columns``, each cell safe (``_cell``)."""

    def __init__(self, columns: list[str]) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        # The csv module quotes a field for \r and \n only; a row with another line break
        # (U+2028, U+0085, ...) is written with every field quoted, which reads the same.
        self.quoted = csv.writer(self.buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        # The row's values in one call (itemgetter of one column gives the value alone).
        get = operator.itemgetter(*columns)
        self.values = get if len(columns) > 1 else lambda row: (get(row),)

    def __call__(self, row: dict[str, Any]) -> str:
        cells = list(map(_cell, self.values(row)))
        writer = self.quoted if _OTHER_BREAK.search("".join(map(str, cells))) else self.writer
        writer.writerow(cells)
        line = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return line


MENU = (90, N_("Open data"), OPEN_DATA)


def jobs(site: Site, store: FragmentStore | None = None) -> list[Job]:
    """The open-data files: one job per request (keyed by its ticket), one for each
    whole-board file; and the page that describes them. ``store``: where each ticket's
    piece of the whole-board files is kept between builds (none: all made afresh)."""
    return [*board_jobs(site, store), *request_jobs(site)]


def board_jobs(site: Site, store: FragmentStore | None = None) -> list[Job]:
    """The whole-board files, one job each (a rebuild after one reply remakes them all,
    in several processes), and the page that describes them."""
    store = store or FragmentStore(None, b"")
    made = [
        Job(path, partial(_whole_file, path, text), job_key("open data", path, site.board_key))
        for path, text in _whole_files(site, store).items()
    ]
    made.append(
        Job(
            OPEN_DATA,
            partial(Page, OPEN_DATA, "answerable_data", {"page_name": "data"}),
            job_key("data page"),
        )
    )
    return made


def request_jobs(site: Site) -> list[Job | Block]:
    """One job per request, keyed by its ticket: by what it shows, not the moment, when
    its status is final or says how long it holds (``Site.ticket_key``); settled
    tickets' requests in blocks of ten."""
    return site.ticket_jobs(
        "open311", lambda row: request_path(row.id), partial(_request_page, site)
    )


def request_path(ticket_id: str) -> str:
    return f"{OPEN311}/requests/{ticket_id}.json"


def _request_page(site: Site, view: TicketView) -> Page:
    request = open311_request(site, view)
    return Page(request_path(view.ticket.id), "", {}, _dump([request]))


def _made(site: Site, make: Callable[[TicketView], str], row: TicketRow) -> str:
    """A ticket's piece of a whole-board file, made from its view."""
    return make(site.view(row.id))


def _whole_file(path: str, text: Callable[[], str | Iterator[str | BlockPart]]) -> Page:
    return Page(path, "", {}, text())


def _whole_files(
    site: Site, store: FragmentStore
) -> dict[str, Callable[[], str | Iterator[str | BlockPart]]]:
    """The whole board's files, each made as it is written (an iterator of pieces)."""
    as_of = site.snapshot.as_of.isoformat()
    head = '{"as_of":' + _json(as_of)
    csv_line = _CsvLine(TICKET_COLUMNS)

    def pieces(kind: str, make: Callable[[TicketView], str], sep: str) -> Iterator[str | BlockPart]:
        # A ticket's piece while it stays the same: kept by its row (``piece_key``); its
        # view is made only for a piece made again.
        return store.pieces(
            kind,
            (
                Piece(row.id, row.state.file.folder, row.piece_key, partial(_made, site, make, row))
                for row in site.rows
            ),
            sep,
        )

    def departments() -> list[dict[str, Any]]:
        return [row.as_dict() for row in site.department_table.rows]

    def request(view: TicketView) -> str:
        return _json(open311_request(site, view))

    return {
        f"{OPEN311}/services.json": lambda: _dump(open311_services(site)),
        # Items joined a block of pieces at a time: each block's text joins its own.
        f"{OPEN311}/requests.json": lambda: _joined(pieces("request", request, ",")),
        "data/tickets.json": lambda: _joined(
            pieces("ticket", lambda view: _json(_ticket_row(view)), ","),
            head + ',"tickets":',
            "}",
        ),
        "data/tickets.csv": lambda: _csv_file(
            TICKET_COLUMNS, pieces("csv", lambda view: csv_line(_ticket_row(view)), "")
        ),
        "data/departments.json": lambda: _dump({"as_of": as_of, "departments": departments()}),
        "data/departments.csv": lambda: _csv(DEPARTMENT_COLUMNS, departments()),
    }
