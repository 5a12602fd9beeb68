"""Personal data in public text: find it, mask it, describe it without repeating it.

The public site must never show a citizen's phone number, ID number, e-mail address,
bank card or a protected name (docs: the domain's "Privacy" rule). These functions are
pure: they read a string and the board's ``PrivacySettings`` and return findings or a
masked string; validation reports the findings, import masks them.

Detection follows mainland China's formats. Numbers are matched on boundaries (no digit
or ``*`` right before or after) so that ticket ids (2026-000042), dates, times, amounts and
postcodes never match, and so that the digits left visible in a masked form
(``138****5678``) are not read again as a new number. A second, looser reading joins
digits across whatever people type between them (dots, slashes, middle dots, spaces of
any width, zero-width characters, a line break) and reads mobiles, ID numbers (18 and
the older 15 digits) and landlines in the digits. ``mask`` is one pass;
``mask_personal_data`` repeats it until nothing is found, so its result is a fixed point.

Which fields of the board's files are public text, and whose words they are, is
derived from the record models (``public_fields``): each string field declares its
``Voice`` in core/records.py.
"""

from __future__ import annotations

import bisect
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel

from answerable.core.records import SCHEMA_MODELS, Duration, PrivacySettings, Record, Voice

KINDS = ("mobile", "landline", "id-number", "email", "bank-card", "protected-name")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and where it is in the text (``text[start:end]``)."""

    kind: str
    start: int
    end: int
    # Kept out of repr(): a finding printed in a CI log must not publish the value.
    text: str = field(repr=False)


# ---- normalising -----------------------------------------------------------------------

# Citizens type on Chinese keyboards: full-width digits, ＠, （）, － and the ideographic
# space are common. Each maps to one ASCII character, so offsets stay the same.
_NORMALISE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NORMALISE.update({0x3000: ord(" "), 0x00A0: ord(" "), 0x2010: ord("-"), 0x2011: ord("-")})
_NORMALISE.update({0x2012: ord("-"), 0x2013: ord("-")})
# Spaces of every width, and characters no one sees (zero-width space, joiners, word
# joiner, a byte-order mark in mid-text): a space, so "138\u200b1234 5678" is read.
_SPACES = [0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F]
_INVISIBLE = [0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
_NORMALISE.update(dict.fromkeys([*_SPACES, *_INVISIBLE], ord(" ")))
_NORMALISE.update(dict.fromkeys([0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63], ord("-")))

# What people put between the digits of one number, after ``_ascii``: spaces, dots,
# slashes, dashes and middle dots. The looser reading turns each into a space. Not the
# full stop 。: it ends a sentence, and the next one may start with a number.
_BETWEEN_DIGITS = " \t.-/\\·‧・･•∙⋅∕"
_LOOSE = re.compile("[" + re.escape(_BETWEEN_DIGITS) + "]")


# Text holds few of these, so each is replaced where it stands: str.translate looks up
# every character of the text, at several times the cost.
_TO_NORMALISE = re.compile("[" + "".join(re.escape(chr(code)) for code in _NORMALISE) + "]")
_NORMALISED = {chr(code): chr(ascii_code) for code, ascii_code in _NORMALISE.items()}


def _normalised(match: re.Match[str]) -> str:
    return _NORMALISED[match[0]]


def _ascii(text: str) -> str:
    return _TO_NORMALISE.sub(_normalised, text)


def _digits(text: str) -> str:
    return "".join(char for char in _ascii(text) if char in "0123456789")


def _compact(text: str) -> str:
    """The digits of a number and an ID number's final X, whatever was between them."""
    return "".join(char for char in _ascii(text) if char in "0123456789Xx")


# ---- patterns --------------------------------------------------------------------------

# No digit, and no star of an earlier mask, right before or after a number.
_L = r"(?<![0-9*])"
_R = r"(?![0-9*])"
_SEP = r"[- ]"  # a space or a dash between groups; never a line break

# The country code is matched so that "+8613812345678" is read, but it stays outside the
# finding: it is not personal, and the mask then has one form, 138****5678.
_MOBILE = re.compile(
    _L + rf"(?:(?:\+|00)?86{_SEP}?)?(?P<number>1[3-9][0-9](?:{_SEP}?[0-9]{{4}}){{2}})" + _R
)
# With a separator or parentheses any area code 0xx/0xxx is read; written in one piece
# the real rule decides the split (010 and 02x have three digits, the others four), so
# the mask keeps the right area code.
_LANDLINE = re.compile(
    _L
    + rf"(?:(?:\(0[1-9][0-9]{{1,2}}\) ?|0[1-9][0-9]{{1,2}}{_SEP})[0-9]{{3,4}}{_SEP}?[0-9]{{4}}"
    + r"|0(?:[12][0-9]{9}|[3-9][0-9]{9,10}))"
    + _R
)
# Years 18xx-20xx: the standard (GB 11643) allows them; its own example is born in 1880.
_ID_NUMBER = re.compile(
    _L + rf"[1-9][0-9]{{5}}{_SEP}?(?:18|19|20)[0-9]{{6}}{_SEP}?[0-9]{{3}}[0-9Xx]" + _R
)
_BANK_CARD = re.compile(
    _L + rf"(?:[0-9]{{4}}(?:{_SEP}[0-9]{{4}}){{3}}(?:{_SEP}[0-9]{{1,3}})?|[0-9]{{16,19}})" + _R
)
# Pragmatic, not RFC 5322: the addresses citizens write (zhang.san@163.com, 12345678@qq.com).
# The local part must start right after a non-address character, so the "z***@" of a
# mask is never an address again.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+*-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]*"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})"
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# When two candidates overlap, the longer one wins, because it hides more: an e-mail
# address contains whatever digits its local part has, and a grouped card number can hold
# a landline-shaped run (6222 0212 3456 7890 128). On the same span the more specific kind
# wins: an ID number with a valid checksum is not read as a bank card even when it also
# passes Luhn.
_PRIORITY = {
    "email": 0,
    "id-number": 1,
    "mobile": 2,
    "landline": 3,
    "bank-card": 4,
    "protected-name": 5,
}


def id_number_valid(number: str) -> bool:
    """True for an 18-character resident ID with a real birth date and the MOD 11-2 check."""
    number = _compact(number).upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    # No clock: a plausible year range instead of "not in the future".
    if not 1800 <= born.year <= 2099:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, _ID_WEIGHTS, strict=False))
    return _ID_CHECK[total % 11] == number[17]


def old_id_number_valid(number: str) -> bool:
    """True for a 15-digit resident ID (issued until 2004): a known area code, then a
    birth date YYMMDD in the 1900s, then three digits. It has no check digit."""
    digits = _compact(number)
    if not re.fullmatch(r"[1-9][0-9]{14}", digits):
        return False
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return _area_known(digits[:6])


@cache
def _area_known(code: str) -> bool:
    """Whether GB/T 2260 has (or had) this six-digit area code, as python-stdnum lists it."""
    from stdnum import numdb  # noqa: PLC0415 - read only when a 15-digit number turns up

    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


def luhn_valid(number: str) -> bool:
    """True when the digits of ``number`` pass the Luhn check used by bank cards."""
    digits = _digits(number)
    if not digits:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# ---- finding ---------------------------------------------------------------------------


def _scan(pattern: re.Pattern[str], text: str, group: str | int = 0) -> Iterator[re.Match[str]]:
    """Every match, retrying one character later after each one, so none hides another."""
    position = 0
    while match := pattern.search(text, position):
        yield match
        position = match.start(group) + 1


# What ``_ascii`` turns into a digit or an @: counted in the text as written, they say
# whether a number or an address can be found without normalising the text (which costs
# more than every pattern, and most text holds neither).
_DIGIT = re.compile("[0-9\uff10-\uff19]")
_FULL_WIDTH_AT = "\uff20"
# The fewest digits a number read holds: a landline, (010) 123 4567; a mobile has 11, an
# ID number 15 or 18 and a bank card 16 or more.
_FEWEST_DIGITS = 10


def _candidates(
    text: str, settings: PrivacySettings, *, numbers: bool, address: bool
) -> Iterator[Finding]:
    """``numbers``, ``address``: whether the text may hold a number, an address."""
    scan = _ascii(text) if numbers or address else text
    if numbers:
        yield from _numbers(text, scan)
        for match in _scan(_BANK_CARD, scan):
            if luhn_valid(match[0]):
                yield _finding("bank-card", text, match.start(), match.end())
    if address:
        for match in _scan(_EMAIL, scan):
            yield _finding("email", text, match.start(), match.end())
    for name in settings.protected_names:
        # A name of stars alone would match its own mask for ever.
        if not name.strip(" *"):
            continue
        start = text.find(name)
        while start >= 0:
            yield _finding("protected-name", text, start, start + len(name))
            start = text.find(name, start + 1)


def _numbers(text: str, scan: str) -> Iterator[Finding]:
    """Mobiles, landlines and ID numbers, as written usually and however spaced out,
    except those that a public number rules out (``_PUBLIC_NUMBER``)."""
    found: list[Finding] = []
    for match in _scan(_MOBILE, scan, "number"):
        found.append(_finding("mobile", text, match.start("number"), match.end("number")))
    for match in _scan(_LANDLINE, scan):
        found.append(_finding("landline", text, match.start(), match.end()))
    for match in _scan(_ID_NUMBER, scan):
        if id_number_valid(match[0]):
            found.append(_finding("id-number", text, match.start(), match.end()))
    found += _loose_candidates(text, scan)
    if found:
        public = [match.span() for match in _PUBLIC_NUMBER.finditer(scan)]
        for finding in found:
            if not any(_spoils(finding, *number) for number in public):
                yield finding


def _finding(kind: str, text: str, start: int, end: int) -> Finding:
    return Finding(kind, start, end, text[start:end])


# ---- the looser reading ----------------------------------------------------------------

# Digits joined by at most three separators and one line break between two of them; an
# ID number's X may end the run.
_GAP = r" {0,3}(?:\r?\n {0,3})?"
_RUN = re.compile(rf"[0-9](?:{_GAP}[0-9])*(?:{_GAP}[Xx](?![A-Za-z0-9]))?")
_GROUP = re.compile(r"[0-9]+|[Xx]")
# Numbers that are never personal stand for themselves: a date written with one
# separator twice (2026.11.05, 2026/1/5), a 400 or 800 hotline and a ticket id. No phone
# number is read across one or out of part of one ("1998.03.15 110" and "2026-000042
# 1.00元" hold no mobile, "400-130-0000 2026年" no mobile 130-0000-2026, a range
# "2026.03.05 - 2026.03.06" no landline 0305-20260306); an ID number may hold one whole,
# as it holds a birth date.
_PUBLIC_NUMBER = re.compile(
    r"(?<![0-9])(?:"
    r"(?:19|20)[0-9]{2}([./-])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])"
    r"|[48]00[- ]?[0-9]{3}[- ]?[0-9]{4}"
    r"|(?:19|20)[0-9]{2}-[0-9]{6}"
    r")(?![0-9])"
)
_LONGEST = 18  # characters of the longest number read: an ID number


def _loose_candidates(text: str, scan: str) -> Iterator[Finding]:
    """Mobiles, ID numbers and landlines however their digits are spaced out.

    A number starts where a group of adjacent digits starts and ends where one ends, so
    that no number is read out of the middle of a longer one (2138 1234 5678 is not a
    mobile, 工单号 202611050001 holds none), and never next to a star of a mask.
    """
    loose = _LOOSE.sub(" ", scan)
    for run in _RUN.finditer(loose):
        if run.end() - run.start() < 10:  # too short to hold ten digits
            continue
        groups = [(m.start(), m.end(), m[0]) for m in _GROUP.finditer(loose, *run.span())]
        for index, (start, _, digits) in enumerate(groups):
            if digits in "Xx" or (start and loose[start - 1] == "*"):
                continue
            # The country code is not part of the number: "+86138.1234.5678".
            heads = [(start, digits)]
            if digits.startswith("0086"):
                heads.append((start + 4, digits[4:]))
            elif digits.startswith("86") and (
                digits[2:3] == "1" or (start and loose[start - 1] == "+")
            ):
                # "+86 138…", and "86138.1234.5678" typed without its +: a mobile follows.
                heads.append((start + 2, digits[2:]))
            for head, first in heads:
                if not first:
                    continue
                number = first
                for later in range(index, len(groups)):
                    if later > index:
                        number += groups[later][2]
                    if len(number) > _LONGEST:
                        break
                    finish = groups[later][1]
                    if finish < len(loose) and loose[finish] == "*":
                        continue
                    kind = _number_kind(number, len(first))
                    if kind is not None:
                        yield _finding(kind, text, head, finish)


def _spoils(finding: Finding, start: int, end: int) -> bool:
    """Whether the public number at ``start:end`` rules ``finding`` out."""
    if not (start < finding.end and finding.start < end):
        return False  # apart
    if not (finding.start <= start and end <= finding.end):
        return True  # a part of it
    return finding.kind != "id-number"


def _number_kind(number: str, first_group: int) -> str | None:
    if len(number) < 11:
        return None
    if not number.isdigit():
        # An X ends an ID number only.
        return "id-number" if len(number) == 18 and id_number_valid(number) else None
    if len(number) == 11 and number[0] == "1" and number[1] in "3456789":
        return "mobile"
    if len(number) == 18 and number[0] != "0" and id_number_valid(number):
        return "id-number"
    if len(number) == 15 and old_id_number_valid(number):
        return "id-number"
    if number[0] == "0" and number[1] != "0":
        # 010 and 02x have three digits and eight follow; the others four and seven or
        # eight. The area code is never split: "0.853 0.912 0.756" are not a number.
        area, lengths = (3, (11,)) if number[1] in "12" else (4, (11, 12))
        if first_group >= area and len(number) in lengths:
            return "landline"
    return None


def _national(digits: str) -> str:
    # +86 13812345678 and 13812345678 are the same number.
    if digits.startswith("0086"):
        return digits[4:]
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    return digits


def _allowed(finding: Finding, settings: PrivacySettings) -> bool:
    """Whether a staff reply may show this finding: official contacts, not a citizen's."""
    if finding.kind == "landline":
        return True  # a department's contact number
    if finding.kind == "email":
        domain = _ascii(finding.text).rsplit("@", 1)[1].lower()
        allowed = [entry.strip().lower().lstrip("@") for entry in settings.allowed_email_domains]
        return domain.endswith(".gov.cn") or any(
            domain == entry or domain.endswith("." + entry) for entry in allowed
        )
    if finding.kind in ("mobile", "id-number", "bank-card"):
        # An office may list a number (even a duty mobile) as its own; digits decide.
        numbers = {_national(_digits(entry)) for entry in settings.allowed_numbers}
        return _national(_digits(finding.text)) in numbers - {""}
    return False


def find_personal_data(
    text: str, settings: PrivacySettings, *, official_allowed: bool
) -> list[Finding]:
    """Personal data in ``text``, sorted by position and never overlapping.

    ``official_allowed`` is for staff replies: landlines, the board's ``allowed_numbers``
    and e-mail addresses at ``allowed_email_domains`` or ``.gov.cn`` are then allowed.
    Short hotlines (12345, 110) and 400/800 numbers are never findings.
    """
    numbers = len(_DIGIT.findall(text)) >= _FEWEST_DIGITS
    address = "@" in text or _FULL_WIDTH_AT in text
    if not (numbers or address or settings.protected_names):
        return []  # most text: nothing to look for
    candidates = list(_candidates(text, settings, numbers=numbers, address=address))
    if not candidates:
        return []  # nothing to rank
    ranked = sorted(
        candidates,
        key=lambda found: (found.start - found.end, _PRIORITY[found.kind], found.start),
    )
    # The chosen spans never overlap, so sorted by start they are sorted by end too: the
    # one chosen span that could overlap a candidate is the last that starts before its end.
    starts: list[int] = []
    by_start: dict[int, Finding] = {}
    for candidate in ranked:
        index = bisect.bisect_left(starts, candidate.end)
        if index and by_start[starts[index - 1]].end > candidate.start:
            continue
        bisect.insort(starts, candidate.start)
        by_start[candidate.start] = candidate
    chosen = [by_start[start] for start in starts]
    if official_allowed:
        chosen = [found for found in chosen if not _allowed(found, settings)]
    return sorted(chosen, key=lambda found: found.start)


def line_and_column(text: str, finding: Finding) -> tuple[int, int]:
    """The 1-based line and column (in characters) where ``finding`` starts in ``text``."""
    before = text[: finding.start]
    line = before.count("\n") + 1
    column = finding.start - (before.rfind("\n") + 1) + 1
    return line, column


# ---- masking ---------------------------------------------------------------------------


def _area_code(written: str) -> str:
    match = re.match(r"\(?(0[0-9]{2,3})(?:\)|[- ])", written)
    if match:
        return match[1]
    digits = _digits(written)
    return digits[:3] if digits[1] in "12" else digits[:4]


def masked(finding: Finding) -> str:
    """The public form of ``finding``: enough to recognise it, not enough to use it."""
    written = _ascii(finding.text)
    digits = _digits(written)
    if finding.kind == "mobile":
        return f"{digits[:3]}****{digits[-4:]}"
    if finding.kind == "landline":
        return f"{_area_code(written)}-****{digits[-4:]}"
    if finding.kind == "id-number":
        compact = _compact(written)
        if len(compact) == 15:
            return f"{digits[:6]}******{digits[-3:]}"
        return f"{digits[:6]}********{compact[-4:]}"
    if finding.kind == "bank-card":
        return f"**** **** **** {digits[-4:]}"
    if finding.kind == "email":
        local, domain = written.rsplit("@", 1)
        return f"{local[0]}***@{domain}"
    if finding.kind == "protected-name":
        name = finding.text
        hidden = name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"
        # A name that already ends in stars (张*) would otherwise mask to itself.
        return hidden if hidden != name else "*" * len(name)
    raise ValueError(f"unknown kind of personal data: {finding.kind}")


def mask(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding replaced by its masked form.

    The findings must come from this text (as ``find_personal_data`` gives them).
    """
    return _replace(text, findings, masked)


_Form = Callable[[Finding], str]


def _replace(text: str, findings: list[Finding], form: _Form) -> str:
    pieces: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda found: found.start):
        if finding.start < position or text[finding.start : finding.end] != finding.text:
            raise ValueError("findings overlap or do not belong to this text")
        pieces += [text[position : finding.start], form(finding)]
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


def _stars(finding: Finding) -> str:
    return "*" * len(finding.text)


# Masking leaves digits visible (the last four), and in odd text those can join what
# follows into a new number: "**** **** **** 0128 5678 9012 3456". Masking again until
# nothing is found makes the result a fixed point; after a few rounds everything left is
# starred out whole, which removes visible characters every round, so it always ends.
_ROUNDS = 4


def mask_personal_data(
    text: str, settings: PrivacySettings, *, official_allowed: bool = False
) -> tuple[str, list[Finding]]:
    """The masked text, and the findings of the original ``text`` that were masked.

    The result has no findings, so masking it again changes nothing.
    """
    findings = find_personal_data(text, settings, official_allowed=official_allowed)
    result, remaining, rounds = text, findings, 0
    while remaining:
        result = _replace(result, remaining, masked if rounds < _ROUNDS else _stars)
        remaining = find_personal_data(result, settings, official_allowed=official_allowed)
        rounds += 1
    return result, findings


_DESCRIPTIONS = {
    "mobile": "a mobile phone number",
    "landline": "a landline phone number",
    "id-number": "a resident ID number",
    "email": "an e-mail address",
    "bank-card": "a bank card number",
    "protected-name": "a protected name",
}


def describe(finding: Finding) -> str:
    """A message for logs and CI: the kind and the masked form, never the value itself."""
    return f"{_DESCRIPTIONS[finding.kind]} ({masked(finding)})"


# ---- public text: which fields, whose words --------------------------------------------


# Values that are never text once read: a date written in YAML is a date here.
_NOT_TEXT = (bool, int, float, date, Duration, type(None))
_Step = tuple[str, str] | None  # (attribute, key in the file); None: each item of a list


@dataclass(frozen=True)
class TextField:
    """One string field of a record type, how to reach its values, and whose words it
    holds as the record model declares (None: not declared)."""

    name: str  # e.g. ticket.transfers[].reason
    steps: tuple[_Step, ...]
    declared: Voice | None = None

    @property
    def voice(self) -> Voice:
        # Undeclared, a field is read the strictest way until someone decides.
        return self.declared or Voice.CITIZEN


def public_fields(
    model: type[BaseModel], prefix: str, voice: Voice | None = None
) -> list[TextField]:
    """Every field of ``model`` whose values can be strings, nested records and lists
    included, with its declared voice, found from the type annotations: nothing is listed
    by hand. ``voice`` is the one declared for ``model`` by the field that holds it."""
    found: list[TextField] = []
    for attribute, info in model.model_fields.items():
        key = info.alias or attribute
        # Pydantic moves a field's outermost Annotated parts into ``metadata``.
        declared = _declared(info.metadata, voice)
        _walk(info.annotation, f"{prefix}.{key}", ((attribute, key),), found, declared)
    return found


def _declared(metadata: typing.Iterable[object], outer: Voice | None) -> Voice | None:
    """The last voice among an annotation's parts (the nearest to the field), else ``outer``."""
    voices = [part for part in metadata if isinstance(part, Voice)]
    return voices[-1] if voices else outer


def _walk(
    annotation: Any,  # noqa: ANN401 - a type annotation
    name: str,
    steps: tuple[_Step, ...],
    found: list[TextField],
    voice: Voice | None,
) -> None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *parts = typing.get_args(annotation)
        _walk(inner, name, steps, found, _declared(parts, voice))
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            _walk(arg, name, steps, found, voice)
    elif origin in (list, tuple, set, frozenset):
        for arg in typing.get_args(annotation):
            if arg is not Ellipsis:
                _walk(arg, f"{name}[]", (*steps, None), found, voice)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for field_ in public_fields(annotation, name, voice):
            found.append(TextField(field_.name, steps + field_.steps, field_.declared))
    elif isinstance(annotation, type) and issubclass(annotation, _NOT_TEXT):
        pass
    elif not any(known.name == name for known in found):
        # str, a Literal of strings, a dict, Any: whatever might hold text.
        found.append(TextField(name, steps, voice))


@cache
def record_fields(model: type[Record], prefix: str) -> tuple[TextField, ...]:
    """``public_fields`` of a record type, worked out once per process."""
    return tuple(public_fields(model, prefix))


@cache
def field_voices() -> dict[str, Voice | None]:
    """Every string field of the board's files by its path ("[]": any list item), with
    the voice its record model declares (None: undeclared)."""
    return {
        text_field.name: text_field.declared
        for prefix, model in SCHEMA_MODELS.items()
        for text_field in record_fields(model, prefix)
    }


def field_voice(name: str) -> Voice:
    """Whose words the field ``name`` (e.g. ticket.rating.comment) holds; a citizen's
    when the name is unknown or undeclared, the strictest reading."""
    return field_voices().get(name) or Voice.CITIZEN


@cache
def checked_fields(model: type[Record], prefix: str) -> tuple[tuple[TextField, Voice], ...]:
    """The fields of ``record_fields`` that hold someone's words, with whose they are."""
    return tuple(
        (text_field, text_field.voice)
        for text_field in record_fields(model, prefix)
        if text_field.voice in (Voice.CITIZEN, Voice.STAFF)
    )


def record_texts(
    record: BaseModel, fields: tuple[tuple[TextField, Voice], ...]
) -> list[tuple[tuple[str | int, ...], str, Voice]]:
    """Each string value of ``fields`` (``checked_fields``) in ``record``, with its path
    in the file and whose words it holds."""
    found: list[tuple[tuple[str | int, ...], str, Voice]] = []
    for text_field, voice in fields:
        first = text_field.steps[0] if text_field.steps else None
        if first is not None and not getattr(record, first[0], None):
            continue  # not given, or empty: no text in it or below it (most fields)
        found += [(where, text, voice) for where, text in field_texts(record, text_field)]
    return found


def field_texts(
    record: BaseModel, text_field: TextField
) -> list[tuple[tuple[str | int, ...], str]]:
    """Each string value of ``text_field`` in ``record``, with its path in the file."""
    steps = text_field.steps
    if len(steps) == 1 and steps[0] is not None:
        # A field of the record itself, as most are: no path to follow.
        attribute, key = steps[0]
        value = getattr(record, attribute, None)
        return [((key,), value)] if isinstance(value, str) and value else []
    values: list[tuple[tuple[str | int, ...], Any]] = [((), record)]
    for step in text_field.steps:
        following: list[tuple[tuple[str | int, ...], Any]] = []
        for path, value in values:
            if step is None:
                if isinstance(value, list | tuple):
                    following += [((*path, index), item) for index, item in enumerate(value)]
            elif value is not None:
                following.append(((*path, step[1]), getattr(value, step[0], None)))
        values = following
    return [(path, value) for path, value in values if isinstance(value, str) and value]
