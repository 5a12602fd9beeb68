"""The ``.gov.cn`` rule of docs/validation.md (E502): official addresses end in ``.gov.cn``.

Only a label boundary makes an address official: ``evilgov.cn`` is anyone's domain, and
``qingchuan.gov.cn.example.com`` is ``example.com``'s. Then the detector's rules of
docs/safety.md ("Personal data"), one plain example each.
"""

from __future__ import annotations

import pytest

from answerable.checks.privacy import (
    Finding,
    field_texts,
    find_personal_data,
    id_number_valid,
    luhn_valid,
    mask,
    mask_personal_data,
    masked,
    record_fields,
)
from answerable.core.records import PrivacySettings, Ticket
from test_deadlines import make_ticket

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


# ---- the detector's rules, one plain example each ---------------------------------------


def found_in(text: str, settings: PrivacySettings = NONE) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_personal_data(text, settings, official_allowed=False)]


def test_a_dotted_landline_with_a_four_digit_area_code_and_eight_digits() -> None:
    # 0838 is a four-digit area code, so 0838.1234.5678 is 0838 + eight digits: a landline.
    text = "电话0838.1234.5678"
    assert found_in(text) == [("landline", "0838.1234.5678")]
    assert mask_personal_data(text, NONE)[0] == "电话0838-****5678"


def test_a_landline_keeps_its_area_code_as_written() -> None:
    # Written with a dash, the area code is the part before it (035), even where the
    # usual split would take four digits (0351).
    assert mask_personal_data("电话035-1234-5678", NONE)[0] == "电话035-****5678"


def test_a_mobile_after_an_already_masked_one_is_found() -> None:
    # The 5678 right after the stars belongs to the mask; the next number is read anew.
    text = "138****5678 139.8765.4321"
    assert found_in(text) == [("mobile", "139.8765.4321")]
    assert mask_personal_data(text, NONE)[0] == "138****5678 139****4321"


def test_digits_before_a_mask_are_not_joined_with_its_visible_digits() -> None:
    # 1502 1101 + 138 would make 11 digits starting 15, but 138 is the start of a mask.
    assert found_in("房号 1502 1101 138****5678") == []


def test_the_country_code_0086_glued_to_a_dotted_mobile_stays_outside_it() -> None:
    text = "0086138.1234.5678"
    assert found_in(text) == [("mobile", "138.1234.5678")]
    assert mask_personal_data(text, NONE)[0] == "0086138****5678"


def test_the_country_code_86_glued_to_a_mobile_stays_outside_it() -> None:
    text = "8613812345678"
    assert found_in(text) == [("mobile", "13812345678")]
    assert mask_personal_data(text, NONE)[0] == "86138****5678"


def test_the_country_code_86_without_its_plus_before_a_dotted_mobile() -> None:
    # 86 + 138.1234.5678: as "8613812345678" is read, so is it spaced out with dots.
    text = "电话86138.1234.5678"
    assert found_in(text) == [("mobile", "138.1234.5678")]
    assert mask_personal_data(text, NONE)[0] == "电话86138****5678"
    # 86 before a group that starts no mobile is no country code: an order number.
    assert found_in("订单86 1234 5678 901") == []


def test_the_country_code_plus_86_glued_to_a_landline_stays_outside_it() -> None:
    # "+86" then 028 8765 4321, a Chengdu landline: the + says 86 is the country code.
    assert found_in("请拨+86028 8765 4321。") == [("landline", "028 8765 4321")]
    # Without the +, 86028… is one group of digits that no number starts: 13 digits.
    assert found_in("编号86028 8765 4321。") == []


def test_no_number_is_read_from_the_middle_of_a_group_of_digits() -> None:
    # 99 + 138 1234 5678 written as one group of 13 digits: a number starts where a
    # group starts, and 9913812345678 is no number.
    assert found_in("订单9913812345678。") == []


def test_a_number_starting_00_is_no_landline() -> None:
    # An area code starts with 0 and one other digit: 0012 3456 7890 (an international
    # call prefix, then digits) is none of the kinds.
    assert found_in("国际长途0012 3456 7890。") == []


def test_a_number_too_long_to_be_personal_does_not_stop_the_reading() -> None:
    # 19 digits in a row of groups: no number read from its start; the mobile after it is.
    text = "运单 1234.5678.9012.3456.789，电话 138.1234.5678"
    assert found_in(text) == [("mobile", "138.1234.5678")]


def test_an_eighteen_digit_number_starting_with_0_is_no_id_number() -> None:
    # Area codes start with 1-8. 01010519491231002 + check: weights 7 9 10 5 8 4 2 1 6 3
    # 7 9 10 5 8 4 2 over 0 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 give 0+9+0+5+0+20+2+9+24+27+7
    # +18+30+5+0+0+4 = 160, 160 % 11 = 6, check "10X98765432"[6] = "6".
    number = "01010519491231002" + "6"
    assert with_check_digit(number[:17]) == number
    assert found_in("010105 19491231 0026") == []


def test_a_name_right_after_a_number_is_found_too() -> None:
    settings = PrivacySettings(protected_names=["张三"])
    assert found_in("电话13812345678张三", settings) == [
        ("mobile", "13812345678"),
        ("protected-name", "张三"),
    ]


def test_a_text_that_is_only_an_address_or_a_card() -> None:
    assert found_in("zhang.san@163.com") == [("email", "zhang.san@163.com")]
    # Luhn, doubling every second digit from the right (minus 9 above 9):
    # 6 4 2 4 0 4 1 4 3 8 5 3 7 7 9 0 1 4 8, sum 80, divisible by 10.
    assert found_in("6222021234567890128") == [("bank-card", "6222021234567890128")]


def test_an_office_may_list_its_id_number_with_a_small_x() -> None:
    settings = PrivacySettings(allowed_numbers=["11010519491231002x"])
    text = "联系人身份证号11010519491231002X"
    assert find_personal_data(text, settings, official_allowed=True) == []
    assert found_in(text, settings) == [("id-number", "11010519491231002X")]


def test_nothing_without_digits_passes_the_luhn_check() -> None:
    assert not luhn_valid("")
    assert not luhn_valid("no digits")


def test_masking_with_findings_of_another_text_is_refused() -> None:
    findings = find_personal_data("电话13812345678", NONE, official_allowed=False)
    with pytest.raises(ValueError, match=r"^findings overlap or do not belong to this text$"):
        mask("电话 13812345678", findings)


def test_an_unknown_kind_has_no_masked_form() -> None:
    with pytest.raises(ValueError, match=r"^unknown kind of personal data: fax$"):
        masked(Finding("fax", 0, 8, "12345678"))


def test_a_one_character_name_masks_to_one_star() -> None:
    settings = PrivacySettings(protected_names=["芳"])
    assert mask_personal_data("芳说", settings)[0] == "*说"


def test_a_name_ending_in_a_star_masks_to_stars_in_one_pass() -> None:
    # 张* with its first character kept would be 张* again.
    text = "投诉人张*"
    findings = find_personal_data(
        text, PrivacySettings(protected_names=["张*"]), official_allowed=False
    )
    assert mask(text, findings) == "投诉人**"


def test_the_fields_of_nested_records_and_aliased_keys_are_read() -> None:
    ticket = make_ticket(
        rating={"value": "unsatisfied", "at": "2026-02-20T10:00:00+08:00",
                "source": "sms", "comment": "没人联系我"},
        transfers=[{"at": "2026-02-14T10:00:00+08:00", "from": "housing",
                    "to": "transport", "reason": "职责调整"}],
    )  # fmt: skip
    fields = {f.name: f for f in record_fields(Ticket, "ticket")}
    assert list(field_texts(ticket, fields["ticket.rating.comment"])) == [
        (("rating", "comment"), "没人联系我")
    ]
    assert list(field_texts(ticket, fields["ticket.transfers[].from"])) == [
        (("transfers", 0, "from"), "housing")
    ]


def test_a_one_character_name_written_twice_in_a_row_is_found_twice() -> None:
    settings = PrivacySettings(protected_names=["芳"])
    assert found_in("芳芳说", settings) == [("protected-name", "芳"), ("protected-name", "芳")]


def test_an_old_id_number_born_on_29_february_of_a_leap_year() -> None:
    # 110105 (朝阳区) + 200229 (29 February 1920, a leap year) + 123.
    assert found_in("110105200229123") == [("id-number", "110105200229123")]


def test_an_id_number_ending_in_x_needs_its_check_too() -> None:
    # 11010520010101004: 7+9+0+5+0+20+4+0+0+3+0+9+0+5+0+0+8 = 70, 70 % 11 = 4,
    # check "10X98765432"[4] = "8", so X is the wrong check character.
    assert with_check_digit("11010520010101004") == "110105200101010048"
    assert found_in("110105 20010101 004X") == []


def test_no_mobile_is_read_out_of_part_of_a_400_number() -> None:
    # 130-0000 of the hotline and 2026 after it would make a mobile, 130 0000 2026.
    assert found_in("400-130-0000 2026年") == []


def test_the_shortest_landline_has_ten_digits_and_is_found() -> None:
    # A three-digit area code, three digits and four: the fewest digits a number read
    # has, so a text with fewer is never searched for numbers.
    assert found_in("座机010-123-4567") == [("landline", "010-123-4567")]
    assert found_in("座机（010）123 4567") == [("landline", "（010）123 4567")]


def test_an_address_written_with_a_full_width_at_sign_alone() -> None:
    # No ASCII @ in the text: the full-width one is what tells an address may be there.
    assert found_in("邮箱ｚｈａｎｇ＠１６３．ｃｏｍ") == [("email", "ｚｈａｎｇ＠１６３．ｃｏｍ")]
