"""What agents write about a visitor never reaches the visitor (issue 18): notes and tags on
the visitor, tags on the conversation, private notes; over REST answers, socket pushes,
socket replies and long-poll replies. And client message ids are the sender's own."""
import json

import pytest

from chalicelib.services import agents, realtime
from tests.helpers.api import Api
from tests.helpers.aws import drain_queues

SECRET = "AGENTONLY"          # every agent-only value below contains it
AGENT_ONLY_KEYS = {"notes", "tags", "attrs", "participants", "team", "visitor_email",
                   "visitor_name", "external_key", "bot_state", "queue_key"}


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def agent(api, deps):
    agents.create_agent(deps, {"email": "sup@example.com", "name": "Sup", "password":
                               "password1", "role": "supervisor"})
    return api.agent_login("sup@example.com", "password1")


def _keys(value, out=None):
    out = set() if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            _keys(v, out)
    elif isinstance(value, list):
        for v in value:
            _keys(v, out)
    return out


def assert_visitor_safe(where, payload):
    text = json.dumps(payload, ensure_ascii=False)
    assert SECRET not in text, (where, payload)
    assert not (_keys(payload) & AGENT_ONLY_KEYS), (where, _keys(payload) & AGENT_ONLY_KEYS)
    for msg in _messages(payload):
        assert msg.get("type") != "note", (where, msg)


def _messages(value):
    if isinstance(value, dict):
        if "seq" in value and "type" in value and "sender" in value:
            yield value
        for v in value.values():
            yield from _messages(v)
    elif isinstance(value, list):
        for v in value:
            yield from _messages(v)


def visitor_routes():
    import app as app_module
    return {(path, m) for path, methods in app_module.app.routes.items()
            if path.startswith("/v1/visitor/") for m in methods if m != "OPTIONS"}


def test_no_agent_only_field_reaches_the_visitor(api, deps, agent, posted):
    """Every visitor route is called (the list comes from the app's route table, so a new
    visitor route fails this test until it is covered here) after agents have written
    notes and tags, and every answer, push and long-poll reply is checked."""
    tok = {"Authorization": f"Bearer {agent['token']}"}
    s = api.visitor_session(name="Vic", attributes={"plan": "basic"})
    cid, vtok = s["conversation_id"], s["token"]
    realtime.connect(deps, "vis-1", {"token": vtok})
    realtime.connect(deps, "agt-1", {"token": agent["token"], "role": "agent"})
    base = f"/v1/visitor/conversations/{cid}"
    answers = {}

    def visitor_call(method, path, body=None):
        status, data = api.request(method, path, body, token=vtok)
        assert status < 500, (path, data)
        route = next(r for r in visitor_routes()
                     if r[1] == method and _matches(r[0], path.split("?")[0]))
        answers.setdefault(route, []).append(data)
        return status, data

    visitor_call("POST", f"{base}/messages", {"client_message_id": "v1", "text": "hello"})
    # the agents' side: join, notes and tags on the visitor and the conversation, a note
    assert api.post(f"/v1/agent/conversations/{cid}/join", token=agent["token"])[0] == 200
    assert api.request("PATCH", f"/v1/agent/visitors/{s['visitor_id']}",
                       {"notes": f"{SECRET} owes money", "tags": [f"{SECRET}-vip"]},
                       headers=tok)[0] == 200
    assert api.post(f"/v1/agent/conversations/{cid}/tags", {"add": [f"{SECRET}-ctag"]},
                    token=agent["token"])[0] == 200
    assert api.post(f"/v1/agent/conversations/{cid}/messages",
                    {"client_message_id": "n1", "text": f"{SECRET} private note",
                     "note": True}, token=agent["token"])[0] == 201
    assert api.post(f"/v1/agent/conversations/{cid}/messages",
                    {"client_message_id": "a1", "text": "How can I help?"},
                    token=agent["token"])[0] == 201

    # every visitor route
    visitor_call("POST", "/v1/visitor/sessions", {"site_key": "demo"})
    api.client.http.request("POST", "/v1/visitor/sessions", headers={
        "Authorization": f"Bearer {vtok}", "Content-Type": "application/json"},
        body=json.dumps({"site_key": "demo"}))
    status, again = api.request("POST", "/v1/visitor/sessions", {"site_key": "demo"},
                                token=vtok)
    answers[("/v1/visitor/sessions", "POST")].append(again)
    assert again["visitor_id"] == s["visitor_id"]           # the resumed visitor
    visitor_call("GET", "/v1/visitor/conversations")
    visitor_call("GET", "/v1/visitor/sites/demo")
    visitor_call("GET", f"{base}/messages")
    visitor_call("GET", f"{base}/messages?after=0")
    visitor_call("GET", f"{base}/poll?after=0&wait=0")
    visitor_call("POST", f"{base}/read", {"seq": 1})
    visitor_call("POST", f"{base}/typing", {"state": True})
    visitor_call("POST", f"{base}/attachments", {"name": "a.png", "content_type": "image/png",
                                                 "size": 10})
    # the "was this helpful?" route: the agent's note at seq 2 is no bot answer (404, and
    # nothing of the note in the answer)
    status, _ = visitor_call("POST", f"{base}/bot-feedback", {"seq": 2, "helpful": True})
    assert status == 404
    # the form-answer route on the same note: no form there (404, nothing of the note)
    status, _ = visitor_call("POST", f"{base}/forms/2", {"answers": {"who": "Vic"}})
    assert status == 404
    visitor_call("POST", f"{base}/handoff", {})
    visitor_call("POST", f"{base}/offline-message", {"email": "v@example.com",
                                                     "text": "call me"})
    # the left message became a ticket: an internal note and tags on it stay with agents
    drain_queues(deps)
    _, mine = visitor_call("GET", "/v1/visitor/tickets")
    tid = mine["tickets"][0]["ticket_id"]
    tpath = f"/v1/agent/tickets/{tid}"
    assert api.request("PATCH", tpath, {"tags": [f"{SECRET}-ttag"]}, headers=tok)[0] == 200
    assert api.post(f"{tpath}/comments", {"body": f"{SECRET} ticket note"},
                    token=agent["token"])[0] == 201
    assert api.post(f"{tpath}/comments", {"body": "We will call you", "public": True},
                    token=agent["token"])[0] == 201
    _, thread = visitor_call("GET", f"/v1/visitor/tickets/{tid}")
    assert [c["body"] for c in thread["comments"]] == ["We will call you"]
    realtime.handle_frame(deps, "vis-1", json.dumps({"action": "sync", "id": "s",
                                                     "data": {"after": 0}}))
    realtime.handle_frame(deps, "vis-1", json.dumps({"action": "send", "id": "d",
                                                     "data": {"client_message_id": "v1",
                                                              "text": "hello"}}))
    visitor_call("POST", f"{base}/close")
    visitor_call("POST", f"{base}/rating", {"score": 5})

    assert set(answers) == visitor_routes(), "call every visitor route in this test"
    for route, datas in answers.items():
        for data in datas:
            assert_visitor_safe(route, data)
    pushed = posted.events("vis-1")
    assert {"message", "sync", "ack"} <= {e["type"] for e in pushed}
    for event in pushed:
        assert_visitor_safe("socket", event)
    # the agent did get what is theirs (the checks above are not vacuous)
    agent_text = json.dumps(posted.events("agt-1"), ensure_ascii=False)
    assert f"{SECRET} private note" in agent_text
    _, view = api.request("GET", f"/v1/agent/conversations/{cid}", headers=tok)
    assert view["visitor"]["notes"] == f"{SECRET} owes money"


def _matches(pattern, path):
    a, b = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b))


def test_long_poll_waits_through_a_private_note(api, deps, agent):
    """A note is invisible to the visitor: the visitor's long-poll keeps waiting (and the
    cursor it returns never skips a visible message)."""
    from chalicelib.domain.actors import Actor
    from chalicelib.services import conversations as convs
    s = api.visitor_session()
    cid = s["conversation_id"]
    api.post(f"/v1/visitor/conversations/{cid}/messages", {"client_message_id": "v1",
                                                           "text": "hi"}, token=s["token"])
    api.post(f"/v1/agent/conversations/{cid}/join", token=agent["token"])
    api.post(f"/v1/agent/conversations/{cid}/messages",
             {"client_message_id": "n1", "text": f"{SECRET}", "note": True},
             token=agent["token"])
    last = deps.conversations.get(cid, consistent=True)["last_seq"]
    visitor = Actor(kind="visitor", id=s["visitor_id"], site_key="demo")
    ticks = []

    class Clock:                      # simulated time: each sleep advances it
        now = 0.0

        def __call__(self):
            return self.now

        def sleep(self, seconds):
            ticks.append(seconds)
            self.now += seconds

    clock = Clock()
    out = convs.poll(deps, visitor, cid, after=last - 1, rev=None, wait=3, sleep=clock.sleep,
                     clock=clock)
    assert out["messages"] == [] and out["timed_out"] is True
    assert out["cursor"] == last                      # past the invisible note
    assert sum(ticks) == pytest.approx(3)


def test_a_visitor_reusing_an_agents_client_id_gets_their_own_message(api, deps, agent,
                                                                       posted):
    s = api.visitor_session()
    cid = s["conversation_id"]
    api.post(f"/v1/visitor/conversations/{cid}/messages", {"client_message_id": "v0",
                                                           "text": "hi"}, token=s["token"])
    api.post(f"/v1/agent/conversations/{cid}/join", token=agent["token"])
    status, note = api.post(f"/v1/agent/conversations/{cid}/messages",
                            {"client_message_id": "X", "text": f"{SECRET}", "note": True},
                            token=agent["token"])
    assert status == 201
    status, mine = api.post(f"/v1/visitor/conversations/{cid}/messages",
                            {"client_message_id": "X", "text": "my own words"},
                            token=s["token"])
    assert status == 201, mine
    assert mine["duplicate"] is False and mine["message"]["text"] == "my own words"
    assert mine["message"]["type"] == "text" and mine["message"]["seq"] > note["message"]["seq"]
    # the same over the socket, and the reverse: the agent's reply is not dropped either
    realtime.connect(deps, "vis-x", {"token": s["token"]})
    realtime.handle_frame(deps, "vis-x", json.dumps({"action": "send", "id": "r", "data": {
        "client_message_id": "Y", "text": "socket words"}}))
    ack = posted.events("vis-x", "ack")[-1]
    assert ack["duplicate"] is False and ack["message"]["text"] == "socket words"
    status, reply = api.post(f"/v1/agent/conversations/{cid}/messages",
                             {"client_message_id": "Y", "text": "agent words"},
                             token=agent["token"])
    assert status == 201 and reply["message"]["text"] == "agent words"
    # a true retry by the same sender is still a duplicate
    status, again = api.post(f"/v1/visitor/conversations/{cid}/messages",
                             {"client_message_id": "X", "text": "my own words"},
                             token=s["token"])
    assert status == 200 and again["duplicate"] is True
    assert again["message"]["seq"] == mine["message"]["seq"]
    texts = [m["text"] for m in deps.messages.after(cid, 0) if m.get("text")]
    assert texts.count("my own words") == 1 and "agent words" in texts


def test_visitor_catch_up_moves_past_private_notes_and_is_never_stuck(api, deps, agent,
                                                                       posted):
    s = api.visitor_session()
    cid = s["conversation_id"]
    api.post(f"/v1/visitor/conversations/{cid}/messages", {"client_message_id": "v1",
                                                           "text": "hi"}, token=s["token"])
    api.post(f"/v1/agent/conversations/{cid}/join", token=agent["token"])
    for i in range(3):
        api.post(f"/v1/agent/conversations/{cid}/messages",
                 {"client_message_id": f"n{i}", "text": f"{SECRET} {i}", "note": True},
                 token=agent["token"])
    api.post(f"/v1/agent/conversations/{cid}/messages", {"client_message_id": "a1",
                                                         "text": "reply"},
             token=agent["token"])
    last = deps.conversations.get(cid, consistent=True)["last_seq"]
    # REST history, one message a page: the note pages are empty but the cursor moves on
    after, seen, pages = 0, [], 0
    while True:
        _, page = api.get(f"/v1/visitor/conversations/{cid}/messages?after={after}&limit=1",
                          token=s["token"])
        pages += 1
        if page["cursor"] is None:          # nothing after `after`
            break
        assert page["cursor"] > after and pages <= last
        seen += [m.get("text") or "" for m in page["messages"]]
        after = page["cursor"]
        if not page["has_more"]:
            break
    assert after == last and seen[-1] == "reply" and all(SECRET not in t for t in seen)
    # socket sync from just before the notes: empty pages with the cursor past each note
    realtime.connect(deps, "vis-s", {"token": s["token"]})
    first_note = last - 3
    realtime.handle_frame(deps, "vis-s", json.dumps({"action": "sync", "id": "s", "data": {
        "after": first_note - 1, "limit": 1}}))
    reply = posted.events("vis-s", "sync")[-1]
    assert reply["messages"] == [] and reply["cursor"] == first_note and reply["has_more"]
