import json
from pathlib import Path

from chalicelib.domain.bot.bot import Bot
from chalicelib.domain.bot.evaluate import evaluate
from chalicelib.domain.bot.matcher import Matcher

from ._kb import KB
from .test_flows import FLOW, Endpoint

DATA = Path(__file__).resolve().parents[2] / "data" / "bot"


def make_bot(**kw):
    return Bot(Matcher(KB), flows=[FLOW], **kw)


def test_answer_in_language_of_entry():
    r = make_bot().respond({}, "忘记密码了怎么办", {})
    assert r.kind == "answer" and r.entry_id == "zh-password" and r.lang == "zh"
    assert r.text.startswith("在登录页")
    assert r.new_state["misses"] == 0


def test_fallback_then_handoff_after_two_misses():
    bot = make_bot()
    r1 = bot.respond({}, "帮我订一张机票", {})
    assert r1.kind == "fallback" and "抱歉" in r1.text and r1.new_state["misses"] == 1
    r2 = bot.respond(r1.new_state, "今天星期几", {})
    assert r2.kind == "handoff" and r2.handoff_reason == "repeated_misses"


def test_miss_counter_reset_by_answer_and_configurable():
    bot = make_bot(max_misses=3)
    s = bot.respond({}, "tell me a joke", {}).new_state
    s = bot.respond(s, "reset my password", {}).new_state
    assert s["misses"] == 0
    r = bot.respond(s, "what's the weather", {})
    assert r.kind == "fallback" and r.lang == "en" and "Sorry" in r.text


def test_explicit_handoff():
    r = make_bot().respond({}, "转人工", {})
    assert r.kind == "handoff" and r.handoff_reason == "requested" and "人工" in r.text
    r = make_bot().respond({}, "talk to a human please", {"locale": "zh-CN"})
    assert r.kind == "handoff" and r.lang == "en"


def test_suggest_lists_questions():
    r = make_bot().respond({}, "会员价格算上运费吗", {})
    assert r.kind == "suggest" and r.entry_id is None
    assert r.suggestions[0] == {"id": "zh-price", "question": "会员价格是多少?"}
    assert "会员价格是多少?" in r.text


def test_locale_used_when_text_has_no_language():
    r = make_bot().respond({}, "12345", {"locale": "en-US"})
    assert r.lang == "en"


def test_flow_through_bot_with_faq_interruption():
    ep = Endpoint()
    bot = make_bot(call_endpoint=ep)
    r = bot.respond({}, "查订单", {})
    assert r.kind == "flow" and r.text == "请提供订单号"
    r2 = bot.respond(r.new_state, "忘记密码怎么办", {})  # FAQ mid-flow: answered, flow kept
    assert r2.kind == "answer" and r2.entry_id == "zh-password"
    assert r2.new_state["flow"]["flow"] == "order-status"
    r3 = bot.respond(r2.new_state, "AB123456 13812345678", {})
    assert r3.kind == "flow" and r3.flow_status == "done" and "shipped" in r3.text
    assert "flow" not in r3.new_state
    assert r3.slots["phone"] == "+8613812345678"


def test_flow_without_endpoint_adapter_fails_politely():
    r = make_bot().respond({}, "查订单 AB123456 13812345678", {})
    assert r.kind == "flow" and r.flow_status == "failed"


def test_evaluate_command_on_extra_set(capsys):
    kb = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "faq-sample" / "kb.csv"
    if not kb.exists():
        return
    res = evaluate(str(kb), str(DATA / "queries-extra.jsonl"), report=True)
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-1]) == res
    assert len(out) == res["in_scope"] + res["out_of_scope"] + res["handoff"] + 1
    # the answer rule learned on other businesses (prior.py) answers more of this set (0.917
    # -> 0.958) and takes two out-of-scope questions sharing its topic words for in scope
    # ("这个月的电费多少钱", "cancel my gym membership"): 19/19 -> 17/19 rejected
    assert res["in_scope_top1"] >= 0.95
    assert res["out_of_scope_rejected"] >= 0.85
    assert res["wrong_answer_rate"] <= 0.03
    assert res["handoff_detected"] == 1.0


def test_a_clicked_suggestion_labels_the_earlier_question():
    bot = make_bot()
    r1 = bot.respond({}, "会员价格算上运费吗", {})
    assert r1.kind == "suggest" and r1.new_state["offered"]["ids"][0] == "zh-price"
    r2 = bot.respond(r1.new_state, r1.suggestions[0]["question"], {})   # the chip's text
    assert r2.kind == "answer" and r2.entry_id == "zh-price"
    assert r2.label == {"text": "会员价格算上运费吗", "entry_id": "zh-price", "source": "clicked"}
    assert "offered" not in r2.new_state
    # typed something else / a later turn: no label
    r3 = bot.respond(r1.new_state, "忘记密码怎么办", {})
    assert r3.kind == "answer" and r3.label is None
    r4 = bot.respond(r2.new_state, r1.suggestions[0]["question"], {})
    assert r4.label is None
