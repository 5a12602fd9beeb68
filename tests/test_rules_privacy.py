"""The ``.gov.cn`` rule of docs/validation.md (E502): official addresses end in ``.gov.cn``.

Only a label boundary makes an address official: ``evilgov.cn`` is anyone's domain, and
``qingchuan.gov.cn.example.com`` is ``example.com``'s.
"""

from __future__ import annotations

import pytest

from answerable.privacy import find_personal_data
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
