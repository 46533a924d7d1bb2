"""The hot paths cost a constant number of AWS requests, however many conversations exist."""
import itertools

import pytest

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


@pytest.mark.timeout(600)
def test_message_send_costs_the_same_at_10_and_1000_conversations(deps, site):
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
    # pushed to the consoles too (services/notifier.py: the visitor's connections and the
    # agent connections, two more Queries); every later message costs the steady budget below
    with AwsCallCounter(deps) as counter:
        realtime.handle_frame(deps, "visitor-tab-1=", '{"action":"send","data":'
                              '{"client_message_id":"v-first","text":"hello"}}')
        first_send = [c for c in counter.calls if c.startswith("dynamodb:")]
    assert deps.conversations.get(cid)["status"] == "open"

    add_conversations(deps, 9)
    small = measure_send(deps, "visitor-tab-1=", "agent-1=", cid, "small")
    add_conversations(deps, 991)
    large = measure_send(deps, "visitor-tab-1=", "agent-1=", cid, "large")

    for name, a, b in zip(("visitor send", "agent send", "long-poll wait"), small, large):
        assert a == b, f"{name}: {a} != {b}"
        assert not any(c.endswith(":Scan") for c in a), a
    visitor_send, agent_send, poll_calls = large
    ddb = [c for c in visitor_send if c.startswith("dynamodb:")]
    posts = [c for c in visitor_send if c.endswith(":PostToConnection")]
    # 3 recipient connections (two visitor tabs + the agent) and the sender's ack
    assert len(posts) == 4
    # connection lookup, conversation read, the transaction, two recipient queries
    assert ddb == ["dynamodb:GetItem", "dynamodb:GetItem", "dynamodb:TransactWriteItems",
                   "dynamodb:Query", "dynamodb:Query"]
    assert [c for c in agent_send if c.startswith("dynamodb:")] == ddb
    assert first_send == ddb + ["dynamodb:Query", "dynamodb:Query"]
    # while the bot handles the chat, a visitor message also queues one bot turn
    assert [c for c in visitor_send if c.startswith("sqs:")] in ([], ["sqs:SendMessage"])
    assert [c for c in agent_send if c.startswith("sqs:")] == []
    print(f"\nvisitor send: {len(ddb)} DynamoDB requests {ddb}, {len(posts)} posts")
    print(f"agent send: {agent_send}")
    print(f"long-poll 1 s at 0.05 s interval: {len(poll_calls)} requests "
          f"{sorted(set(poll_calls))}")
    # the first read checks access, then one GetItem per interval: 1 + 20
    assert poll_calls == ["dynamodb:GetItem"] * 21
