"""Who may act on a conversation (chalicelib/domain/permissions.py) and the queue's edge cases,
on moto: each refusal carries its code and changes nothing."""
import json
import time

import pytest

from chalicelib.domain.actors import Actor
from chalicelib.errors import AppError
from chalicelib.services import admin, agents as agent_svc, lifecycle, presence, realtime
from chalicelib.services import routing, sessions, sites
from chalicelib.services import conversations as convs
from tests.helpers.aws import drain_queues
from tests.integration.test_queue import conv, load, make_agent, nobot, visitor_chat  # noqa: F401


def refused(code, fn, *args, **kwargs):
    with pytest.raises(AppError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, (info.value.code, info.value.message)
    return info.value


@pytest.fixture
def assigned(deps, nobot):
    """Ann holds a conversation; Bob is another online agent."""
    ann = make_agent(deps, "Ann")
    s, v = visitor_chat(deps)
    drain_queues(deps)
    cid = s["conversation_id"]
    assert conv(deps, cid)["agent_id"] == ann.id
    bob = make_agent(deps, "Bob")
    return {"ann": ann, "bob": bob, "cid": cid, "visitor": v, "session": s}


def snapshot(deps, cid):
    c = conv(deps, cid)
    return (c["status"], c.get("agent_id"), c["last_seq"], sorted(c.get("participants") or []),
            sorted(c.get("tags") or []))


def test_another_agent_cannot_join_post_type_close_or_tag_an_assigned_chat(deps, assigned):
    bob, cid = assigned["bob"], assigned["cid"]
    before = snapshot(deps, cid)
    refused("not_yours", convs.join, deps, bob, cid)
    refused("not_yours", convs.post_message, deps, bob, cid,
            {"client_message_id": "b1", "text": "hijack"})
    refused("not_yours", convs.set_typing, deps, bob, cid, {"state": True})
    refused("not_yours", lifecycle.close, deps, bob, cid)
    refused("not_yours", lifecycle.set_tags, deps, bob, cid, {"add": ["x"]})
    refused("not_yours", lifecycle.transfer, deps, bob, cid, {"agent_id": assigned["ann"].id})
    assert snapshot(deps, cid) == before
    assert load(deps, assigned["ann"]) == 1
    # reading stays open (one shared inbox), and marking read keeps Bob's own marker only
    assert agent_svc.get_conversation(deps, bob, cid)["conversation"]["conversation_id"] == cid


def test_supervisors_may_step_in(deps, assigned):
    sup = Actor(kind="agent", id="sup-1", role="supervisor", name="Sue")
    cid = assigned["cid"]
    convs.join(deps, sup, cid)
    _, created = convs.post_message(deps, sup, cid, {"client_message_id": "s1", "text": "hi"})
    assert created
    lifecycle.close(deps, sup, cid)
    assert conv(deps, cid)["status"] == "closed" and load(deps, assigned["ann"]) == 0


def test_after_a_transfer_the_previous_agent_only_reads(deps, assigned):
    ann, bob, cid = assigned["ann"], assigned["bob"], assigned["cid"]
    lifecycle.transfer(deps, ann, cid, {"agent_id": bob.id, "note": "over to you"})
    assert conv(deps, cid)["agent_id"] == bob.id
    refused("not_yours", convs.post_message, deps, ann, cid,
            {"client_message_id": "a9", "text": "still me?"})
    _, created = convs.post_message(deps, bob, cid, {"client_message_id": "b9", "text": "Bob"})
    assert created


def test_closed_chats_take_no_messages_and_only_their_agent_reopens(deps, assigned):
    ann, bob, cid = assigned["ann"], assigned["bob"], assigned["cid"]
    lifecycle.close(deps, ann, cid)
    closed = conv(deps, cid)
    assert closed["attrs"].get("closed_at")
    refused("conversation_closed", convs.post_message, deps, ann, cid,
            {"client_message_id": "late", "text": "after close"})
    refused("conversation_closed", convs.join, deps, bob, cid)
    refused("not_yours", lifecycle.reopen, deps, bob, cid)
    refused("not_yours", lifecycle.set_tags, deps, bob, cid, {"add": ["x"]})
    assert conv(deps, cid)["last_seq"] == closed["last_seq"]
    # whoever had it tags it after the fact and reopens it
    lifecycle.set_tags(deps, ann, cid, {"add": ["refund"]})
    lifecycle.reopen(deps, ann, cid)
    fresh = conv(deps, cid)
    assert fresh["status"] == "assigned" and fresh["agent_id"] == ann.id
    assert "closed_at" not in fresh["attrs"] and fresh["attrs"]["reopened_at"] > 0
    assert fresh["tags"] == ["refund"]


def test_team_queues_are_for_their_team(deps, nobot):
    deps.directory.create("team", "sales", {"name": "Sales", "manual_assign": True})
    s = sessions.start_session(deps, {"site_key": "nobot"})
    v = Actor(kind="visitor", id=s["visitor_id"])
    cid = s["conversation_id"]
    routing.visitor_handoff(deps, v, cid, {"team": "sales"})
    bob = make_agent(deps, "Bob")                       # not in sales
    before = snapshot(deps, cid)
    refused("not_your_team", lifecycle.accept, deps, bob, cid)
    refused("not_your_team", convs.join, deps, bob, cid)
    refused("not_your_team", lifecycle.close, deps, bob, cid)
    assert snapshot(deps, cid) == before
    sal = make_agent(deps, "Sal", teams=["sales"])
    lifecycle.accept(deps, sal, cid)
    assert conv(deps, cid)["agent_id"] == sal.id


def test_unassigned_chats_need_a_join_before_writing(deps, nobot):
    s = sessions.start_session(deps, {"site_key": "nobot"})
    cid = s["conversation_id"]
    bob = make_agent(deps, "Bob", online=False)
    refused("not_participant", convs.post_message, deps, bob, cid,
            {"client_message_id": "x", "text": "hello"})
    refused("not_participant", lifecycle.close, deps, bob, cid)
    convs.join(deps, bob, cid)
    _, created = convs.post_message(deps, bob, cid, {"client_message_id": "x", "text": "hello"})
    assert created


def test_a_demoted_supervisor_is_cut_off_and_reconnects_as_an_agent(deps, assigned, posted):
    cid = assigned["cid"]
    boss = agent_svc.create_agent(deps, {"email": "boss@example.com", "name": "Boss",
                                         "password": "password1", "role": "supervisor"})
    token = agent_svc.login(deps, {"email": "boss@example.com", "password": "password1"})["token"]
    realtime.connect(deps, "boss-ws", {"token": token, "role": "agent"})
    assert deps.connections.get("boss-ws") is not None
    adm = Actor(kind="agent", id="adm", role="admin", name="Adm")
    admin.update_agent(deps, adm, boss["agent_id"], {"role": "agent"})
    assert deps.connections.get("boss-ws") is None          # the socket was closed
    before = conv(deps, cid)["last_seq"]
    realtime.connect(deps, "boss-ws-2", {"token": token, "role": "agent"})
    realtime.handle_frame(deps, "boss-ws-2", json.dumps({
        "action": "send", "conversation_id": cid,
        "data": {"client_message_id": "z", "text": "still here"}}))
    last = posted.events("boss-ws-2")[-1]
    assert last["type"] == "error" and last["code"] == "not_yours"
    assert conv(deps, cid)["last_seq"] == before


def test_a_left_message_on_an_assigned_chat_writes_nothing(deps, assigned):
    cid, v = assigned["cid"], assigned["visitor"]
    before = snapshot(deps, cid)
    refused("agent_assigned", lifecycle.leave_offline_message, deps, v, cid,
            {"email": "x@example.com", "text": "hello"})
    assert snapshot(deps, cid) == before
    assert deps.visitors.get(v.id).get("email") is None


def test_one_rating_per_conversation(deps, assigned):
    cid, v = assigned["cid"], assigned["visitor"]
    lifecycle.close(deps, assigned["ann"], cid)
    lifecycle.rate(deps, v, cid, {"score": 5})
    seq = conv(deps, cid)["last_seq"]
    refused("already_rated", lifecycle.rate, deps, v, cid, {"score": 1, "comment": "changed"})
    assert conv(deps, cid)["attrs"]["rating"]["score"] == 5 and conv(deps, cid)["last_seq"] == seq


# ------------------------------------------------------------------ queue edge cases
def test_more_waiting_than_one_run_assigns_leaves_nobody_stranded(deps, nobot):
    chats = [visitor_chat(deps)[0]["conversation_id"] for _ in range(routing.MAX_ASSIGN_PER_RUN + 5)]
    drain_queues(deps)
    make_agent(deps, "Ann", capacity=routing.MAX_ASSIGN_PER_RUN + 10)
    drain_queues(deps)
    assert [conv(deps, c)["status"] for c in chats].count("assigned") == len(chats)


def test_a_short_site_idle_limit_is_honoured(deps):
    sites.create_site(deps, "quick", "Quick", {"bot_enabled": False, "idle_close_minutes": 5})
    make_agent(deps, "Ann")
    s, _ = visitor_chat(deps, site="quick")
    drain_queues(deps)
    cid = s["conversation_id"]
    assert conv(deps, cid)["status"] == "assigned"
    now = int(time.time() * 1000)
    assert presence.idle_sweep(deps, now=now + 3 * 60_000) == 0        # 3 min: not yet
    assert presence.idle_sweep(deps, now=now + 10 * 60_000) == 1       # 10 min > 5 min
    assert conv(deps, cid)["attrs"]["close_reason"] == "idle"


def test_closed_hours_offer_the_form_once(deps):
    sites.create_site(deps, "shut", "Shut", {"bot_enabled": False,
                                             "business_hours": {"tz": "UTC", "days": {}}})
    s = sessions.start_session(deps, {"site_key": "shut"})
    v = Actor(kind="visitor", id=s["visitor_id"], site_key="shut")
    for i in range(3):
        convs.post_message(deps, v, s["conversation_id"],
                           {"client_message_id": f"m{i}", "text": "hello"})
    kinds = [m["event"]["kind"] for m in deps.messages.after(s["conversation_id"], 0)
             if m["type"] == "event"]
    assert kinds.count("offline") == 1


def test_a_max_wait_longer_than_one_sqs_delay_is_waited_out(deps, monkeypatch):
    sites.create_site(deps, "slow", "Slow", {"bot_enabled": False, "max_wait_seconds": 3600})
    make_agent(deps, "Ann", capacity=0)          # online (so no "no agents" offer), but full
    sent = []
    orig = deps.queue.send

    def spy(q, body, delay=0):
        sent.append((body.get("type"), delay))
        return orig(q, body, delay=delay)

    monkeypatch.setattr(deps.queue, "send", spy)
    s, _ = visitor_chat(deps, site="slow")
    cid = s["conversation_id"]
    assert ("queue_timeout", 900) in sent
    queued_at = int(conv(deps, cid)["queued_at"])
    # the timer fires after 900 s of a 3,600 s maximum: it waits on, offering nothing yet
    monkeypatch.setattr(routing, "now_ms", lambda: queued_at + 900_000)
    sent.clear()
    routing.on_queue_timeout(deps, {"conversation_id": cid, "queued_at": queued_at})
    assert not conv(deps, cid)["attrs"].get("offline_offered")
    assert sent == [("queue_timeout", 900)]
    # at 3,600 s the visitor is offered the form
    monkeypatch.setattr(routing, "now_ms", lambda: queued_at + 3_600_000)
    routing.on_queue_timeout(deps, {"conversation_id": cid, "queued_at": queued_at})
    assert conv(deps, cid)["attrs"].get("offline_offered")


def test_nobody_online_offers_the_form_at_once_and_keeps_the_place(deps, nobot):
    s, v = visitor_chat(deps)
    cid = s["conversation_id"]
    c = conv(deps, cid)
    assert c["status"] == "queued" and c["attrs"].get("offline_offered")
    events_ = [m["event"] for m in deps.messages.after(cid, 0) if m["type"] == "event"]
    assert {"kind": "offline", "reason": "no_agents"}.items() <= events_[-1].items()
    # an agent who comes online still gets the chat; the offer is withdrawn
    ann = make_agent(deps, "Ann")
    drain_queues(deps)
    c = conv(deps, cid)
    assert c["agent_id"] == ann.id and "offline_offered" not in c["attrs"]


def test_reassigning_a_queued_chat_moves_the_others_up(deps, posted):
    sites.create_site(deps, "nb", "nb", {"bot_enabled": False})
    make_agent(deps, "Keeper", capacity=0)          # someone online, so nobody is offered the form
    chats = []
    for i in range(3):
        s, _ = visitor_chat(deps, site="nb")
        chats.append(s["conversation_id"])
    drain_queues(deps)
    assert conv(deps, chats[2])["attrs"]["queue_position"] == 3
    ann = make_agent(deps, "Ann")
    deps.agents.update(ann.id, {"capacity": 1})     # full after the reassignment
    sup = Actor(kind="agent", id="sup", role="supervisor", name="Sup")
    lifecycle.reassign(deps, sup, chats[0], {"agent_id": ann.id})
    drain_queues(deps)                  # places in line move through the queue (positions)
    assert conv(deps, chats[2])["attrs"]["queue_position"] == 2


# ------------------------------------------------------------------ presence sweep
def test_presence_sweep_sets_agents_without_a_live_socket_away(deps, nobot, monkeypatch):
    from chalicelib.services.realtime import connect
    ann = make_agent(deps, "Ann")                 # online over REST, never connected
    bob = make_agent(deps, "Bob")                 # a socket whose $disconnect was lost
    cat = make_agent(deps, "Cat")                 # a live socket
    for who, cid_ in ((bob, "bob-ws"), (cat, "cat-ws")):
        token = agent_svc.login(deps, {"email": f"{who.name.lower()}@example.com",
                                       "password": "password1"})["token"]
        connect(deps, cid_, {"token": token, "role": "agent"})
    monkeypatch.setattr(deps.sender, "alive", lambda connection_id: connection_id == "cat-ws")
    now = int(time.time() * 1000)
    # recent changes are left alone (the grace period, and time to open a socket)
    assert presence.presence_sweep(deps, now=now + 30_000) == 0
    assert presence.presence_sweep(deps, now=now + 10 * 60_000) == 2
    status = {a.name: deps.agents.get(a.id)["status"] for a in (ann, bob, cat)}
    assert status == {"Ann": "away", "Bob": "away", "Cat": "online"}
    assert deps.connections.get("bob-ws") is None and deps.connections.get("cat-ws")


def test_presence_sweep_leaves_a_socket_that_is_still_opening(deps, nobot, monkeypatch):
    """$connect wrote the row; the handshake has not finished, so GET @connections says 410.
    The sweep must not drop that row (the socket's first frame would be refused)."""
    from chalicelib.services.realtime import connect
    ann = make_agent(deps, "Ann")
    token = agent_svc.login(deps, {"email": "ann@example.com", "password": "password1"})["token"]
    connect(deps, "ann-ws", {"token": token, "role": "agent"})
    # Ann has been online for ten minutes; the socket's row was written a second ago
    later = int(time.time() * 1000) + 10 * 60_000
    deps.connections.put(dict(deps.connections.get("ann-ws"), connected_at=later - 1_000))
    probed = []
    monkeypatch.setattr(deps.sender, "alive", lambda connection_id: probed.append(connection_id))
    assert presence.presence_sweep(deps, now=later) == 0
    assert probed == [] and deps.connections.get("ann-ws")
    assert deps.agents.get(ann.id)["status"] == "online"
    # once past the grace, a socket that never opened is dropped as before
    assert presence.presence_sweep(deps, now=later + 60_000) == 1
    assert probed == ["ann-ws"] and deps.connections.get("ann-ws") is None


def test_presence_sweep_runs_with_the_idle_sweep_on_moto(deps, nobot):
    make_agent(deps, "Ann")
    now = int(time.time() * 1000)
    presence.idle_sweep(deps, now=now + 10 * 60_000)
    assert [a["status"] for a in deps.agents.list_all()] == ["away"]


def test_a_supervisor_who_stepped_in_leaves_with_a_left_event(deps, assigned):
    sup = Actor(kind="agent", id="sup-2", role="supervisor", name="Sue")
    cid, ann = assigned["cid"], assigned["ann"]
    convs.join(deps, sup, cid)
    convs.leave(deps, sup, cid)
    c = conv(deps, cid)
    assert sup.id not in c["participants"] and ann.id in c["participants"]
    events_ = [m["event"] for m in deps.messages.after(cid, 0) if m["type"] == "event"]
    assert events_[-1]["kind"] == "left" and events_[-1]["agent_id"] == sup.id
    seq = c["last_seq"]
    convs.leave(deps, sup, cid)                       # again: nothing more
    assert conv(deps, cid)["last_seq"] == seq
    refused("holder_cannot_leave", convs.leave, deps, ann, cid)


def test_an_agent_who_joined_a_bot_chat_leaves_and_the_visitor_no_longer_sees_them(deps, nobot):
    from chalicelib.services.views import conversation_view
    s = sessions.start_session(deps, {"site_key": "nobot"})
    cid = s["conversation_id"]
    bob = make_agent(deps, "Bob", online=False)
    convs.join(deps, bob, cid)
    assert conversation_view(conv(deps, cid), for_agent=False)["agent"]["name"] == "Bob"
    convs.leave(deps, bob, cid)
    assert "agent" not in conversation_view(conv(deps, cid), for_agent=False)
    refused("not_participant", convs.post_message, deps, bob, cid,
            {"client_message_id": "x", "text": "hello"})


def test_closed_conversations_page_with_a_cursor(deps, nobot):
    ann = make_agent(deps, "Ann", capacity=20)
    cids = []
    for i in range(7):
        s, v = visitor_chat(deps)
        drain_queues(deps)
        lifecycle.close(deps, ann, s["conversation_id"])
        cids.append(s["conversation_id"])
        time.sleep(0.005)            # distinct updated_at
    seen, before = [], None
    for _ in range(5):
        page = agent_svc.list_conversations(deps, ann, "closed", limit=3, before=before)
        seen += [c["conversation_id"] for c in page["conversations"]]
        before = page.get("next_before")
        if not before:
            break
    assert seen == list(reversed(cids))          # newest first, each once
