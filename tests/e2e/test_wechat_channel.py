"""WeChat end to end on the local runtime: a message signed and posted as WeChat would post
it reaches the agent console's socket as a WeChat conversation, the agent's reply leaves
through the outbound task and reaches the loopback WeChat stub (message/custom/send)."""
from __future__ import annotations

import json
import time
import urllib.request
import uuid

import pytest

from infra.local import wechat_send
from tests.e2e.clients import Socket, agent_login, http

pytestmark = pytest.mark.timeout(120)


def _stub_sent(rt) -> list[dict]:
    with urllib.request.urlopen(f"{rt.info['wechat_stub_url']}/_stub/sent", timeout=10) as resp:
        return json.loads(resp.read())["sent"]


def _wait_sent(rt, user: str, text: str, rounds: int = 150) -> dict:
    for _ in range(rounds):                   # bounded: the outbound task runs through SQS
        for msg in _stub_sent(rt):
            if msg.get("touser") == user and msg.get("text", {}).get("content") == text:
                return msg
        time.sleep(0.2)
    raise AssertionError(f"the stub never got {text!r}: {_stub_sent(rt)}")


@pytest.mark.parametrize("encrypt", [False, True])
def test_wechat_message_reaches_the_agent_and_the_reply_reaches_the_stub(local_runtime, encrypt):
    rt = local_runtime
    wx = rt.credentials["wechat"]
    user = f"oE2E{uuid.uuid4().hex[:24]}"
    admin = agent_login(rt)["token"]
    with Socket(rt, admin, role="agent") as console:
        xml = wechat_send.build_xml(user, text="你好，我的订单到哪了？")
        query, body = wechat_send.signed_request(xml, token=wx["token"],
                                                 aes_key=wx["encoding_aes_key"],
                                                 app_id=wx["app_id"], encrypt=encrypt)
        status, answer = wechat_send.post(rt.base_url, wx["channel_id"], query, body)
        assert (status, answer) == (200, "success")
        # WeChat retries the same push: answered, stored once
        assert wechat_send.post(rt.base_url, wx["channel_id"], query, body)[0] == 200

        seen = console.wait_for(lambda e: e.get("type") == "conversation"
                                and e["conversation"].get("channel") == "wechat"
                                and (e["conversation"].get("attrs") or {}).get("external_id")
                                == user, timeout=30)
        cid = seen["conversation"]["conversation_id"]
        status, hist = http("GET", f"{rt.api_url}/agent/conversations/{cid}/messages",
                            token=admin)
        assert status == 200, hist
        from_user = [m["text"] for m in hist["messages"] if m["sender"]["type"] == "visitor"]
        assert from_user == ["你好，我的订单到哪了？"]

        status, joined = http("POST", f"{rt.api_url}/agent/conversations/{cid}/join", {},
                              token=admin)
        assert status == 200, joined
        reply = f"您好，正在为您查询 {uuid.uuid4().hex[:6]}"
        status, sent = http("POST", f"{rt.api_url}/agent/conversations/{cid}/messages",
                            {"client_message_id": uuid.uuid4().hex, "text": reply},
                            token=admin)
        assert status == 201, sent
    got = _wait_sent(rt, user, reply)
    assert got == {"touser": user, "msgtype": "text", "text": {"content": reply}}
