"""The board's files as typed records: board.yaml, ticket.yaml, a reply's front matter.

These models are the format: the JSON Schemas, the docs and the loader all come from
them. Values are strict (a number is not a string, ``no`` is not a boolean); only
dates, timestamps and durations are parsed from their written form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

TICKET_ID = r"^[0-9]{4}-[0-9]{6}$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"
# ISO 8601's extended form only, as the JSON Schema says: 2026-11-02T09:14:00+08:00.
TIMESTAMP_FORM = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _timestamp(value: object) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            if not TIMESTAMP_FORM.fullmatch(value):
                raise ValueError(value)
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "bad_format",
                "'{value}' is not a timestamp; write e.g. 2026-11-02T09:14:00+08:00",
                {"value": value},
            ) from None
    else:
        raise PydanticCustomError(
            "wrong_type", "expected a timestamp such as 2026-11-02T09:14:00+08:00"
        )
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PydanticCustomError(
            "no_utc_offset",
            "timestamp '{value}' has no UTC offset; add one, e.g. +08:00",
            {"value": str(value)},
        )
    return _in_range(parsed)


# Deadlines count days forward from these dates; outside this range they are typos.
FIRST_YEAR, LAST_YEAR = 1990, 2200
D = TypeVar("D", bound=date)


def _in_range(value: D) -> D:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "not_allowed",
            "year {year} is outside {first}-{last}",
            {"year": value.year, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return _in_range(parsed)
    raise PydanticCustomError(
        "bad_format",
        "'{value}' is not a date between 1990 and 2200; write e.g. 2026-11-20",
        {"value": str(value)},
    )


@dataclass(frozen=True)
class Duration:
    """A span written as ``5 working days`` or ``24 hours``."""

    amount: int
    unit: Literal["working days", "hours", "minutes"]

    @property
    def in_working_days(self) -> bool:
        return self.unit == "working days"

    def wall_clock(self) -> timedelta:
        """The span on the wall clock; only for hours and minutes."""
        if self.unit == "hours":
            return timedelta(hours=self.amount)
        if self.unit == "minutes":
            return timedelta(minutes=self.amount)
        raise ValueError("working days have no fixed wall-clock length")

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


MAX_DURATION = {"working days": 366, "hours": 366 * 24, "minutes": 366 * 24 * 60}
DURATION_PATTERN = r"^[0-9]+ (working days?|hours?|minutes?)$"


def _duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"([0-9]+) (working day|hour|minute)s?", value)
        if match:
            unit = {"working day": "working days", "hour": "hours", "minute": "minutes"}[match[2]]
            amount = int(match[1])
            if amount > MAX_DURATION[unit]:
                raise PydanticCustomError(
                    "not_allowed",
                    "'{value}' is longer than a year",
                    {"value": value},
                )
            return Duration(amount, unit)  # type: ignore[arg-type]
    raise PydanticCustomError(
        "bad_format",
        "'{value}' is not a duration; write e.g. '5 working days' or '24 hours'",
        {"value": str(value)},
    )


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "not_allowed", "unknown time zone '{value}'", {"value": value}
        ) from None
    return value


Timestamp = Annotated[
    datetime,
    PlainValidator(_timestamp),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "pattern": r"(Z|[+-][0-9]{2}:[0-9]{2})$"}
    ),
]
Day = Annotated[
    date,
    PlainValidator(_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    ),
]
Span = Annotated[
    Duration,
    PlainValidator(_duration),
    # Written back as board.yaml spells it, so a schema's default reads "24 hours".
    PlainSerializer(lambda span: f"{span.amount} {span.unit}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["5 working days"]}),
]
# Lengths far above any real message, so that a runaway paste is an error, not a page.
Text = Annotated[str, StringConstraints(min_length=1, max_length=2_000, pattern=r"\S")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"\S")]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20_000, pattern=r"\S")]
Short = Annotated[str, StringConstraints(max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
TicketId = Annotated[str, StringConstraints(pattern=TICKET_ID)]


class Voice(StrEnum):
    """Who writes a text field, which decides what it may hold.

    Each string field of the records below declares its voice where it is defined, as
    the last part of its ``Annotated`` type (``title: Annotated[Title, Voice.CITIZEN]``).
    Pydantic ignores the marker, so neither validation nor the JSON Schemas change. A
    field holding a record may declare a voice for that record's fields that declare
    none (``withdrawn`` and ``hidden`` share one record). The privacy checks read the
    voices from the annotations; a string field with none is checked as a citizen's
    words, and a test fails until it has one.
    """

    CITIZEN = "citizen"
    """A citizen's words (even when staff type them in): nothing personal, E501."""
    STAFF = "staff"
    """An office's words: its official contacts are allowed, nothing else, E502."""
    CODE = "code"
    """Not free text: an id, a choice from a fixed list, a code checked by its pattern."""
    PRIVATE = "private"
    """Never shown on a page, feed, data file or in the search index."""


class Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
        defer_build=True,
    )


# ---- board.yaml -------------------------------------------------------------------------

Level = Literal["province", "city", "district", "county", "township", "street"]


class Department(Record):
    id: Annotated[Slug, Voice.CODE]
    """Stable identifier used in tickets and replies."""
    # Names the site shows are the office's words.
    name: Annotated[Name, Voice.STAFF]
    """Full official name, shown on the site."""
    parent: Annotated[Slug, Voice.CODE] | None = None
    """The department this one belongs to; departments form a tree."""
    level: Annotated[Level, Voice.CODE] | None = None
    """Level of government; inherited from the parent when left out."""


class Named(Record):
    id: Annotated[Slug, Voice.CODE]
    """Stable identifier used in tickets."""
    name: Annotated[Name, Voice.STAFF]
    """Name shown on the site."""


class CalendarSettings(Record):
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), Voice.CODE]
    """ISO 3166 country code whose official calendar decides working days."""
    subdivision: Annotated[str, Voice.CODE] | None = None
    """Optional subdivision (e.g. ENG for England) as python-holidays names it."""
    add_holidays: list[Day] = []
    """Days off the board adds to the library's calendar."""
    add_workdays: list[Day] = []
    """Make-up working days (调休) the board adds to the library's calendar."""


class Policy(Record):
    due: Span
    """Time allowed for the final reply: working days, or hours on the wall clock."""


class Policies(Record):
    """One entry per ticket type, plus ``urgent`` and ``longest_extension``."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Policy] = Field(init=False)  # type: ignore[assignment]

    urgent: Policy | None = None
    """Deadline of urgent tickets, which overrides the type's."""
    longest_extension: Span | None = None
    """Longest total extension past the original due time; none when left out."""

    def for_type(self, type_id: str) -> Policy | None:
        extra = self.__pydantic_extra__ or {}
        return extra.get(type_id)

    def type_ids(self) -> list[str]:
        return sorted(self.__pydantic_extra__ or {})


class ShallowReply(Record):
    min_chars: Annotated[int, Field(ge=0)] = 30
    """Replies with fewer characters (spaces excluded) are flagged as shallow."""


DEFAULT_TYPES = [
    Named(id="consultation", name="咨询"),
    Named(id="help", name="求助"),
    Named(id="complaint", name="投诉"),
    Named(id="suggestion", name="建议"),
]
DEFAULT_CHANNELS = [
    Named(id=channel, name=name)
    for channel, name in [
        ("web", "网站"),
        ("hotline", "热线"),
        ("email", "电子邮件"),
        ("weibo", "微博"),
        ("wechat", "微信"),
        ("letter", "来信"),
        ("visit", "来访"),
        ("live-session", "在线访谈"),
    ]
]


class PrivacySettings(Record):
    # These hold the very numbers the checks allow or look for.
    allowed_numbers: list[Annotated[Text, Voice.PRIVATE]] = []
    """Official numbers a reply may carry (hotlines, department contacts), as written."""
    allowed_email_domains: list[Annotated[Text, Voice.PRIVATE]] = []
    """E-mail domains of the government a reply may name, e.g. qingchuan.gov.cn."""
    protected_names: list[Annotated[Text, Voice.PRIVATE]] = []
    """Names that must never appear in public text (e.g. a person at risk)."""


class AuditSettings(Record):
    tolerance: Span = Duration(24, "hours")
    """How much earlier than its commit a reply may be dated before it counts as backdated."""


class Board(Record):
    name: Annotated[Title, Voice.STAFF]
    """The board's public name."""
    locale: Annotated[Literal["zh_CN", "en"], Voice.CODE]
    """Language of the public site."""
    timezone: Annotated[str, AfterValidator(_zone), Voice.CODE]
    """IANA time zone in which days begin and end, e.g. Asia/Shanghai."""
    calendar: CalendarSettings
    policies: Policies
    types: list[Named] = DEFAULT_TYPES
    """Ticket types; the four of the domain when left out."""
    channels: list[Named] = DEFAULT_CHANNELS
    """Channels a message can arrive by; the eight of the domain when left out."""
    warn_before: Span = Duration(3, "hours")
    """An open ticket turns due-soon (yellow) when less than this remains."""
    satisfaction_threshold: Annotated[float, Field(ge=0, le=1)] = 0.85
    """Departments whose satisfaction rate is below this are named."""
    min_ranked: Annotated[int, Field(ge=1)] = 10
    """Departments with fewer decided (or rated) tickets are listed but not ranked."""
    shallow_reply: ShallowReply = ShallowReply()
    departments: Annotated[list[Department], Field(min_length=1)]
    categories: Annotated[list[Named], Field(min_length=1)]
    privacy: PrivacySettings = PrivacySettings()
    audit: AuditSettings = AuditSettings()
    witnessed_since: Day | None = None
    """From this day on (in the board's time zone), a reply counts from the later of its
    date and the moment git's main line first held it; null: replies count by their date."""
    as_of: Timestamp | None = None
    """A fixed moment for a frozen board (a demo); null means the moment of the build."""


# ---- ticket.yaml ------------------------------------------------------------------------


class Transfer(Record):
    at: Timestamp
    from_: Annotated[Slug, Voice.CODE] = Field(alias="from")
    """The department that held the ticket."""
    to: Annotated[Slug, Voice.CODE]
    """The department that holds it after the transfer."""
    reason: Annotated[Text, Voice.STAFF]


class Extension(Record):
    requested: Timestamp
    """When the extension was asked for: before the due time it extends."""
    approved: Timestamp | None = None
    """When it was approved; an unapproved request does not move the deadline."""
    approved_by: Annotated[Slug, Voice.CODE] | None = None
    reason: Annotated[Text, Voice.STAFF]
    due: Day
    """The new due date (end of that day)."""


class Rating(Record):
    value: Annotated[Literal["satisfied", "basically-satisfied", "unsatisfied"], Voice.CODE]
    at: Timestamp
    source: Annotated[Literal["return-visit", "online", "sms", "hotline"], Voice.CODE]
    comment: Annotated[str, StringConstraints(max_length=2_000), Voice.CITIZEN] | None = None


class Withdrawal(Record):
    at: Timestamp
    # Whose words these are depends on who acts: ``withdrawn`` and ``hidden`` say.
    reason: Text


class Source(Record):
    """Where an imported ticket came from: the system, its id there, and the batch."""

    # Provenance of an import, kept in the file for the office, never shown.
    system: Annotated[Text, Voice.PRIVATE]
    id: Annotated[Text, Voice.PRIVATE]
    batch: Annotated[Text, Voice.PRIVATE]
    """The import batch's id; imports/<batch>.yaml records the file, its hash and time."""


class Ticket(Record):
    id: Annotated[TicketId, Voice.CODE]
    """Equals the folder name: year, dash, six digits."""
    title: Annotated[Title, Voice.CITIZEN]
    received: Timestamp
    """When the message was registered; the deadline counts from here."""
    channel: Annotated[Slug, Voice.CODE]
    type: Annotated[Slug, Voice.CODE]
    category: Annotated[Slug, Voice.CODE]
    department: Annotated[Slug, Voice.CODE]
    """The department responsible now."""
    co_departments: list[Annotated[Slug, Voice.CODE]] = []
    """Other departments in joint handling."""
    submitter: Annotated[Name, Voice.CITIZEN]
    """Public display name, already masked (徐先生)."""
    submitter_kind: Annotated[Literal["citizen", "enterprise"], Voice.CODE] = "citizen"
    location: Annotated[Short, Voice.CITIZEN] | None = None
    urgent: bool = False
    tags: list[Annotated[Name, Voice.CITIZEN]] = []
    related: list[Annotated[TicketId, Voice.CODE]] = []
    duplicate_of: Annotated[TicketId, Voice.CODE] | None = None
    message: Annotated[LongText, Voice.CITIZEN]
    """The citizen's words: plain text, shown escaped with its line breaks."""
    transfers: list[Transfer] = []
    extensions: list[Extension] = []
    rating: Rating | None = None
    resolution: (
        Annotated[Literal["resolved", "partially-resolved", "unresolved", "explained"], Voice.CODE]
        | None
    ) = None
    # The citizen withdraws, and the reason is theirs; hiding is the office's act.
    withdrawn: Annotated[Withdrawal, Voice.CITIZEN] | None = None
    """The citizen withdrew the message; it stays listed as withdrawn."""
    hidden: Annotated[Withdrawal, Voice.STAFF] | None = None
    """The office hid the message's content; the site keeps a record with the reason."""
    source: Source | None = None
    """Set by 'answerable import': the ticket came from another system's export."""


# ---- reply-N.md front matter ------------------------------------------------------------


class ReplyMeta(Record):
    date: Timestamp
    department: Annotated[Slug, Voice.CODE]
    kind: Annotated[Literal["interim", "final", "supplement"], Voice.CODE]
    promised: Day | None = None
    """Interim replies only: the date by which the final reply will come."""
    # The body below the front matter is the office's words too.
    signed: Annotated[Short, Voice.STAFF] | None = None
    """The signature shown under the reply."""


SCHEMA_MODELS: dict[str, type[Record]] = {
    "board": Board,
    "ticket": Ticket,
    "reply": ReplyMeta,
}


def describe_value(value: Any) -> str:  # noqa: ANN401 - any YAML value
    """A short, safe rendering of a value for messages."""
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "..."
