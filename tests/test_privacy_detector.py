"""Numbers as people really type them: generated in bulk, found whatever the writing;
and the numbers of ordinary public text, generated too, never taken for personal data."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from answerable.checks.privacy import find_personal_data, mask_personal_data, old_id_number_valid
from answerable.core.records import PrivacySettings

NONE = PrivacySettings()
OFFICE = PrivacySettings(allowed_numbers=["0838-1234567", "0838-12345"])
MANY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---- how numbers are written ------------------------------------------------------------

# Real county-level codes of GB/T 2260 (朝阳区, 徐汇区, 福田区, 锦江区, 江岸区, 上城区,
# 长安区 of Xi'an, 渝中区, 桥西区 of Xingtai, 和平区 of Shenyang, 双流县 until 2015).
AREAS = ["110105", "310104", "440304", "510104", "420102", "330102", "610116", "500103",
         "130503", "210102", "510122"]  # fmt: skip
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643, ISO 7064 MOD 11-2
CHECK = "10X98765432"


def id18(area: str, born: date, sequence: int) -> str:
    body = f"{area}{born:%Y%m%d}{sequence:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)
birth = st.dates(date(1920, 1, 1), date(2025, 12, 31))
ids18 = st.builds(id18, st.sampled_from(AREAS), birth, st.integers(0, 999))
# The older ID (until 2004): area, YYMMDD of a birth in the 1900s, three digits, no check.
ids15 = st.builds(
    lambda area, born, sequence: f"{area}{born:%y%m%d}{sequence:03d}",
    st.sampled_from(AREAS),
    st.dates(date(1900, 1, 1), date(1999, 12, 31)),
    st.integers(0, 999),
)

# What ends up between two digits: spaces of any width (ideographic U+3000, no-break
# U+00A0, thin U+2009), dots (the full-width ． too), slashes, dashes of every
# kind, middle dots, and the characters no one sees (U+200B..U+200D, U+2060, U+FEFF).
SEPARATORS = [" ", "\u3000", "\u00a0", "\u2009", "\t", ".", "．", "/", "／", "-", "－",
              "—", "–", "·", "・", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]  # fmt: skip
gaps = st.one_of(
    st.just(""),
    st.just(""),
    st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3).map("".join),
    # A line break inside the number, as when a message is wrapped by hand.
    st.tuples(st.sampled_from(["", " ", "-"]), st.sampled_from(["\n", "\r\n"])).map("".join),
)
FULL_WIDTH = {str(digit): chr(0xFF10 + digit) for digit in range(10)} | {"X": "Ｘ"}
CHINESE = "我的电话是请联系身份证号码家住在小区门口反映问题谢谢，。：（）"
words = st.text(CHINESE, max_size=12)


@st.composite
def typed(draw: st.DrawFn, numbers: st.SearchStrategy[str]) -> tuple[str, str, int, int]:
    """A number as a person types it, inside a sentence: the text, the number's digits,
    and where the number starts and ends in the text."""
    number = draw(numbers)
    pieces = []
    for index, char in enumerate(number):
        if index:
            pieces.append(draw(gaps))
        pieces.append(FULL_WIDTH[char] if draw(st.booleans()) else char)
    written = "".join(pieces)
    before, after = draw(words), draw(words)
    return before + written + after, number, len(before), len(before) + len(written)


def assert_found(text: str, kind: str, start: int, end: int, digits: str) -> None:
    findings = find_personal_data(text, NONE, official_allowed=False)
    assert [(f.kind, f.start, f.end) for f in findings] == [(kind, start, end)], repr(text)
    masked, _ = mask_personal_data(text, NONE)
    assert find_personal_data(masked, NONE, official_allowed=False) == []
    visible = "".join(c for c in masked if c.isdigit() or c == "X")
    assert digits not in visible


# The one writing a phone number cannot have: separators that make part of it a date
# ("13 2000-1-1 0000"), a 400/800 number ("1 400-000-0000") or a ticket id ("13
# 2026-000042"), which the board reads as those (docs/safety.md).
PUBLIC = re.compile(
    r"(?<![0-9])((19|20)[0-9]{2}([./-])[0-9]{1,2}\3[0-9]{1,2}"
    r"|[48]00[- ]?[0-9]{3}[- ]?[0-9]{4}|(19|20)[0-9]{2}-[0-9]{6})(?![0-9])"
)


def reads_as_public_number(text: str) -> bool:
    # Full-width forms as their ASCII letters (NFKC), every dash as "-", and what no one
    # sees as a space.
    plain = unicodedata.normalize("NFKC", text).translate(
        {0x2013: "-", 0x2014: "-"} | dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF], " ")
    )
    return PUBLIC.search(plain) is not None


@MANY
@given(typed(mobiles))
def test_a_mobile_however_written_is_found(case: tuple[str, str, int, int]) -> None:
    text, digits, start, end = case
    assume(not reads_as_public_number(text))
    assert_found(text, "mobile", start, end, digits)
    # A citizen's mobile is not an office's contact: a reply may not show it either.
    assert [f.kind for f in find_personal_data(text, OFFICE, official_allowed=True)] == ["mobile"]


@MANY
@given(typed(ids18))
def test_an_id_number_however_written_is_found(case: tuple[str, str, int, int]) -> None:
    text, digits, start, end = case
    assert_found(text, "id-number", start, end, digits)


@MANY
@given(typed(ids15))
def test_an_old_15_digit_id_however_written_is_found(case: tuple[str, str, int, int]) -> None:
    text, digits, start, end = case
    assert_found(text, "id-number", start, end, digits)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("电话138.1234.5678", "mobile", "电话138****5678"),
        ("电话138/1234/5678", "mobile", "电话138****5678"),
        ("电话138·1234·5678", "mobile", "电话138****5678"),
        ("电话１３８　１２３４　５６７８", "mobile", "电话138****5678"),
        ("电话138\u200b1234\u200b5678", "mobile", "电话138****5678"),
        ("电话138\n1234 5678", "mobile", "电话138****5678"),
        ("电话+86138.1234.5678", "mobile", "电话+86138****5678"),
        ("身份证110105.19491231.002X", "id-number", "身份证110105********002X"),
        ("身份证110105 1949.12.31 002X", "id-number", "身份证110105********002X"),
        # 15 digits: 130503 (桥西区), born 1967-04-01, number 001; masked 6 + 6 stars + 3.
        ("老身份证130503670401001", "id-number", "老身份证130503******001"),
        ("老身份证130503 670401 001", "id-number", "老身份证130503******001"),
        ("座机0838.1234567", "landline", "座机0838-****4567"),
    ],
)
def test_common_writings_are_found_and_masked(text: str, kind: str, expected: str) -> None:
    assert [f.kind for f in find_personal_data(text, NONE, official_allowed=False)] == [kind]
    assert mask_personal_data(text, NONE)[0] == expected


@pytest.mark.parametrize(
    "number",
    [
        "130503670431001",  # 31 April
        "990503670401001",  # no province 99
        "130599670401001",  # no county 0599 in Hebei's 13
        "013050367040100",  # starts with 0
    ],
)
def test_15_digit_look_alikes_are_not_ids(number: str) -> None:
    assert not old_id_number_valid(number)
    assert find_personal_data(f"编号{number}号", NONE, official_allowed=False) == []


# ---- what is never personal -------------------------------------------------------------

days = st.dates(date(1990, 1, 1), date(2099, 12, 31))
seps = st.sampled_from([".", "/", "-"])


def _date(day: date, sep: str, padded: bool) -> str:
    month, dd = (f"{day:%m}", f"{day:%d}") if padded else (str(day.month), str(day.day))
    return f"{day.year}{sep}{month}{sep}{dd}"


dates = st.builds(_date, days, seps, st.booleans()) | st.builds(
    lambda d: f"{d.year}年{d.month}月{d.day}日", days
)
times = st.builds(
    lambda h, m, s: f"{h:02d}:{m:02d}" + (f":{s:02d}" if s is not None else ""),
    st.integers(0, 23),
    st.integers(0, 59),
    st.none() | st.integers(0, 59),
)
date_times = st.builds(lambda d, t: f"{d} {t}", dates, times)
date_ranges = st.builds(
    lambda a, n, sep, padded, dash: (
        f"{_date(a, sep, padded)}{dash}{_date(a + timedelta(n), sep, padded)}"
    ),
    days,
    st.integers(1, 400),
    seps,
    st.booleans(),
    st.sampled_from(["-", " - ", "—", " 至 ", "~"]),
)
# Ticket ids (2026-000042), case numbers and work-order numbers (工单号 202611050001:
# the date and a four-digit serial).
ticket_ids = st.builds(lambda y, n: f"{y}-{n:06d}", st.integers(1990, 2099), st.integers(1, 999999))
orders = st.builds(
    lambda d, n, label: f"{label}{d:%Y%m%d}{n:04d}",
    days,
    st.integers(1, 9999),
    st.sampled_from(["工单号", "工单号 ", "编号：", "受理号"]),
)
cases = st.builds(
    lambda y, n: f"（{y}）川0105民初{n}号", st.integers(1990, 2099), st.integers(1, 99999)
)
amounts = st.builds(
    lambda n, cents, style: style.format(f"{n:,}", cents),
    st.integers(1, 99_999_999),
    st.integers(0, 99),
    st.sampled_from(["{}.{:02d}元", "￥{}.{:02d}", "金额{}.{:02d}元", "{}元"]),
)
hotlines = st.sampled_from(
    ["12345", "12315", "12369", "110", "119", "120", "95588", "0838-12345"]
) | st.builds(
    lambda prefix, a, b, sep: f"{prefix}{sep}{a:03d}{sep}{b:04d}",
    st.sampled_from(["400", "800"]),
    st.integers(0, 999),
    st.integers(0, 9999),
    st.sampled_from(["-", " ", ""]),
)
ordinary = st.one_of(
    dates, times, date_times, date_ranges, ticket_ids, orders, cases, amounts, hotlines
)
joins = st.sampled_from(["，", "、", "。", "；", " ", "，于", "，金额", "：", "\n"])


@st.composite
def public_text(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(ordinary, min_size=1, max_size=6))
    text = draw(words)
    for piece in pieces:
        between = draw(joins) + draw(words)
        # Two numbers with only white space between them are one number spaced out
        # ("0838-12345 110" reads as a landline, as "138 1234 5678" reads as a mobile):
        # public numbers are told apart by something that is not a space.
        text += piece + (between if between.strip() else "，")
    return text


@MANY
@given(public_text())
def test_dates_times_ids_amounts_and_hotlines_are_never_found(text: str) -> None:
    assert find_personal_data(text, NONE, official_allowed=False) == [], repr(text)
    assert mask_personal_data(text, NONE)[0] == text


@MANY
@given(
    public_text(),
    st.sampled_from(["0838-1234567", "(0838)1234567", "0838.1234567", "028-87654321"]),
)
def test_an_office_landline_in_a_reply_is_allowed(text: str, landline: str) -> None:
    reply = f"{text}如有疑问请致电{landline}。"
    assert find_personal_data(reply, OFFICE, official_allowed=True) == []
