#!/usr/bin/env python3
"""Build a deterministic synthetic board of N tickets, for benchmarks.

    python scripts/make_corpus.py OUT_DIR --tickets N [--seed 1]
        [--as-of 2026-11-20T21:30:00+08:00] [--force]

writes OUT_DIR/board.yaml, OUT_DIR/tickets/<year>/<id>/ticket.yaml and reply-N.md, and
OUT_DIR/content/pages/about.md. The same N and seed give byte-identical files: every
choice comes from one ``random.Random(seed)``, never from the clock or hash order.

The board is the fictional 青川市 of the demo, grown to a city office, 12 city bureaus and
6 districts with their bureaus and street offices. Tickets are received over the year
before ``as_of`` and live a simulated life (transfer, extension, interim reply, final
reply, rating, supplement, withdrawal); whatever would happen after ``as_of`` is cut, so
the board shows every status at that moment. Deadlines come from the package's own
calendar and rules (``answerable.core.deadlines.Rules``), so every generated board passes
``answerable validate --strict``.

The city's shape and every word of its tickets are data beside this script, in
``scripts/corpus/``: city.yaml (types, channels, categories, departments, places),
topics.yaml (what citizens write about, and the replies' findings), phrases.yaml (words
chosen at random) and templates.yaml (fixed sentences: titles, reply openings, dates).

Ticket folders are written through the package's one writer of new ticket files
(``answerable.staff.authoring``: ``ticket_yaml``, ``reply_md``, ``write_new_folder``), the
one ``answerable new`` and ``answerable reply`` use; it is a template, not a YAML
library, so 100,000 tickets take well under a minute.
"""

from __future__ import annotations

import argparse
import queue
import random
import shutil
import sys
import threading
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

# Prefer the package of this checkout over any installed copy: the deadlines must follow
# the calendar and rules of the code that will validate the board.
PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
if (PLUGINS / "answerable").is_dir() and str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))

from answerable.core.deadlines import Rules  # noqa: E402
from answerable.core.records import Board, Duration  # noqa: E402
from answerable.staff.authoring import (  # noqa: E402
    ordinary_mode,
    reply_md,
    ticket_yaml,
    write_new_folder,
)

DEFAULT_AS_OF = "2026-11-20T21:30:00+08:00"
Writer = Callable[[str, dict[str, str]], None]

# ---- the board's shape and words, from the data files beside this script ------------------

DATA = Path(__file__).resolve().parent / "corpus"
# libyaml's loader when it is there: the words are read on every run.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _data(name: str, folder: Path = DATA) -> Any:
    """One data file; one that cannot be read stops the script with its path and line."""
    path = folder / name
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader
    except OSError as error:
        raise SystemExit(f"make_corpus.py: error: {path}: {error.strerror}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise SystemExit(f"make_corpus.py: error: {where}: {error.problem}") from None


CITY_DATA: dict[str, Any] = _data("city.yaml")
TEMPLATE: dict[str, Any] = _data("templates.yaml")
TITLE: dict[str, Any] = TEMPLATE["title"]
# One key a list of phrases to choose from: see phrases.yaml.
PHRASE: dict[str, list[str]] = _data("phrases.yaml")

TIMEZONE: str = CITY_DATA["timezone"]
CITY: str = CITY_DATA["city"]
PHONE_AREA: str = CITY_DATA["phone_area"]
TYPES: list[tuple[str, str, int]] = [tuple(t) for t in CITY_DATA["types"]]  # type: ignore[misc]
CHANNELS: list[tuple[str, str, int]] = [tuple(c) for c in CITY_DATA["channels"]]  # type: ignore[misc]
CATEGORIES: list[tuple[str, str, int]] = [tuple(c) for c in CITY_DATA["categories"]]  # type: ignore[misc]
# kind: (city bureau name, district bureau name or None when only the city has one)
KINDS: dict[str, tuple[str, str | None]] = {k: tuple(v) for k, v in CITY_DATA["kinds"].items()}  # type: ignore[misc]
# Departments that answer late more often and satisfy fewer people: the named ones.
WORSE = frozenset(CITY_DATA["worse"])
ROAD_SUFFIXES: list[str] = CITY_DATA["road_suffixes"]
ESTATE_SUFFIXES: list[str] = CITY_DATA["estate_suffixes"]
ROAD_SECTIONS: list[str] = CITY_DATA["road_sections"]
VENUES: dict[str, str] = CITY_DATA["venues"]
SURNAMES: str = CITY_DATA["surnames"]
# The simulation runs in naive local time; the board's zone keeps one offset all year.
OFFSET = timezone(ZoneInfo(TIMEZONE).utcoffset(datetime(2026, 1, 1)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Topic:
    category: str
    noun: str
    where: str  # home, road, none, or venue:<name>
    kinds: tuple[str, ...]
    tags: tuple[str, ...]
    short_suggestion: str
    suggestion: str
    problems: tuple[str, ...]
    findings: tuple[str, ...]
    actions: tuple[str, ...]
    law: str
    explanation: str | None
    answer: str | None


@dataclass
class CategoryText:
    topics: list[Topic]
    urgent: list[Topic]
    enterprise: list[Topic]


def _topics(data: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, CategoryText]:
    def topic(category: str, item: dict[str, Any]) -> Topic:
        return Topic(
            category=category,
            noun=item["noun"],
            where=item["where"],
            kinds=tuple(item["kinds"]),
            tags=tuple(item["tags"]),
            short_suggestion=item.get("short_suggestion", ""),
            suggestion=item.get("suggestion", ""),
            problems=tuple(item["problems"]),
            findings=tuple(item["findings"]),
            actions=tuple(item["actions"]),
            law=item["law"],
            explanation=item.get("explanation"),
            answer=item.get("answer"),
        )

    return {
        category: CategoryText(
            *(
                [topic(category, item) for item in entry.get(group, [])]
                for group in ("topics", "urgent", "enterprise")
            )
        )
        for category, entry in data.items()
    }


WORDS = _topics(_data("topics.yaml"))


# ---- departments and places ----------------------------------------------------------------


@dataclass(frozen=True)
class Dept:
    id: str
    name: str
    parent: str | None
    level: str | None
    kind: str  # a KINDS key, "street", "district" or "office"
    unit: str  # how it names itself in a reply: 我局, 我街道 ...
    phone: str


@dataclass(frozen=True)
class Street:
    id: str
    district: str  # district department id
    district_name: str
    dstem: str
    stem: str
    roads: tuple[str, str]
    estates: tuple[str, str]


def _departments() -> tuple[list[Dept], list[Street]]:
    depts: list[Dept] = []
    streets: list[Street] = []
    names: dict[str, str] = CITY_DATA["names"]
    units: dict[str, Any] = CITY_DATA["units"]
    ending, committee = units["committee"]

    def add(id_: str, name: str, parent: str | None, level: str | None, kind: str) -> None:
        unit = units.get(kind) if kind in ("street", "district", "office") else None
        if unit is None:
            unit = committee if name.endswith(ending) else units["bureau"]
        phone = f"{PHONE_AREA}-{6_210_000 + 3_517 * len(depts)}"
        depts.append(Dept(id_, name, parent, level, kind, unit, phone))

    add("city-office", names["office"].format(city=CITY), None, "city", "office")
    for kind, (city_name, _) in KINDS.items():
        add(f"city-{kind}", names["city_bureau"].format(city=CITY, bureau=city_name),
            "city-office", None, kind)  # fmt: skip
    number = 0
    for district in CITY_DATA["districts"]:
        did, dname = district["id"], district["name"]
        add(did, names["district"].format(district=dname), "city-office", "district", "district")
        for kind in district["bureaus"]:
            bureau = KINDS[kind][1]
            assert bureau is not None, kind  # noqa: S101 - a mistake in city.yaml
            add(f"{did}-{kind}", names["district_bureau"].format(district=dname, bureau=bureau),
                did, None, kind)  # fmt: skip
        for slug, stem in district["streets"]:
            name = names["street"].format(district=dname, stem=stem)
            add(f"{did}-{slug}", name, did, "street", "street")
            road2 = stem + ROAD_SUFFIXES[number % len(ROAD_SUFFIXES)]
            estates = (
                stem + ESTATE_SUFFIXES[number % len(ESTATE_SUFFIXES)],
                stem + ESTATE_SUFFIXES[(number + 3) % len(ESTATE_SUFFIXES)],
            )
            streets.append(
                Street(f"{did}-{slug}", did, dname, dname[:-1], stem,
                       (CITY_DATA["first_road"].format(stem=stem), road2), estates)
            )  # fmt: skip
            number += 1
    return depts, streets


DEPTS, STREETS = _departments()
DISTRICT_IDS = [district["id"] for district in CITY_DATA["districts"]]
DEPT = {d.id: d for d in DEPTS}
DISTRICT_BUREAUS = {
    (d.parent, d.kind): d.id
    for d in DEPTS
    if d.parent and d.parent != "city-office" and d.kind != "street"
}
STREETS_BY_DISTRICT: dict[str, list[Street]] = {}
for _street in STREETS:
    STREETS_BY_DISTRICT.setdefault(_street.district, []).append(_street)
CATEGORY_NAMES = {c: n for c, n, _ in CATEGORIES}
URGENT_CATEGORIES = [c for c, _, _ in CATEGORIES if WORDS[c].urgent]
ENTERPRISE_TOPICS = [t for c, _, _ in CATEGORIES for t in WORDS[c].enterprise]


def board_text(tickets: int, seed: int, as_of: datetime) -> tuple[str, dict[str, object]]:
    """board.yaml's text, and the same data for ``Board.model_validate``."""
    min_ranked = 20 if tickets >= 2000 else 5
    departments: list[dict[str, str]] = []
    for d in DEPTS:
        item = {"id": d.id, "name": d.name}
        if d.parent:
            item["parent"] = d.parent
        if d.level:
            item["level"] = d.level
        departments.append(item)
    data: dict[str, object] = {
        "name": CITY_DATA["board_name"].format(city=CITY),
        "locale": "zh_CN",
        "timezone": TIMEZONE,
        "calendar": {"country": "CN", "add_holidays": [], "add_workdays": []},
        "types": [{"id": i, "name": n} for i, n, _ in TYPES],
        "channels": [{"id": i, "name": n} for i, n, _ in CHANNELS],
        "policies": {
            "consultation": {"due": "1 working day"},
            "help": {"due": "5 working days"},
            "complaint": {"due": "5 working days"},
            "suggestion": {"due": "5 working days"},
            "urgent": {"due": "24 hours"},
            "longest_extension": "20 working days",
        },
        "warn_before": "3 hours",
        "satisfaction_threshold": 0.85,
        "min_ranked": min_ranked,
        "shallow_reply": {"min_chars": 40},
        "departments": departments,
        "categories": [{"id": i, "name": n} for i, n, _ in CATEGORIES],
        "as_of": as_of.isoformat(),
    }

    def flow(item: dict[str, str]) -> str:
        return "{" + ", ".join(f"{k}: {v}" for k, v in item.items()) + "}"

    lines = [
        f"# A synthetic board for benchmarks: {tickets} tickets, seed {seed}.",
        f"# Made by scripts/make_corpus.py; {CITY} and everything in it are fictional.",
        f"name: {data['name']}",
        "locale: zh_CN",
        f"timezone: {TIMEZONE}",
        "calendar:",
        "  country: CN",
        "  add_holidays: []",
        "  add_workdays: []",
        "types:",
        *(f"  - {flow({'id': i, 'name': n})}" for i, n, _ in TYPES),
        "channels:",
        *(f"  - {flow({'id': i, 'name': n})}" for i, n, _ in CHANNELS),
        "policies:",
        "  consultation: {due: 1 working day}",
        "  help: {due: 5 working days}",
        "  complaint: {due: 5 working days}",
        "  suggestion: {due: 5 working days}",
        "  urgent: {due: 24 hours}",
        "  longest_extension: 20 working days",
        "warn_before: 3 hours",
        "satisfaction_threshold: 0.85",
        f"min_ranked: {min_ranked}",
        "shallow_reply:",
        "  min_chars: 40",
        "departments:",
        *(f"  - {flow(item)}" for item in departments),
        "categories:",
        *(f"  - {flow({'id': i, 'name': n})}" for i, n, _ in CATEGORIES),
        f"as_of: {as_of.isoformat()}",
    ]
    return "\n".join(lines) + "\n", data


# ---- time ----------------------------------------------------------------------------------

OFFICE_MORNING = time(9, 0)  # 180 minutes, to 12:00
OFFICE_AFTERNOON = time(14, 0)  # 210 minutes, to 17:30
END_OF_DAY = time(23, 59, 59)
DAY = timedelta(days=1)

# Hour weights of receipts: the hotline and the web peak in office hours and the evening;
# letters, visits and live sessions are registered in office hours on working days.
HOURS_ONLINE = [1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 18, 14, 9, 10, 14, 16, 15, 12, 10, 11, 12, 10, 6, 3]
HOURS_OFFICE = [0] * 9 + [20, 22, 14, 0, 0, 12, 18, 16, 6] + [0] * 6
HOURS_LIVE = [0] * 9 + [30, 40, 10] + [0] * 12
OFFICE_CHANNELS = {"letter", "visit", "live-session"}


class Clock:
    """Working days and office hours of the board's calendar, around ``as_of`` (local time)."""

    def __init__(self, rules: Rules, as_of: datetime, first: date) -> None:
        self.rules = rules
        self.zone = rules.zone
        # Far enough after as_of for every event a ticket could plan (they are cut anyway).
        start, end = first - timedelta(days=3), as_of.date() + timedelta(days=160)
        every = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        self.days = [day for day in every if rules.calendar.is_working_day(day)]
        self.ordinal0 = start.toordinal()
        # For every calendar day: the index of the first working day on or after it.
        self.next_index = [bisect_left(self.days, day) for day in every]

    def index(self, day: date) -> int:
        """Index in ``days`` of the first working day on or after ``day``."""
        offset = day.toordinal() - self.ordinal0
        return self.next_index[offset] if offset < len(self.next_index) else len(self.days)

    def due_after(self, received: datetime, allowed: Duration) -> datetime:
        """The package's own due time, as a naive local time."""
        due = self.rules.due_after(received.replace(tzinfo=self.zone), allowed)
        return due.astimezone(self.zone).replace(tzinfo=None)

    @staticmethod
    def office_time(rng: random.Random, day: date) -> datetime:
        minute = rng.randrange(390)
        if minute < 180:
            return datetime.combine(day, OFFICE_MORNING) + timedelta(minutes=minute)
        return datetime.combine(day, OFFICE_AFTERNOON) + timedelta(minutes=minute - 180)

    def moment(
        self, rng: random.Random, after: datetime, last: int, skew: float = 1.0, gap: int = 10
    ) -> datetime | None:
        """An office-hours moment later than ``after`` + ``gap`` minutes, on a working day
        no later than ``days[last]``; None when there is none."""
        after = after + timedelta(minutes=gap)
        first = self.index(after.date())
        last = min(last, len(self.days) - 1)
        if first > last:
            return None
        k = first + int((last - first + 1) * rng.random() ** skew)
        k = min(k, last)
        day = self.days[k]
        when = self.office_time(rng, day)
        if when <= after:
            end = datetime.combine(day, time(17, 30))
            if after < end:
                span = int((end - after).total_seconds() // 60)
                when = later(after, rng.randint(1, max(1, span)))
            elif k < last:
                when = self.office_time(rng, self.days[k + 1])
            else:
                return None
        return when


def later(moment: datetime, minutes: int) -> datetime:
    """``minutes`` (at least 1) after ``moment``, on a whole minute."""
    return (moment + timedelta(minutes=minutes)).replace(second=0)


def aware(moment: datetime) -> datetime:
    """A local moment of the simulation with the board's offset, as files hold it."""
    return moment.replace(tzinfo=OFFSET)


def month_day(day: date) -> str:
    return TEMPLATE["month_day"].format(month=day.month, day=day.day)


def long_date(day: date) -> str:
    return TEMPLATE["long_date"].format(year=day.year, month=day.month, day=day.day)


# ---- one ticket ------------------------------------------------------------------------------


@dataclass
class Reply:
    at: datetime
    kind: str
    body: str
    promised: date | None = None


@dataclass
class Made:
    """What later tickets may refer to (duplicates and related tickets)."""

    id: str
    received: datetime
    topic: Topic
    street: Street | None
    location: str | None
    place: str
    short_place: str
    department: str
    title: str
    type: str
    enterprise: bool


class Corpus:
    def __init__(self, tickets: int, seed: int, as_of: datetime) -> None:
        self.n = tickets
        self.seed = seed
        self.rng = random.Random(seed)
        zone = ZoneInfo(TIMEZONE)
        self.as_of_aware = as_of.astimezone(zone)
        self.as_of = self.as_of_aware.replace(tzinfo=None)
        self.board_yaml, data = board_text(tickets, seed, self.as_of_aware)
        board = Board.model_validate(data)
        self.rules = Rules(board)
        self.first_day = self.as_of.date() - timedelta(days=365)
        self.clock = Clock(self.rules, self.as_of, self.first_day)
        self.allowed = {t: board.policies.for_type(t).due for t, _, _ in TYPES}  # type: ignore[union-attr]
        self.urgent_allowed = board.policies.urgent.due  # type: ignore[union-attr]
        self.made: list[Made] = []
        self.type_ids = [t for t, _, _ in TYPES]
        self.type_cum = list(accumulate(w for _, _, w in TYPES))
        self.channel_ids = [c for c, _, _ in CHANNELS]
        self.channel_cum = list(accumulate(w for _, _, w in CHANNELS))
        self.category_ids = [c for c, _, _ in CATEGORIES]
        self.category_cum = list(accumulate(w for _, _, w in CATEGORIES))
        self.hours_online = list(accumulate(HOURS_ONLINE))
        self.hours_office = list(accumulate(HOURS_OFFICE))
        self.hours_live = list(accumulate(HOURS_LIVE))
        days = [self.first_day + timedelta(days=i) for i in range(366)]
        self.receipt_days = days
        self.receipt_day_cum = list(
            accumulate(1.0 if self.rules.calendar.is_working_day(d) else 0.45 for d in days)
        )
        self.receipt_workdays = [d for d in days if self.rules.calendar.is_working_day(d)]

    # -- receipts --

    def draw_receipts(self) -> list[tuple[datetime, str]]:
        rng = self.rng
        out: list[tuple[datetime, str]] = []
        while len(out) < self.n:
            channel = rng.choices(self.channel_ids, cum_weights=self.channel_cum)[0]
            if channel in OFFICE_CHANNELS:
                day = rng.choice(self.receipt_workdays)
                hours = self.hours_live if channel == "live-session" else self.hours_office
            else:
                day = rng.choices(self.receipt_days, cum_weights=self.receipt_day_cum)[0]
                hours = self.hours_online
            hour = rng.choices(range(24), cum_weights=hours)[0]
            second = rng.randrange(60) if channel == "hotline" else 0
            moment = datetime.combine(day, time(hour, rng.randrange(60), second))
            if moment < self.as_of:
                out.append((moment, channel))
        out.sort(key=lambda item: item[0])
        return out

    # -- places and people --

    def place(self, topic: Topic, street: Street | None) -> tuple[str | None, str, str]:
        """(location, place in text, short place for titles)."""
        rng = self.rng
        if street is None:
            return None, "", ""
        district = street.district_name
        if topic.where == "none":
            return district, "", ""
        if topic.where == "home":
            estate = rng.choice(street.estates)
            if rng.random() < 0.7:
                place = CITY_DATA["building"].format(estate=estate, number=rng.randint(1, 32))
            else:
                place = estate
            road = rng.choice(street.roads)
            return f"{district}{road}{place}", place, estate
        if topic.where == "road":
            road = rng.choice(street.roads)
            if rng.random() < 0.45:
                other = rng.choice(STREETS_BY_DISTRICT[street.district]).roads[0]
                if other == road:
                    other = street.roads[1] if road == street.roads[0] else street.roads[0]
                place = CITY_DATA["crossing"].format(road=road, other=other)
            else:
                place = road + rng.choice(ROAD_SECTIONS)
            return district + place, place, road
        venue = topic.where.split(":", 1)[1]
        road = rng.choice(street.roads)
        place = VENUES[venue].format(road=road, stem=street.stem, dstem=street.dstem)
        # A venue that is not named ("某餐馆") is placed by its road in a title.
        short = road if CITY_DATA["unnamed"] in place else place
        return district + place, place, short

    def submitter(self, enterprise: bool, street: Street | None) -> str:
        rng = self.rng
        if enterprise:
            town = street.dstem if street is not None and rng.random() < 0.4 else None
            business = rng.choice(PHRASE["business"])
            return CITY_DATA["enterprise"].format(
                town=town or CITY_DATA["short_city"], business=business
            )
        polite = CITY_DATA["polite"]
        return rng.choice(SURNAMES) + (polite[0] if rng.random() < 0.52 else polite[1])

    def route(self, topic: Topic, street: Street | None) -> str:
        """The department responsible for a topic at a place: most work is local."""
        rng = self.rng
        if street is not None and "street" in topic.kinds and rng.random() < 0.55:
            return street.id
        kinds = [k for k in topic.kinds if k != "street"] or ["housing"]
        kind = rng.choice(kinds)
        district = street.district if street is not None else rng.choice(DISTRICT_IDS)
        local = DISTRICT_BUREAUS.get((district, kind))
        if local is not None and rng.random() < 0.75:
            return local
        if street is not None and rng.random() < 0.05:
            return district  # the district government itself
        if street is not None and rng.random() < 0.12:
            return street.id  # the street office handles it on the spot
        return f"city-{kind}"

    def wrong_department(self, right: str, street: Street | None) -> str:
        rng = self.rng
        for _ in range(10):
            if street is not None and rng.random() < 0.5:
                other = rng.choice(STREETS).id
            else:
                other = rng.choice(DEPTS[1:]).id
            if other != right:
                return other
        return "city-housing" if right != "city-housing" else "city-urban"

    def co_department(self, dept: str, topic: Topic, street: Street | None) -> str | None:
        rng = self.rng
        kind = DEPT[dept].kind
        if kind != "street" and street is not None:
            return street.id
        others = [k for k in topic.kinds if k not in ("street", kind)]
        if others:
            other = rng.choice(others)
            candidate = DISTRICT_BUREAUS.get((street.district, other)) if street else None
            return candidate or f"city-{other}"
        if street is not None:
            return DISTRICT_BUREAUS.get((street.district, "urban")) or "city-urban"
        return None

    # -- texts --

    def fill(self, template: str, values: dict[str, str]) -> str:
        return template.format_map(values)

    def title(self, topic: Topic, type_: str, short: str, enterprise: bool) -> str:
        rng = self.rng
        values = {"t": topic.noun, "short": short, "st": topic.short_suggestion or topic.noun}
        if type_ in ("consultation", "suggestion"):
            group = type_
        else:
            group = "other"
            kind = "enterprise" if enterprise else type_ if type_ == "help" else "complaint"
            values["tail"] = rng.choice(PHRASE["tail-" + kind])
        templates = TITLE[group] + (TITLE[group + "_at"] if short else [])
        options = [template.format_map(values) for template in templates]
        rng.shuffle(options)
        for option in options:
            if 10 <= len(option) <= 30:
                return option
        title = options[0]
        if len(title) < 10:
            padding = TITLE["padded"] if len(title) >= 7 else TITLE["padded_short"]
            title = padding.format(title=title)
        return title[:30]

    def message(self, topic: Topic, type_: str, values: dict[str, str], repeat: bool) -> str:
        """The citizen's words, 80 to 400 characters: the problem, then what they ask."""
        rng = self.rng
        suffix = ("", "-home") if topic.where == "home" else ("",)
        head: list[str] = []
        if repeat:
            head.append(rng.choice(PHRASE["repeat"]))
        head.append(topic.problems[0])
        head += [p for p in topic.problems[1:] if rng.random() < 0.8]
        optional: list[str] = []
        if type_ in ("help", "complaint") and rng.random() < 0.45:
            optional.append(rng.choice([p for x in suffix for p in PHRASE["attempt" + x]]))
        if rng.random() < 0.3:
            optional.append(rng.choice([p for x in suffix for p in PHRASE["impact" + x]]))
        where = topic.where.split(":", 1)[0]
        details = PHRASE["detail-" + where] + PHRASE["detail"]
        rng.shuffle(details)
        del details[2:]  # more reads as padding
        target = int(rng.triangular(80, 400, 140))
        if type_ == "suggestion":
            tail = [TEMPLATE["suggest"].format(suggestion=topic.suggestion)]
            if rng.random() < 0.5:
                tail.append(rng.choice(PHRASE["ask-suggestion"]))
        else:
            tail = [rng.choice(PHRASE["ask-" + type_])]
        if rng.random() < 0.25:
            tail.append(rng.choice(PHRASE["extra"]))
        extras = [e for e in PHRASE["extra"] if e not in tail]
        rng.shuffle(extras)
        middle = [s.format_map(values) for s in optional]
        filled = (
            [s.format_map(values) for s in head] + middle + [s.format_map(values) for s in tail]
        )
        while sum(map(len, filled)) < target and details:
            filled.insert(len(filled) - len(tail), details.pop().format_map(values))
        while sum(map(len, filled)) < 80 and extras:
            filled.append(extras.pop())
        while sum(map(len, filled)) > 400 and len(filled) > 2:
            filled.pop(-2)
        if len(filled) > 3 and rng.random() < 0.3:
            cut = rng.randint(2, len(filled) - 1)
            return "".join(filled[:cut]) + "\n" + "".join(filled[cut:])
        return "".join(filled)

    def final_body(
        self,
        topic: Topic,
        type_: str,
        resolution: str | None,
        values: dict[str, str],
        late: bool,
        urgent: bool,
    ) -> str:
        """The final reply, 120 to 600 characters: findings, the rule, what was done."""
        rng = self.rng
        target = int(rng.triangular(120, 600, 260))
        if type_ == "consultation" and not urgent:
            opening = rng.choice(PHRASE["open-consultation"] + PHRASE["open"][:2])
        elif type_ == "suggestion":
            opening = rng.choice(PHRASE["open-suggestion"] + PHRASE["open"][:1])
        else:
            opening = rng.choice(PHRASE["open"])
        first = [opening]
        if late:
            first.append(rng.choice(PHRASE["apology"]))
        findings = [topic.findings[0]]
        if rng.random() < 0.7:
            findings.append(topic.findings[1])
        policy: list[str] = []
        if rng.random() < 0.75 or type_ == "consultation":
            policy.append(topic.law)
        if type_ == "consultation" and not urgent:
            policy.append(topic.answer or rng.choice(PHRASE["answer"]))
        if type_ == "suggestion":
            policy.append(rng.choice(PHRASE["suggest"]))
        if resolution == "explained":
            actions = [topic.explanation or rng.choice(PHRASE["explain"])]
        elif resolution == "partially-resolved":
            actions = [topic.actions[0], rng.choice(PHRASE["partial"])]
        elif resolution == "unresolved":
            actions = [rng.choice(PHRASE["unresolved"])]
        else:
            actions = list(topic.actions)
        as_list = len(actions) > 1 and rng.random() < 0.25
        follow: list[str] = []
        pool = list(PHRASE["follow"])
        rng.shuffle(pool)
        closing = rng.choice(PHRASE["close"] + PHRASE["close-phone"])

        def assemble() -> str:
            parts = ["".join(first), "".join(findings)]
            if policy:
                parts.append("".join(policy))
            if as_list:
                numbered = "\n".join(f"{i}. {a}" for i, a in enumerate(actions, 1))
                parts.append(TEMPLATE["actions_list"].replace("{items}", numbered))
            else:
                parts.append("".join(actions))
            if follow:
                parts.append("".join(follow))
            parts.append(closing)
            return "\n\n".join(parts).format_map(values)

        body = assemble()
        while _chars(body) < max(120, target) and len(follow) < (3 if target > 450 else 2):
            follow.append(pool.pop())
            body = assemble()
        while _chars(body) > 600 and (follow or policy or len(findings) > 1):
            if follow:
                follow.pop()
            elif policy:
                policy.pop()
            else:
                findings.pop()
            body = assemble()
        return body

    def interim_body(self, topic: Topic, values: dict[str, str]) -> str:
        """An interim reply: what has been found so far, and when the answer will come."""
        rng = self.rng
        parts = [
            TEMPLATE["interim_open"].replace("{t}", topic.noun) + topic.findings[0],
            rng.choice(PHRASE["interim"]),
            TEMPLATE["interim_close"],
        ]
        if rng.random() < 0.5:
            parts.insert(1, topic.law)
        return "\n\n".join(parts).format_map(values)

    # -- the ticket's life --

    def run(self, write: Writer) -> None:
        rng = self.rng
        n = self.n
        receipts = self.draw_receipts()
        # Rare states by quota, so that even a small board shows each of them.
        pool = list(range(1, n))
        rng.shuffle(pool)
        k_dup = max(1, round(n * 0.01)) if n >= 20 else 0
        k_withdrawn = max(1, round(n * 0.01)) if n >= 20 else 0
        k_hidden = round(n * 0.003)
        duplicates = set(pool[:k_dup])
        older = [i for i in pool[k_dup:] if receipts[i][0] < self.as_of - timedelta(days=12)]
        withdrawn = set(older[:k_withdrawn])
        hidden = set(older[k_withdrawn : k_withdrawn + k_hidden])
        counters: dict[int, int] = {}
        for index, (received, channel) in enumerate(receipts):
            year = received.year
            counters[year] = counters.get(year, 0) + 1
            ticket_id = f"{year}-{counters[year]:06d}"
            self.ticket(
                index,
                ticket_id,
                received,
                channel,
                duplicate=index in duplicates,
                withdrawn=index in withdrawn,
                hidden=index in hidden,
                write=write,
            )

    def ticket(
        self,
        index: int,
        ticket_id: str,
        received: datetime,
        channel: str,
        *,
        duplicate: bool,
        withdrawn: bool,
        hidden: bool,
        write: Writer,
    ) -> None:
        rng = self.rng
        clock = self.clock
        as_of = self.as_of
        original: Made | None = None
        related: Made | None = None
        if duplicate:
            original = self.earlier(index, received)
        elif rng.random() < 0.02:
            related = self.earlier(index, received)
        base = original or related

        urgent = base is None and rng.random() < 0.02
        enterprise = not urgent and rng.random() < 0.08
        if base is not None:
            topic = base.topic
            street = base.street
            location, place, short = base.location, base.place, base.short_place
            type_ = base.type
            enterprise = base.enterprise
        else:
            category = rng.choices(self.category_ids, cum_weights=self.category_cum)[0]
            if urgent:
                category = rng.choice(URGENT_CATEGORIES)
                topic = rng.choice(WORDS[category].urgent)
                type_ = "help" if rng.random() < 0.6 else "complaint"
            elif enterprise:
                topic = rng.choice(ENTERPRISE_TOPICS)
                type_ = rng.choices(self.type_ids, cum_weights=self.type_cum)[0]
            else:
                topic = rng.choice(WORDS[category].topics)
                type_ = rng.choices(self.type_ids, cum_weights=self.type_cum)[0]
            street = rng.choice(STREETS)
            # A question about a rule often names no place at all.
            anywhere = topic.where == "none" and rng.random() < 0.7
            location, place, short = self.place(topic, None if anywhere else street)
        submitter = self.submitter(enterprise, street)
        if base is not None:
            department = base.department
        else:
            department = self.route(topic, street if location else None)
        dur = rng.choice(PHRASE["dur"])
        values = {
            "place": place or CITY_DATA["nowhere"],
            "dur": dur,
            "t": topic.noun,
            "sub": submitter,
            "area": CATEGORY_NAMES[topic.category],
            "unit": DEPT[department].unit,
            "unit_name": DEPT[department].name,
            "phone": DEPT[department].phone,
            "visit": "",
            "promised": "",
        }
        if duplicate:
            title = TITLE["duplicate"].format(short=short, t=topic.noun)
            if len(title) > 30:
                title = TITLE["duplicate_short"].format(t=topic.noun)
        else:
            title = self.title(topic, type_, short, enterprise)
        message = self.message(topic, type_, values, repeat=duplicate)
        tags: list[str] = []
        if rng.random() < 0.45 or urgent:
            tags = list(topic.tags[: rng.randint(1, len(topic.tags))])
        if urgent:
            tags.append(TEMPLATE["urgent_tag"])

        # Routing: the dispatch centre assigns, sometimes to the wrong unit first.
        transfers: list[tuple[datetime, str, str, str]] = []
        co: str | None = None
        if not duplicate and rng.random() < 0.3:
            first_to = department
            twice = rng.random() < 0.2
            if twice:
                first_to = self.wrong_department(department, street)
            if urgent:
                t1 = later(received, rng.randint(5, 40))
            else:
                t1 = clock.moment(rng, received, clock.index(received.date()) + 1, skew=3)
            if t1 is not None:
                local = DEPT[first_to].kind == "street" or DEPT[first_to].parent != "city-office"
                pool = PHRASE["first-transfer-local" if local else "first-transfer"]
                reason = rng.choice(pool).format(to=DEPT[first_to].name, area=values["area"])
                transfers.append((t1, "city-office", first_to, reason))
                if twice:
                    if urgent:
                        t2 = later(t1, rng.randint(20, 120))
                    else:
                        t2 = clock.moment(rng, t1, clock.index(t1.date()) + 2, gap=60)
                    if t2 is not None:
                        reason = rng.choice(PHRASE["second-transfer"]).format(
                            to=DEPT[department].name
                        )
                        transfers.append((t2, first_to, department, reason))
                    else:
                        transfers.pop()
        if not duplicate and rng.random() < 0.08:
            co = self.co_department(department, topic, street)
            if co == department:
                co = None
        start = transfers[-1][0] if transfers else received

        allowed = self.urgent_allowed if urgent else self.allowed[type_]
        due0 = clock.due_after(received, allowed)
        due = due0
        due_k = clock.index(due0.date())
        last_due_k = due_k

        # Extension: asked before the due time, approved by the parent, within 20 working days.
        extension: tuple[datetime, datetime, date, str, str] | None = None
        if (
            not urgent
            and not duplicate
            and type_ != "consultation"
            and not withdrawn
            and rng.random() < 0.07
        ):
            requested = clock.moment(rng, start, due_k, skew=0.6, gap=120)
            if requested is not None and requested < due0:
                approved = requested + timedelta(minutes=rng.randint(30, 300))
                added = rng.randint(5, 20)
                new_day = self.rules.calendar.add_working_days(due0.date(), added)
                parent = DEPT[department].parent or "city-office"
                reason = rng.choice(PHRASE["extension"])
                extension = (requested, approved, new_day, parent, reason)
                due = datetime.combine(new_day, END_OF_DAY)
                last_due_k = clock.index(new_day)

        # The outcome the ticket is heading for; whatever lies after as_of is cut below.
        worse = department in WORSE
        late_p = 0.08 * (2.5 if worse else 1.0) * (2.0 if len(transfers) > 1 else 1.0)
        silent_p = 0.135 * (1.8 if worse else 1.0)
        roll = rng.random()
        if duplicate or withdrawn or roll < silent_p:
            outcome = "none"
        elif roll < silent_p + late_p:
            outcome = "late"
        else:
            outcome = "on-time"

        final: datetime | None = None
        if outcome != "none":
            final = self.final_time(outcome, urgent, start, due, last_due_k, due_k, extension,
                                    type_)  # fmt: skip
        late = final is not None and final > due

        replies: list[Reply] = []
        # An interim reply states a date, no later than the due time.
        interim: Reply | None = None
        if extension is not None and rng.random() < 0.7:
            at = clock.moment(rng, extension[1], clock.index(extension[1].date()) + 1, gap=20)
            if at is not None and (final is None or at < final):
                interim = Reply(at, "interim", "", promised=extension[2])
        elif (
            extension is None
            and not urgent
            and not duplicate
            and not withdrawn
            and type_ != "consultation"
            and rng.random() < 0.14
        ):
            first_k = clock.index(start.date())
            if final is not None and not late:
                final_k = clock.index(final.date())
                if first_k <= final_k - 1:
                    at = clock.moment(rng, start, final_k - 1, skew=1.5)
                    if at is not None:
                        promised = clock.days[min(due_k, final_k + rng.randint(0, 2))]
                        interim = Reply(at, "interim", "", promised=promised)
            else:
                at = clock.moment(rng, start, due_k, skew=1.3)
                if at is not None:
                    at_k = clock.index(at.date())
                    promised = clock.days[rng.randint(at_k, due_k)]
                    interim = Reply(at, "interim", "", promised=promised)

        resolution: str | None = None
        rating: tuple[str, datetime, str, str | None] | None = None
        supplement: datetime | None = None
        if final is not None:
            rating = self.rating(final, worse, late)
            resolution = self.resolution(type_, rating[0] if rating else None)
            if rng.random() < 0.015:
                supplement = clock.moment(
                    rng, final + DAY, clock.index(final.date()) + 15, gap=0, skew=1.2
                )

        withdrawal: tuple[datetime, str] | None = None
        if withdrawn:
            at = clock.moment(rng, received, clock.index(received.date()) + 4, skew=1.5, gap=90)
            if at is not None:
                withdrawal = (at, rng.choice(PHRASE["withdrawn"]))
        hiding: tuple[datetime, str] | None = None
        if hidden:
            hiding = (later(received, rng.randint(30, 2880)), rng.choice(PHRASE["hidden"]))

        # ---- cut at as_of: what has not happened yet is not in the files ----
        kept = [t for t in transfers if t[0] <= as_of]
        if len(kept) < len(transfers):
            transfers = kept
            holder = transfers[-1][2] if transfers else "city-office"
            if holder != department:
                department = holder
                co = co if co != holder else None
        ext_entry: dict[str, object] | None = None
        if extension is not None and extension[0] <= as_of:
            requested, approved, new_day, parent, reason = extension
            ext_entry = {"requested": aware(requested)}
            if approved <= as_of:
                ext_entry |= {"approved": aware(approved), "approved_by": parent}
            ext_entry |= {"reason": reason, "due": new_day}
        if final is not None and final > as_of:
            final = None
            rating = None
            resolution = None
            supplement = None
        if interim is not None and interim.at <= as_of:
            values["visit"] = month_day(self.visit_day(start, interim.at))
            values["promised"] = long_date(interim.promised)  # type: ignore[arg-type]
            interim.body = self.interim_body(topic, values)
            replies.append(interim)
        if final is not None:
            values["visit"] = month_day(self.visit_day(start, final))
            body = self.final_body(topic, type_, resolution, values, late, urgent)
            replies.append(Reply(final, "final", body))
            if supplement is not None and supplement <= as_of:
                extra = (
                    topic.actions[-1] if rng.random() < 0.5 else rng.choice(PHRASE["supplement"])
                )
                text = extra.format_map(values)
                body = TEMPLATE["supplement"].format(
                    sub=submitter, day=month_day(final.date()), text=text
                )
                replies.append(Reply(supplement, "supplement", body))
        if rating is not None and rating[1] > as_of:
            rating = None
        if withdrawal is not None and withdrawal[0] > as_of:
            withdrawal = None
        if hiding is not None and hiding[0] > as_of:
            hiding = None

        # ---- write, through the package's writer of new ticket files ----
        fields: dict[str, object] = {
            "id": ticket_id,
            "title": title,
            "received": aware(received),
            "channel": channel,
            "type": type_,
            "category": topic.category,
            "department": department,
            "co_departments": [co] if co is not None else None,
            "submitter": submitter,
            "submitter_kind": "enterprise" if enterprise else None,
            "location": location,
            "urgent": urgent,
            "tags": tags,
            "related": [related.id] if related is not None else None,
            "duplicate_of": original.id if original is not None else None,
            "message": message,
            "transfers": [
                {"at": aware(at), "from": src, "to": dst, "reason": reason}
                for at, src, dst, reason in transfers
            ],
            "extensions": [ext_entry] if ext_entry is not None else None,
            "resolution": resolution,
        }
        if rating is not None:
            value, at, source, comment = rating
            fields["rating"] = {"value": value, "at": aware(at), "source": source,
                                "comment": comment}  # fmt: skip
        if withdrawal is not None:
            fields["withdrawn"] = {"at": aware(withdrawal[0]), "reason": withdrawal[1]}
        if hiding is not None:
            fields["hidden"] = {"at": aware(hiding[0]), "reason": hiding[1]}
        # The corpus has no schemas/ folder for the schema comment to point to.
        files = {"ticket.yaml": ticket_yaml(fields, schema_line=False)}
        replies.sort(key=lambda r: r.at)
        signed = DEPT[department].name
        for number, reply in enumerate(replies, 1):
            front = {"date": aware(reply.at), "department": department, "kind": reply.kind,
                     "promised": reply.promised, "signed": signed}  # fmt: skip
            files[f"reply-{number}.md"] = reply_md(front, reply.body)
        write(f"tickets/{ticket_id[:4]}/{ticket_id}", files)

        made = Made(ticket_id, received, topic, street, location, place, short, department,
                    title, type_, enterprise)  # fmt: skip
        self.made.append(made)

    def earlier(self, index: int, received: datetime) -> Made | None:
        """A ticket received within the previous 60 days (a duplicate's original)."""
        if not self.made:
            return None
        rng = self.rng
        lo = max(0, index - 400)
        for _ in range(8):
            j = rng.randint(lo, index - 1)
            candidate = self.made[j]
            if received - candidate.received <= timedelta(days=60):
                return candidate
        return self.made[index - 1]

    def visit_day(self, start: datetime, reply: datetime) -> date:
        """A day between the start of handling and the reply, for 'on <date> we went'."""
        days = (reply.date() - start.date()).days
        return start.date() + timedelta(days=self.rng.randint(0, max(0, days)))

    def final_time(
        self,
        outcome: str,
        urgent: bool,
        start: datetime,
        due: datetime,
        last_due_k: int,
        due_k: int,
        extension: tuple[datetime, datetime, date, str, str] | None,
        type_: str,
    ) -> datetime | None:
        rng = self.rng
        clock = self.clock
        if urgent:
            if outcome == "on-time":
                span = int((due - start).total_seconds() // 60) - 10
                if span > 40:
                    return later(start, int(30 + (span - 30) * rng.random() ** 2))
            return later(due, rng.randint(30, 48 * 60))
        if outcome == "on-time":
            after = start
            if extension is not None:
                after = max(start, extension[1])
                if rng.random() < 0.8 and due_k + 1 < len(clock.days):
                    after = max(after, datetime.combine(clock.days[due_k + 1], time(0)))
            skew = 2.5 if type_ == "consultation" else 1.3
            final = clock.moment(rng, after, last_due_k, skew=skew, gap=30)
            if final is not None and final <= due:
                return final
        lateness = 1 + int(14 * rng.random() ** 2)
        return clock.moment(rng, due, last_due_k + lateness, skew=0.8, gap=0)

    def rating(
        self, final: datetime, worse: bool, late: bool
    ) -> tuple[str, datetime, str, str | None] | None:
        rng = self.rng
        if rng.random() >= 0.6:
            return None
        if worse:
            weights = (45, 25, 30)
        elif late:
            weights = (55, 25, 20)
        else:
            weights = (76, 19, 5)
        value = rng.choices(("satisfied", "basically-satisfied", "unsatisfied"), weights)[0]
        source = rng.choices(("return-visit", "sms", "online", "hotline"), (45, 25, 20, 10))[0]
        clock = self.clock
        if source == "return-visit":
            at = clock.moment(rng, final, clock.index(final.date()) + 5, gap=24 * 60)
        elif source == "hotline":
            at = clock.moment(rng, final, clock.index(final.date()) + 3, gap=120)
        else:
            at = later(final, rng.randint(20, 2880))
        if at is None:
            return None
        comment = rng.choice(PHRASE["comment-" + value]) if rng.random() < 0.35 else None
        return value, at, source, comment

    def resolution(self, type_: str, rating: str | None) -> str | None:
        rng = self.rng
        if rng.random() < 0.08:
            return None
        options = ("resolved", "partially-resolved", "unresolved", "explained")
        weights = {
            "satisfied": (80, 5, 0, 15),
            "basically-satisfied": (30, 50, 0, 20),
            "unsatisfied": (5, 35, 35, 25),
            None: (65, 15, 5, 15),
        }[rating]
        if type_ == "consultation":
            weights = (weights[0] + weights[1], 0, weights[2], weights[3])
        return rng.choices(options, weights)[0]


def _chars(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n")


# ---- writing -------------------------------------------------------------------------------


def prepare(out: Path, force: bool) -> str | None:
    """Make ``out`` an empty folder; a message when that is refused."""
    if out.exists() or out.is_symlink():
        if out.is_dir() and not out.is_symlink() and not any(out.iterdir()):
            return None
        if not force:
            return f"{out} exists and is not empty; use --force to replace it"
        resolved = out.resolve()
        here = Path.cwd().resolve()
        if (resolved / ".git").exists() or resolved == here or resolved in here.parents:
            return f"refusing to replace {out}: it is a git repository or holds the current folder"
        if out.is_dir() and not out.is_symlink():
            shutil.rmtree(out)
        else:
            out.unlink()
    out.mkdir(parents=True)
    return None


class FolderWriter:
    """Writes ticket folders (each whole, with ``write_new_folder``) in a second thread, so
    that the disk works while the next tickets are made (file I/O releases the GIL).
    Errors surface in ``close``."""

    BATCH = 256

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mode = ordinary_mode(folder=True)
        self.years: set[str] = set()
        self.batch: list[tuple[str, dict[str, str]]] = []
        self.queue: queue.Queue[list[tuple[str, dict[str, str]]] | None]
        self.queue = queue.Queue(maxsize=16)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="make-corpus-writer", daemon=True)
        self.thread.start()

    def __call__(self, folder: str, files: dict[str, str]) -> None:
        self.batch.append((folder, files))
        if len(self.batch) >= self.BATCH:
            self._put(self.batch)
            self.batch = []

    def _put(self, item: list[tuple[str, dict[str, str]]] | None) -> None:
        if self.error is not None:
            raise RuntimeError("writing the board failed") from self.error
        self.queue.put(item)

    def _work(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is not None:
                continue  # keep draining, so that the producer never blocks
            try:
                self._write(batch)
            except BaseException as error:  # handed to the main thread in close()
                self.error = error

    def _write(self, batch: list[tuple[str, dict[str, str]]]) -> None:
        root = self.root
        for folder, files in batch:
            year = folder[:12]  # tickets/2026
            if year not in self.years:
                (root / year).mkdir(parents=True, exist_ok=True)
                self.years.add(year)
            write_new_folder(root / folder, files, self.mode)

    def close(self) -> None:
        if self.batch:
            self._put(self.batch)
            self.batch = []
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def generate(out: Path, tickets: int, seed: int = 1, as_of: datetime | None = None) -> None:
    """Write the board into ``out``, an existing empty folder."""
    moment = as_of or datetime.fromisoformat(DEFAULT_AS_OF)
    corpus = Corpus(tickets, seed, moment)
    (out / "board.yaml").write_text(corpus.board_yaml, encoding="utf-8", newline="\n")
    pages = out / "content" / "pages"
    pages.mkdir(parents=True)
    about = CITY_DATA["about"].format(
        tickets=tickets, seed=seed, as_of=corpus.as_of_aware.isoformat()
    )
    (pages / "about.md").write_text(about, encoding="utf-8", newline="\n")
    writer = FolderWriter(out)
    try:
        corpus.run(writer)
    finally:
        writer.close()


def parse_as_of(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a timestamp; write e.g. {DEFAULT_AS_OF}"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"'{text}' has no UTC offset; add one, e.g. +08:00")
    return moment


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 999_999:
        raise argparse.ArgumentTypeError("--tickets must be between 1 and 999999")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make_corpus.py",
        description="Build a deterministic synthetic board of N tickets for benchmarks.",
    )
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="folder to create")
    parser.add_argument("--tickets", type=positive, required=True, help="how many tickets")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--as-of",
        type=parse_as_of,
        default=parse_as_of(DEFAULT_AS_OF),
        help=f"the board's frozen moment (default {DEFAULT_AS_OF})",
    )
    parser.add_argument("--force", action="store_true", help="replace OUT_DIR if it exists")
    args = parser.parse_args(argv)
    problem = prepare(args.out, args.force)
    if problem is not None:
        print(f"make_corpus.py: error: {problem}", file=sys.stderr)
        return 2
    generate(args.out, args.tickets, args.seed, args.as_of)
    return 0


if __name__ == "__main__":
    sys.exit(main())
