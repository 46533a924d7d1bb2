"""The hot paths cost a constant number of AWS requests, however many conversations exist."""
import itertools

import pytest
from unittest.mock import ANY

from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain.actors import Actor
from chalicelib.services import agents, conversations as convs, realtime, sessions
from tests.helpers.aws import AwsCallCounter

_n = itertools.count()


def _expiry():
    from datetime import datetime, timedelta, timezone
    return datetime.now(timezone.utc) + timedelta(hours=2)


def add_conversations(deps, count):
    """Other visitors' conversations, each with a live connection and a message."""
    ts = now_ms()
    for _ in range(count):
        i = next(_n)
        cid = f"c_bulk{i:06d}"
        deps.conversations.create({"conversation_id": cid, "site_key": "demo",
                                   "visitor_id": f"v_bulk{i:06d}", "status": "open",
                                   "last_seq": 0, "rev": 0, "reads": {}, "typing": {},
                                   "created_at": ts, "updated_at": ts})
        deps.connections.put({"connection_id": f"bulk{i:06d}=", "kind": "visitor",
                              "visitor_id": f"v_bulk{i:06d}", "conversation_id": cid,
                              "connected_at": ts, "expires_at": _expiry()})


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def sleep(self, seconds):
        self.t += seconds

    def now(self):
        return self.t


def measure_send(deps, frame_conn, agent_conn, cid, tag):
    """One visitor send over the socket and one agent reply over the socket."""
    with AwsCallCounter(deps) as counter:
        realtime.handle_frame(deps, frame_conn, f'{{"action":"send","data":'
                              f'{{"client_message_id":"v-{tag}","text":"hello"}}}}')
        visitor_send = list(counter.calls)
        counter.reset()
        realtime.handle_frame(deps, agent_conn, f'{{"action":"send","conversation_id":"{cid}",'
                              f'"data":{{"client_message_id":"a-{tag}","text":"hi"}}}}')
        agent_send = list(counter.calls)
        counter.reset()
        clock = FakeClock()  # 1 s of waiting at the 0.05 s test interval, deterministically
        convs.poll(deps, Actor(kind="visitor", id=deps.extras["vid"]), cid,
                   after=10**6, wait=1.0, sleep=clock.sleep, clock=clock.now)
        poll_calls = list(counter.calls)
    return visitor_send, agent_send, poll_calls


def dynamo(calls):
    return [c for c in calls if c.startswith("dynamodb:")]


def cold(deps):
    """A new function instance: it has read no connection yet."""
    deps.connections._known.clear()


@pytest.mark.timeout(600)
def test_message_send_costs_the_same_at_10_and_1000_conversations(deps, site):
    """An agent who joined (a participant, not the holder): their sockets take a Query."""
    s = sessions.start_session(deps, {"site_key": "demo"})
    deps.extras["vid"] = s["visitor_id"]
    cid = s["conversation_id"]
    agent = agents.create_agent(deps, {"email": "b@example.com", "name": "Bea",
                                       "password": "password1"})
    realtime.connect(deps, "visitor-tab-1=", {"token": s["token"]})
    realtime.connect(deps, "visitor-tab-2=", {"token": s["token"]})
    login = agents.login(deps, {"email": "b@example.com", "password": "password1"})
    realtime.connect(deps, "agent-1=", {"token": login["token"], "role": "agent"})
    convs.join(deps, Actor(kind="agent", id=agent["agent_id"], role="agent", name="Bea"), cid)

    # the first visitor message opens the conversation ("new" -> "open"): that state change is
    # pushed to the consoles too (services/notifier.py: the agent connections, one more
    # Query); every later message costs the steady budget below
    cold(deps)
    with AwsCallCounter(deps) as counter:
        realtime.handle_frame(deps, "visitor-tab-1=", '{"action":"send","data":'
                              '{"client_message_id":"v-first","text":"hello"}}')
        first_send = dynamo(counter.calls)
    assert deps.conversations.get(cid)["status"] == "open"

    add_conversations(deps, 9)
    measure_send(deps, "visitor-tab-1=", "agent-1=", cid, "warm-up")
    small = measure_send(deps, "visitor-tab-1=", "agent-1=", cid, "small")
    add_conversations(deps, 991)
    large = measure_send(deps, "visitor-tab-1=", "agent-1=", cid, "large")

    for name, a, b in zip(("visitor send", "agent send", "long-poll wait"), small, large):
        assert a == b, f"{name}: {a} != {b}"
        assert not any(c.endswith(":Scan") for c in a), a
    visitor_send, agent_send, poll_calls = large
    ddb = dynamo(visitor_send)
    posts = [c for c in visitor_send if c.endswith(":PostToConnection")]
    # 3 recipient connections (two visitor tabs + the agent) and the sender's ack
    assert len(posts) == 4
    # warm: the conversation read (it names the visitor's sockets), the transaction, the
    # joined agent's sockets
    assert ddb == ["dynamodb:GetItem", "dynamodb:TransactWriteItems", "dynamodb:Query"]
    assert dynamo(agent_send) == ddb
    # cold: the connection's row first
    assert first_send == ["dynamodb:GetItem"] + ddb + ["dynamodb:Query"]
    # while the bot handles the chat, a visitor message also queues one bot turn
    assert [c for c in visitor_send if c.startswith("sqs:")] in ([], ["sqs:SendMessage"])
    assert [c for c in agent_send if c.startswith("sqs:")] == []
    print(f"\nvisitor send: {len(ddb)} DynamoDB requests {ddb}, {len(posts)} posts")
    print(f"agent send: {agent_send}")
    print(f"long-poll 1 s at 0.05 s interval: {len(poll_calls)} requests "
          f"{sorted(set(poll_calls))}")
    # the first read checks access, then one GetItem per interval: 1 + 20
    assert poll_calls == ["dynamodb:GetItem"] * 21


@pytest.mark.timeout(600)
def test_a_send_to_an_assigned_chat_costs_3_cold_and_2_warm(deps):
    """The holder's and the visitor's sockets are on the conversation item: a send reads the
    connection once per instance, then the conversation, then writes one transaction."""
    from chalicelib.services import presence, routing, sites
    sites.create_site(deps, "demo", "Demo site", {"bot_enabled": False})
    s = sessions.start_session(deps, {"site_key": "demo"})
    deps.extras["vid"] = s["visitor_id"]
    cid = s["conversation_id"]
    agent = agents.create_agent(deps, {"email": "h@example.com", "name": "Hal",
                                       "password": "password1"})
    presence.set_status(deps, Actor(kind="agent", id=agent["agent_id"], role="agent"),
                        {"status": "online"})
    login = agents.login(deps, {"email": "h@example.com", "password": "password1"})
    realtime.connect(deps, "holder-1=", {"token": login["token"], "role": "agent"})
    realtime.connect(deps, "visitor-1=", {"token": s["token"]})
    convs.post_message(deps, Actor(kind="visitor", id=s["visitor_id"]), cid,
                       {"client_message_id": "first", "text": "a person please"})
    routing.assign_next(deps, "_default")
    conv = deps.conversations.get(cid)
    assert conv["agent_id"] == agent["agent_id"]
    assert conv["holder_sockets"] == {"agent": agent["agent_id"], "ids": {"holder-1=": ANY}}
    # a second console opened after the assignment is noted on the chat it holds
    realtime.connect(deps, "holder-2=", {"token": login["token"], "role": "agent"})
    assert set(deps.conversations.get(cid)["holder_sockets"]["ids"]) == \
        {"holder-1=", "holder-2="}

    figures = {}
    for size, more in (("10", 8), ("1000", 990)):
        add_conversations(deps, more)
        cold(deps)
        figures[size, "cold"] = measure_send(deps, "visitor-1=", "holder-1=", cid, size + "c")
        figures[size, "warm"] = measure_send(deps, "visitor-1=", "holder-1=", cid, size + "w")
    for size in ("10", "1000"):
        visitor_cold, agent_cold, _ = figures[size, "cold"]
        visitor_warm, agent_warm, _ = figures[size, "warm"]
        assert dynamo(visitor_cold) == ["dynamodb:GetItem", "dynamodb:GetItem",
                                        "dynamodb:TransactWriteItems"], visitor_cold
        assert dynamo(agent_cold) == dynamo(visitor_cold)
        assert dynamo(visitor_warm) == ["dynamodb:GetItem", "dynamodb:TransactWriteItems"]
        assert dynamo(agent_warm) == dynamo(visitor_warm)
        # the visitor's socket and both of the holder's, and the sender's ack
        assert sum(c.endswith(":PostToConnection") for c in visitor_warm) == 3 + 1
    from chalicelib.services import delivery
    heard = delivery.recipients(deps, deps.conversations.get(cid, consistent=True))
    assert sorted(c["connection_id"] for c in heard) == ["holder-1=", "holder-2=", "visitor-1="]


def test_a_visitor_handoff_reads_its_conversation_once(deps):
    """"Talk to a human": the conversation read once (consistently), the site, the visitor's
    earlier chats (last agent first), the move and its queued event in one transaction, the
    agents online, and one read for the push at the end."""
    from chalicelib.services import presence, routing, sites
    sites.create_site(deps, "demo", "Demo site", {"bot_enabled": False})
    a = agents.create_agent(deps, {"email": "o@example.com", "name": "On",
                                   "password": "password1"})
    presence.set_status(deps, Actor(kind="agent", id=a["agent_id"], role="agent"),
                        {"status": "online"})
    add_conversations(deps, 20)
    s = sessions.start_session(deps, {"site_key": "demo"})
    visitor = Actor(kind="visitor", id=s["visitor_id"], site_key="demo")
    with AwsCallCounter(deps) as counter:
        out = routing.visitor_handoff(deps, visitor, s["conversation_id"], {})
    assert out["conversation"]["status"] == "queued"
    assert dynamo(counter.calls) == [
        "dynamodb:GetItem", "dynamodb:GetItem", "dynamodb:Query",
        "dynamodb:TransactWriteItems", "dynamodb:Query",
        "dynamodb:GetItem", "dynamodb:Query"], counter.calls
    assert [c for c in counter.calls if c.startswith("sqs:")] == ["sqs:SendMessage"] * 2
