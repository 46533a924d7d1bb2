"""Live supervision end to end (local runtime, real sockets): a supervisor's whisper reaches
the agent's socket and never the visitor's socket, long-poll or history (docs/qa.md)."""
from __future__ import annotations

import threading
import uuid

import pytest

from tests.e2e.clients import Socket, agent_login, http, visitor_session

pytestmark = pytest.mark.timeout(150)

WHISPER = "whisper: offer the refund"


def _is(type_, **match):
    return lambda e: e.get("type") == type_ and all(e.get(k) == v for k, v in match.items())


def _agent(rt, admin_token):
    email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
    status, data = http("POST", f"{rt.api_url}/admin/agents",
                        {"email": email, "name": "Ann", "password": "password1"},
                        token=admin_token)
    assert status in (200, 201), data
    status, data = http("POST", f"{rt.api_url}/agent/login",
                        {"email": email, "password": "password1"})
    assert status == 200, data
    return data["token"]


def test_a_whisper_reaches_the_agent_and_never_the_visitor(local_runtime):
    rt = local_runtime
    admin = agent_login(rt)["token"]                 # an admin: may supervise
    ann = _agent(rt, admin)
    s = visitor_session(rt, name="Vera")
    cid, vtok = s["conversation_id"], s["token"]
    base = f"{rt.api_url}/visitor/conversations/{cid}"
    with Socket(rt, vtok) as visitor, Socket(rt, ann, role="agent") as agent:
        visitor.say("Hello, anyone there?", request_id="r1")
        visitor.wait_for(_is("ack", id="r1"))
        agent.send({"action": "join", "id": "j1", "conversation_id": cid})
        agent.wait_for(_is("conversation", id="j1"))
        agent.send({"action": "sync", "id": "s1", "conversation_id": cid, "data": {"after": 0}})
        after = agent.wait_for(_is("sync", id="s1"))["last_seq"]

        # a visitor long-poll is waiting while the whisper is written; it polls on (from its
        # cursor) until the agent's reply, since the demo bot's late answer to the first
        # message may end one wait first
        result = {"pages": []}

        def poll_until_reply():
            cursor = after
            for _ in range(5):
                status, page = http("GET", f"{base}/poll?after={cursor}&wait=15", token=vtok)
                assert status == 200, page
                result["pages"].append(page)
                cursor = page["cursor"]
                if "Let me check that for you" in [m.get("text") for m in page["messages"]]:
                    return

        poller = threading.Thread(target=poll_until_reply)
        poller.start()
        status, body = http("POST", f"{rt.api_url}/agent/conversations/{cid}/whisper",
                            {"client_message_id": "w-1", "text": WHISPER}, token=admin)
        assert status == 201, body
        whisper = agent.wait_message(WHISPER, timeout=20)
        assert whisper["type"] == "whisper"
        # the whisper does not end the visitor's wait; the agent's public reply does
        agent.say("Let me check that for you", conversation_id=cid)
        poller.join(60)
        texts = [m.get("text") for p in result["pages"] for m in p["messages"]]
        assert "Let me check that for you" in texts and WHISPER not in texts
        assert all(m["type"] != "whisper" for p in result["pages"] for m in p["messages"])
        assert result["pages"][-1]["cursor"] > whisper["seq"]
        visitor.wait_message("Let me check that for you", timeout=20)
        # the visitor's socket, catch-up sync and history never carry it
        visitor.send({"action": "sync", "id": "vs", "data": {"after": 0}})
        sync = visitor.wait_for(_is("sync", id="vs"))
        assert WHISPER not in [m.get("text") for m in sync["messages"]]
        assert all(m["type"] != "whisper" for m in visitor.messages())
        assert WHISPER not in str(visitor.events)
        status, hist = http("GET", f"{base}/messages?limit=200", token=vtok)
        assert status == 200 and WHISPER not in str(hist)
        # the agent's history has it, and a plain agent may not whisper
        status, hist = http("GET", f"{rt.api_url}/agent/conversations/{cid}/messages?limit=200",
                            token=ann)
        assert WHISPER in [m.get("text") for m in hist["messages"]]
        status, err = http("POST", f"{rt.api_url}/agent/conversations/{cid}/whisper",
                           {"client_message_id": "w-2", "text": "nope"}, token=ann)
        assert status == 403 and err["error"]["code"] == "not_supervisor"
