"""Queueing and assignment through SQS on moto: presence, capacity, teams, transfer, close,
offline, ratings, and the races that must never double-assign or overfill an agent."""
import json
import threading
from datetime import datetime, timezone

import pytest

from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import tasks, lifecycle, presence, realtime, routing, sessions, sites
from chalicelib.errors import AppError
from tests.helpers.aws import AwsCallCounter, drain_queues


@pytest.fixture
def nobot(deps):
    """A site without a bot: a visitor's first message goes to the queue. Its visitors may
    ask for these teams by name."""
    deps.directory.create("team", "billing", {"name": "Billing"})
    return sites.create_site(deps, "nobot", "No bot", {"bot_enabled": False,
                                                       "teams": ["billing", "vip", "sales"]})


def make_agent(deps, name, capacity=5, teams=None, online=True):
    a = agent_svc.create_agent(deps, {"email": f"{name.lower()}@example.com", "name": name,
                                      "password": "password1", "capacity": capacity,
                                      **({"teams": teams} if teams else {})})
    actor = Actor(kind="agent", id=a["agent_id"], role="agent", name=name)
    if online:
        presence.set_status(deps, actor, {"status": "online"})
    return actor


def visitor_chat(deps, site="nobot", text="I need help", connection=None, **extra):
    s = sessions.start_session(deps, {"site_key": site, **extra})
    actor = Actor(kind="visitor", id=s["visitor_id"], site_key=site)
    if connection:
        realtime.connect(deps, connection, {"token": s["token"]})
    convs.post_message(deps, actor, s["conversation_id"],
                       {"client_message_id": "first", "text": text})
    return s, actor


def conv(deps, cid):
    return deps.conversations.get(cid, consistent=True)


def load(deps, actor):
    return deps.agents.get(actor.id)["active_count"]


def test_first_message_queues_and_an_online_agent_gets_it(deps, nobot, posted):
    ann = make_agent(deps, "Ann")
    drain_queues(deps)
    s, v = visitor_chat(deps, connection="vis-1")
    assert conv(deps, s["conversation_id"])["status"] == "queued"
    drain_queues(deps)
    c = conv(deps, s["conversation_id"])
    assert c["status"] == "assigned" and c["agent_id"] == ann.id
    assert load(deps, ann) == 1
    kinds = [m["event"]["kind"] for m in deps.messages.after(c["conversation_id"], 0)
             if m["type"] == "event"]
    assert kinds == ["queued", "assigned"]
    pushed = [e for e in posted.events("vis-1", "conversation")]
    assert pushed[-1]["conversation"]["agent"]["name"] == "Ann"
    for key in ("queued_at", "assigned_at", "created_at"):
        assert key in c["attrs"]


def test_queued_conversation_waits_then_is_assigned_when_an_agent_comes_online(deps, nobot,
                                                                              posted):
    s1, _ = visitor_chat(deps)
    s2, _ = visitor_chat(deps, connection="vis-2")
    drain_queues(deps)
    assert conv(deps, s1["conversation_id"])["status"] == "queued"
    # the second visitor knows they are second in line
    c2 = conv(deps, s2["conversation_id"])
    assert c2["attrs"]["queue_position"] == 2
    assert posted.events("vis-2", "queue")[-1]["position"] == 2
    bob = make_agent(deps, "Bob", capacity=1)
    drain_queues(deps)
    # oldest first; Bob is full after one, the second waits and moves up to first place
    assert conv(deps, s1["conversation_id"])["agent_id"] == bob.id
    assert conv(deps, s2["conversation_id"])["status"] == "queued"
    moved = posted.events("vis-2", "queue")
    assert moved[-1]["position"] == 1
    # the push says when the place was stored, as the stored place does: a newer place
    # has a later time than the one before it
    assert moved[-1]["at"] == conv(deps, s2["conversation_id"])["attrs"]["queue_position_at"]
    assert moved[-1]["at"] >= moved[0]["at"]
    # closing frees Bob's slot: the waiting conversation is assigned to him at once
    lifecycle.close(deps, bob, s1["conversation_id"])
    drain_queues(deps)
    assert conv(deps, s2["conversation_id"])["agent_id"] == bob.id
    assert load(deps, bob) == 1


def test_least_loaded_agent_and_team_routing(deps, nobot):
    ann = make_agent(deps, "Ann")
    cat = make_agent(deps, "Cat", teams=["billing"])
    s1, _ = visitor_chat(deps)
    drain_queues(deps)
    first = conv(deps, s1["conversation_id"])["agent_id"]
    s2, _ = visitor_chat(deps)
    drain_queues(deps)
    second = conv(deps, s2["conversation_id"])["agent_id"]
    assert {first, second} == {ann.id, cat.id}  # the least loaded takes the next one
    # a billing conversation only goes to a billing agent, even if busier
    s3 = sessions.start_session(deps, {"site_key": "nobot"})
    v3 = Actor(kind="visitor", id=s3["visitor_id"])
    routing.visitor_handoff(deps, v3, s3["conversation_id"], {"team": "billing"})
    drain_queues(deps)
    assert conv(deps, s3["conversation_id"])["agent_id"] == cat.id


def test_returning_visitor_gets_previous_agent(deps, nobot):
    ann = make_agent(deps, "Ann")
    s1, v = visitor_chat(deps)
    drain_queues(deps)
    assert conv(deps, s1["conversation_id"])["agent_id"] == ann.id
    lifecycle.close(deps, ann, s1["conversation_id"])
    make_agent(deps, "Dee")  # idle, would win on load
    again = sessions.start_session(deps, {"site_key": "nobot"}, s1["token"])
    assert again["conversation_id"] != s1["conversation_id"]
    convs.post_message(deps, v, again["conversation_id"], {"client_message_id": "b",
                                                           "text": "me again"})
    drain_queues(deps)
    assert conv(deps, again["conversation_id"])["agent_id"] == ann.id


@pytest.mark.timeout(300)
def test_racing_assignment_handlers_never_double_assign_or_overfill(deps, nobot):
    agents = [make_agent(deps, f"Ag{i}", capacity=3) for i in range(4)]  # 12 slots
    drain_queues(deps)
    chats = [visitor_chat(deps)[0]["conversation_id"] for _ in range(20)]
    # many handlers at once over the same queue and agents, each a redelivery of the others
    errors = []

    def handler():
        try:
            routing.assign_next(deps, "_default")
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=handler) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    drain_queues(deps)
    assert errors == []
    states = [conv(deps, c) for c in chats]
    assigned = [c for c in states if c["status"] == "assigned"]
    assert len(assigned) == 12
    assert all(c["status"] == "queued" for c in states if c not in assigned)
    per_agent = {a.id: 0 for a in agents}
    for c in assigned:
        per_agent[c["agent_id"]] += 1
    for a in agents:
        assert per_agent[a.id] == load(deps, a) == 3
    # each assigned conversation has exactly one "assigned" event: no double assignment
    for c in assigned:
        kinds = [m["event"]["kind"] for m in deps.messages.after(c["conversation_id"], 0)
                 if m["type"] == "event"]
        assert kinds.count("assigned") == 1


def test_redelivered_sqs_message_changes_nothing(deps, nobot):
    ann = make_agent(deps, "Ann", capacity=1)
    s, _ = visitor_chat(deps)
    record = {"messageId": "m-1", "body": json.dumps({"type": "assign",
                                                      "queue_key": "_default"})}
    tasks.handle_records(deps, [record])
    before = conv(deps, s["conversation_id"])
    for _ in range(3):
        assert tasks.handle_records(deps, [record]) == {"batchItemFailures": []}
    after = conv(deps, s["conversation_id"])
    assert after["agent_id"] == before["agent_id"] == ann.id
    assert after["last_seq"] == before["last_seq"]
    assert load(deps, ann) == 1


def test_transfer_and_close_move_load(deps, nobot, posted):
    ann = make_agent(deps, "Ann")
    s, _ = visitor_chat(deps)
    drain_queues(deps)
    bob = make_agent(deps, "Bob")
    cid = s["conversation_id"]
    lifecycle.transfer(deps, ann, cid, {"agent_id": bob.id, "note": "VIP customer"})
    c = conv(deps, cid)
    assert c["agent_id"] == bob.id and load(deps, ann) == 0 and load(deps, bob) == 1
    msgs = deps.messages.after(cid, 0)
    assert [m for m in msgs if m["type"] == "note"][0]["text"] == "VIP customer"
    visible = convs.history(deps, Actor(kind="visitor", id=s["visitor_id"]), cid, after=0)
    assert all(m["type"] != "note" for m in visible["messages"])
    # a transfer to a team puts it back in line for that team
    lifecycle.transfer(deps, bob, cid, {"team": "billing"})
    c = conv(deps, cid)
    assert c["status"] == "queued" and c["queue_key"] == "billing" and load(deps, bob) == 0
    cat = make_agent(deps, "Cat", teams=["billing"])
    drain_queues(deps)
    assert conv(deps, cid)["agent_id"] == cat.id
    lifecycle.close(deps, cat, cid)
    assert conv(deps, cid)["status"] == "closed" and load(deps, cat) == 0


def test_rating_after_close(deps, nobot):
    ann = make_agent(deps, "Ann")
    s, v = visitor_chat(deps)
    drain_queues(deps)
    cid = s["conversation_id"]
    with pytest.raises(AppError) as err:
        lifecycle.rate(deps, v, cid, {"score": 5})
    assert err.value.code == "not_closed"
    lifecycle.close(deps, ann, cid)
    for bad in ({"score": 0}, {"score": 6}, {"score": "5"}, {"score": 3, "stars": 1}):
        with pytest.raises(AppError):
            lifecycle.rate(deps, v, cid, bad)
    lifecycle.rate(deps, v, cid, {"score": 4, "comment": "quick and kind"})
    assert conv(deps, cid)["attrs"]["rating"]["score"] == 4


def test_bad_agent_actions_get_clear_errors_and_change_nothing(deps, nobot):
    ann = make_agent(deps, "Ann")
    away = make_agent(deps, "Eve", online=False)
    s, _ = visitor_chat(deps)
    drain_queues(deps)
    cid = s["conversation_id"]
    stranger = make_agent(deps, "Sam")
    before = conv(deps, cid)
    cases = [
        (lambda: lifecycle.transfer(deps, ann, cid, {"agent_id": "a_nobody"}), "agent_not_found"),
        (lambda: lifecycle.transfer(deps, ann, cid, {"agent_id": away.id}), "agent_not_online"),
        (lambda: lifecycle.transfer(deps, ann, cid, {}), "invalid_transfer"),
        (lambda: lifecycle.transfer(deps, stranger, cid, {"agent_id": stranger.id}), "not_yours"),
        (lambda: lifecycle.close(deps, stranger, cid), "not_yours"),
        (lambda: lifecycle.reassign(deps, ann, cid, {"agent_id": stranger.id}), "forbidden"),
        (lambda: presence.set_status(deps, ann, {"status": "busy"}), "invalid_value"),
    ]
    for call, code in cases:
        with pytest.raises(AppError) as err:
            call()
        assert err.value.code == code
    after = conv(deps, cid)
    assert after["agent_id"] == before["agent_id"] and after["last_seq"] == before["last_seq"]
    lifecycle.close(deps, ann, cid)
    for call, code in [(lambda: lifecycle.close(deps, ann, cid), "conversation_closed"),
                       (lambda: lifecycle.transfer(deps, ann, cid, {"agent_id": stranger.id}),
                        "conversation_closed")]:
        with pytest.raises(AppError) as err:
            call()
        assert err.value.code == code


def test_supervisor_reassigns(deps, nobot):
    ann = make_agent(deps, "Ann")
    s, _ = visitor_chat(deps)
    drain_queues(deps)
    boss = agent_svc.create_agent(deps, {"email": "boss@example.com", "name": "Boss",
                                         "password": "password1", "role": "supervisor"})
    sup = Actor(kind="agent", id=boss["agent_id"], role="supervisor", name="Boss")
    bob = make_agent(deps, "Bob")
    lifecycle.reassign(deps, sup, s["conversation_id"], {"agent_id": bob.id})
    assert conv(deps, s["conversation_id"])["agent_id"] == bob.id
    assert load(deps, ann) == 0 and load(deps, bob) == 1
    agents_view = presence.list_agents(deps, sup)["agents"]
    assert {a["name"]: a["active_count"] for a in agents_view}["Bob"] == 1


def test_outside_business_hours_the_visitor_is_offered_to_leave_a_message(deps):
    now = datetime.now(timezone.utc)
    closed_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(now.weekday() + 1) % 7]
    sites.create_site(deps, "closed", "Closed site", {
        "bot_enabled": False, "business_hours": {"tz": "UTC", "days": {
            closed_day: [["09:00", "17:00"]]}}})
    make_agent(deps, "Ann")
    s = sessions.start_session(deps, {"site_key": "closed"})
    v = Actor(kind="visitor", id=s["visitor_id"])
    result = routing.visitor_handoff(deps, v, s["conversation_id"], {})
    assert result["offline"] is True
    assert conv(deps, s["conversation_id"])["status"] != "queued"
    lifecycle.leave_offline_message(deps, v, s["conversation_id"],
                                {"email": "vis@example.com", "name": "Vi",
                                 "text": "Please call me back"})
    c = conv(deps, s["conversation_id"])
    assert c["status"] == "offline" and c["attrs"]["offline"]["email"] == "vis@example.com"
    assert deps.visitors.get(s["visitor_id"])["email"] == "vis@example.com"
    with pytest.raises(AppError) as err:
        lifecycle.leave_offline_message(deps, v, s["conversation_id"], {"email": "bad", "text": "x"})
    assert err.value.code == "invalid_format"


def test_max_wait_offers_the_offline_path(deps):
    sites.create_site(deps, "slow", "Slow", {"bot_enabled": False, "max_wait_seconds": 120})
    s, v = visitor_chat(deps, site="slow")
    c = conv(deps, s["conversation_id"])
    assert c["status"] == "queued"
    tasks.handle_records(deps, [{"messageId": "t", "body": json.dumps({
        "type": "queue_timeout", "conversation_id": c["conversation_id"],
        "queued_at": c["queued_at"]})}])
    kinds = [m["event"]["kind"] for m in deps.messages.after(c["conversation_id"], 0)
             if m["type"] == "event"]
    assert kinds[-1] == "offline"
    assert "offline_offered" in conv(deps, s["conversation_id"])["attrs"]


def test_idle_conversations_auto_close_with_a_system_message(deps, nobot):
    ann = make_agent(deps, "Ann")
    s, _ = visitor_chat(deps)
    drain_queues(deps)
    future = deps.conversations.get(s["conversation_id"])["updated_at"] + 31 * 60_000
    assert presence.idle_sweep(deps, now=future) == 1
    c = conv(deps, s["conversation_id"])
    assert c["status"] == "closed" and c["attrs"]["close_reason"] == "idle"
    assert load(deps, ann) == 0
    last = deps.messages.after(s["conversation_id"], 0)[-1]
    assert last["event"]["kind"] == "closed" and last["event"]["reason"] == "idle"


def test_agent_becomes_away_after_last_connection_is_gone(deps, nobot):
    ann = make_agent(deps, "Ann")
    token = agent_svc.issue_token(deps, deps.agents.get(ann.id))["token"]
    realtime.connect(deps, "ann-1", {"token": token, "role": "agent"})
    realtime.connect(deps, "ann-2", {"token": token, "role": "agent"})
    realtime.disconnect(deps, "ann-1")
    drain_queues(deps)
    assert deps.agents.get(ann.id)["status"] == "online"
    realtime.disconnect(deps, "ann-2")
    tasks.handle_records(deps, [{"messageId": "p", "body": json.dumps(
        {"type": "presence_check", "agent_id": ann.id})}])
    assert deps.agents.get(ann.id)["status"] == "away"


def test_aws_requests_per_assignment(deps, nobot):
    make_agent(deps, "Ann")
    make_agent(deps, "Bob")
    drain_queues(deps)
    s, _ = visitor_chat(deps)
    drain_queues(deps, rounds=0)
    with AwsCallCounter(deps) as counter:
        assert routing.assign_next(deps, "_default") == 1
    ddb = [c for c in counter.calls if c.startswith("dynamodb:")]
    print(f"\nassignment: {len(counter.calls)} AWS requests: {counter.calls}")
    assert "dynamodb:Scan" not in ddb
    # the move, the agent's slot and the "assigned" event row: one transaction, no re-read
    assert counter.calls.count("dynamodb:TransactWriteItems") == 1
    # a pass of one: the online agents, the line, the agent connections (once a pass),
    # the transaction, the visitor's connections, the agent's load for the push
    assert len(ddb) <= 6


def test_manual_team_waits_for_an_agent_to_accept(deps, nobot):
    deps.directory.create("team", "vip", {"name": "VIP", "manual_assign": True})
    ann = make_agent(deps, "Ann", teams=["vip"])
    s = sessions.start_session(deps, {"site_key": "nobot"})
    v = Actor(kind="visitor", id=s["visitor_id"])
    routing.visitor_handoff(deps, v, s["conversation_id"], {"team": "vip"})
    drain_queues(deps)
    assert conv(deps, s["conversation_id"])["status"] == "queued"  # nobody auto-assigned
    waiting = routing.list_queue(deps, ann)["conversations"]
    assert [w["conversation_id"] for w in waiting] == [s["conversation_id"]]
    assert waiting[0]["queue_position"] == 1
    lifecycle.accept(deps, ann, s["conversation_id"])
    assert conv(deps, s["conversation_id"])["agent_id"] == ann.id and load(deps, ann) == 1
    bob = make_agent(deps, "Bob", teams=["vip"])
    with pytest.raises(AppError) as err:
        lifecycle.accept(deps, bob, s["conversation_id"])
    assert err.value.code == "not_waiting"


def test_agent_reply_to_an_offline_message_is_emailed_once(deps):
    import boto3
    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress="support@parley.invalid")
    sites.create_site(deps, "mail", "Mail Co", {"bot_enabled": False,
                                                "business_hours": {"tz": "UTC", "days": {}}})
    s = sessions.start_session(deps, {"site_key": "mail"})
    v = Actor(kind="visitor", id=s["visitor_id"])
    assert routing.visitor_handoff(deps, v, s["conversation_id"], {})["offline"] is True
    lifecycle.leave_offline_message(deps, v, s["conversation_id"],
                                {"email": "vis@example.com", "text": "Where is my order?"})
    ann = make_agent(deps, "Ann")
    lifecycle.accept(deps, ann, s["conversation_id"])  # agents follow up from the console
    convs.post_message(deps, ann, s["conversation_id"],
                       {"client_message_id": "reply-1", "text": "It ships tomorrow."})
    sent_before = ses.get_send_quota()["SentLast24Hours"]
    drain_queues(deps)
    # a redelivery of the same event sends nothing more
    seq = deps.conversations.get(s["conversation_id"], consistent=True)["last_seq"]
    tasks.handle_records(deps, [{"messageId": "again", "body": json.dumps(
        {"type": "email_reply", "conversation_id": s["conversation_id"], "seq": seq})}])
    assert ses.get_send_quota()["SentLast24Hours"] == sent_before + 1
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert sent[-1].destinations["ToAddresses"] == ["vis@example.com"]
    assert "It ships tomorrow." in sent[-1].body


def test_long_poll_state_carries_queue_position_and_agent(deps, nobot):
    s, v = visitor_chat(deps)
    drain_queues(deps)
    state = convs.poll(deps, v, s["conversation_id"], after=10**6, wait=0)["conversation"]
    assert state["status"] == "queued" and state["queue_position"] == 1
    make_agent(deps, "Ann")
    drain_queues(deps)
    state = convs.poll(deps, v, s["conversation_id"], after=10**6, wait=0)["conversation"]
    assert state["status"] == "assigned" and state["agent"]["name"] == "Ann"


def test_team_inbox_lists_teammates_conversations(deps, nobot):
    cat = make_agent(deps, "Cat", teams=["billing"])
    dan = make_agent(deps, "Dan", teams=["billing"], online=False)
    eve = make_agent(deps, "Eve", online=False)
    s = sessions.start_session(deps, {"site_key": "nobot"})
    routing.visitor_handoff(deps, Actor(kind="visitor", id=s["visitor_id"]), s["conversation_id"],
                          {"team": "billing"})
    drain_queues(deps)
    assert conv(deps, s["conversation_id"])["agent_id"] == cat.id
    team_of = lambda a: [c["conversation_id"] for c in  # noqa: E731
                         agent_svc.list_conversations(deps, a, "team")["conversations"]]
    assert team_of(dan) == [s["conversation_id"]]
    assert team_of(eve) == []
