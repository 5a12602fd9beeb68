"""The ``.gov.cn`` rule of docs/validation.md (E502): official addresses end in ``.gov.cn``.

Only a label boundary makes an address official: ``evilgov.cn`` is anyone's domain, and
``qingchuan.gov.cn.example.com`` is ``example.com``'s.
"""

from __future__ import annotations

import pytest

from answerable.privacy import find_personal_data, id_number_valid
from answerable.records import PrivacySettings

NONE = PrivacySettings()


def in_reply(address: str) -> list[str]:
    text = f"如有疑问，可发送邮件至{address}咨询。"
    return [f.text for f in find_personal_data(text, NONE, official_allowed=True)]


@pytest.mark.parametrize(
    "address",
    [
        "xinfang@qingchuan.gov.cn",
        "ban@mail.qingchuan.gov.cn",
        "XinFang@QingChuan.GOV.CN",  # domains are case-insensitive
    ],
)
def test_gov_cn_addresses_are_allowed_in_a_reply(address: str) -> None:
    assert in_reply(address) == []


@pytest.mark.parametrize(
    "address",
    [
        "x@evilgov.cn",  # ends in "gov.cn" but not in ".gov.cn"
        "x@qingchuangov.cn",
        "x@gov.cn.example.com",
        "x@qingchuan.gov.cn.example.com",
        "x@qingchuan.gov.com",
        "x@qingchuan.gov.cnn",
    ],
)
def test_look_alikes_of_gov_cn_are_personal_data(address: str) -> None:
    assert in_reply(address) == [address]


def test_gov_cn_is_still_found_outside_a_reply() -> None:
    # A citizen's message is not an official text: even a .gov.cn address is flagged.
    text = "我给xinfang@qingchuan.gov.cn发过邮件"
    assert [f.text for f in find_personal_data(text, NONE, official_allowed=False)] == [
        "xinfang@qingchuan.gov.cn"
    ]


# ---- numbers and addresses the office lists as its own ----------------------------------


def test_allowed_domains_may_be_written_with_at_sign_and_capitals() -> None:
    settings = PrivacySettings(allowed_email_domains=[" @Chengdu-Water.com "])
    text = "可发送邮件至kefu@chengdu-water.com咨询"
    assert find_personal_data(text, settings, official_allowed=True) == []


# GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 → "10X98765432".
def with_check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def test_the_check_digit_helper_agrees_with_the_standard_example() -> None:
    # 11010519491231002X: 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4
    # +2·2 = 167; 167 mod 11 = 2 → "X".
    assert with_check_digit("11010519491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("first17", "valid"),
    [
        ("11010518000101001", True),  # born 1 Jan 1800, the first year accepted
        ("11010520991231001", True),  # born 31 Dec 2099, the last
        ("11010517991231001", False),  # 1799
        ("11010521000101001", False),  # 2100
        ("11010519491232001", False),  # 32 December
        ("11010519490229001", False),  # 1949 is not a leap year
    ],
)
def test_id_numbers_need_a_real_birth_date_from_1800_to_2099(first17: str, valid: bool) -> None:
    assert id_number_valid(with_check_digit(first17)) is valid


def test_id_numbers_may_be_written_in_groups() -> None:
    assert id_number_valid("110105-19491231-002X")
    assert id_number_valid("110105 19491231 002X")
    assert not id_number_valid("1101051949123100")  # 16 characters
    assert not id_number_valid("11010519491231002Y")


def test_numbers_listed_by_the_office_are_allowed_in_replies_whatever_their_kind() -> None:
    id_number = "11010519491231002X"
    card = "6222021234567890128"
    settings = PrivacySettings(allowed_numbers=[id_number, card, "0086 139 0000 1111"])
    reply = f"单位账户{card}，证件{id_number}，值班电话+86 139-0000-1111"
    assert find_personal_data(reply, settings, official_allowed=True) == []
    # In a citizen's text they are personal data all the same.
    kinds = [f.kind for f in find_personal_data(reply, settings, official_allowed=False)]
    assert kinds == ["bank-card", "id-number", "mobile"]


def test_a_protected_name_is_found_every_time() -> None:
    settings = PrivacySettings(protected_names=["**", "李四"])  # "**" is no name
    text = "李四说，李四的邻居也姓李，李四家住三楼"
    found = find_personal_data(text, settings, official_allowed=False)
    assert [(f.kind, f.start) for f in found] == [
        ("protected-name", 0),
        ("protected-name", 4),
        ("protected-name", 13),
    ]


def test_a_finding_inside_another_does_not_hide_the_next() -> None:
    # The mobile inside the e-mail address is part of it; the second mobile is its own.
    text = "邮箱13812345678@139.com，电话13900001111"
    found = find_personal_data(text, NONE, official_allowed=False)
    assert [(f.kind, f.text) for f in found] == [
        ("email", "13812345678@139.com"),
        ("mobile", "13900001111"),
    ]
