import copy

import pytest

from chalicelib.domain.bot.flows import FlowEngine, safe_format

FLOW = {
    "id": "order-status",
    "triggers": {"zh": ["查订单", "订单状态"], "en": ["order status", "track my order"]},
    "slots": [
        {"name": "order_id", "kind": "order", "pattern": r"[A-Z]{2}\d{6,}", "validate": r"[A-Z]{2}\d{6,}",
         "prompt": {"zh": "请提供订单号", "en": "What is your order number?"}},
        {"name": "phone", "kind": "phone", "prompt": {"zh": "请提供下单手机号", "en": "Your phone number?"}},
    ],
    "action": {"url": "https://api.example.test/orders", "method": "POST", "timeout": 3},
    "answers": {"success": {"zh": "订单{order_id}状态:{status}", "en": "Order {order_id} is {status}."},
                "failure": {"zh": "抱歉,订单系统暂时无法访问", "en": "Sorry, the order system is unavailable."}},
}


class Endpoint:
    def __init__(self, response=None, exc=None):
        self.calls = []
        self.response = response if response is not None else {"status": "shipped"}
        self.exc = exc

    def __call__(self, url, payload, timeout):
        self.calls.append((url, copy.deepcopy(payload), timeout))
        if self.exc:
            raise self.exc
        return self.response


@pytest.fixture
def fe():
    return FlowEngine([FLOW])


def run(fe, msgs, ep, ctx=None, state=None):
    state = state or {}
    replies = []
    for m in msgs:
        r, state = fe.step(state, m, ctx or {}, ep)
        replies.append(r)
    return replies, state


def test_not_triggered_returns_none(fe):
    r, st = fe.step({}, "会员多少钱", {}, Endpoint())
    assert r is None and st == {}


def test_asks_missing_slots_in_order_then_calls_endpoint(fe):
    ep = Endpoint()
    replies, st = run(fe, ["我想查订单", "AB123456", "13812345678"], ep)
    assert [r.status for r in replies] == ["ask", "ask", "done"]
    assert replies[0].text == "请提供订单号"
    assert replies[1].text == "请提供下单手机号"
    assert replies[2].text == "订单AB123456状态:shipped"
    assert st == {}
    assert ep.calls == [("https://api.example.test/orders",
                         {"order_id": "AB123456", "phone": "+8613812345678", "_method": "POST"}, 3.0)]


def test_several_slots_in_one_message(fe):
    ep = Endpoint()
    replies, st = run(fe, ["track my order AB123456, phone +86 138 1234 5678"], ep)
    assert replies[0].status == "done"
    assert replies[0].text == "Order AB123456 is shipped."
    assert len(ep.calls) == 1


@pytest.mark.parametrize("correction", ["不对,订单号是CD654321", "no, not AB123456, it's CD654321"])
def test_correction_of_earlier_answer(fe, correction):
    ep = Endpoint()
    replies, st = run(fe, ["查订单", "AB123456", correction, "13812345678"], ep)
    assert replies[2].status == "ask" and replies[2].slots["order_id"] == "CD654321"
    assert ep.calls[0][1]["order_id"] == "CD654321"
    assert replies[3].text == "订单CD654321状态:shipped"


@pytest.mark.parametrize("leave", ["算了", "不查了", "cancel", "never mind"])
def test_leaving_mid_way(fe, leave):
    ep = Endpoint()
    replies, st = run(fe, ["查订单", leave], ep)
    assert replies[1].status == "cancelled"
    assert st == {}
    assert ep.calls == []


def test_context_memory_skips_known_slot(fe):
    ep = Endpoint()
    replies, st = run(fe, ["查订单"], ep, ctx={"phone": "+8613812345678"})
    assert replies[0].text == "请提供订单号"
    replies, st = run(fe, ["AB123456"], ep, ctx={"phone": "+8613812345678"}, state=st)
    assert replies[0].status == "done"
    assert ep.calls[0][1]["phone"] == "+8613812345678"


def test_invalid_answer_reprompts_then_gives_up(fe):
    ep = Endpoint()
    replies, st = run(fe, ["查订单", "我不知道", "还是不知道", "嗯"], ep)
    assert [r.status for r in replies] == ["ask", "invalid", "invalid", "cancelled"]
    assert "请提供订单号" in replies[1].text
    assert st == {} and ep.calls == []


@pytest.mark.parametrize("ep", [Endpoint(exc=TimeoutError("timed out")), Endpoint(exc=OSError("refused")),
                                Endpoint(response={"ok": False}), Endpoint(response={"error": "boom"})])
def test_endpoint_failure_gives_polite_fallback(fe, ep):
    replies, st = run(fe, ["查订单 AB123456 13812345678"], ep)
    assert replies[0].status == "failed"
    assert replies[0].text == "抱歉,订单系统暂时无法访问"
    assert st == {}


def test_safe_format_has_no_attribute_or_index_access():
    vals = {"name": "Ann", "obj": {"secret": 1}}
    assert safe_format("Hi {name}!", vals) == "Hi Ann!"
    assert safe_format("{missing}-", vals) == "-"
    assert safe_format("{name.__class__}{obj[secret]}{{x}}", vals) == "{name.__class__}{obj[secret]}{x}"
    assert safe_format("{obj}", vals) == ""
