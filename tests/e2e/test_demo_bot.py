"""The demo site from the run command: its bot answers from the sample knowledge base and its
"order status" flow reaches the runtime's stand-in order system, over real sockets."""
from __future__ import annotations

import pytest

from tests.e2e.clients import Socket, visitor_session

pytestmark = pytest.mark.timeout(90)


def _bot_text(e):
    m = e.get("message") or {}
    return e.get("type") == "message" and (m.get("sender") or {}).get("type") == "bot"


def test_demo_bot_answers_and_runs_the_order_flow(local_runtime):
    s = visitor_session(local_runtime)
    with Socket(local_runtime, s["token"]) as v:
        seen = 0

        def next_bot_reply():
            nonlocal seen
            while True:
                bots = [e for e in v.events if _bot_text(e)]
                if len(bots) > seen:
                    seen += 1
                    return bots[seen - 1]["message"]["text"]
                v.wait_for(lambda e: _bot_text(e) and
                           len([x for x in v.events if _bot_text(x)]) > seen, timeout=20)

        v.say("查订单")
        assert "订单号" in next_bot_reply()
        v.say("AB123456")
        assert "手机" in next_bot_reply()
        v.say("13912345678")
        answer = next_bot_reply()
        assert "AB123456" in answer and "已发货" in answer, answer  # the code "shipped" as text
