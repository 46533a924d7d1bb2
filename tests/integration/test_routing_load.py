"""Routing under load, on moto: the handoff race (no 500), one pass filling every free slot
oldest-first across queues, priorities, the stranding cases (a team switched to automatic,
capacity raised, a socket back, an agent who left), the safety sweep, coalesced places in
line and the request budget of an assignment."""
import json
import threading

import pytest

from chalicelib.domain.actors import Actor
from chalicelib.services import admin, positions, presence, realtime, routing
from chalicelib.services import sessions, sites, tasks
from tests.helpers.aws import AwsCallCounter, drain_queues
from tests.integration.test_queue import conv, load, make_agent


@pytest.fixture
def floor(deps):
    """A site without a bot whose visitors may ask for two teams."""
    for team in ("billing", "tech"):
        deps.directory.create("team", team, {"name": team.title()})
    return sites.create_site(deps, "nobot", "No bot", {"bot_enabled": False,
                                                       "teams": ["billing", "tech"]})


def handoff(deps, team=None, connection=None, site="nobot"):
    s = sessions.start_session(deps, {"site_key": site})
    if connection:
        realtime.connect(deps, connection, {"token": s["token"]})
    v = Actor(kind="visitor", id=s["visitor_id"], site_key=site)
    out = routing.visitor_handoff(deps, v, s["conversation_id"], {"team": team} if team else {})
    return s["conversation_id"], out


def published(monkeypatch):
    """Record every task published (type, body) while still sending it."""
    sent = []
    original = tasks.publish

    def spy(deps, task_type, payload, queue="events", delay=0):
        sent.append((task_type, dict(payload), delay))
        return original(deps, task_type, payload, queue=queue, delay=delay)
    monkeypatch.setattr(tasks, "publish", spy)
    return sent


# ------------------------------------------------------------------ 1. the handoff race
def test_handoff_answers_when_an_assignment_takes_the_chat_between_two_steps(deps, floor,
                                                                             monkeypatch):
    """The old KeyError('queued_at'): the assignment lands right after the handoff's queue
    write and before its re-read. Injected deterministically: the move runs, then a pass."""
    ann = make_agent(deps, "Ann")
    drain_queues(deps)
    real_move = deps.waiting.move_with_event

    def move_then_assign(conversation, expect, message, **kw):
        out = real_move(conversation, expect, message, **kw)
        if kw.get("set_fields", {}).get("status") == "queued":
            assert routing.assign_next(deps, "_default") == 1   # the chat moves on
        return out

    monkeypatch.setattr(deps.waiting, "move_with_event", move_then_assign)
    cid, out = handoff(deps)
    assert out["conversation"]["status"] == "assigned"          # 200, not a 500
    c = conv(deps, cid)
    assert c["status"] == "assigned" and c["agent_id"] == ann.id
    assert "queue_position" not in c["attrs"] or c["attrs"]["queue_position"] == 0
    assert load(deps, ann) == 1


def test_no_offline_offer_lands_on_a_chat_taken_meanwhile(deps, floor):
    """The leave-a-message offer (timeout, nobody online) is written only while the chat
    is still in the state it was read in."""
    cid, _ = handoff(deps)
    stale = conv(deps, cid)
    assert stale["status"] == "queued"
    ann = make_agent(deps, "Ann")
    drain_queues(deps)
    assert conv(deps, cid)["agent_id"] == ann.id
    assert routing._offer_offline(deps, stale, "timeout") is None
    assert "offline_offered" not in conv(deps, cid)["attrs"]


# ------------------------------------------------------------------ 2. throughput, fairness
def test_one_pass_fills_every_free_slot_oldest_first_across_the_queues(deps, floor):
    agents = [make_agent(deps, f"Ag{i}", capacity=2, teams=["billing", "tech"])
              for i in range(3)]                                       # 6 slots
    for a in agents:
        presence.set_status(deps, a, {"status": "away"})
    drain_queues(deps)
    order = [handoff(deps, team)[0] for team in ["billing", "tech", None] * 3]   # 9 waiting
    for a in agents:
        deps.agents.update(a.id, {"status": "online"})
    assert routing.assign_pass(deps, ["_default", "billing", "tech"]) == 6      # ONE pass
    states = [conv(deps, c) for c in order]
    assert [s["status"] for s in states] == ["assigned"] * 6 + ["queued"] * 3
    assert sorted(load(deps, a) for a in agents) == [2, 2, 2]
    # the pass assigned in line order: assigned_at never goes down along the line
    stamps = [s["attrs"]["assigned_at"] for s in states[:6]]
    assert stamps == sorted(stamps)


def test_priorities_move_a_vip_ahead_but_keep_fifo_within_a_priority(deps, floor):
    site = deps.sites.get("nobot")
    deps.sites.put({**site, "settings": {**site["settings"], "priorities": {"vip": 600}}})
    first, _ = handoff(deps)
    second, _ = handoff(deps)
    s = sessions.start_session(deps, {"site_key": "nobot"})
    deps.visitors.update(s["visitor_id"], {"tags": {"vip"}})
    v = Actor(kind="visitor", id=s["visitor_id"], site_key="nobot")
    routing.visitor_handoff(deps, v, s["conversation_id"], {})
    drain_queues(deps)
    line = [c["conversation_id"] for c in deps.waiting.waiting("_default")]
    assert line == [s["conversation_id"], first, second]
    assert [conv(deps, c)["attrs"]["queue_position"] for c in line] == [1, 2, 3]
    assert conv(deps, s["conversation_id"])["attrs"]["priority_boost"] == 600


def test_priorities_setting_is_validated(deps, floor):
    from chalicelib.errors import ValidationError
    from chalicelib.services import site_admin
    for bad in ({"vip": -1}, {"vip": "x"}, {"gold": 5}, {"channels": {"web": 10**6}}):
        with pytest.raises(ValidationError) as err:
            site_admin._check_settings(deps, {"priorities": bad})
        assert err.value.code in ("invalid_value", "unknown_field")
    assert site_admin._check_settings(deps, {"priorities": {"vip": 60, "channels": {"web": 5}}})


@pytest.mark.timeout(300)
def test_racing_passes_over_two_queues_never_double_assign_or_overfill(deps, floor):
    agents = [make_agent(deps, f"R{i}", capacity=2, teams=["billing"] if i % 2 else None)
              for i in range(4)]                                       # 8 slots
    drain_queues(deps)
    for a in agents:
        presence.set_status(deps, a, {"status": "away"})
    chats = [handoff(deps, "billing" if i % 3 == 0 else None)[0] for i in range(14)]
    for a in agents:
        deps.agents.update(a.id, {"status": "online"})
    errors = []

    def run():
        try:
            routing.assign_pass(deps, ["_default", "billing"])
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
    threads = [threading.Thread(target=run) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    # and a redelivery of the same assign task changes nothing more
    drain_queues(deps)
    record = {"messageId": "again", "body": json.dumps({"type": "assign",
                                                       "queue_keys": ["_default", "billing"]})}
    tasks.handle_records(deps, [record])
    assert errors == []
    states = [conv(deps, c) for c in chats]
    held = {a.id: 0 for a in agents}
    for s in states:
        if s["status"] == "assigned":
            held[s["agent_id"]] += 1
            kinds = [m["event"]["kind"] for m in deps.messages.after(s["conversation_id"], 0)
                     if m["type"] == "event"]
            assert kinds.count("assigned") == 1
    assert sum(held.values()) == 8
    for a in agents:
        assert held[a.id] == load(deps, a) == 2                        # no drift


def test_an_assignment_costs_at_most_8_dynamodb_requests(deps, floor):
    for i in range(3):
        make_agent(deps, f"B{i}", capacity=2)
    drain_queues(deps)
    for a in deps.agents.by_status("online"):
        deps.agents.update(a["agent_id"], {"status": "away"})
    for _ in range(6):
        handoff(deps)
    drain_queues(deps)
    for a in deps.agents.by_status("away"):
        deps.agents.update(a["agent_id"], {"status": "online"})
    with AwsCallCounter(deps) as counter:
        assert routing.assign_pass(deps, ["_default"]) == 6
    ddb = [c for c in counter.calls if c.startswith("dynamodb:")]
    print(f"\n6 assignments in one pass: {len(ddb)} DynamoDB requests "
          f"({len(ddb) / 6:.1f} each), {len(counter.calls)} AWS requests")
    assert "dynamodb:Scan" not in ddb
    assert len(ddb) / 6 <= 8


# ------------------------------------------------------------------ 3. stranding
def test_team_switched_to_automatic_assigns_its_waiting_chats(deps, floor):
    deps.directory.replace("team", "billing", {"name": "Billing", "manual_assign": True})
    cat = make_agent(deps, "Cat", teams=["billing"])
    cid, _ = handoff(deps, "billing")
    drain_queues(deps)
    assert conv(deps, cid)["status"] == "queued"
    admin.update_team(deps, "billing", {"manual_assign": False})
    drain_queues(deps)
    assert conv(deps, cid)["agent_id"] == cat.id


def test_capacity_raised_and_membership_added_wake_routing(deps, floor, tokens_admin):
    dan = make_agent(deps, "Dan", capacity=0)
    cid, _ = handoff(deps)
    drain_queues(deps)
    assert conv(deps, cid)["status"] == "queued"
    admin.update_agent(deps, tokens_admin, dan.id, {"capacity": 1})
    drain_queues(deps)
    assert conv(deps, cid)["agent_id"] == dan.id
    bid, _ = handoff(deps, "billing")
    admin.update_agent(deps, tokens_admin, dan.id, {"capacity": 2})
    drain_queues(deps)
    assert conv(deps, bid)["status"] == "queued"         # not in billing yet
    admin.update_agent(deps, tokens_admin, dan.id, {"teams": ["billing"]})
    drain_queues(deps)
    assert conv(deps, bid)["agent_id"] == dan.id


@pytest.fixture
def tokens_admin(deps):
    return Actor(kind="agent", id="admin-x", role="admin", name="Admin")


def test_an_agent_socket_back_wakes_the_queues_they_serve(deps, floor, monkeypatch):
    from chalicelib.services import agents as agent_svc
    eve = make_agent(deps, "Eve", teams=["tech"])
    sent = published(monkeypatch)
    token = agent_svc.issue_token(deps, deps.agents.get(eve.id))["token"]
    realtime.connect(deps, "eve-1", {"token": token, "role": "agent"})
    assert ("assign", {"queue_keys": ["_default", "tech"]}, 0) in sent


def test_agent_going_offline_returns_chats_to_the_front_and_tells_the_visitor(deps, floor,
                                                                               posted):
    ann = make_agent(deps, "Ann", capacity=1)
    held, _ = handoff(deps, connection="vis-held")
    drain_queues(deps)
    assert conv(deps, held)["agent_id"] == ann.id
    waiting, _ = handoff(deps)                                       # older than nothing
    drain_queues(deps)
    presence.set_status(deps, ann, {"status": "offline"})
    drain_queues(deps)
    c = conv(deps, held)
    assert c["status"] == "queued" and "agent_id" not in c and load(deps, ann) == 0
    assert [x["conversation_id"] for x in deps.waiting.waiting("_default")] == [held, waiting]
    assert c["attrs"]["queue_position"] == 1
    last_event = [m for m in deps.messages.after(held, 0) if m["type"] == "event"][-1]
    assert last_event["event"]["kind"] == "queued"
    assert last_event["event"]["reason"] == "agent_offline"
    assert posted.events("vis-held", "conversation")[-1]["conversation"]["status"] == "queued"
    # the next agent online takes the returned chat first
    bob = make_agent(deps, "Bob", capacity=1)
    drain_queues(deps)
    assert conv(deps, held)["agent_id"] == bob.id
    assert conv(deps, waiting)["status"] == "queued"


def test_last_socket_gone_returns_chats_after_the_sites_grace(deps, floor):
    from chalicelib.services import agents as agent_svc
    site = deps.sites.get("nobot")
    deps.sites.put({**site, "settings": {**site["settings"], "reassign_grace_seconds": 300}})
    ann = make_agent(deps, "Ann")
    token = agent_svc.issue_token(deps, deps.agents.get(ann.id))["token"]
    realtime.connect(deps, "ann-1", {"token": token, "role": "agent"})
    cid, _ = handoff(deps)
    drain_queues(deps)
    assert conv(deps, cid)["agent_id"] == ann.id
    realtime.disconnect(deps, "ann-1")
    t0 = deps.agents.get(ann.id)["updated_at"]
    body = {"agent_id": ann.id, "reason": "agent_disconnected", "since": t0}
    # within the grace (simulated clock): the chat stays; after it: back in line
    assert presence.on_requeue_agent(deps, body, now=t0 + 299_000) == 0
    assert conv(deps, cid)["status"] == "assigned"
    assert presence.on_requeue_agent(deps, body, now=t0 + 300_000) == 1
    assert conv(deps, cid)["status"] == "queued" and load(deps, ann) == 0
    assert presence.on_requeue_agent(deps, body, now=t0 + 301_000) == 0   # redelivery


def test_safety_sweep_wakes_every_queue_with_someone_waiting(deps, floor, monkeypatch):
    handoff(deps, "tech")
    handoff(deps)
    drain_queues(deps)
    sent = published(monkeypatch)
    assert routing.safety_sweep(deps) == ["_default", "tech"]
    assert ("assign", {"queue_keys": ["_default", "tech"]}, 0) in sent


# ------------------------------------------------------------------ 4. places in line
def test_positions_are_coalesced_per_window_and_true_after_the_push(deps, floor, monkeypatch,
                                                                    posted):
    monkeypatch.setenv("PARLEY_POSITION_WINDOW_SECONDS", "2")
    sent = published(monkeypatch)
    now = 1_700_000_000_500
    assert positions.schedule(deps, ["_default"], now=now) == 1
    assert positions.schedule(deps, ["_default"], now=now + 1000) == 0   # same window
    assert positions.schedule(deps, ["_default"], now=now + 1600) == 1   # the next one
    assert [(t, d) for t, _, d in sent] == [("positions", 2), ("positions", 2)]
    monkeypatch.setenv("PARLEY_POSITION_WINDOW_SECONDS", "0")
    chats = [handoff(deps, connection=f"vis-{i}")[0] for i in range(4)]
    drain_queues(deps)
    ann = make_agent(deps, "Ann", capacity=1)
    drain_queues(deps)
    assert conv(deps, chats[0])["agent_id"] == ann.id
    shown = {c: conv(deps, c)["attrs"]["queue_position"] for c in chats[1:]}
    assert shown == {chats[1]: 1, chats[2]: 2, chats[3]: 3}
    for i, c in enumerate(chats[1:], start=1):
        seen = [e["position"] for e in posted.events(f"vis-{i}", "queue")]
        assert seen == sorted(seen, reverse=True)          # never up
        assert seen[-1] == i
    reads = []
    real_waiting = deps.waiting.waiting
    monkeypatch.setattr(deps.waiting, "waiting", lambda *a, **k: reads.append(a) or
                        real_waiting(*a, **k))
    # backed up behind a run that read the line after this task's window: returns at once
    assert positions.on_positions(deps, {"queue_key": "_default", "after": 0}) == 0
    assert reads == []
    # a run that must see a later change reads the line; nothing changed: nothing pushed
    assert positions.on_positions(deps, {"queue_key": "_default", "after": 10**14}) == 0
    assert len(reads) == 1


def test_handle_times_feed_the_wait_estimate(deps, floor):
    positions.on_handle_time(deps, {"conversation_id": "c1", "queue_key": "_default",
                                    "ms": 100_000})
    positions.on_handle_time(deps, {"conversation_id": "c1", "queue_key": "_default",
                                    "ms": 100_000})            # redelivered: counted once
    positions.on_handle_time(deps, {"conversation_id": "c2", "queue_key": "_default",
                                    "ms": 200_000})
    assert positions.handle_seconds(deps, "_default") == 110
    assert deps.directory.get("queue_stats", "_default")["n"] == 2
