"""Messages already held by hotline and message-board systems, brought onto the board.

Such systems export CSV, XLSX or JSON with columns like 留言编号, 留言用户, 留言主题,
留言时间, 留言详情, 答复意见, 答复时间 (or English equivalents). Each row becomes a
ticket, with its reply when the export has one. Importing is repeatable: a row whose
source id was imported before is skipped, so running the same import twice changes
nothing. Personal data is masked on the way in, and the batch leaves a provenance
record (``imports/<batch>.yaml``: the file's hash, when, how many) so that everyone can
tell imported dates from dates staff wrote.
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import io
import json
import re
import sys
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError
from zoneinfo import ZoneInfo

import yaml

from answerable.checks.privacy import describe, mask_personal_data
from answerable.checks.problems import Problem, Severity
from answerable.checks.validation import board_rules, ticket_problems
from answerable.core.records import ReplyMeta, Ticket
from answerable.processes import Workers

# The readers ``answerable validate`` uses, on the bytes about to be written.
from answerable.reading.loading import ReplyFile, TicketFile, default_workers, record_from
from answerable.reading.yaml_source import YamlDocument
from answerable.staff.authoring import (
    Authoring,
    AuthoringError,
    ordinary_mode,
    reply_md,
    ticket_yaml,
    with_id,
    write_new_folder,
)

# Header names seen in real exports, per field; compared after removing spaces and case.
DEFAULT_COLUMNS: dict[str, list[str]] = {
    "id": ["留言编号", "编号", "工单编号", "工单号", "诉求编号",
           "id", "messageid", "ticketid", "caseid", "number"],
    "submitter": ["留言用户", "留言人", "用户", "诉求人", "来电人",
                  "submitter", "user", "name", "citizen"],
    "title": ["留言主题", "主题", "标题", "诉求主题", "title", "subject"],
    "received": ["留言时间", "时间", "受理时间", "来电时间", "登记时间",
                 "received", "time", "date", "created", "createdat"],
    "message": ["留言详情", "详情", "内容", "留言内容", "诉求内容",
                "message", "content", "detail", "details", "body"],
    "reply": ["答复意见", "答复", "回复", "答复内容", "办理结果", "reply", "answer", "response"],
    "reply_time": ["答复时间", "回复时间", "办结时间",
                   "replytime", "repliedat", "answered", "answeredat"],
    "department": ["承办单位", "办理单位", "部门", "department", "agency"],
    "category": ["分类", "类别", "留言分类", "category", "topic"],
    "type": ["类型", "诉求类型", "type", "kind"],
    "channel": ["渠道", "来源", "channel", "source"],
    "location": ["地点", "地址", "location", "address"],
}  # fmt: skip
REQUIRED = ("received", "message")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
_POLITE = ("先生", "女士", "同学", "老师", "师傅", "网友", "市民", "公司", "厂", "店", "企业")


class ImportError_(Exception):  # noqa: N801, N818 - "ImportError" is a builtin
    """The export cannot be read at all (unknown format, unreadable, no usable columns)."""


@dataclass
class Mapping:
    """How an export's columns and values map onto the board's fields."""

    columns: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, defaults: dict[str, str]) -> Mapping:
        mapping = cls()
        if path is not None:
            try:
                data = yaml.safe_load(path.read_text("utf-8")) or {}
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise ImportError_(f"{path}: cannot read the mapping: {error}") from None
            if not isinstance(data, dict) or set(data) - {"columns", "defaults", "values"}:
                raise ImportError_(f"{path}: a mapping has columns, defaults and values")
            for name, header in (data.get("columns") or {}).items():
                if name not in DEFAULT_COLUMNS:
                    raise ImportError_(f"{path}: unknown field '{name}' in columns")
                mapping.columns[name] = [header] if isinstance(header, str) else list(header)
            mapping.defaults.update({k: str(v) for k, v in (data.get("defaults") or {}).items()})
            mapping.values = {
                k: {str(a): str(b) for a, b in v.items()}
                for k, v in (data.get("values") or {}).items()
            }
        mapping.defaults.update({k: v for k, v in defaults.items() if v})
        return mapping


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    already: list[tuple[int, str]] = field(default_factory=list)  # row, source id
    bad: list[tuple[int, str]] = field(default_factory=list)  # row, why
    masked: list[tuple[int, str]] = field(default_factory=list)  # row, what
    records: int = 0  # created + already + bad, always
    blank: int = 0  # empty rows, not records
    header_row: int = 1  # the row of the header: below the title rows of a sheet, if any
    batch: str = ""
    provenance: str = ""


# ---- reading exports ------------------------------------------------------------------------

# Limits: far above any real export, low enough that a hostile file is refused at once.
MAX_FILE_BYTES = 256 * 1024 * 1024  # the export file itself
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell: no export Excel opens holds more
MAX_TITLE_ROWS = 5  # rows above a sheet's header: a title, a date range, a blank line
XLSX_MAX_UNPACKED = 512 * 1024 * 1024  # all parts of a workbook, as its zip directory declares
XLSX_MAX_PARTS = 10_000  # files inside the zip
XLSX_MAX_ROWS = 1_048_576  # Excel's last row
XML_MAX_DEPTH = 64  # a sheet is worksheet > sheetData > row > c > v: five levels
JSON_MAX_DEPTH = 32  # a list of flat objects is two levels


@dataclass(frozen=True)
class Unusable:
    """A cell whose value cannot be read, and why; it rejects its row only if a field uses it."""

    why: str


@dataclass
class Record:
    """One record of the export: the row a spreadsheet shows, its cells in header order,
    and, when the whole row cannot be read, why."""

    row: int
    cells: list[Any]
    problem: str | None = None


@dataclass
class Export:
    path: Path
    data: bytes
    header: list[str]
    records: list[Record]
    blank: int = 0  # rows with no value at all (spreadsheets leave them at the end)


def read_export(path: Path) -> Export:
    """Every record of an export, in file order; the first row of a sheet is its header."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm", ".json"):
        raise ImportError_(f"{path}: unknown format '{suffix}'; use .csv, .xlsx or .json")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportError_(
                f"{path}: the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
            )
        data = path.read_bytes()
    except OSError as error:
        raise ImportError_(f"{path}: {error.strerror}") from None
    if suffix == ".csv":
        header, records = _csv_records(data, path)
    elif suffix == ".json":
        header, records = _json_records(data, path)
    else:
        header, records = _xlsx_records(data, path)
    kept = [r for r in records if r.problem is not None or any(_filled(c) for c in r.cells)]
    return Export(path, data, header, kept, blank=len(records) - len(kept))


def _filled(value: Any) -> bool:  # noqa: ANN401 - whatever a cell holds
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _decode(data: bytes, path: Path) -> str:
    """Text of a CSV export: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030
    (a superset of GBK and GB2312, which Chinese Excel writes)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(f"{path}: neither UTF-8, UTF-16 nor GB18030 (GBK) text")


def _delimiter(text: str) -> str:
    """The delimiter, from the header line alone: the one of comma, tab and semicolon it
    holds most. Quoting is never guessed: exports follow RFC 4180."""
    line = text.split("\n", 1)[0]
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(data: bytes, path: Path) -> tuple[list[str], list[Record]]:
    text = _decode(data, path).removeprefix("\ufeff")
    # RFC 4180: "" inside a quoted cell is one quote, line breaks inside quotes belong to
    # the cell. strict: a quote that ends a cell must be followed by a delimiter or the end
    # of the record, so a malformed record is reported rather than silently merged.
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=_delimiter(text),
        quotechar='"',
        doublequote=True,
        strict=True,
    )
    records: list[Record] = []
    header: list[str] | None = None
    previous_limit = csv.field_size_limit()
    # Cells are checked against MAX_CELL_CHARS below, with the row's number; the module's
    # own limit would stop the whole reader at the first long cell.
    csv.field_size_limit(max(previous_limit, len(text) + 1))
    try:
        row = 0
        while True:
            first_line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                row += 1
                why = f"not a CSV record as RFC 4180 writes one (from line {first_line}): {error}"
                records.append(Record(row, [], why))
                continue
            row += 1
            if header is None:
                header = [clean_line(h) for h in cells]
                continue
            records.append(_csv_record(row, cells, header, first_line))
    finally:
        csv.field_size_limit(previous_limit)
    if header is None:
        raise ImportError_(f"{path}: no rows")
    return header, records


def _csv_record(row: int, cells: list[str], header: list[str], line: int) -> Record:
    long = next((i for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS), None)
    if long is not None:
        name = header[long] if long < len(header) else f"column {long + 1}"
        why = f"cell '{name}' is {len(cells[long]):,} characters; the limit is {MAX_CELL_CHARS:,}"
        return Record(row, [], why)
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        why = (
            f"{len(cells)} cells but the header has {len(header)} (from line {line}): "
            "a quote left open or a delimiter inside an unquoted cell"
        )
        return Record(row, cells, why)
    return Record(row, cells)


def _json_records(data: bytes, path: Path) -> tuple[list[str], list[Record]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportError_(f"{path}: not UTF-8 text (byte {error.start})") from None
    deepest, line = _json_depth(text)
    if deepest > JSON_MAX_DEPTH:
        raise ImportError_(
            f"{path}:{line}: nested more than {JSON_MAX_DEPTH} levels deep; an export is a "
            "list of flat objects"
        )
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportError_(f"{path}:{error.lineno}: not JSON ({error.msg})") from None
    if isinstance(loaded, dict):
        loaded = next((v for v in loaded.values() if isinstance(v, list)), None)
    if not isinstance(loaded, list):
        raise ImportError_(f"{path}: expected a list of objects (or an object holding one)")
    header: dict[str, int] = {}
    for item in loaded:
        if isinstance(item, dict):
            for key in item:
                header.setdefault(str(key), len(header))
    records = []
    for number, item in enumerate(loaded, start=1):
        if not isinstance(item, dict):
            records.append(Record(number, [], f"not an object but {type(item).__name__}"))
            continue
        cells: list[Any] = [None] * len(header)
        for key, value in item.items():
            cells[header[str(key)]] = _json_value(str(key), value)
        too_long = next(
            (k for k, v in item.items() if isinstance(v, str) and len(v) > MAX_CELL_CHARS), None
        )
        if too_long is not None:
            size = len(item[too_long])
            why = f"'{too_long}' is {size:,} characters; the limit is {MAX_CELL_CHARS:,}"
            records.append(Record(number, [], why))
            continue
        records.append(Record(number, cells))
    return list(header), records


def _json_value(key: str, value: Any) -> Any:  # noqa: ANN401 - a JSON value
    if isinstance(value, dict | list):
        kind = "an object" if isinstance(value, dict) else "a list"
        return Unusable(f"'{key}' holds {kind}, not a value")
    if isinstance(value, bool):
        return str(value).lower()
    return value


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth(text: str) -> tuple[int, int]:
    """How deep the text nests, and the line where it first goes deepest: json.loads
    itself would run out of stack on a hostile file."""
    depth = deepest = 0
    at = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, at = depth, match.start()
                if deepest > JSON_MAX_DEPTH:
                    break
        elif token in ("]", "}"):
            depth -= 1
    return deepest, text.count("\n", 0, at) + 1


def _xlsx_records(data: bytes, path: Path) -> tuple[list[str], list[Record]]:
    unusable = _check_workbook(data, path)
    from openpyxl import load_workbook  # noqa: PLC0415 - only XLSX imports need it

    try:
        # data_only: a formula cell gives the result Excel or LibreOffice saved with it.
        with warnings.catch_warnings():  # openpyxl warns of features it skips: not ours
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        part = sheet._worksheet_path.lstrip("/")  # which zip part is the sheet
        # The <dimension> a generator writes may be wrong; read every row there is.
        sheet.reset_dimensions()
        rows = list(sheet.iter_rows(values_only=True))
        book.close()
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportError_(f"{path}: not a readable XLSX workbook ({error})") from None
    if not rows:
        raise ImportError_(f"{path}: no rows")
    header = [clean_line(h) if h is not None else "" for h in rows[0]]
    bad_cells = unusable.get(part, {})
    records = []
    for number, values in enumerate(rows[1:], start=2):
        cells = list(values)
        for (row, column), why in bad_cells.items():
            if row == number and column <= len(cells):
                cells[column - 1] = Unusable(why)
            elif row == number:
                cells += [None] * (column - 1 - len(cells)) + [Unusable(why)]
        long = next(
            (i for i, c in enumerate(cells) if isinstance(c, str) and len(c) > MAX_CELL_CHARS), None
        )
        if long is not None:
            where, size = f"{_column_letter(long + 1)}{number}", len(cells[long])
            why = f"cell {where} is {size:,} characters; the limit is {MAX_CELL_CHARS:,}"
            records.append(Record(number, [], why))
            continue
        records.append(Record(number, cells))
    return header, records


def _column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_workbook(data: bytes, path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Refuse a hostile or broken workbook before anything unpacks it: too many parts,
    too large once unpacked (as the zip's directory declares; Python's zipfile never
    unpacks past a part's declared size), XML with a DOCTYPE (entity tricks such as
    billion laughs) or nested too deep. Returns, per worksheet part, the cells whose
    value cannot be read: a formula saved without its result, an error value."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportError_(f"{path}: not an XLSX workbook, or a truncated one ({error})") from None
    if len(parts) > XLSX_MAX_PARTS:
        raise ImportError_(f"{path}: {len(parts):,} parts inside; the limit is {XLSX_MAX_PARTS:,}")
    unpacked = sum(p.file_size for p in parts)
    if unpacked > XLSX_MAX_UNPACKED:
        raise ImportError_(
            f"{path}: unpacks to {unpacked:,} bytes; the limit is {XLSX_MAX_UNPACKED:,}"
        )
    found: dict[str, dict[tuple[int, int], str]] = {}
    for part in parts:
        if part.is_dir() or not part.filename.endswith((".xml", ".rels", ".vml")):
            continue
        sheet = part.filename.startswith("xl/worksheets/")
        scan = _XmlScan(sheet)
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(1 << 20):
                    scan.parser.Parse(chunk, False)
                scan.parser.Parse(b"", True)
        except _RefusedError as error:
            raise ImportError_(f"{path}: {part.filename}: {error}") from None
        except (ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise ImportError_(f"{path}: {part.filename} is broken ({error})") from None
        if scan.unusable:
            found[part.filename] = scan.unusable
    return found


class _RefusedError(Exception):
    """A part of the workbook that no application writes, refused."""


class _XmlScan:
    """One pass of expat over a part: depth, no DOCTYPE, and a sheet's unreadable cells."""

    def __init__(self, sheet: bool) -> None:
        from xml.parsers.expat import ParserCreate  # noqa: PLC0415

        self.parser = ParserCreate()
        self.depth = 0
        self.unusable: dict[tuple[int, int], str] = {}
        self.cell: tuple[int, int] | None = None
        self.formula: str | None = None
        self.value = False
        self.error = False
        self.text: list[str] = []
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.sheet = sheet
        if sheet:
            self.parser.CharacterDataHandler = self._text

    def _doctype(self, *_: object) -> None:
        raise _RefusedError("a DOCTYPE or entity declaration; workbooks have none (refused)")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > XML_MAX_DEPTH:
            raise _RefusedError(f"XML nested more than {XML_MAX_DEPTH} levels deep (refused)")
        if not self.sheet:
            return
        local = name.rpartition(":")[2]
        if local == "row":
            number = attributes.get("r", "")
            # A reader fills the rows a sheet skips: a row numbered past Excel's last
            # would have it make millions of empty ones.
            if number.isdigit() and int(number) > XLSX_MAX_ROWS:
                raise _RefusedError(f"row {number}; a sheet ends at row {XLSX_MAX_ROWS:,}")
        elif local == "c":
            reference = attributes.get("r", "")
            match = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", reference)
            self.cell = (int(match[2]), _column_number(match[1])) if match else None
            self.formula, self.value = None, False
            self.error = attributes.get("t") == "e"
        elif local in ("f", "v") and self.cell is not None:
            self.text = []

    def _text(self, text: str) -> None:
        if self.cell is not None:
            self.text.append(text)

    def _end(self, name: str) -> None:
        self.depth -= 1
        if not self.sheet or self.cell is None:
            return
        local = name.rpartition(":")[2]
        if local == "f":
            self.formula = "".join(self.text)
        elif local == "v":
            self.value = bool("".join(self.text))
            if self.error:
                where = f"{_column_letter(self.cell[1])}{self.cell[0]}"
                self.unusable[self.cell] = f"cell {where} holds the error {''.join(self.text)}"
        elif local == "c":
            if self.formula is not None and not self.value:
                where = f"{_column_letter(self.cell[1])}{self.cell[0]}"
                formula = f"a formula (={self.formula})" if self.formula else "a shared formula"
                self.unusable[self.cell] = (
                    f"cell {where} holds {formula} saved without its result; "
                    "open the file in Excel or LibreOffice and save it again"
                )
            self.cell = None
            self.text = []


# ---- cleaning values ------------------------------------------------------------------------


_SPACES = re.compile(r"[\s\u3000]+")
# Characters no one types (NUL, vertical tab and the like): the board's files refuse them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SERIAL = re.compile(r"[1-9][0-9]{4}(?:\.[0-9]+)?")  # an Excel serial date, 1927 to 2173
EXCEL_EPOCH = datetime(
    1899, 12, 30
)  # serial 1 is 1900-01-01 in Excel's count, which has a 29 Feb 1900


def clean_line(value: Any) -> str:  # noqa: ANN401 - whatever a cell holds
    """One line: stray tabs, full-width and repeated spaces folded, ends trimmed."""
    text = "" if value is None else str(value)
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def clean_text(value: Any) -> str:  # noqa: ANN401
    """Several lines: each line cleaned, runs of blank lines folded to one."""
    text = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean_line(line) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_time(value: Any, zone: ZoneInfo) -> datetime:  # noqa: ANN401
    """A time as exports write it; times without an offset are the board's local time.

    A date-formatted spreadsheet cell arrives as a datetime; a number (or its text) is an
    Excel serial date, days since 1899-12-30 with the time of day as the fraction."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _serial(value)
    else:
        text = clean_line(value)
        moment = None
        if _SERIAL.fullmatch(text):
            moment = _serial(float(text))
        else:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                for pattern in TIME_FORMATS:
                    try:
                        moment = datetime.strptime(text, pattern)
                        break
                    except ValueError:
                        continue
        if moment is None:
            raise ValueError(f"'{text}' is not a time")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _serial(days: float) -> datetime:
    if not 10_000 <= days < 100_000:  # 1927 to 2173: a smaller number is no date
        raise ValueError(f"'{days:g}' is not a time")
    # Round to the second: the fraction of a day is a binary float.
    return EXCEL_EPOCH + timedelta(seconds=round(days * 86_400))


def mask_display_name(name: str) -> str:
    """A public display name: a Chinese full name keeps only the surname (张**);
    an account name becomes 网友; polite forms such as 徐先生 stay."""
    name = clean_line(name)
    if not name:
        return "网友"
    if name.endswith(_POLITE) or "某" in name:
        return name
    if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name):
        return name[0] + "*" * (len(name) - 1)
    return "网友"


# ---- the import ---------------------------------------------------------------------------


PARALLEL_FROM = 2_000  # rows; below this, starting worker processes costs more than it saves
# A row's ticket: its year, ticket.yaml under a stand-in id, its reply files by name, and
# what was masked.
Built = tuple[int, str, dict[str, str], list[str]]
_WORKER: tuple[Importer, dict[str, int], str] | None = None  # what forked workers inherit


CHUNK = 200  # rows a worker takes at a time


def _build_chunk(chunk: list[tuple[int, list[Any], str]]) -> list[Built | str]:
    assert _WORKER is not None  # noqa: S101 - set before the pool forks
    importer, columns, batch = _WORKER
    return [importer._build(cells, columns, source_id, batch) for _, cells, source_id in chunk]


def _write_one(job: tuple[str, dict[str, str]], importer: Importer | None = None) -> str | None:
    """Write one folder; why it could not be, or None."""
    importer = importer or (_WORKER[0] if _WORKER else None)
    assert importer is not None  # noqa: S101
    try:
        importer.write(*job)
    except AuthoringError as error:
        return error.message
    except OSError as error:
        return error.strerror or str(error)
    return None


def _write_chunk(chunk: list[tuple[str, dict[str, str]]]) -> list[str | None]:
    return [_write_one(job) for job in chunk]


class Importer:
    def __init__(self, authoring: Authoring, mapping: Mapping, system: str) -> None:
        self.authoring = authoring
        self.board = authoring.board
        self.root = authoring.root
        self.mapping = mapping
        self.system = clean_line(system) or "import"
        self.folder_mode = ordinary_mode(folder=True)  # read once, before workers fork
        self.zone = ZoneInfo(self.board.timezone)
        self.known = {
            (t.ticket.source.system, t.ticket.source.id)
            for t in authoring.loaded.tickets
            if t.ticket.source is not None
        }
        self.lookup = {
            "department": _names(self.board.departments),
            "category": _names(self.board.categories),
            "type": _names(self.board.types),
            "channel": _names(self.board.channels),
        }
        self.department_names = {d.id: d.name for d in self.board.departments}
        # Built once: the calendar behind the deadline rules takes a millisecond to make.
        self.rules = board_rules(self.board)
        self.made: set[Path] = set()  # year folders known to exist

    def _header(self, export: Export) -> tuple[dict[str, int], list[Record], int]:
        """The columns, the records below the header, and the header's row. A sheet often
        has a title above its header (a merged row naming the export, a date range): when
        the first row names no usable columns, the next few rows of a workbook are tried."""
        try:
            return self.columns(export.header), export.records, 1
        except ImportError_:
            if export.path.suffix.lower() not in (".xlsx", ".xlsm"):
                raise
            for index, record in enumerate(export.records[:MAX_TITLE_ROWS]):
                header = [clean_line(c) if c is not None else "" for c in record.cells]
                try:
                    columns = self.columns(header)
                except ImportError_:
                    continue
                return columns, export.records[index + 1 :], record.row
            raise

    def columns(self, header: list[str]) -> dict[str, int]:
        """Which column (its index in the header) holds each field."""
        normal: dict[str, int] = {}
        for index, name in enumerate(header):
            if name:
                normal.setdefault(re.sub(r"[\s_\-]", "", name).lower(), index)
        found = {}
        for name, candidates in self.mapping.columns.items():
            for candidate in candidates:
                key = re.sub(r"[\s_\-]", "", candidate).lower()
                if key in normal:
                    found[name] = normal[key]
                    break
        missing = [name for name in REQUIRED if name not in found]
        if missing:
            raise ImportError_(
                f"no column for {', '.join(missing)}; columns are {', '.join(header)}. "
                "Name them in a mapping file (--mapping)."
            )
        # A reply without its time, or a time without its reply, would import every
        # answered message as unanswered: refuse the file instead.
        lone = [n for n, other in (("reply", "reply_time"), ("reply_time", "reply"))
                if n in found and other not in found]  # fmt: skip
        if lone:
            other = "reply_time" if lone[0] == "reply" else "reply"
            raise ImportError_(
                f"a column for {lone[0]} ('{header[found[lone[0]]]}') but none for {other}; "
                f"columns are {', '.join(header)}. Name it in a mapping file (--mapping)."
            )
        return found

    def _board_id(self, field_name: str, raw: str) -> str:
        value = clean_line(raw)
        mapped = self.mapping.values.get(field_name, {}).get(value)
        if mapped:
            return mapped
        if value:
            found = self.lookup[field_name].get(value)
            if found:
                return found
            raise ValueError(
                f"{field_name} '{value}' matches nothing in board.yaml; map it in --mapping"
            )
        default = self.mapping.defaults.get(field_name)
        if default:
            return default
        raise ValueError(f"no {field_name}: give a column, or a default (--{field_name})")

    def run(
        self,
        export: Export,
        dry_run: bool = False,
        progress: Callable[[Iterator[Any], int], Iterator[Any]] = lambda items, _: items,
        now: datetime | None = None,
    ) -> Outcome:
        """Import every record of ``export`` (see ``read_export``). ``progress`` wraps the
        loop over the rows that may become tickets (it is told how many there are).

        Each record ends as exactly one of: a ticket, already imported, rejected."""
        if not export.records:
            raise ImportError_(f"{export.path}: no rows")
        columns, records, header_row = self._header(export)
        digest = hashlib.sha256(export.data).hexdigest()
        outcome = Outcome(batch=f"{self.system_slug()}-{digest[:12]}", records=len(records))
        outcome.blank = export.blank
        outcome.header_row = header_row
        seen: dict[str, tuple[int, str]] = {}  # source id → its first row here, its content
        candidates = [
            (record.row, record.cells, source_id)
            for record in records
            if (source_id := self._triage(record, columns, outcome, seen)) is not None
        ]
        next_number: dict[int, int] = {}
        jobs: list[tuple[int, str, dict[str, str]]] = []  # row, ticket, its files
        with self._workers(len(candidates), columns, outcome.batch) as pool:
            built = self._built(candidates, columns, outcome.batch, pool)
            for number, source_id, result in progress(built, len(candidates)):
                if isinstance(result, str):
                    outcome.bad.append((number, result))
                    continue
                year, text, replies, notes = result
                if year not in next_number:
                    next_number[year] = int(self.authoring.next_id(year)[5:])
                ticket_id = f"{year}-{next_number[year]:06d}"
                next_number[year] += 1
                files = {"ticket.yaml": with_id(text, ticket_id), **replies}
                jobs.append((number, ticket_id, files))
                outcome.masked += [(number, note) for note in notes]
                self.known.add((self.system, source_id))
                outcome.created.append(ticket_id)
            if not dry_run:
                failed = self._write_all(jobs, pool, progress)
                for number, ticket_id, why in failed:  # the disk refused: rejected, not half there
                    outcome.created.remove(ticket_id)
                    outcome.bad.append((number, f"cannot write {ticket_id}: {why}"))
        outcome.bad.sort()
        counted = len(outcome.created) + len(outcome.already) + len(outcome.bad)
        assert counted == outcome.records, "every record ends as exactly one outcome"  # noqa: S101
        if outcome.created and not dry_run:
            outcome.provenance = self._provenance(export, digest, outcome, now)
        return outcome

    def _triage(
        self,
        record: Record,
        columns: dict[str, int],
        outcome: Outcome,
        seen: dict[str, tuple[int, str]],
    ) -> str | None:
        """The row's source id when it may become a ticket; otherwise None, its outcome
        (rejected, already imported) recorded."""
        number, cells = record.row, record.cells
        if record.problem is not None:
            outcome.bad.append((number, record.problem))
            return None
        used = [cells[i] if i < len(cells) else None for i in columns.values()]
        unusable = next((c for c in used if isinstance(c, Unusable)), None)
        if unusable is not None:
            outcome.bad.append((number, unusable.why))
            return None
        content = _row_key(cells)
        index = columns.get("id")
        source_id = clean_line(cells[index] if index is not None and index < len(cells) else None)
        source_id = source_id or content
        if source_id in seen:
            first, before = seen[source_id]
            if before != content:
                why = f"id '{source_id}' is used by row {first} too, with other content"
                outcome.bad.append((number, why))
            else:
                outcome.already.append((number, source_id))
            return None
        seen[source_id] = (number, content)
        if (self.system, source_id) in self.known:
            outcome.already.append((number, source_id))
            return None
        return source_id

    @contextmanager
    def _workers(self, rows: int, columns: dict[str, int], batch: str) -> Iterator[Workers | None]:
        """Worker processes for a large file (each row stands alone; only ids are given
        out in file order, in this process), or None."""
        workers = min(default_workers(), 8)
        if rows < PARALLEL_FROM or workers < 2 or sys.platform == "win32":
            yield None
            return
        global _WORKER  # noqa: PLW0603 - what forked workers inherit
        _WORKER = (self, columns, batch)
        # Objects made so far stay out of the workers' garbage collections, which would
        # otherwise touch, and so copy, every page they inherit.
        gc.freeze()
        try:
            with Workers(workers) as pool:
                yield pool
        finally:
            gc.unfreeze()
            _WORKER = None

    def _built(
        self,
        candidates: list[tuple[int, list[Any], str]],
        columns: dict[str, int],
        batch: str,
        pool: Workers | None,
    ) -> Iterator[tuple[int, str, Built | str]]:
        """Each candidate row's ticket, made and checked, in file order."""
        if pool is None:
            for number, cells, source_id in candidates:
                yield number, source_id, self._build(cells, columns, source_id, batch)
            return
        chunks = [candidates[i : i + CHUNK] for i in range(0, len(candidates), CHUNK)]
        for chunk, results in zip(chunks, pool.imap(_build_chunk, chunks), strict=True):
            for (number, _, source_id), result in zip(chunk, results, strict=True):
                yield number, source_id, result

    def _write_all(
        self,
        jobs: list[tuple[int, str, dict[str, str]]],
        pool: Workers | None,
        progress: Callable[[Iterator[Any], int], Iterator[Any]],
    ) -> list[tuple[int, str, str]]:
        """Write every ticket folder; the row, ticket and reason of each that failed."""
        folders = [(f"tickets/{tid[:4]}/{tid}", files) for _, tid, files in jobs]
        if pool is None:
            results: Iterator[str | None] = (_write_one(job, self) for job in folders)
        else:
            chunks = [folders[i : i + CHUNK] for i in range(0, len(folders), CHUNK)]
            results = (why for chunk in pool.imap(_write_chunk, chunks) for why in chunk)
        failed = []
        for (number, ticket_id, _), why in progress(zip(jobs, results, strict=True), len(jobs)):
            if why is not None:
                failed.append((number, ticket_id, why))
        return failed

    def system_slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.system.lower()).strip("-") or "import"

    def _build(
        self, cells: list[Any], columns: dict[str, int], source_id: str, batch: str
    ) -> Built | str:
        """The row's ticket, checked, or why it is rejected."""

        def cell(name: str) -> Any:  # noqa: ANN401
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        try:
            return self._ticket(cell, source_id, batch)
        except (ValueError, AuthoringError) as error:
            why = error.message if isinstance(error, AuthoringError) else str(error)
            if isinstance(error, AuthoringError) and error.problems:
                why += ": " + "; ".join(f"{p.code} {p.message}" for p in error.problems[:3])
            return why

    def _ticket(self, cell: Callable[[str], Any], source_id: str, batch: str) -> Built:
        """The files of the row's ticket folder, under a stand-in id (ids are given in file
        order once every row is checked; ``with_id`` numbers the text), and what was masked."""
        message = clean_text(cell("message"))
        if not message:
            raise ValueError("the message is empty")
        try:
            received = parse_time(cell("received"), self.zone)
        except ValueError as error:
            raise ValueError(f"received: {error}") from None
        title = clean_line(cell("title")) or clean_line(message)[:30]
        fields = {
            "title": title,
            "message": message,
            "submitter": mask_display_name(cell("submitter") or ""),
            "location": clean_line(cell("location")) or None,
            "department": self._board_id("department", cell("department") or ""),
            "category": self._board_id("category", cell("category") or ""),
            "type": self._board_id("type", cell("type") or ""),
            "channel": self._board_id("channel", cell("channel") or ""),
        }
        notes = self.authoring.mask(fields)
        answer = clean_text(cell("reply"))
        reply_time = clean_line(cell("reply_time")) if not isinstance(
            cell("reply_time"), datetime | date | int | float) else cell("reply_time")  # fmt: skip
        if not answer and reply_time:
            raise ValueError(f"reply time '{reply_time}' but no reply text")
        year = received.astimezone(self.zone).year
        # Checked under a stand-in id of the right year; the real one is given in file
        # order afterwards, and only the id line and the folder's name differ.
        ticket_id = f"{year}-000000"
        folder = f"tickets/{year}/{ticket_id}"
        data: dict[str, Any] = {
            "id": ticket_id,
            "received": received,
            **fields,
            "source": {"system": self.system, "id": source_id, "batch": batch},
        }
        text = ticket_yaml(data)  # the board's one writer, as `answerable new` writes
        # The record the text reads back as: a literal block keeps one final line break.
        files = {f"{folder}/ticket.yaml": (text, {**data, "message": fields["message"] + "\n"})}
        if answer:
            try:
                answered = parse_time(cell("reply_time"), self.zone)
            except ValueError as error:
                raise ValueError(f"reply time: {error}") from None
            answer, findings = mask_personal_data(answer, self.board.privacy, official_allowed=True)
            notes += [f"masked {describe(f)} in the reply" for f in findings]
            front = {
                "date": answered,
                "department": fields["department"],
                "kind": "final",
                "signed": self.department_names.get(fields["department"]) or None,
            }
            files[f"{folder}/reply-1.md"] = (reply_md(front, answer), (front, answer))
        self._check(files)
        replies = {path.rpartition("/")[2]: reply for path, (reply, _) in list(files.items())[1:]}
        return year, text, replies, notes

    def _check(self, files: dict[str, tuple[str, Any]]) -> None:
        """Check the folder with the rules of ``answerable validate``: the records its files
        hold (``ticket_yaml`` and ``reply_md`` write exactly these values, as their tests
        show by reading the text back), then the rules about the folder and the board."""
        problems: list[Problem] = []
        (ticket_rel, (_, data)), *reply_files = files.items()
        ticket = record_from(Ticket, YamlDocument(data), ticket_rel, problems)
        replies = []
        for number, (rel, (text, (front, body))) in enumerate(reply_files, start=1):
            meta = record_from(ReplyMeta, YamlDocument(front), rel, problems)
            if meta is not None:
                body_line = text.count("\n", 0, text.index("\n---\n") + 5) + 1
                replies.append(ReplyFile(number, rel, meta, body, body_line, YamlDocument(None)))
        if ticket is not None:
            folder = ticket_rel.rpartition("/")[0]
            file = TicketFile(folder, ticket_rel, ticket, YamlDocument(None), replies)
            # Ids are given out past the largest on the board, one each: unique by making.
            problems += ticket_problems(file, self.board, self.rules, Counter([ticket.id]))
            # No privacy check here: every citizen field and the reply were masked above
            # with the finder that check uses, and masking leaves nothing it would find.
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            raise AuthoringError("the ticket would not validate", errors)

    def write(self, folder: str, files: dict[str, str]) -> None:
        """Write a ticket folder whole: beside its place, then renamed into place."""
        target = self.root / folder
        if target.exists():
            raise AuthoringError(f"{folder} exists already")
        if target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        write_new_folder(target, files, self.folder_mode)

    def _provenance(
        self, export: Export, digest: str, outcome: Outcome, now: datetime | None
    ) -> str:
        record = {
            "batch": outcome.batch,
            "system": self.system,
            "file": export.path.name,
            "sha256": digest,
            "imported_at": (now or datetime.now(self.zone)).replace(microsecond=0).isoformat(),
            "records": outcome.records,
            "created": len(outcome.created),
            "already_imported": len(outcome.already),
            "rejected": [{"row": row, "why": why} for row, why in outcome.bad],
            "empty_rows": outcome.blank,
            "tickets": outcome.created,
        }
        target = self.root / "imports" / f"{outcome.batch}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # the same file imported again with new rows: keep both records
            stamp = record["imported_at"].replace(":", "")[:15]  # type: ignore[union-attr]
            target = target.with_name(f"{outcome.batch}-{stamp}.yaml")
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's when built with it
        text = yaml.dump(record, Dumper=dumper, allow_unicode=True, sort_keys=False)
        target.write_text(text, "utf-8")
        return target.relative_to(self.root).as_posix()


def _names(items: list[Any]) -> dict[str, str]:
    """Ids and names both lead to the id: exports name departments in words."""
    found: dict[str, str] = {}
    for item in items:
        found[item.id] = item.id
        found[item.name] = item.id
    return found


def _row_key(cells: list[Any]) -> str:
    """An id for a row without one: the hash of its content, so re-imports still match."""
    text = json.dumps([str(c) if c is not None else "" for c in cells], ensure_ascii=False)
    return "sha1-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]  # noqa: S324 - an id, not security
