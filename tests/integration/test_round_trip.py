"""The conversation round trip over the Chalice app on moto: REST + WebSocket events."""
import pytest

from chalicelib.services import agents
from tests.helpers.api import Api


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def agent(deps):
    return agents.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                      "password": "correct horse", "role": "agent"})


def test_visitor_and_agent_exchange_messages_over_websockets(api, agent, posted):
    session = api.visitor_session(name="Vera", page_url="https://shop.example/pricing")
    assert session["visitor_id"].startswith("v_") and session["conversation_id"].startswith("c_")
    cid = session["conversation_id"]
    vconn, result = api.ws_connect(session["token"])
    assert result["statusCode"] == 200

    api.ws_send(vconn, {"action": "send", "id": "r1",
                        "data": {"client_message_id": "m-1", "text": "Hello, anyone there?"}})
    ack = posted.events(vconn, "ack")
    assert ack[-1]["message"]["seq"] == 1 and ack[-1]["id"] == "r1"

    login = api.agent_login("ann@example.com", "correct horse")
    aconn, result = api.ws_connect(login["token"], role="agent")
    assert result["statusCode"] == 200
    api.ws_send(aconn, {"action": "join", "conversation_id": cid})
    api.ws_send(aconn, {"action": "sync", "conversation_id": cid, "data": {"after": 0}})
    sync = posted.events(aconn, "sync")[-1]
    assert [m["seq"] for m in sync["messages"]] == [1, 2]
    assert sync["messages"][0]["text"] == "Hello, anyone there?"
    assert sync["messages"][1]["event"]["kind"] == "joined"

    api.ws_send(aconn, {"action": "send", "conversation_id": cid,
                        "data": {"client_message_id": "a-1", "text": "Hi Vera, Ann here."}})
    api.ws_send(vconn, {"action": "send",
                        "data": {"client_message_id": "m-2", "text": "Great, thanks"}})

    visitor_msgs = [e["message"] for e in posted.events(vconn, "message")]
    agent_msgs = [e["message"] for e in posted.events(aconn, "message")]
    # the visitor sees every message in order (the join event, the reply, its own message)
    assert [m["seq"] for m in visitor_msgs] == [1, 2, 3, 4]
    assert visitor_msgs[2]["text"] == "Hi Vera, Ann here."
    assert visitor_msgs[2]["sender"] == {"type": "agent", "id": agent["agent_id"], "name": "Ann"}
    # the agent (joined at seq 2) sees everything from then on, in order
    assert [m["seq"] for m in agent_msgs] == [2, 3, 4]
    assert agent_msgs[-1]["text"] == "Great, thanks"

    # REST history agrees, for both sides
    status, page = api.get(f"/v1/visitor/conversations/{cid}/messages?after=0",
                           token=session["token"])
    assert status == 200 and [m["seq"] for m in page["messages"]] == [1, 2, 3, 4]
    status, page = api.get(f"/v1/agent/conversations/{cid}/messages", token=login["token"])
    assert status == 200 and [m["seq"] for m in page["messages"]] == [1, 2, 3, 4]


def test_rest_send_and_retry_is_idempotent(api, agent, posted):
    s = api.visitor_session()
    cid = s["conversation_id"]
    body = {"client_message_id": "abc-1", "text": "first"}
    status, first = api.post(f"/v1/visitor/conversations/{cid}/messages", body, token=s["token"])
    assert status == 201 and first["duplicate"] is False
    status, again = api.post(f"/v1/visitor/conversations/{cid}/messages", body, token=s["token"])
    assert status == 200 and again["duplicate"] is True
    assert again["message"]["seq"] == first["message"]["seq"] == 1
    _, page = api.get(f"/v1/visitor/conversations/{cid}/messages?after=0", token=s["token"])
    assert len(page["messages"]) == 1


def test_returning_visitor_resumes_and_sees_history(api):
    s = api.visitor_session(name="Rita")
    cid = s["conversation_id"]
    api.post(f"/v1/visitor/conversations/{cid}/messages",
             {"client_message_id": "x1", "text": "remember me"}, token=s["token"])
    status, data = api.request("POST", "/v1/visitor/sessions", {"site_key": "demo"},
                               token=s["token"])
    assert status == 200
    assert data["returning"] is True
    assert data["visitor_id"] == s["visitor_id"] and data["conversation_id"] == cid
    _, page = api.get(f"/v1/visitor/conversations/{cid}/messages", token=data["token"])
    assert [m["text"] for m in page["messages"]] == ["remember me"]
