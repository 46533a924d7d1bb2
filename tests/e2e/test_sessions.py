"""Agent sessions end to end on the local runtime (real HTTP, real WebSockets): signing out
closes that session's socket only; revoking every session closes them all, and the old
token can neither call the API nor open a socket again."""
from __future__ import annotations

import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.clients import Socket, agent_login, http

pytestmark = pytest.mark.timeout(60)


def new_agent(rt):
    admin = agent_login(rt)["token"]
    email = f"sess-{uuid.uuid4().hex[:8]}@agents.example"
    status, data = http("POST", f"{rt.api_url}/admin/agents",
                        {"email": email, "name": "Sess", "password": "session-pass-1"}, admin)
    assert status == 201, data
    return email, admin, data["agent"]["agent_id"]


def sign_in(rt, email):
    status, data = http("POST", f"{rt.api_url}/agent/login",
                        {"email": email, "password": "session-pass-1"})
    assert status == 200, data
    return data["token"]


def closed(sock, timeout=10.0):
    try:
        sock.ws.recv(timeout=timeout)
    except ConnectionClosed:
        return True
    except TimeoutError:
        return False
    return closed(sock, timeout)    # a push that was already on its way: read on


def test_sign_out_closes_that_sessions_socket_and_revoke_closes_all(local_runtime):
    rt = local_runtime
    email, admin, agent_id = new_agent(rt)
    one, two = sign_in(rt, email), sign_in(rt, email)
    s1, s2 = Socket(rt, one, role="agent"), Socket(rt, two, role="agent")
    try:
        s1.send({"action": "ping", "id": "p"})
        s1.wait_for(lambda e: e.get("type") == "pong")
        assert http("POST", f"{rt.api_url}/agent/logout", {}, one)[0] == 200
        assert closed(s1)
        status, data = http("GET", f"{rt.api_url}/agent/me", None, one)
        assert status == 401 and data["error"]["code"] == "session_revoked"
        s2.send({"action": "ping", "id": "p2"})
        s2.wait_for(lambda e: e.get("type") == "pong")       # the other session lives on
        status, _ = http("POST", f"{rt.api_url}/admin/agents/{agent_id}/revoke-sessions", {},
                         admin)
        assert status == 200
        assert closed(s2)
        assert http("GET", f"{rt.api_url}/agent/me", None, two)[0] == 401
        with pytest.raises(InvalidStatus):
            Socket(rt, two, role="agent")
        fresh = sign_in(rt, email)
        with Socket(rt, fresh, role="agent") as s3:
            s3.send({"action": "ping", "id": "p3"})
            s3.wait_for(lambda e: e.get("type") == "pong")
    finally:
        for s in (s1, s2):
            try:
                s.close()
            except Exception:
                pass
        http("PATCH", f"{rt.api_url}/admin/agents/{agent_id}", {"disabled": True}, admin)
