"""Personal data in public text: what is found, what is not, and how it is masked."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from answerable.checks.privacy import (
    Finding,
    describe,
    find_personal_data,
    id_number_valid,
    line_and_column,
    luhn_valid,
    mask,
    mask_personal_data,
)
from answerable.core.records import PrivacySettings

NONE = PrivacySettings()
BOARD = PrivacySettings(
    allowed_numbers=["138 1234 5678", "+86 139-0000-1111"],
    allowed_email_domains=["chengdu-water.com"],
    protected_names=["张三丰", "李四"],
)


def found(text: str, privacy: PrivacySettings = NONE, *, official: bool = False) -> list[tuple]:
    return [
        (finding.kind, finding.text)
        for finding in find_personal_data(text, privacy, official_allowed=official)
    ]


def masked_text(text: str, privacy: PrivacySettings = NONE, *, official: bool = False) -> str:
    return mask_personal_data(text, privacy, official_allowed=official)[0]


# ---- ID numbers -------------------------------------------------------------------------

# Checked by hand with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 and "10X98765432".
VALID_IDS = [
    ("11010519491231002X", "110105********002X"),
    ("440524188001010014", "440524********0014"),  # GB 11643's example: born 1880, Luhn-valid too
    ("510122198506151237", "510122********1237"),
    ("110105189912310015", "110105********0015"),
    ("11010519491231002x", "110105********002x"),
]


@pytest.mark.parametrize(("number", "expected"), VALID_IDS)
def test_valid_id_numbers_are_found_and_masked(number: str, expected: str) -> None:
    assert id_number_valid(number)
    text = f"身份证号{number}，请核实"
    assert found(text) == [("id-number", number)]
    assert masked_text(text) == f"身份证号{expected}，请核实"
    # Staff replies may not show them either.
    assert found(text, BOARD, official=True) == [("id-number", number)]


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check digit
        "110105194902301234",  # right check digit, but 30 February
        "510122202602301230",  # right check digit, impossible date
        "510122210001011238",  # right check digit, year 2100
    ],
)
def test_id_look_alikes_that_fail_are_not_found(number: str) -> None:
    assert not id_number_valid(number)
    assert not luhn_valid(number)
    assert found(f"编号{number}号") == []
    assert masked_text(f"编号{number}号") == f"编号{number}号"


@pytest.mark.parametrize("number", ["110105194912310028", "110105194913321230"])
def test_id_look_alikes_passing_luhn_are_bank_cards(number: str) -> None:
    assert not id_number_valid(number)
    assert luhn_valid(number)
    assert found(f"号码{number}") == [("bank-card", number)]
    assert masked_text(f"号码{number}") == f"号码**** **** **** {number[-4:]}"


def test_id_number_written_in_groups() -> None:
    assert found("身份证 110105 19491231 002X") == [("id-number", "110105 19491231 002X")]
    assert masked_text("身份证 110105 19491231 002X") == "身份证 110105********002X"


# ---- mobiles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "expected"),
    [
        ("我的电话是13812345678，请联系", "13812345678", "我的电话是138****5678，请联系"),
        ("电话138 1234 5678。", "138 1234 5678", "电话138****5678。"),
        ("电话：138-1234-5678", "138-1234-5678", "电话：138****5678"),
        ("请拨+86 138 1234 5678", "138 1234 5678", "请拨+86 138****5678"),
        ("请拨+86-138-1234-5678", "138-1234-5678", "请拨+86-138****5678"),
        ("请拨0086 13812345678", "13812345678", "请拨0086 138****5678"),
        ("请拨+8613812345678", "13812345678", "请拨+86138****5678"),
        ("手机19912345678", "19912345678", "手机199****5678"),
        # Full-width digits from a Chinese keyboard.
        ("手机：１３８１２３４５６７８", "１３８１２３４５６７８", "手机：138****5678"),
        ("call me at13812345678now", "13812345678", "call me at138****5678now"),
    ],
)
def test_mobiles_in_several_writings(text: str, number: str, expected: str) -> None:
    assert found(text) == [("mobile", number)]
    assert masked_text(text) == expected
    # A mobile is a person's, not an office's: flagged in replies too.
    assert found(text, NONE, official=True) == [("mobile", number)]


@pytest.mark.parametrize(
    "text",
    [
        "12812345678",  # 12x is not a mobile prefix
        "1381234567",  # ten digits
        "138123456789",  # twelve digits
        "2138 1234 5678",  # the tail of a longer number
        "订单号913812345678",
        "*13812345678",  # the visible end of a masked value
    ],
)
def test_not_mobiles(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []


def test_allowed_numbers_are_allowed_in_replies_only() -> None:
    reply = "值班手机13812345678，或拨打+86 13900001111。"
    assert found(reply, BOARD, official=True) == []
    assert masked_text(reply, BOARD, official=True) == reply
    # Digits decide, not the writing.
    assert found("值班手机138-1234-5678", BOARD, official=True) == []
    # A citizen field always masks, and other mobiles are still found in a reply.
    assert found(reply, BOARD) == [("mobile", "13812345678"), ("mobile", "13900001111")]
    assert found("联系13712345678", BOARD, official=True) == [("mobile", "13712345678")]


# ---- landlines and hotlines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "expected"),
    [
        ("家里电话028-12345678", "028-12345678", "家里电话028-****5678"),
        ("家里电话(0838)1234567", "(0838)1234567", "家里电话0838-****4567"),
        ("家里电话（0838）1234567", "（0838）1234567", "家里电话0838-****4567"),
        ("家里电话0838 1234567", "0838 1234567", "家里电话0838-****4567"),
        ("家里电话010-87654321", "010-87654321", "家里电话010-****4321"),
        ("家里电话02812345678", "02812345678", "家里电话028-****5678"),
        ("家里电话08381234567", "08381234567", "家里电话0838-****4567"),
        ("家里电话028-8765-4321", "028-8765-4321", "家里电话028-****4321"),
    ],
)
def test_landlines_found_in_citizen_fields_allowed_in_replies(
    text: str, number: str, expected: str
) -> None:
    assert found(text) == [("landline", number)]
    assert masked_text(text) == expected
    assert found(text, official=True) == []
    assert masked_text(text, official=True) == text


@pytest.mark.parametrize(
    "text",
    [
        "请拨打12345热线",
        "已转12315处理",
        "12369环保举报",
        "报警110，火警119，急救120",
        "客服400-123-4567",
        "客服800-820-8820",
        "客服4001234567",
        "客服400 123 4567",
        "成都市长热线028-12345",
        "南海区热线81812345",
        "银行客服95588",
    ],
)
def test_hotlines_are_never_personal(text: str) -> None:
    assert found(text, BOARD) == []
    assert found(text, BOARD, official=True) == []
    assert masked_text(text, BOARD) == text


# ---- bank cards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "last4"),
    [
        ("6222021234567890128", "0128"),
        ("6222 0212 3456 7890 128", "0128"),
        ("6228480402564890018", "0018"),
        ("4111111111111111", "1111"),
        ("4111-1111-1111-1111", "1111"),
        ("4111 1111 1111 1111", "1111"),
    ],
)
def test_luhn_valid_card_numbers(number: str, last4: str) -> None:
    assert luhn_valid(number)
    text = f"退款请打到卡号{number}上"
    assert found(text) == [("bank-card", number)]
    assert masked_text(text) == f"退款请打到卡号**** **** **** {last4}上"
    assert found(text, BOARD, official=True) == [("bank-card", number)]


@pytest.mark.parametrize(
    "number",
    ["6222021234567890123", "4111111111111112", "4111 1111 1111 1112", "622202123456789"],
)
def test_luhn_invalid_card_numbers_are_not_found(number: str) -> None:
    assert found(f"卡号{number}") == []


# ---- e-mail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("zhang.san@163.com", "z***@163.com"),
        ("12345678@qq.com", "1***@qq.com"),
        ("wang_wu+box@vip.sina.com", "w***@vip.sina.com"),
        ("a@126.com", "a***@126.com"),
        ("13812345678@139.com", "1***@139.com"),  # the address hides the mobile inside it
    ],
)
def test_email_addresses(address: str, expected: str) -> None:
    text = f"我的邮箱{address}，谢谢"
    assert found(text) == [("email", address)]
    assert masked_text(text) == f"我的邮箱{expected}，谢谢"
    assert found(text, BOARD, official=True) == [("email", address)]


@pytest.mark.parametrize(
    "address",
    ["xinfang@qingchuan.gov.cn", "ban@gov.cn.example.gov.cn", "kefu@chengdu-water.com"],
)
def test_official_email_addresses_are_allowed_in_replies(address: str) -> None:
    text = f"可发送邮件至{address}咨询"
    assert found(text, BOARD, official=True) == []
    assert found(text, BOARD) == [("email", address)]


@pytest.mark.parametrize("address", ["x@evilchengdu-water.com", "x@gov.cn.example.com"])
def test_look_alike_domains_are_not_allowed(address: str) -> None:
    assert found(f"邮件至{address}", BOARD, official=True) == [("email", address)]


def test_allowed_domain_covers_its_subdomains() -> None:
    assert found("邮件至kefu@mail.chengdu-water.com", BOARD, official=True) == []


# ---- protected names --------------------------------------------------------------------


def test_protected_names() -> None:
    text = "张三丰反映，李四和张三丰的邻居李四海"
    assert found(text, BOARD) == [
        ("protected-name", "张三丰"),
        ("protected-name", "李四"),
        ("protected-name", "张三丰"),
        ("protected-name", "李四"),
    ]
    assert masked_text(text, BOARD) == "张**反映，李*和张**的邻居李*海"
    assert found(text, BOARD, official=True) == found(text, BOARD)
    assert found(text) == []


def test_a_protected_name_that_looks_masked_is_starred_out() -> None:
    privacy = PrivacySettings(protected_names=["王*", "*"])
    assert masked_text("王*来过", privacy) == "**来过"


# ---- things that are never personal data ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "工单2026-000042已转办",
        "2026-000042、2026-000043",
        "受理时间2026-11-20 09:14",
        "2026-11-20T09:14:00+08:00",
        "2026年11月20日上午09:14",
        "补偿款1500元",
        "金额￥15,000.00元",
        "邮编610000",
        "四川省成都市成华区建设路1号，邮编610051",
        "第3季度共受理3928件，按期办结3821件（97.3%）",
        "文号：川府发〔2026〕12号",
        "统一社会信用代码91510100MA6C12345X",
    ],
)
def test_ordinary_numbers_are_not_found(text: str) -> None:
    assert found(text, BOARD) == []
    assert masked_text(text, BOARD) == text


# ---- several at once, positions, messages ----------------------------------------------


MESSAGE = (
    "工单2026-000042\n"
    "我是张三丰，电话13812345678，家里028-12345678，\n"
    "身份证11010519491231002X，邮箱zhang.san@163.com，卡号6222021234567890128。"
)


def test_a_whole_message() -> None:
    findings = find_personal_data(MESSAGE, BOARD, official_allowed=False)
    assert [finding.kind for finding in findings] == [
        "protected-name",
        "mobile",
        "landline",
        "id-number",
        "email",
        "bank-card",
    ]
    assert [line_and_column(MESSAGE, finding) for finding in findings] == [
        (2, 3),
        (2, 9),
        (2, 23),
        (3, 4),
        (3, 25),
        (3, 45),
    ]
    assert mask(MESSAGE, findings) == (
        "工单2026-000042\n"
        "我是张**，电话138****5678，家里028-****5678，\n"
        "身份证110105********002X，邮箱z***@163.com，卡号**** **** **** 0128。"
    )
    assert mask_personal_data(MESSAGE, BOARD) == (mask(MESSAGE, findings), findings)


def test_findings_are_sorted_and_point_into_the_text() -> None:
    findings = find_personal_data(MESSAGE, BOARD, official_allowed=False)
    assert findings == sorted(findings, key=lambda finding: finding.start)
    for finding in findings:
        assert MESSAGE[finding.start : finding.end] == finding.text


def test_describe_never_repeats_the_value() -> None:
    findings = find_personal_data(MESSAGE, BOARD, official_allowed=False)
    assert [describe(finding) for finding in findings] == [
        "a protected name (张**)",
        "a mobile phone number (138****5678)",
        "a landline phone number (028-****5678)",
        "a resident ID number (110105********002X)",
        "an e-mail address (z***@163.com)",
        "a bank card number (**** **** **** 0128)",
    ]
    for finding in findings:
        assert finding.text not in describe(finding)
        assert finding.text not in repr(finding)


def test_mask_refuses_findings_from_another_text() -> None:
    with pytest.raises(ValueError, match="do not belong"):
        mask("电话13812345678", [Finding("mobile", 0, 11, "13812345678")])


# ---- idempotence ------------------------------------------------------------------------


MASKED_FORMS = [
    "138****5678",
    "+86 138****5678",
    "028-****5678",
    "0838-****4567",
    "110105********002X",
    "**** **** **** 0128",
    "z***@163.com",
    "张**",
    "李*",
]


@pytest.mark.parametrize("form", MASKED_FORMS)
def test_masked_forms_are_not_findings(form: str) -> None:
    for text in (form, f"电话{form}，", f"{form} {form}"):
        assert found(text, BOARD) == []
        assert masked_text(text, BOARD) == text


def test_masking_masked_text_changes_nothing() -> None:
    once = masked_text(MESSAGE, BOARD)
    assert masked_text(once, BOARD) == once
    assert mask(once, find_personal_data(once, BOARD, official_allowed=False)) == once


def test_digits_left_visible_never_join_into_a_new_number() -> None:
    # The card's last four and the digits after it read as a landline once the rest is
    # starred; masking goes on until nothing is found.
    text = "卡号6222021234567890128 0200866"
    result, findings = mask_personal_data(text, NONE)
    assert [finding.kind for finding in findings] == ["bank-card"]
    assert found(result) == []
    assert masked_text(result) == result


# ---- properties -------------------------------------------------------------------------

FRAGMENTS = [
    "13812345678", "138 1234 5678", "+86", "0086", "028-12345678", "(0838)", "1234567",
    "11010519491231002X", "440524188001010014", "110105194912310021", "6222021234567890128",
    "6222 0212 3456 7890 128", "4111", "zhang.san@163.com", "12345678@qq.com", "@", ".",
    "com", "gov.cn", "xinfang@qingchuan.gov.cn", "张三丰", "李四", "12345", "400-123-4567",
    "2026-000042", "2026-11-20", "09:14", "1500元", "610000", "*", "X", "\n", "，",
]  # fmt: skip
pieces = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(alphabet="0123456789", min_size=1, max_size=20),
    st.text(alphabet="0123456789 -()+*xX@.", min_size=1, max_size=8),
    st.text(alphabet="电话我的是请联系张三丰李四号码卡身份证邮箱，。：", min_size=1, max_size=6),
)
texts = st.lists(pieces, max_size=20).map("".join)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(texts, st.booleans())
def test_masking_twice_equals_masking_once(text: str, official: bool) -> None:
    once, _ = mask_personal_data(text, BOARD, official_allowed=official)
    twice, again = mask_personal_data(once, BOARD, official_allowed=official)
    assert twice == once
    assert again == []


@PROPERTY
@given(texts)
def test_no_finding_remains_after_masking(text: str) -> None:
    result, findings = mask_personal_data(text, BOARD)
    assert find_personal_data(result, BOARD, official_allowed=False) == []
    # Masking changes the text exactly when something was found.
    assert (result != text) == bool(findings)


@PROPERTY
@given(texts, st.booleans())
def test_findings_never_overlap(text: str, official: bool) -> None:
    findings = find_personal_data(text, BOARD, official_allowed=official)
    for before, after in itertools.pairwise(findings):
        assert before.end <= after.start
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.text not in describe(finding)
