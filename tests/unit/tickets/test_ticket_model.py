"""Ticket transitions, their events and history, SLA due times and pauses (pure, simulated
clock: every instant is an argument)."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.actors import Actor
from chalicelib.domain.tickets import access, fields, model, sla
from chalicelib.errors import ValidationError

UTC_WEEKDAYS = {"tz": "UTC", "days": {d: [["09:00", "17:00"]]
                                      for d in ("mon", "tue", "wed", "thu", "fri")}}
POLICY = {"targets": {"normal": {"first_reply_minutes": 120, "resolution_minutes": 8 * 60},
                      "urgent": {"first_reply_minutes": 30, "resolution_minutes": 60}},
          "business_hours": UTC_WEEKDAYS}
AGENT = Actor(kind="agent", id="a_1", name="Ann", role="agent", teams=("sales",))
H = 3600 * 1000


def at(d, h, mi=0):
    """December 2026: the 4th is a Friday, the 7th a Monday."""
    return int(datetime(2026, 12, d, h, mi, tzinfo=timezone.utc).timestamp() * 1000)


def new_ticket(now=None, priority="normal", assignee=None, team=None):
    return model.create(ticket_id="t_1", number=1001, site_key="demo", subject="Refund",
                        description="Where is my refund?",
                        requester={"visitor_id": "v_1", "email": "v@example.com"},
                        priority=priority, team=team, assignee=assignee, tags=["billing"],
                        custom_fields={}, source="api", conversation_ids=["c_1"],
                        reply_token="tok", actor=AGENT, now=now or at(4, 15),
                        policy=POLICY, hours=UTC_WEEKDAYS)


def test_create_computes_due_times_across_the_weekend():
    ch = new_ticket(now=at(4, 15))         # Friday 15:00
    t = ch.ticket
    assert t["status"] == "new" and t["number"] == 1001
    assert t["sla"]["first_reply_due"] == at(4, 17)              # 2 h on Friday
    assert t["sla"]["resolution_due"] == at(7, 15)               # 2 h Fri + 6 h Mon
    assert [e["type"] for e in ch.events] == ["ticket.created"]
    assert ch.history["action"] == "created" and ch.history["by"]["id"] == "a_1"


def test_create_with_assignee_opens_and_emits_assigned():
    ch = new_ticket(assignee={"id": "a_2", "name": "Bo"})
    assert ch.ticket["status"] == "open"
    assert [e["type"] for e in ch.events] == ["ticket.created", "ticket.assigned"]


def test_pending_pauses_the_clock_and_resumes_with_what_was_left():
    t = new_ticket(now=at(4, 15)).ticket
    # Friday 16:00: pending customer, 1 h of first reply and 7 h of resolution left
    ch = model.update(t, {"status": "pending"}, actor=AGENT, now=at(4, 16), policy=POLICY,
                      hours=UTC_WEEKDAYS)
    paused = ch.ticket
    assert paused["sla"]["resolution_due"] is None and paused["sla"]["paused_at"] == at(4, 16)
    assert paused["sla"]["remaining"] == {"first_reply": 3600, "resolution": 7 * 3600}
    assert sla.next_due(paused["sla"]) is None
    assert [e["type"] for e in ch.events] == ["ticket.status_changed"]
    # the customer answers on Tuesday 10:00: the clocks go on from there
    back = model.update(paused, {"status": "open"}, actor=AGENT, now=at(8, 10),
                        policy=POLICY, hours=UTC_WEEKDAYS).ticket
    assert back["sla"]["first_reply_due"] == at(8, 11)
    assert back["sla"]["resolution_due"] == at(8, 17)
    assert back["sla"]["paused_at"] is None


def test_transitions_are_checked():
    t = new_ticket().ticket
    closed = model.update(t, {"status": "closed"}, actor=AGENT, now=at(4, 16), policy=POLICY,
                          hours=UTC_WEEKDAYS).ticket
    with pytest.raises(model.TransitionError) as err:
        model.update(closed, {"status": "open"}, actor=AGENT, now=at(4, 17), policy=POLICY,
                     hours=UTC_WEEKDAYS)
    assert err.value.code == "invalid_transition"
    with pytest.raises(model.TransitionError) as err:
        model.comment(closed, comment_id="k", body="x", public=True, author=model.who(AGENT),
                      attachments=[], now=at(4, 17), policy=POLICY, hours=UTC_WEEKDAYS)
    assert err.value.code == "ticket_closed"


def test_update_records_changes_and_no_op_records_nothing():
    t = new_ticket().ticket
    ch = model.update(t, {"priority": "urgent", "tags": ["billing", "vip"],
                          "assignee_id": "a_1", "assignee_name": "Ann"},
                      actor=AGENT, now=at(4, 16), policy=POLICY, hours=UTC_WEEKDAYS)
    types = [e["type"] for e in ch.events]
    assert types == ["ticket.updated", "ticket.assigned", "ticket.status_changed"]
    assert ch.history["changes"]["priority"] == ["normal", "urgent"]
    assert ch.history["changes"]["status"] == ["new", "open"]
    # urgent counts from creation (Friday 15:00): 30 min first reply, 1 h resolution
    assert ch.ticket["sla"]["first_reply_due"] == at(4, 15, 30)
    assert ch.ticket["sla"]["resolution_due"] == at(4, 16)
    assert ch.ticket["version"] == 2
    same = model.update(ch.ticket, {"priority": "urgent"}, actor=AGENT, now=at(4, 17),
                        policy=POLICY, hours=UTC_WEEKDAYS)
    assert not same.changed and same.history is None


def test_agent_public_reply_meets_first_reply_and_requester_reply_reopens():
    t = new_ticket().ticket
    ch = model.comment(t, comment_id="k1", body="On its way", public=True,
                       author=model.who(AGENT), attachments=[], now=at(4, 16), policy=POLICY,
                       hours=UTC_WEEKDAYS)
    assert ch.ticket["status"] == "open" and ch.ticket["sla"]["first_reply_at"] == at(4, 16)
    assert ch.ticket["sla"]["first_reply_due"] is None
    note = model.comment(ch.ticket, comment_id="k2", body="internal", public=False,
                         author=model.who(AGENT), attachments=[], now=at(4, 16),
                         policy=POLICY, hours=UTC_WEEKDAYS)
    assert [e["type"] for e in note.events] == ["ticket.commented"]
    solved = model.update(note.ticket, {"status": "solved"}, actor=AGENT, now=at(4, 16, 30),
                          policy=POLICY, hours=UTC_WEEKDAYS).ticket
    assert solved["sla"]["resolution_due"] is None
    back = model.comment(solved, comment_id="k3", body="Not yet!", public=True,
                         author={"type": "requester", "id": None, "name": "V"},
                         attachments=[], now=at(7, 9), policy=POLICY, hours=UTC_WEEKDAYS)
    assert back.ticket["status"] == "open"
    assert back.ticket["sla"]["resolution_due"] == at(7, 17)   # a fresh 8 h from Monday
    assert back.history["changes"]["status"] == ["solved", "open"]


def test_breach_is_flagged_once_and_moves_the_next_due():
    t = new_ticket(now=at(4, 15)).ticket
    assert sla.badge(t["sla"], at(4, 16, 30)) == "soon"
    ch = model.sla_breached(t, at(4, 17, 1))
    assert ch.events[0]["type"] == "ticket.sla_breached"
    assert ch.events[0]["data"]["kinds"] == ["first_reply"]
    assert sla.next_due(ch.ticket["sla"]) == at(7, 15)
    assert not model.sla_breached(ch.ticket, at(4, 17, 2)).changed
    assert sla.badge(ch.ticket["sla"], at(4, 17, 2)) == "breached"


def test_policy_validation():
    assert sla.validate_policy({"targets": {"low": {"first_reply_minutes": 60}}})[
        "use_site_hours"] is True
    with pytest.raises(ValidationError):
        sla.validate_policy({"targets": {"low": {"first_reply_minutes": 0}}})
    with pytest.raises(ValidationError) as err:
        sla.validate_policy({"targets": {}, "business_hours": {"tz": "Mars/Base"}})
    assert err.value.code == "invalid_timezone"


def test_custom_fields():
    defs = fields.validate_definitions([
        {"key": "order", "kind": "text", "label": "Order", "required": True},
        {"key": "amount", "kind": "number", "label": "Amount"},
        {"key": "due", "kind": "date", "label": "Due"},
        {"key": "plan", "kind": "select", "label": "Plan", "options": ["free", "pro"]}])
    vals = fields.validate_values({"order": "A-1", "amount": 3.5, "due": "2026-12-31",
                                   "plan": "pro"}, defs, on_create=True)
    assert vals["plan"] == "pro"
    for bad in ({"plan": "gold"}, {"due": "31/12/2026"}, {"amount": "3"}, {"nope": 1}):
        with pytest.raises(ValidationError) as err:
            fields.validate_values(bad, defs, current=vals)
        assert err.value.code == "invalid_custom_field"
    with pytest.raises(ValidationError):
        fields.validate_values({}, defs, on_create=True)          # order is required
    assert "amount" not in fields.validate_values({"amount": None}, defs, current=vals)
    with pytest.raises(ValidationError) as err:
        fields.validate_definitions([{"key": "x", "kind": "select", "label": "X"}])
    assert err.value.code == "invalid_options"


def test_access():
    t = new_ticket(team="support").ticket
    other = Actor(kind="agent", id="a_9", role="agent", teams=("support",))
    sup = Actor(kind="agent", id="s_1", role="supervisor")
    assert access.agent_may(t, AGENT) == access.NOT_YOUR_TEAM
    assert access.agent_may(t, other) is None and access.agent_may(t, sup) is None
    assert access.agent_may({**t, "assignee_id": "a_1"}, AGENT) is None
    assert access.agent_may({**t, "team": None}, AGENT) is None
    me = Actor(kind="visitor", id="v_1", site_key="demo")
    assert access.visitor_may(t, me) is None
    assert access.visitor_may(t, Actor(kind="visitor", id="v_2", site_key="demo")) is not None
