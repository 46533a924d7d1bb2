"""Ordering, idempotency, stale connections and long-poll on moto."""
import threading
import time
from unittest import mock

import pytest
from botocore.stub import Stubber

from chalicelib.domain.actors import Actor
from chalicelib.services import agents, conversations as convs, realtime, sessions


@pytest.fixture
def visitor(deps, site):
    return sessions.start_session(deps, {"site_key": "demo", "name": "Vic"})


def vactor(s):
    return Actor(kind="visitor", id=s["visitor_id"], site_key="demo")


def test_concurrent_sends_get_gapless_increasing_sequence(deps, visitor):
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    results, errors = [], []
    n_threads, per_thread = 8, 6

    def worker(t):
        for i in range(per_thread):
            try:
                msg, created = convs.post_message(deps, actor, cid, {
                    "client_message_id": f"t{t}-m{i}", "text": f"hello {t}/{i}"})
                results.append((msg["seq"], created))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    seqs = sorted(s for s, _ in results)
    assert seqs == list(range(1, n_threads * per_thread + 1))
    stored = deps.messages.after(cid, 0, 500)
    assert [m["seq"] for m in stored] == seqs
    assert len({m["client_message_id"] for m in stored}) == len(stored)
    conv = deps.conversations.get(cid, consistent=True)
    assert conv["last_seq"] == n_threads * per_thread


def test_concurrent_replays_of_one_client_id_create_one_message(deps, visitor):
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    out = []

    def worker():
        out.append(convs.post_message(deps, actor, cid,
                                      {"client_message_id": "same-id", "text": "once"}))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(1 for _, created in out if created) == 1
    assert {m["seq"] for m, _ in out} == {1}
    assert len(deps.messages.after(cid, 0)) == 1


def test_gone_connection_is_removed_and_others_still_get_the_message(deps, visitor, posted):
    cid = visitor["conversation_id"]
    for conn_id in ("live-1", "stale-2", "live-3", "opening-4"):
        realtime.connect(deps, conn_id, {"token": visitor["token"]})
    # stale-2 opened a minute ago; opening-4's handshake is still under way (410 as well)
    old = deps.connections.get("stale-2")
    deps.connections.put(dict(old, connected_at=old["connected_at"] - 60_000))
    deps.conversations.add_socket(cid, "stale-2", old["connected_at"] - 60_000)  # its note
    client = deps.sender._get_client()
    real_call = client._make_api_call

    def flaky(operation, params):
        if operation == "PostToConnection" and params["ConnectionId"] in ("stale-2", "opening-4"):
            stub = Stubber(client)
            stub.add_client_error("post_to_connection", service_error_code="GoneException",
                                  http_status_code=410)
            with stub:
                return real_call(operation, params)
        return real_call(operation, params)

    with mock.patch.object(client, "_make_api_call", side_effect=flaky):
        convs.post_message(deps, vactor(visitor), cid, {"client_message_id": "g1", "text": "hi"})
    assert deps.connections.get("stale-2") is None
    assert deps.connections.get("opening-4") is not None
    assert deps.connections.get("live-1") is not None
    assert deps.connections.get("live-3") is not None
    assert [e["message"]["seq"] for e in posted.events("live-1", "message")] == [1]
    assert [e["message"]["seq"] for e in posted.events("live-3", "message")] == [1]


def test_long_poll_returns_backlog_immediately(deps, visitor):
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    for i in range(3):
        convs.post_message(deps, actor, cid, {"client_message_id": f"b{i}", "text": f"m{i}"})
    t0 = time.monotonic()
    result = convs.poll(deps, actor, cid, after=1, wait=20)
    assert time.monotonic() - t0 < 5, "the backlog must come back without waiting"
    assert [m["seq"] for m in result["messages"]] == [2, 3]
    assert result["cursor"] == 3 and result["timed_out"] is False


def test_long_poll_waits_then_returns_message_written_during_wait(deps, visitor):
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    agent = agents.create_agent(deps, {"email": "p@example.com", "name": "Pat",
                                       "password": "password1"})
    aactor = Actor(kind="agent", id=agent["agent_id"], role="agent", name="Pat")
    convs.join(deps, aactor, cid)
    after = deps.conversations.get(cid, consistent=True)["last_seq"]

    def reply_later():
        time.sleep(0.4)
        convs.post_message(deps, aactor, cid, {"client_message_id": "late", "text": "here"})

    th = threading.Thread(target=reply_later)
    th.start()
    t0 = time.monotonic()
    result = convs.poll(deps, actor, cid, after=after, wait=5)
    elapsed = time.monotonic() - t0
    th.join()
    assert 0.3 < elapsed < 3
    assert [m["text"] for m in result["messages"]] == ["here"]
    assert result["cursor"] == after + 1


def test_long_poll_times_out_empty_with_cursor_unchanged(deps, visitor):
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    convs.post_message(deps, actor, cid, {"client_message_id": "x", "text": "one"})
    t0 = time.monotonic()
    result = convs.poll(deps, actor, cid, after=1, wait=0.5)
    assert 0.45 < time.monotonic() - t0 < 5
    assert result == {**result, "messages": [], "cursor": 1, "timed_out": True}


def test_long_poll_wait_is_cheap(deps, visitor):
    """While waiting, one small GetItem per interval, not a Query storm.

    The clock is simulated (each sleep advances it), so the count does not depend on
    how fast the machine running the tests is."""
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    calls = []
    conn = deps.conversations
    orig_state = conn.get_state
    now = [1000.0]
    slept = []

    def fake_sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    with mock.patch.object(conn, "get_state", side_effect=lambda c: calls.append(c) or
                           orig_state(c)), \
            mock.patch.object(deps.messages, "after", wraps=deps.messages.after) as after, \
            mock.patch.object(convs.config, "poll_interval", return_value=1.0):
        result = convs.poll(deps, actor, cid, after=0, wait=20,
                            sleep=fake_sleep, clock=lambda: now[0])
    # one consistent GetItem per 1 s interval over a 20 s wait, and no message query
    assert result["timed_out"] is True and result["messages"] == []
    assert len(calls) == 20 and set(calls) == {cid}
    assert slept == [1.0] * 20
    assert after.call_count == 0


def test_long_poll_wakes_on_state_change(deps, visitor):
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    rev = deps.conversations.get(cid, consistent=True)["rev"]
    agent = agents.create_agent(deps, {"email": "t@example.com", "name": "Tia",
                                       "password": "password1"})
    aactor = Actor(kind="agent", id=agent["agent_id"], role="agent", name="Tia")
    deps.conversations.update(cid, add_participants=[aactor.id])

    def typing_later():
        time.sleep(0.3)
        convs.set_typing(deps, aactor, cid, {"state": True})

    th = threading.Thread(target=typing_later)
    th.start()
    result = convs.poll(deps, actor, cid, after=0, rev=rev + 1, wait=5)
    th.join()
    assert result["messages"] == [] and result["timed_out"] is False
    assert aactor.id in result["conversation"]["typing"]


def test_read_markers_only_move_forward(deps, visitor):
    cid = visitor["conversation_id"]
    actor = vactor(visitor)
    for i in range(3):
        convs.post_message(deps, actor, cid, {"client_message_id": f"r{i}", "text": "x"})
    assert convs.mark_read(deps, actor, cid, {"seq": 2})["moved"] is True
    assert convs.mark_read(deps, actor, cid, {"seq": 1})["moved"] is False
    assert deps.conversations.get(cid, consistent=True)["reads"] == {"visitor": 2}
