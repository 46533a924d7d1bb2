"""Who may do what: visitor isolation, agent-only routes, bad tokens, bad input."""
import json
import time

import jwt
import pytest

from chalicelib.services import agents
from tests.helpers.api import Api

SECRET = "test-secret-key-that-is-long-enough-for-hs256-0123456789"


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def two_visitors(api):
    a = api.visitor_session(name="Alice")
    b = api.visitor_session(name="Bob")
    api.post(f"/v1/visitor/conversations/{b['conversation_id']}/messages",
             {"client_message_id": "b1", "text": "Bob's secret"}, token=b["token"])
    return a, b


@pytest.fixture
def agent_token(api, deps):
    agents.create_agent(deps, {"email": "ag@example.com", "name": "Ag", "password": "password1"})
    return api.agent_login("ag@example.com", "password1")["token"]


def test_visitor_cannot_read_or_post_to_another_visitors_conversation(api, two_visitors):
    a, b = two_visitors
    cid_b = b["conversation_id"]
    for method, path, body in [
        ("GET", f"/v1/visitor/conversations/{cid_b}/messages", None),
        ("GET", f"/v1/visitor/conversations/{cid_b}/poll?wait=0", None),
        ("POST", f"/v1/visitor/conversations/{cid_b}/messages",
         {"client_message_id": "evil", "text": "hi"}),
        ("POST", f"/v1/visitor/conversations/{cid_b}/read", {"seq": 1}),
        ("POST", f"/v1/visitor/conversations/{cid_b}/typing", {"state": True}),
        ("POST", f"/v1/visitor/conversations/{cid_b}/attachments",
         {"name": "a.png", "content_type": "image/png", "size": 10}),
    ]:
        status, data = api.request(method, path, body, token=a["token"])
        assert status == 403, (path, data)
        assert data["error"]["code"] == "forbidden"
    # nothing was written into Bob's conversation
    _, page = api.get(f"/v1/visitor/conversations/{cid_b}/messages", token=b["token"])
    assert [m["text"] for m in page["messages"]] == ["Bob's secret"]


def test_visitor_cannot_reach_another_conversation_over_websocket(api, two_visitors, posted):
    a, b = two_visitors
    conn, result = api.ws_connect(a["token"])
    assert result["statusCode"] == 200
    api.ws_send(conn, {"action": "send", "conversation_id": b["conversation_id"],
                       "data": {"client_message_id": "x", "text": "intrude"}})
    api.ws_send(conn, {"action": "sync", "conversation_id": b["conversation_id"],
                       "data": {"after": 0}})
    errors = posted.events(conn, "error")
    assert [e["code"] for e in errors] == ["forbidden", "forbidden"]
    assert posted.events(conn, "sync") == []


def test_visitor_tokens_are_refused_on_agent_routes(api, two_visitors):
    a, _ = two_visitors
    for method, path in [("GET", "/v1/agent/conversations?status=open"),
                         ("GET", "/v1/agent/me"),
                         ("GET", f"/v1/agent/conversations/{a['conversation_id']}/messages"),
                         ("POST", f"/v1/agent/conversations/{a['conversation_id']}/join")]:
        status, data = api.request(method, path, {} if method == "POST" else None,
                                   token=a["token"])
        assert status == 401 and data["error"]["code"] == "wrong_token_type", path
    # and on the socket: a visitor token cannot open an agent connection
    _, result = api.ws_connect(a["token"], role="agent")
    assert result["statusCode"] == 401


def test_agent_tokens_are_refused_on_visitor_routes(api, two_visitors, agent_token):
    a, _ = two_visitors
    status, data = api.get(f"/v1/visitor/conversations/{a['conversation_id']}/messages",
                           token=agent_token)
    assert status == 401 and data["error"]["code"] == "wrong_token_type"


def test_missing_expired_and_forged_tokens_are_refused(api, two_visitors):
    a, _ = two_visitors
    cid = a["conversation_id"]
    claims = jwt.decode(a["token"], SECRET, algorithms=["HS256"])
    expired = jwt.encode({**claims, "exp": int(time.time()) - 10}, SECRET, algorithm="HS256")
    forged = jwt.encode({**claims, "sub": "v_someoneelse"}, "wrong-secret-of-sufficient-length!!",
                        algorithm="HS256")
    header, payload, _ = a["token"].split(".")
    unsigned = f"{header}.{payload}."  # the signature stripped off
    cases = [(None, "missing_token"), (expired, "token_expired"), (forged, "invalid_token"),
             (unsigned, "invalid_token"), ("garbage", "invalid_token")]
    for token, code in cases:
        status, data = api.get(f"/v1/visitor/conversations/{cid}/messages", token=token)
        assert status == 401 and data["error"]["code"] == code, (token, data)
    for token in (expired, forged, "garbage"):
        _, result = api.ws_connect(token)
        assert result["statusCode"] == 401
    _, result = api.ws_connect("")
    assert result["statusCode"] == 401


def test_agent_login_rejects_wrong_password_and_unknown_email(api, agent_token):
    status, data = api.post("/v1/agent/login", {"email": "ag@example.com", "password": "nope"})
    assert status == 401 and data["error"]["code"] == "invalid_credentials"
    status, data = api.post("/v1/agent/login", {"email": "who@example.com", "password": "x"})
    assert status == 401 and data["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("body,code", [
    ({"client_message_id": "e1", "text": ""}, "empty_message"),
    ({"client_message_id": "e2", "text": "   "}, "empty_message"),
    ({"client_message_id": "e3"}, "empty_message"),
    ({"client_message_id": "e4", "text": "x" * 5001}, "too_long"),
    ({"text": "no id"}, "missing_field"),
    ({"client_message_id": 5, "text": "x"}, "invalid_type"),
    ({"client_message_id": "e5", "text": ["x"]}, "invalid_type"),
    ({"client_message_id": "e6", "text": "x", "admin": True}, "unknown_field"),
    ({"client_message_id": "bad id with spaces", "text": "x"}, "invalid_format"),
    ({"client_message_id": "e7", "text": "x", "note": True}, "note_not_allowed"),
    ({"client_message_id": "e8", "attachment": {"key": "attachments/other/12345678/x.png",
                                                 "name": "x.png", "content_type": "image/png",
                                                 "size": 10}}, "invalid_attachment"),
    ({"client_message_id": "e9", "attachment": {"key": "k", "name": "x.exe",
                                                 "content_type": "application/x-msdownload",
                                                 "size": 10}}, "unsupported_type"),
])
def test_bad_messages_get_clear_errors_and_write_nothing(api, two_visitors, body, code):
    a, _ = two_visitors
    cid = a["conversation_id"]
    status, data = api.post(f"/v1/visitor/conversations/{cid}/messages", body, token=a["token"])
    assert status == 400 and data["error"]["code"] == code, data
    assert data["error"]["message"]
    _, page = api.get(f"/v1/visitor/conversations/{cid}/messages", token=a["token"])
    assert page["messages"] == []


def test_malformed_json_and_non_object_bodies(api, two_visitors):
    a, _ = two_visitors
    cid = a["conversation_id"]
    status, data = api.post(f"/v1/visitor/conversations/{cid}/messages", raw="{not json",
                            token=a["token"])
    assert status == 400 and data["error"]["code"] == "invalid_json"
    status, data = api.post(f"/v1/visitor/conversations/{cid}/messages", raw="[1,2]",
                            token=a["token"])
    assert status == 400 and data["error"]["code"] == "invalid_body"
    status, data = api.get(f"/v1/visitor/conversations/{cid}/messages?limit=abc",
                           token=a["token"])
    assert status == 400 and data["error"]["code"] == "invalid_type"
    status, data = api.post("/v1/visitor/sessions", {"site_key": "nope"})
    assert status == 404 and data["error"]["code"] == "unknown_site"
    status, data = api.post("/v1/visitor/sessions", {"site_key": "demo", "email": "not-an-email"})
    assert status == 400 and data["error"]["code"] == "invalid_format"


def test_bad_websocket_frames_get_error_events_and_connection_stays_usable(api, two_visitors,
                                                                           posted):
    a, _ = two_visitors
    conn, _ = api.ws_connect(a["token"])
    frames = ["{not json", json.dumps([1, 2]), json.dumps({"action": "dance"}),
              json.dumps({"action": "send", "data": {"text": "no id"}}),
              json.dumps({"action": "send", "data": {"client_message_id": "z", "text": "x"},
                          "extra": 1}),
              json.dumps({"action": "send", "data": {"client_message_id": "big",
                                                     "text": "y" * 5001}}),
              "x" * (33 * 1024), ""]
    for f in frames:
        api.ws_send(conn, f)
    codes = [e["code"] for e in posted.events(conn, "error")]
    assert codes == ["invalid_json", "invalid_body", "unknown_action", "missing_field",
                     "unknown_field", "too_long", "frame_too_large", "invalid_frame"]
    # still usable
    api.ws_send(conn, {"action": "send", "id": "ok",
                       "data": {"client_message_id": "fine", "text": "still here"}})
    acks = posted.events(conn, "ack")
    assert acks and acks[-1]["message"]["text"] == "still here" and acks[-1]["id"] == "ok"
    api.ws_send(conn, {"action": "ping"})
    assert posted.events(conn, "pong")


def test_unknown_connection_gets_an_error_not_a_crash(api, posted):
    api.ws_send("never-connected", {"action": "ping"})
    assert [e["code"] for e in posted.events("never-connected", "error")] == ["unknown_connection"]


def test_a_disabled_or_demoted_agent_is_cut_off_at_once(api, deps, agent_token, posted):
    from chalicelib.services import presence
    me = deps.agents.by_email("ag@example.com")
    conn, result = api.ws_connect(agent_token, role="agent")
    assert result["statusCode"] == 200
    deps.agents.update(me["agent_id"], {"disabled": True})
    presence.on_agent_changed(deps, me["agent_id"])
    status, data = api.get("/v1/agent/me", token=agent_token)
    assert status == 401 and data["error"]["code"] == "account_disabled"
    assert deps.connections.get(conn) is None  # the live socket was closed too
    _, result = api.ws_connect(agent_token, role="agent")
    assert result["statusCode"] == 401
