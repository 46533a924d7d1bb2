"""The conversation's transitions (domain/conversation.py): what each writes, on what
condition, the event it names, and the state it leaves; no AWS."""
import pytest

from chalicelib.domain import conversation as t
from chalicelib.domain.events import message_event_type

NOW = 1_800_000_000_000


def conv(status="open", **more):
    base = {"conversation_id": "c1", "site_key": "demo", "visitor_id": "v1",
            "status": status, "rev": 4, "last_seq": 7, "attrs": {"bot": True},
            "participants": ["a0"] if status == "assigned" else []}
    if status == "assigned":
        base["agent_id"] = "a0"
    if status == "queued":
        base.update(queue_key="_default", queued_at=NOW - 5000)
    base.update(more)
    return base


def as_row(event: t.Event) -> dict:
    """The stored system message the stream reads the event's name from."""
    import json
    return {"type": "event", "sender_type": "system",
            "event": json.dumps({"kind": event.kind, **event.data})}


def test_queue_orders_by_arrival_less_the_boost_and_names_the_team():
    q = t.queue(conv("open"), "vip-team", NOW, "visitor_request", boost=60,
                previous_agent="a9")
    assert q.expect == ("open",)
    assert q.set_fields == {"status": "queued", "queue_key": "vip-team",
                            "queued_at": NOW - 60_000, "team": "vip-team"}
    assert q.attrs == {"queued_at": NOW, "handoff_reason": "visitor_request",
                       "previous_agent_id": "a9", "priority_boost": 60}
    assert q.events == ["conversation.queued"]
    assert q.without_event().event is None and q.without_event().set_fields == q.set_fields
    plain = t.queue(conv("new"), "_default", NOW, "no_bot")
    assert "team" not in plain.set_fields and "priority_boost" not in plain.attrs
    for status, code in (("queued", "already_routed"), ("assigned", "already_routed"),
                         ("closed", "conversation_closed")):
        with pytest.raises(t.Refused) as refused:
            t.queue(conv(status), "_default", NOW, "x")
        assert refused.value.code == code


def test_assign_takes_a_slot_and_a_transfer_gives_the_holders_back():
    agent = {"agent_id": "a1", "name": "Ann", "avatar_url": "https://x/a.png"}
    a = t.assign(conv("queued", attrs={"offline_offered": 1}), agent, NOW,
                 expect_queue="_default", holder_sockets={"agent": "a1", "ids": {"s=": 1}})
    assert (a.expect, a.take_agent, a.release_agent, a.expect_agent, a.expect_queue) == \
        (("queued",), "a1", None, None, "_default")
    assert a.set_fields == {"status": "assigned", "agent_id": "a1",
                            "holder_sockets": {"agent": "a1", "ids": {"s=": 1}}}
    assert a.attrs["agent_name"] == "Ann" and a.attrs["agent_avatar"] == "https://x/a.png"
    assert a.attrs["queue_position"] == 0 and a.attrs["assign_kind"] == "assigned"
    assert a.remove == ("queue_key", "queued_at") and "offline_offered" in a.remove_attrs
    assert a.events == ["conversation.assigned"]
    after = a.after(conv("queued", attrs={"offline_offered": 1}), NOW, seq=8)
    assert after["status"] == "assigned" and after["agent_id"] == "a1"
    assert "queue_key" not in after and "offline_offered" not in after["attrs"]
    assert after["participants"] == ["a1"]
    assert (after["rev"], after["last_seq"], after["updated_at"]) == (5, 8, NOW)

    moved = t.assign(conv("assigned"), {"agent_id": "a2", "name": "Bo"}, NOW,
                     kind="transferred", expect="assigned", release="a0",
                     extra_event={"from_agent_id": "a0"})
    assert (moved.take_agent, moved.release_agent, moved.expect_agent) == ("a2", "a0", "a0")
    assert moved.events == ["conversation.transferred"]
    assert moved.event.data == {"agent_id": "a2", "agent_name": "Bo", "from_agent_id": "a0"}
    assert moved.after(conv("assigned"), NOW)["participants"] == ["a0", "a2"]


def test_requeue_and_team_transfer_release_the_holder():
    r = t.requeue(conv("assigned"), "_default", NOW - 99, NOW, "agent_offline")
    assert (r.expect, r.release_agent, r.expect_agent, r.take_agent) == \
        (("assigned",), "a0", "a0", None)
    assert r.set_fields["queued_at"] == NOW - 99 and r.remove == ("agent_id",)
    assert r.event.data == {"reason": "agent_offline", "from_agent_id": "a0"}
    after = r.after(conv("assigned"), NOW)
    assert after["status"] == "queued" and "agent_id" not in after

    x = t.transfer_to_team(conv("assigned"), "billing", NOW)
    assert x.set_fields == {"status": "queued", "queue_key": "billing", "queued_at": NOW,
                            "team": "billing"}
    assert x.events == ["conversation.transferred"]
    for make in (lambda c: t.requeue(c, "_default", NOW, NOW, "x"),
                 lambda c: t.transfer_to_team(c, "billing", NOW)):
        with pytest.raises(t.Refused) as refused:
            make(conv("queued"))
        assert refused.value.code == "not_assigned"


def test_close_releases_only_a_holder_and_refuses_twice():
    held = t.close(conv("assigned"), NOW, "resolved", "a0", "agent")
    assert (held.expect, held.release_agent, held.expect_agent) == (("assigned",), "a0", "a0")
    assert held.attrs == {"closed_at": NOW, "close_reason": "resolved", "closed_by": "a0"}
    assert held.event.data == {"reason": "resolved", "by": "agent"}
    waiting = t.close(conv("queued"), NOW, "idle", None, None)
    assert waiting.release_agent is None and waiting.attrs["closed_by"] == "system"
    assert waiting.remove == ("queue_key", "queued_at")
    assert waiting.events == ["conversation.closed"]
    with pytest.raises(t.Refused):
        t.close(conv("closed"), NOW, "again", None, None)


def test_offline_offer_once_and_leaving_a_message():
    offer = t.offer_offline(conv("queued"), NOW, "no_agents")
    assert offer.attrs == {"offline_offered": NOW} and offer.expect == ("queued",)
    assert offer.events == ["conversation.offline_offered"]
    with pytest.raises(t.Refused) as refused:
        t.offer_offline(conv("queued", attrs={"offline_offered": 1}), NOW, "no_agents")
    assert refused.value.code == "already_offered"
    with pytest.raises(t.Refused) as refused:
        t.offer_offline(conv("assigned"), NOW, "no_agents")
    assert refused.value.code == "agent_assigned"

    left = t.leave_message(conv("queued"), {"email": "a@b.c"}, {"visitor_email": "a@b.c"})
    assert left.expect == t.WAITING and left.event is None
    assert left.set_fields == {"status": "offline"}
    assert left.attrs == {"offline": {"email": "a@b.c"}, "visitor_email": "a@b.c"}
    for status, code in (("assigned", "agent_assigned"), ("closed", "conversation_closed")):
        with pytest.raises(t.Refused) as refused:
            t.leave_message(conv(status), {}, {})
        assert refused.value.code == code


def test_rating_once_after_the_close_and_tags():
    r = t.rate(conv("closed"), 5, "great", NOW)
    assert r.attrs == {"rating": {"score": 5, "comment": "great", "at": NOW}}
    assert r.event.text == "great" and r.events == ["conversation.rated"]
    for c, code in ((conv("assigned"), "not_closed"),
                    (conv("closed", attrs={"rating": {"score": 1}}), "already_rated")):
        with pytest.raises(t.Refused) as refused:
            t.rate(c, 4, None, NOW)
        assert refused.value.code == code
    assert t.tags_after(conv(tags=["a", "b"]), add=["c"], remove=["a"]) == {"b", "c"}
    with pytest.raises(t.Refused):
        t.tags_after(conv(), add=[f"t{i}" for i in range(31)])


def test_joining_and_leaving():
    j = t.join(conv("open"), "s1", "Sue")
    assert j.add_participants == ("s1",) and j.expect == ("open",)
    assert j.attrs == {"last_agent": {"id": "s1", "name": "Sue"}}
    assert j.events == ["conversation.joined"]
    after = j.after(conv("open"), NOW, seq=8)
    assert after["participants"] == ["s1"] and after["attrs"]["last_agent"]["id"] == "s1"
    with pytest.raises(t.Refused):
        t.join(conv("closed"), "s1", "Sue")

    shown = conv("open", participants=["s1"], attrs={"last_agent": {"id": "s1"}})
    gone = t.leave(shown, "s1", "Sue")
    assert gone.remove_participants == ("s1",) and gone.attrs == {"last_agent": {}}
    assert gone.after(shown, NOW)["participants"] == []
    assert gone.events == ["conversation.left"]
    # the visitor's view: the leave-a-message form stands only while no agent is in
    from chalicelib.services.views import conversation_view
    offered = conv("queued", attrs={"offline_offered": NOW})
    assert conversation_view(offered, for_agent=False).get("offline_offered") is True
    joined = t.join(offered, "s1", "Sue").after(offered, NOW, seq=9)
    assert "offline_offered" not in conversation_view(joined, for_agent=False)
    left = t.leave(joined, "s1", "Sue").after(joined, NOW)       # nobody in again: it is back
    assert conversation_view(left, for_agent=False).get("offline_offered") is True
    helper = t.leave(conv("assigned", participants=["a0", "s1"]), "s1", "Sue")
    assert helper.attrs == {} and helper.expect_agent == "a0"
    with pytest.raises(t.Refused) as refused:
        t.leave(conv("assigned"), "a0", "Al")
    assert refused.value.code == "holder_cannot_leave"


def test_every_event_a_transition_names_is_the_one_the_stream_derives():
    """The catalogue is one: the name a transition gives its event is the name the event
    stream gives the stored row (domain/events.py, docs/events.md)."""
    agent = {"agent_id": "a1", "name": "Ann"}
    made = [t.queue(conv("open"), "_default", NOW, "r"),
            t.assign(conv("queued"), agent, NOW),
            t.assign(conv("assigned"), agent, NOW, kind="transferred", release="a0"),
            t.assign(conv("closed"), agent, NOW, kind="reopened", expect="closed"),
            t.requeue(conv("assigned"), "_default", NOW, NOW, "r"),
            t.transfer_to_team(conv("assigned"), "b", NOW),
            t.close(conv("open"), NOW, "r", None, None),
            t.offer_offline(conv("open"), NOW, "closed"),
            t.rate(conv("closed"), 3, None, NOW),
            t.join(conv("open"), "s1", "Sue"),
            t.leave(conv("open", participants=["s1"]), "s1", "Sue")]
    for transition in made:
        assert transition.events == [message_event_type(as_row(transition.event))]
    names = {name for tr in made for name in tr.events}
    assert names == {"conversation.queued", "conversation.assigned",
                     "conversation.transferred", "conversation.reopened",
                     "conversation.closed", "conversation.offline_offered",
                     "conversation.rated", "conversation.joined", "conversation.left"}
