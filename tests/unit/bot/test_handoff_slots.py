import datetime as dt

import pytest

from chalicelib.domain.bot.handoff import is_handoff_request
from chalicelib.domain.bot.slots import (SlotSpec, extract_date, extract_email, extract_order_number,
                                         extract_phone, extract_slots)

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize("text", [
    "转人工", "人工客服!!", "请帮我找客服,谢谢", "我要和真人说话", "轉人工", "转 人 工",
    "talk to a human", "Can I speak to someone please?", "real person", "AGENT", "agent please",
    "I need a representative", "connect me with a live agent", "let me talk to customer service",
])
def test_handoff_positive(text):
    assert is_handoff_request(text)


@pytest.mark.parametrize("text", [
    "what is a user agent string", "人工智能能帮我整理文件吗", "how do I share a folder with someone",
    "is there a person limit on the team plan", "I don't want to talk to a human", "不需要人工",
    "how much does it cost", "", "my travel agent booked it",
])
def test_handoff_negative(text):
    assert not is_handoff_request(text)


def test_phone_numbers():
    assert extract_phone("手机 138 1234 5678") == "+8613812345678"
    assert extract_phone("+86-13812345678") == "+8613812345678"
    assert extract_phone("call me on +44 20 7946 0958") == "+442079460958"
    assert extract_phone("１３８１２３４５６７８") == "+8613812345678"  # full width
    assert extract_phone("12345") is None
    assert extract_phone("order 12812345678") is None  # 12x is not a CN mobile prefix


def test_email():
    assert extract_email("my mail: Foo.Bar+x@Example.co.uk, thanks") == "foo.bar+x@example.co.uk"
    assert extract_email("no email here @ all") is None


@pytest.mark.parametrize("text,expected", [
    ("2026-11-25", dt.date(2026, 11, 25)),
    ("on 2026/12/01 please", dt.date(2026, 12, 1)),
    ("2026年11月25日", dt.date(2026, 11, 25)),
    ("11月25日送到", dt.date(2026, 11, 25)),
    ("11/25", dt.date(2026, 11, 25)),
    ("今天", TODAY),
    ("明天下午", dt.date(2026, 11, 25)),
    ("昨天下的单", dt.date(2026, 11, 23)),
    ("tomorrow morning", dt.date(2026, 11, 25)),
    ("yesterday", dt.date(2026, 11, 23)),
    ("no date here", None),
    ("2026-02-30", None),
])
def test_dates(text, expected):
    assert extract_date(text, TODAY) == expected


def test_order_number_configurable_regex():
    assert extract_order_number("订单号是 ab123456") == "AB123456"
    assert extract_order_number("order #PO-2026-0042", r"PO-\d{4}-\d{4}") == "PO-2026-0042"


def test_extract_slots_masks_phone_and_date_from_order_regex():
    specs = [SlotSpec("order_id", "order"), SlotSpec("phone", "phone"), SlotSpec("day", "date")]
    got = extract_slots("订单 AB123456, 电话 13812345678, 2026-11-25 下的单", specs, TODAY)
    assert got == {"order_id": "AB123456", "phone": "+8613812345678", "day": dt.date(2026, 11, 25)}
    # only a phone in the text: the digits-only order regex must not take it
    assert extract_slots("13812345678", specs, TODAY) == {"phone": "+8613812345678"}
