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

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from .authoring import Authoring, AuthoringError, Change
from .privacy import describe, mask_personal_data

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
Row = tuple[int, dict[str, Any]]  # the row's number as a spreadsheet shows it, and its cells
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
    batch: str = ""
    provenance: str = ""


# ---- reading exports ------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of an export as dictionaries, in file order; the first row of a sheet is its header."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportError_(f"{path}: {error.strerror}") from None
    if suffix == ".csv":
        return _csv_rows(data, path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(data, path)
    if suffix == ".json":
        return _json_rows(data, path)
    raise ImportError_(f"{path}: unknown format '{suffix}'; use .csv, .xlsx or .json")


def _csv_rows(data: bytes, path: Path) -> list[dict[str, Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese exports are often GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportError_(f"{path}: neither UTF-8 nor GB18030 text")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def _xlsx_rows(data: bytes, path: Path) -> list[dict[str, Any]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only XLSX imports need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise ImportError_(f"{path}: not a readable XLSX workbook ({error})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    return [dict(zip(header, row, strict=False)) for row in rows if any(v is not None for v in row)]


def _json_rows(data: bytes, path: Path) -> list[dict[str, Any]]:
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportError_(f"{path}: not JSON ({error})") from None
    if isinstance(loaded, dict):
        loaded = next((v for v in loaded.values() if isinstance(v, list)), None)
    if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
        raise ImportError_(f"{path}: expected a list of objects (or an object holding one)")
    return loaded


# ---- cleaning values ------------------------------------------------------------------------


def clean_line(value: Any) -> str:  # noqa: ANN401 - whatever a cell holds
    """One line: stray tabs, full-width and repeated spaces folded, ends trimmed."""
    text = "" if value is None else str(value)
    return re.sub(r"[\s\u3000]+", " ", text).strip()


def clean_text(value: Any) -> str:  # noqa: ANN401
    """Several lines: each line cleaned, runs of blank lines folded to one."""
    text = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean_line(line) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_time(value: Any, zone: ZoneInfo) -> datetime:  # noqa: ANN401
    """A time as exports write it; times without an offset are the board's local time."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = clean_line(value)
        moment = None
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


class Importer:
    def __init__(self, authoring: Authoring, mapping: Mapping, system: str) -> None:
        self.authoring = authoring
        self.board = authoring.board
        self.mapping = mapping
        self.system = clean_line(system) or "import"
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

    def columns(self, header: list[str]) -> dict[str, str]:
        """Which header holds each field."""
        normal = {re.sub(r"[\s_\-]", "", h).lower(): h for h in header if h}
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
        path: Path,
        rows: list[dict[str, Any]],
        dry_run: bool = False,
        progress: Callable[
            [Iterator[tuple[int, dict[str, Any]]]], Iterator[tuple[int, dict[str, Any]]]
        ] = iter,
        now: datetime | None = None,
    ) -> Outcome:
        """Import ``rows`` read from ``path`` (see ``read_rows``); ``progress`` wraps the loop."""
        header = list(rows[0]) if rows else []
        if not rows:
            raise ImportError_(f"{path}: no rows")
        columns = self.columns(header)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        outcome = Outcome(batch=f"{self.system_slug()}-{digest[:12]}")
        next_number: dict[int, int] = {}
        # Row numbers as a spreadsheet shows them: the header is row 1.
        numbered = ((index + 2, row) for index, row in enumerate(rows))
        for number, row in progress(numbered):

            def cell(name: str, row: dict[str, Any] = row) -> Any:  # noqa: ANN401
                return row.get(columns[name]) if name in columns else None

            source_id = clean_line(cell("id")) or _row_key(row)
            if (self.system, source_id) in self.known:
                outcome.already.append((number, source_id))
                continue
            try:
                changes, notes = self._ticket(cell, source_id, outcome.batch, next_number)
            except (ValueError, AuthoringError) as error:
                why = error.message if isinstance(error, AuthoringError) else str(error)
                if isinstance(error, AuthoringError) and error.problems:
                    why += ": " + "; ".join(f"{p.code} {p.message}" for p in error.problems[:3])
                outcome.bad.append((number, why))
                continue
            outcome.masked += [(number, note) for note in notes]
            self.known.add((self.system, source_id))
            ticket_id = Path(changes[0].path).parent.name
            outcome.created.append(ticket_id)
            if not dry_run:
                self.authoring.write_folder(changes)
        if outcome.created and not dry_run:
            outcome.provenance = self._provenance(path, digest, outcome, now)
        return outcome

    def system_slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.system.lower()).strip("-") or "import"

    def _ticket(
        self,
        cell: Callable[[str], Any],
        source_id: str,
        batch: str,
        next_number: dict[int, int],
    ) -> tuple[list[Change], list[str]]:
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
        reply = None
        answer = clean_text(cell("reply"))
        if answer:
            try:
                answered = parse_time(cell("reply_time"), self.zone)
            except ValueError as error:
                raise ValueError(f"reply time: {error}") from None
            answer, findings = mask_personal_data(answer, self.board.privacy, official_allowed=True)
            notes += [f"masked {describe(f)} in the reply" for f in findings]
            reply = (answer, answered, fields["department"])
        year = received.astimezone(self.zone).year
        if year not in next_number:
            next_number[year] = int(self.authoring.next_id(year)[5:])
        ticket_id = f"{year}-{next_number[year]:06d}"
        source = {"system": self.system, "id": source_id, "batch": batch}
        changes = self.authoring.imported_ticket(ticket_id, fields, received, source, reply)
        next_number[year] += 1
        return changes, notes

    def _provenance(self, path: Path, digest: str, outcome: Outcome, now: datetime | None) -> str:
        record = {
            "batch": outcome.batch,
            "system": self.system,
            "file": path.name,
            "sha256": digest,
            "imported_at": (now or datetime.now(self.zone)).replace(microsecond=0).isoformat(),
            "created": len(outcome.created),
            "already_imported": len(outcome.already),
            "rejected": [{"row": row, "why": why} for row, why in outcome.bad],
            "tickets": outcome.created,
        }
        target = self.authoring.root / "imports" / f"{outcome.batch}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # the same file imported again with new rows: keep both records
            stamp = record["imported_at"].replace(":", "")[:15]  # type: ignore[union-attr]
            target = target.with_name(f"{outcome.batch}-{stamp}.yaml")
        target.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
        return target.relative_to(self.authoring.root).as_posix()


def _names(items: list[Any]) -> dict[str, str]:
    """Ids and names both lead to the id: exports name departments in words."""
    found: dict[str, str] = {}
    for item in items:
        found[item.id] = item.id
        found[item.name] = item.id
    return found


def _row_key(row: dict[str, Any]) -> str:
    """An id for a row without one: the hash of its content, so re-imports still match."""
    text = json.dumps({str(k): str(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True)
    return "sha1-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]  # noqa: S324 - an id, not security
