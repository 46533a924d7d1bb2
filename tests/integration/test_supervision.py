"""Live supervision on moto (docs/qa.md): a whisper reaches the agents and never the visitor
(socket push, long-poll, history, sync, export, e-mail, the event stream marks it private);
a barge-in moves the chat to the supervisor and tells the visitor; a live view pushes the
chat to the supervisor without a join; every action is audited."""
import json

import boto3
import pytest

from chalicelib.domain import events
from chalicelib.domain.actors import Actor
from chalicelib.errors import AppError
from chalicelib.services import agents as agent_svc, audit, conversations as convs
from chalicelib.services import followup, lifecycle, presence, realtime, signin
from chalicelib.services import supervision
from chalicelib.services.reports.export import transcript_rows
from tests.helpers.aws import drain_queues
from tests.integration.test_queue import conv, load, make_agent, nobot, visitor_chat  # noqa: F401

WHISPER = "WHISPER-only-for-agents"


def make_supervisor(deps, name="Sue", online=True):
    a = agent_svc.create_agent(deps, {"email": f"{name.lower()}@example.com", "name": name,
                                      "password": "password1", "role": "supervisor",
                                      "capacity": 3})
    actor = Actor(kind="agent", id=a["agent_id"], role="supervisor", name=name)
    if online:
        presence.set_status(deps, actor, {"status": "online"})
    return actor


@pytest.fixture
def live(deps, nobot):
    """Ann holds a chat; the visitor, Ann and Sue (a supervisor) each have a socket."""
    ann = make_agent(deps, "Ann")
    s, visitor = visitor_chat(deps, connection="vis-1")
    drain_queues(deps)
    cid = s["conversation_id"]
    assert conv(deps, cid)["agent_id"] == ann.id
    realtime.connect(deps, "ann-1", {"token": _token(deps, ann), "role": "agent"})
    sue = make_supervisor(deps)
    realtime.connect(deps, "sue-1", {"token": _token(deps, sue), "role": "agent"})
    deps.extras["recorder"].clear()
    return {"ann": ann, "sue": sue, "cid": cid, "visitor": visitor, "session": s}


def _token(deps, actor):
    return signin.login(deps, {"email": f"{actor.name.lower()}@example.com",
                               "password": "password1"}, "127.0.0.1")["token"]


class SimClock:
    """deps.clock (seconds), moved by hand: live views expire on it."""
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(deps):
    import time
    deps.clock = SimClock()
    yield deps.clock
    deps.clock = time.time


def _texts(payloads):
    return json.dumps(payloads, ensure_ascii=False)


def _audited(deps, action):
    return audit.list_entries(deps, None, None, None, action)["entries"]


def test_a_whisper_reaches_the_agent_and_never_the_visitor(deps, live, posted):
    cid, sue, visitor = live["cid"], live["sue"], live["visitor"]
    msg, created = supervision.whisper(deps, sue, cid, {"client_message_id": "w1",
                                                        "text": WHISPER})
    assert created and msg["type"] == "whisper" and msg["sender"]["id"] == sue.id
    # the holder's console got it; the visitor's socket got nothing at all
    got = [e["message"] for e in posted.events("ann-1", "message")]
    assert [m["text"] for m in got] == [WHISPER]
    assert posted.events("vis-1") == []
    # a retried whisper (same client id) is the same message and pushes nothing more
    again, created = supervision.whisper(deps, sue, cid, {"client_message_id": "w1",
                                                          "text": WHISPER})
    assert not created and again["seq"] == msg["seq"]
    assert len(posted.events("ann-1", "message")) == 1
    # the visitor's history, sync and long-poll leave it out; the agent's show it
    hist = convs.history(deps, visitor, cid)
    assert WHISPER not in _texts(hist) and hist["last_seq"] >= msg["seq"]
    poll = convs.poll(deps, visitor, cid, after=0, wait=0)
    assert WHISPER not in _texts(poll) and poll["cursor"] >= msg["seq"]
    realtime.handle_frame(deps, "vis-1", json.dumps(
        {"action": "sync", "id": "s1", "data": {"after": 0}}))
    assert posted.events("vis-1", "sync") and WHISPER not in _texts(posted.posts["vis-1"])
    assert WHISPER in _texts(convs.history(deps, live["ann"], cid))
    # the stream marks it private, the visitor's transcript export leaves it out
    row = deps.messages.get(cid, msg["seq"])
    assert WHISPER not in _texts(transcript_rows([row]))
    (env,) = events.from_message(row)
    assert env["type"] == "message.created" and env["data"]["private"] is True
    assert env["data"]["kind"] == "whisper"
    # e-mail follow-up never sends it
    ses = boto3.client("ses")
    before = ses.get_send_quota()["SentLast24Hours"]
    followup.on_email_reply(deps, {"conversation_id": cid, "seq": msg["seq"]})
    assert ses.get_send_quota()["SentLast24Hours"] == before
    (entry,) = _audited(deps, "conversation.whispered")
    assert entry["actor"]["id"] == sue.id and entry["target"]["id"] == cid
    assert WHISPER not in _texts(entry)          # the audit names it, never the body


def test_only_supervisors_whisper_and_bad_input_writes_nothing(deps, live):
    cid, ann, sue = live["cid"], live["ann"], live["sue"]
    last = conv(deps, cid)["last_seq"]
    for who, body, code in [
            (ann, {"client_message_id": "x1", "text": "hi"}, "not_supervisor"),
            (live["visitor"], {"client_message_id": "x2", "text": "hi"}, "not_supervisor"),
            (sue, {"client_message_id": "x3", "text": "   "}, "empty_message"),
            (sue, {"client_message_id": "x4"}, "missing_field"),
            (sue, {"client_message_id": "bad id!", "text": "hi"}, "invalid_format"),
            (sue, {"client_message_id": "x5", "text": "x" * 5001}, "too_long")]:
        with pytest.raises(AppError) as info:
            supervision.whisper(deps, who, cid, body)
        assert info.value.status < 500
        assert info.value.code == code, (code, info.value.code)
    lifecycle.close(deps, ann, cid)
    with pytest.raises(AppError) as info:
        supervision.whisper(deps, sue, cid, {"client_message_id": "x6", "text": "late"})
    assert info.value.code == "conversation_closed"
    assert conv(deps, cid)["last_seq"] == last + 1          # only the close's event


def test_barge_in_moves_the_chat_and_tells_the_visitor(deps, live, posted):
    cid, ann, sue = live["cid"], live["ann"], live["sue"]
    out = supervision.barge_in(deps, sue, cid, {})
    c = conv(deps, cid)
    assert out["conversation"]["agent_id"] == sue.id and c["agent_id"] == sue.id
    assert sorted(c["participants"]) == sorted([ann.id, sue.id])     # Ann stays by default
    assert load(deps, ann) == 0 and load(deps, sue) == 1
    told = [e["message"]["event"] for e in posted.events("vis-1", "message")]
    assert {"kind": "transferred", "agent_id": sue.id, "agent_name": "Sue",
            "from_agent_id": ann.id, "barge_in": True} in told
    (entry,) = _audited(deps, "conversation.barged_in")
    assert entry["details"] == {"from_agent_id": ann.id, "keep_agent": True}
    # Ann may still read and is told; she no longer holds it
    with pytest.raises(AppError) as info:
        supervision.barge_in(deps, sue, cid, {})
    assert info.value.code == "already_holder"


def test_barge_in_can_send_the_agent_away(deps, live, posted):
    cid, ann, sue = live["cid"], live["ann"], live["sue"]
    supervision.barge_in(deps, sue, cid, {"keep_agent": False})
    c = conv(deps, cid)
    assert c["agent_id"] == sue.id and ann.id not in (c.get("participants") or [])
    kinds = [e["message"]["event"]["kind"] for e in posted.events("vis-1", "message")]
    assert kinds == ["transferred", "left"]


def test_barge_in_refusals_change_nothing(deps, live):
    cid, ann = live["cid"], live["ann"]
    away = make_supervisor(deps, "Otto", online=False)
    before = (conv(deps, cid)["agent_id"], conv(deps, cid)["last_seq"])
    for who, body, code in [(ann, {}, "not_supervisor"), (away, {}, "agent_not_online"),
                            (live["sue"], {"keep_agent": "no"}, "invalid_type")]:
        with pytest.raises(AppError) as info:
            supervision.barge_in(deps, who, cid, body)
        assert info.value.code == code
    assert (conv(deps, cid)["agent_id"], conv(deps, cid)["last_seq"]) == before
    assert _audited(deps, "conversation.barged_in") == []


def test_live_view_pushes_the_chat_without_a_join(deps, live, posted, clock):
    cid, sue, visitor = live["cid"], live["sue"], live["visitor"]
    out = supervision.watch(deps, sue, cid, {})
    assert out["watching_until"] and [m["text"] for m in out["messages"]
                                      if m["type"] == "text"] == ["I need help"]
    c = conv(deps, cid)
    assert sue.id not in (c.get("participants") or [])
    assert c["rev"] == out["conversation"]["rev"]
    convs.post_message(deps, visitor, cid, {"client_message_id": "v2", "text": "Hello?"})
    assert [e["message"]["text"] for e in posted.events("sue-1", "message")] == ["Hello?"]
    # the visitor sees only their own message: no "joined", nothing about the watcher
    assert [e["message"]["type"] for e in posted.events("vis-1", "message")] == ["text"]
    assert sue.id not in _texts(posted.posts["vis-1"])
    supervision.watch(deps, sue, cid, {})                  # a renewal is not audited again
    assert len(_audited(deps, "conversation.watched")) == 1
    supervision.watch(deps, sue, cid, {"watch": False})
    posted.clear()
    convs.post_message(deps, visitor, cid, {"client_message_id": "v3", "text": "Still?"})
    assert posted.events("sue-1", "message") == []
    with pytest.raises(AppError) as info:
        supervision.watch(deps, live["ann"], cid, {})
    assert info.value.code == "not_supervisor"


def test_a_live_view_expires_by_itself(deps, live, posted, clock):
    cid, sue, visitor = live["cid"], live["sue"], live["visitor"]
    supervision.watch(deps, sue, cid, {})
    clock.advance(31 * 60)
    convs.post_message(deps, visitor, cid, {"client_message_id": "v2", "text": "Hello?"})
    assert posted.events("sue-1", "message") == []
