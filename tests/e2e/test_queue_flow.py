"""Queueing and assignment end to end on the local runtime: real sockets, the real SQS event
source mapping, no mocks."""
from __future__ import annotations

import uuid

import pytest

from tests.e2e.clients import Socket, agent_login, http, visitor_session

pytestmark = pytest.mark.timeout(90)


def _is(type_, **match):
    return lambda e: e.get("type") == type_ and all(e.get(k) == v for k, v in match.items())


def _event(kind):
    return lambda e: (e.get("type") == "message" and
                      (e["message"].get("event") or {}).get("kind") == kind)


def test_visitor_queues_agent_comes_online_is_assigned_replies_closes_and_is_rated(local_runtime):
    rt = local_runtime
    admin = agent_login(rt)["token"]
    tag = uuid.uuid4().hex[:8]
    status, _ = http("POST", f"{rt.api_url}/admin/sites",
                     {"site_key": f"q-{tag}", "name": "Queue test",
                      "settings": {"bot_enabled": False}},
                     token=admin)
    assert status in (200, 201), _
    email = f"q-{tag}@example.com"
    # the runtime is shared by the whole session: chats other tests left waiting in the
    # general queue are older than ours and go first, so give this agent room for them
    status, created = http("POST", f"{rt.api_url}/admin/agents",
                           {"email": email, "name": f"Quinn {tag}", "password": "password1",
                            "capacity": 50}, token=admin)
    assert status in (200, 201), created
    status, login = http("POST", f"{rt.api_url}/agent/login",
                         {"email": email, "password": "password1"})
    agent_token, agent_id = login["token"], login["agent"]["agent_id"]

    s = visitor_session(rt, site_key=f"q-{tag}")
    cid = s["conversation_id"]
    with Socket(rt, s["token"]) as visitor, Socket(rt, agent_token, role="agent") as agent:
        visitor.say("I need a person")
        visitor.wait_for(_event("queued"), timeout=15)
        queued = visitor.wait_for(lambda e: e.get("type") == "queue", timeout=15)
        assert queued["position"] >= 1 and queued["estimated_wait"] >= 0
        # our agent is not online yet: nothing is assigned to them
        status, me = http("GET", f"{rt.api_url}/agent/me", token=agent_token)
        assert me["active_count"] == 0
        status, _ = http("PUT", f"{rt.api_url}/agent/status", {"status": "online"},
                         token=agent_token)
        assert status == 200
        assigned = visitor.wait_for(_event("assigned"), timeout=20)
        assert assigned["message"]["event"]["agent_id"] == agent_id
        agent.wait_for(lambda e: e.get("type") == "conversation" and
                       e["conversation"]["conversation_id"] == cid and
                       e["conversation"]["status"] == "assigned", timeout=10)
        status, me = http("GET", f"{rt.api_url}/agent/me", token=agent_token)
        load = me["active_count"]
        assert 1 <= load <= 50

        agent.say("Hello, Quinn here", conversation_id=cid)
        assert visitor.wait_message("Hello, Quinn here")["sender"]["id"] == agent_id
        visitor.say("Thanks!")
        agent.wait_message("Thanks!")

        status, closed = http("POST", f"{rt.api_url}/agent/conversations/{cid}/close", {},
                              token=agent_token)
        assert status == 200 and closed["conversation"]["status"] == "closed"
        visitor.wait_for(_event("closed"))
        status, _ = http("POST", f"{rt.api_url}/visitor/conversations/{cid}/rating",
                         {"score": 5, "comment": "great"}, token=s["token"])
        assert status == 200
        agent.wait_for(_event("rated"))
        status, view = http("GET", f"{rt.api_url}/agent/conversations/{cid}",
                            token=agent_token)
        assert view["conversation"]["attrs"]["rating"]["score"] == 5
        status, me = http("GET", f"{rt.api_url}/agent/me", token=agent_token)
        assert me["active_count"] == load - 1  # closing gave the slot back
        http("PUT", f"{rt.api_url}/agent/status", {"status": "offline"}, token=agent_token)
