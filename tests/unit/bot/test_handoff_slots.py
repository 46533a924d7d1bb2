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


# rules, tested on more phrasings than the code names (see handoff.py's docstring)
@pytest.mark.parametrize("text", [
    # asking for a manager / supervisor / person in charge
    "找你们经理", "叫你们主管来", "我要找负责人", "让你们领导跟我说", "给我找个领导", "帮我叫一下店长",
    # complaint stated as an intent
    "我要投诉,给我找你们领导", "我要投诉", "投诉你们", "我必须投诉这个问题",
    # another person / not the bot
    "机器人听不懂,换个人来", "换个客服", "能不能换个人", "不要机器人", "不想跟机器人聊了",
    # bare nouns, with particles
    "人工", "客服在吗", "真人?", "人工服务", "我要人工", "找个真人", "能不能让真人来回答",
    # English
    "I need human help", "human help please", "connect me to support", "transfer me to support",
    "can I talk to someone", "real person please", "get me a manager",
    "I want to speak with your supervisor", "I'd like to file a complaint",
    "escalate this to a human", "I need a human", "switch me to a live person",
    # negation belongs to its own clause
    "no, connect me to an agent", "not helpful, talk to a person", "this is not working, I need a human",
    "I don't get it, let me talk to a human", "不行,转人工", "你好,人工",
])
def test_handoff_positive_rules(text):
    assert is_handoff_request(text)


@pytest.mark.parametrize("text", [
    # compound words: 人工/真人 as modifiers
    "人工智能客服怎么收费", "你们的人工翻译服务", "人工翻译多少钱", "人工成本高吗", "真人秀",
    "真人秀节目在哪看", "真人版的视频",
    # self-reference
    "我是工作人员", "我们是客服人员,想了解团队版", "我也是经理,想开团队版",
    # negation
    "不要人工,我自己看看", "别转人工", "不用找客服", "no human please", "no need for an agent",
    "I don't need a human", "never connect me to an agent",
    # questions for the KB, not transfer requests (documented in docs/bot.md)
    "how do I contact support", "where can I email support", "怎么联系客服", "客服电话是多少",
    "customer support hours", "what is the manager role in team plan",
    # other
    "call me back tomorrow", "换个人头像", "怎么换个人信息", "does it support SAML?", "SSO support?",
])
def test_handoff_negative_rules(text):
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


@pytest.mark.parametrize("text", [
    "人工客服在哪", "人工服务怎么找", "有人工客服吗", "真人客服呢",
    "有没有真人能回答一下我的问题", "有客服在吗", "还有人工吗", "有没有人能帮我", "有人在吗",
    "is there a human I can talk to?", "is there a live agent", "is anyone available",
    "is anyone there?", "is someone available to help",
])
def test_asking_whether_a_person_is_there_is_a_handoff(text):
    assert is_handoff_request(text)


@pytest.mark.parametrize("text", [
    "有人工智能功能吗", "人工智能客服怎么收费", "我有人工费用的问题", "不要人工客服",
    "我是人工客服", "is there a person limit on the family plan", "人工能力",
])
def test_compounds_limits_and_negations_are_still_not_handoffs(text):
    assert not is_handoff_request(text)


# shop staff nouns, "connect me" verbs, 啊 after 有没有活人, a call back asked of a person
# (from misses on the blind sets of 2026-11-30; the variants are not in the code)
@pytest.mark.parametrize("text", [
    "请帮我接通店员", "帮我连线客服代表", "找个导购问问", "叫个店员过来", "有没有活人啊", "有没有真人呀",
    "有没有活人啊 机器人答非所问", "can someone from customer service call me back",
    "could an agent call me tomorrow", "have your support team phone me please",
    "请安排客服人员跟我说", "机器人听不懂 叫个人来", "来个人吧", "派个人过来处理",
])
def test_handoff_positive_more(text):
    assert is_handoff_request(text)


@pytest.mark.parametrize("text", [
    "call me back tomorrow", "please call me at 5", "店员态度好吗", "导购推荐的款式在哪看",
    "有没有活人参与的测评", "don't have anyone call me", "活人直播几点开始",
    "怎么找个人信息", "叫个人账户还是企业账户", "安排发货了吗",
])
def test_handoff_negative_more(text):
    assert not is_handoff_request(text)


# roles asked for by name (recognised by their endings), talking to 人, a negated auto-reply,
# English employees and "whoever's in charge" (from misses on a blind set; variants here)
@pytest.mark.parametrize("text", [
    "我要找校长", "帮我找一下你们院长", "请让课程顾问给我打个电话", "能转接一下前台老师吗",
    "叫你们值班经理出来", "麻烦安排一位医生助理联系我", "找个师傅过来看看吧", "我要找你们管事的",
    "别自动回复了，我要跟人说话", "我想和真人聊聊", "别再机器人了", "不要再自动回复了",
    "is there an actual employee I can chat with right now?",
    "I'd like to speak with whoever's in charge about what happened on my tour yesterday",
    "can I talk to a member of your team", "let me speak to the person in charge",
    "is there a staff member online",
])
def test_handoff_positive_roles(text):
    assert is_handoff_request(text)


@pytest.mark.parametrize("text", [
    "校长是谁", "你们的老师都有教师资格证吗", "课程顾问会跟进吗", "前台几点下班", "医生是三甲医院的吗",
    "找回密码", "怎么找到我的订单", "我要找发票", "人员配置是怎样的", "跟人合租可以吗",
    "who is in charge of refunds", "how many employees do you have", "is the manager role free",
    "whoever wrote this faq did a good job",
])
def test_handoff_negative_roles(text):
    assert not is_handoff_request(text)
