"""Tickets on moto: create (API, chat, left message), list, update, comment, permissions,
idempotent creation, the mail port, the requester's view and the SLA sweep (simulated
clock: deps.clock)."""
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

import app as app_module  # noqa: F401  (tests/infra/aws_recorder attributes calls by the app)
from chalicelib.domain.actors import Actor
from chalicelib.errors import AppError
from chalicelib.services import agents, lifecycle, sessions, tasks
from chalicelib.services.tickets import comments, create, manage, sla_sweep, visitor
from chalicelib.services.tickets.mail_port import TicketsMailPort
from tests.helpers.api import Api
from tests.helpers.aws import drain_queues

FRIDAY_3PM = int(datetime(2026, 12, 4, 15, tzinfo=timezone.utc).timestamp() * 1000)
H = 3600 * 1000


@dataclass(frozen=True)
class Mail:
    """The fields of chalicelib/domain/mail/model.ParsedMail the port reads."""
    message_id: str
    from_addr: str = "cus@example.com"
    from_name: str = "Cus"
    subject: str = "Help"
    text: str = "My order is late"
    in_reply_to: str | None = None
    references: tuple = ()
    reply_token: str | None = None
    attachments: tuple = field(default_factory=tuple)


def agent(deps, name, role="agent", teams=()):
    a = agents.create_agent(deps, {"email": f"{name.lower()}@example.com", "name": name,
                                   "password": "password1", "role": role,
                                   **({"teams": list(teams)} if teams else {})})
    return Actor(kind="agent", id=a["agent_id"], role=role, name=name, teams=tuple(teams))


def refused(code, fn, *args):
    with pytest.raises(AppError) as info:
        fn(*args)
    assert info.value.code == code, (info.value.code, info.value.message)
    return info.value


@pytest.fixture
def clock(deps):
    state = {"now": FRIDAY_3PM}
    deps.clock = lambda: state["now"] / 1000
    return state


@pytest.fixture
def world(deps, site, clock):
    """Site "demo" open Mon-Fri 09:00-17:00 UTC; teams sales and support."""
    row = deps.sites.get("demo")
    deps.sites.put({**row, "settings": {**(row.get("settings") or {}), "business_hours": {
        "tz": "UTC", "days": {d: [["09:00", "17:00"]] for d in
                              ("mon", "tue", "wed", "thu", "fri")}}}})
    for team in ("sales", "support"):
        deps.directory.create("team", team, {"name": team.title()})
    sent = []

    def mailer(deps_, *, site_key, ticket, comment, to_addr, thread_ids):
        sent.append({"site_key": site_key, "ticket": ticket, "comment": comment,
                     "to": to_addr, "thread_ids": list(thread_ids)})
        return f"<out-{len(sent)}@parley.test>"

    deps.extras["ticket_mailer"] = mailer
    return {"ann": agent(deps, "Ann", teams=("sales",)),
            "bob": agent(deps, "Bob", teams=("support",)),
            "sup": agent(deps, "Sue", role="supervisor"), "sent": sent}


def new(deps, actor, **over):
    body = {"site_key": "demo", "subject": "Refund", "description": "Where is it?",
            "requester": {"email": "cus@example.com", "name": "Cus"}, **over}
    return create.create(deps, actor, body)["ticket"]


def test_create_numbers_and_lists(deps, world):
    ann = world["ann"]
    t1 = new(deps, ann, team="sales")
    t2 = new(deps, ann, team="sales", assignee_id=ann.id, priority="urgent")
    assert (t1["number"], t2["number"]) == (1001, 1002)
    assert t1["status"] == "new" and t2["status"] == "open"
    assert t1["sla"]["first_reply_due"] is not None
    mine = manage.list_tickets(deps, ann, {"site_key": "demo", "view": "mine"})["tickets"]
    assert [t["ticket_id"] for t in mine] == [t2["ticket_id"]]
    unassigned = manage.list_tickets(deps, ann, {"site_key": "demo", "view": "unassigned"})
    assert [t["ticket_id"] for t in unassigned["tickets"]] == [t1["ticket_id"]]
    page1 = manage.list_tickets(deps, ann, {"site_key": "demo", "view": "team",
                                            "team": "sales", "limit": "1"})
    assert len(page1["tickets"]) == 1 and page1["cursor"]
    page2 = manage.list_tickets(deps, ann, {"site_key": "demo", "view": "team",
                                            "team": "sales", "limit": "1",
                                            "cursor": page1["cursor"]})
    assert {page1["tickets"][0]["ticket_id"], page2["tickets"][0]["ticket_id"]} == \
        {t1["ticket_id"], t2["ticket_id"]}
    by_req = manage.list_tickets(deps, world["sup"], {"site_key": "demo", "view": "requester",
                                                      "requester": "CUS@example.com"})
    assert len(by_req["tickets"]) == 2
    refused("invalid_cursor", manage.list_tickets, deps, ann,
            {"site_key": "demo", "cursor": "not-a-cursor"})


def test_agents_of_another_team_cannot_see_or_edit(deps, world):
    ann, bob, sup = world["ann"], world["bob"], world["sup"]
    t = new(deps, ann, team="sales")
    before = deps.tickets.get(t["ticket_id"], consistent=True)
    refused("not_your_team", manage.update, deps, bob, t["ticket_id"], {"status": "open"})
    refused("not_your_team", comments.add, deps, bob, t["ticket_id"], {"body": "hi"})
    refused("not_your_team", manage.get, deps, bob, t["ticket_id"])
    assert deps.tickets.get(t["ticket_id"], consistent=True) == before
    assert deps.tickets.history(t["ticket_id"])[0][0]["action"] == "created"
    # the open list of a status filters to what Bob may see
    listed = manage.list_tickets(deps, bob, {"site_key": "demo", "status": "new"})
    assert listed["tickets"] == []
    refused("not_your_team", manage.list_tickets, deps, bob,
            {"site_key": "demo", "view": "team", "team": "sales"})
    # supervisors may; a reassignment to support lets Bob in
    manage.update(deps, sup, t["ticket_id"], {"team": "support"})
    assert manage.update(deps, bob, t["ticket_id"], {"status": "open"})["ticket"]["status"] \
        == "open"


def test_update_validation_writes_nothing(deps, world):
    ann = world["ann"]
    t = new(deps, ann, team="sales")
    before = deps.tickets.get(t["ticket_id"], consistent=True)
    refused("invalid_value", manage.update, deps, ann, t["ticket_id"], {"status": "done"})
    refused("unknown_field", manage.update, deps, ann, t["ticket_id"], {"owner": "x"})
    refused("unknown_agent", manage.update, deps, ann, t["ticket_id"], {"assignee_id": "a_no"})
    refused("invalid_custom_field", manage.update, deps, ann, t["ticket_id"],
            {"custom_fields": {"nope": 1}})
    manage.update(deps, ann, t["ticket_id"], {"status": "closed"})
    refused("invalid_transition", manage.update, deps, ann, t["ticket_id"], {"status": "open"})
    refused("ticket_closed", comments.add, deps, ann, t["ticket_id"], {"body": "late"})
    assert deps.tickets.get(t["ticket_id"], consistent=True)["version"] == before["version"] + 1


def test_public_reply_is_mailed_once_and_internal_note_is_not(deps, world):
    ann = world["ann"]
    t = new(deps, ann, team="sales")
    comments.add(deps, ann, t["ticket_id"], {"body": "internal only"})
    out = comments.add(deps, ann, t["ticket_id"], {"body": "We refunded you", "public": True})
    assert out["ticket"]["status"] == "open" and out["ticket"]["sla"]["first_reply_at"]
    drain_queues(deps)
    drain_queues(deps)
    assert len(world["sent"]) == 1
    mail = world["sent"][0]
    assert mail["to"] == "cus@example.com" and mail["comment"]["body"] == "We refunded you"
    assert mail["ticket"]["number"] == t["number"] and mail["ticket"]["reply_token"]
    # the Message-ID is recorded: the customer's answer threads back to the ticket
    port = TicketsMailPort(deps)
    assert port.ticket_for_thread("demo", ["<out-1@parley.test>"], None) == t["ticket_id"]
    full = manage.get(deps, ann, t["ticket_id"])
    assert [c["mail_status"] for c in full["comments"]] == [None, "sent"]


def test_mail_port_threads_replies_idempotently_and_reopens(deps, world):
    port = TicketsMailPort(deps)
    first = Mail(message_id="<m1@cus.example>")
    tid = port.create_from_email("demo", first)
    assert port.create_from_email("demo", first) == tid               # delivered twice
    assert port.ticket_for_thread("demo", ["m1@cus.example"], None) == tid
    ticket = deps.tickets.get(tid)
    assert ticket["source"] == "email" and ticket["requester"]["email"] == "cus@example.com"
    assert port.ticket_for_thread("demo", [], ticket["reply_token"]) == tid
    assert port.ticket_for_thread("other", [], ticket["reply_token"]) is None
    manage.update(deps, world["sup"], tid, {"status": "solved"})
    reply = Mail(message_id="<m2@cus.example>", text="Still broken",
                 in_reply_to="<m1@cus.example>")
    port.add_email_reply("demo", tid, reply)
    port.add_email_reply("demo", tid, reply)                           # delivered twice
    got = manage.get(deps, world["sup"], tid)
    assert got["ticket"]["status"] == "open"
    assert [c["body"] for c in got["comments"]] == ["Still broken"]
    assert got["comments"][0]["author"]["type"] == "requester"
    assert [e["type"] for e in _events(deps, tid)] == [
        "ticket.created", "ticket.status_changed", "ticket.commented", "ticket.status_changed"]
    # a mail to a closed ticket starts a follow-up
    manage.update(deps, world["sup"], tid, {"status": "closed"})
    port.add_email_reply("demo", tid, Mail(message_id="<m3@cus.example>", text="again"))
    follow = port.ticket_for_thread("demo", ["<m3@cus.example>"], None)
    assert follow and follow != tid


def _events(deps, tid):
    from chalicelib.domain.tickets.events import from_row
    items, _ = deps.tickets.history(tid, limit=50)
    out = []
    for entry in reversed(items):
        out += from_row({"kind": "history", "pk": f"t#{tid}", "data": entry,
                         "site_key": "demo"})
    return out


def test_left_message_becomes_one_ticket(deps, world):
    s = sessions.start_session(deps, {"site_key": "demo"})
    v = Actor(kind="visitor", id=s["visitor_id"], site_key="demo")
    lifecycle.leave_offline_message(deps, v, s["conversation_id"],
                                    {"email": "lefty@example.com", "name": "Lefty",
                                     "text": "Please call me back about my invoice"})
    drain_queues(deps)
    # a redelivery of the task finds the ticket it made
    tasks.handle_records(deps, [{"messageId": "x", "body":
                                 '{"type": "ticket_from_offline", "conversation_id": "%s", '
                                 '"text": "Please call me back about my invoice"}'
                                 % s["conversation_id"]}])
    found = manage.list_tickets(deps, world["sup"], {"site_key": "demo", "view": "requester",
                                                     "requester": s["visitor_id"]})["tickets"]
    assert len(found) == 1
    t = found[0]
    assert t["source"] == "offline" and t["conversation_ids"] == [s["conversation_id"]]
    assert t["requester"]["email"] == "lefty@example.com"
    assert t["subject"].startswith("Please call me back")
    # the requester sees it, with public replies only
    comments.add(deps, world["sup"], t["ticket_id"], {"body": "note", "public": False})
    comments.add(deps, world["sup"], t["ticket_id"], {"body": "Calling you", "public": True})
    mine = visitor.my_tickets(deps, v)["tickets"]
    assert [x["ticket_id"] for x in mine] == [t["ticket_id"]]
    assert "assignee_id" not in mine[0] and "sla" not in mine[0]
    thread = visitor.my_ticket(deps, v, t["ticket_id"])
    assert [c["body"] for c in thread["comments"]] == ["Calling you"]
    other = Actor(kind="visitor", id="v_other", site_key="demo")
    refused("ticket_not_found", visitor.my_ticket, deps, other, t["ticket_id"])


def test_from_chat_attaches_transcript_once(deps, world):
    from chalicelib.services import conversations as convs
    s = sessions.start_session(deps, {"site_key": "demo"})
    v = Actor(kind="visitor", id=s["visitor_id"], site_key="demo")
    convs.post_message(deps, v, s["conversation_id"],
                       {"client_message_id": "c1", "text": "My parcel never arrived"})
    ann = world["ann"]
    first = create.create_from_chat(deps, ann, s["conversation_id"], {})
    again = create.create_from_chat(deps, ann, s["conversation_id"], {})
    assert first["created"] and not again["created"]
    assert first["ticket"]["ticket_id"] == again["ticket"]["ticket_id"]
    t = manage.get(deps, ann, first["ticket"]["ticket_id"])
    assert t["ticket"]["subject"] == "My parcel never arrived"
    assert t["ticket"]["assignee_id"] == ann.id
    assert any(x["text"] == "My parcel never arrived" for x in t["transcript"])
    refused("conversation_not_found", create.create_from_chat, deps, ann, "c_missing", {})


def test_sla_sweep_flags_breaches_once_on_a_simulated_clock(deps, world, clock, posted):
    from chalicelib.services import realtime, signin
    sup, ann = world["sup"], world["ann"]
    token = signin.issue_token(deps, deps.agents.get(sup.id))["token"]
    realtime.connect(deps, "sup-1", {"token": token, "role": "agent"})
    # Friday 15:00, urgent: first reply within 1 h, resolution within 4 business hours
    # (2 h on Friday, 2 h on Monday from 09:00)
    t = new(deps, ann, team="sales", priority="urgent")
    assert t["sla"]["first_reply_due"] == FRIDAY_3PM + H
    assert t["sla"]["resolution_due"] == FRIDAY_3PM + (3 * 24 - 4) * H
    assert sla_sweep.sweep(deps)["flagged"] == 0
    soon = manage.list_tickets(deps, sup, {"site_key": "demo", "view": "breaching"})
    assert [x["ticket_id"] for x in soon["tickets"]] == [t["ticket_id"]]   # due within 1 h
    clock["now"] = FRIDAY_3PM + H + 60_000                               # 16:01
    assert sla_sweep.sweep(deps)["flagged"] == 1
    assert sla_sweep.sweep(deps)["flagged"] == 0                         # flagged once
    got = manage.get(deps, sup, t["ticket_id"])["ticket"]
    assert got["sla"]["breached"] == ["first_reply"] and got["sla"]["badge"] == "breached"
    pushed = posted.events("sup-1", "ticket_sla")
    assert [p["ticket"]["ticket_id"] for p in pushed] == [t["ticket_id"]]
    # pending customer over the weekend stops the resolution clock
    manage.update(deps, ann, t["ticket_id"], {"status": "pending"})
    clock["now"] = FRIDAY_3PM + (3 * 24 - 5) * H                         # Monday 10:00
    assert sla_sweep.sweep(deps)["flagged"] == 0
    back = manage.update(deps, ann, t["ticket_id"], {"status": "open"})["ticket"]
    # 16:01 Friday it had 59 min of Friday and 2 h of Monday left: 10:00 + 2 h 59 min
    assert back["sla"]["resolution_due"] == clock["now"] + 3 * H - 60_000
    clock["now"] = back["sla"]["resolution_due"] + 1
    assert sla_sweep.sweep(deps)["flagged"] == 1
    assert manage.get(deps, sup, t["ticket_id"])["ticket"]["sla"]["breached"] == [
        "first_reply", "resolution"]


def test_rest_routes_and_admin_settings(deps, world):
    import app as app_module
    api = Api(app_module.app)
    admin_row = agents.create_agent(deps, {"email": "root@example.com", "name": "Root",
                                           "password": "password1", "role": "admin"})
    admin_token = api.agent_login("root@example.com", "password1")["token"]
    ann_token = api.agent_login("ann@example.com", "password1")["token"]
    status, body = api.request("PUT", "/v1/admin/tickets/settings/demo/fields",
                               {"fields": [{"key": "plan", "kind": "select", "label": "Plan",
                                            "options": ["free", "pro"]}]}, token=admin_token)
    assert status == 200 and body["fields"][0]["key"] == "plan"
    status, body = api.request("PUT", "/v1/admin/tickets/settings/demo/fields",
                               {"fields": []}, token=ann_token)
    assert status == 403
    status, body = api.request("PUT", "/v1/admin/tickets/settings/demo/sla",
                               {"targets": {"urgent": {"first_reply_minutes": 0}}},
                               token=admin_token)
    assert status == 400 and body["error"]["code"] == "out_of_range"
    status, body = api.post("/v1/agent/tickets", {
        "site_key": "demo", "subject": "Upgrade", "requester": {"email": "x@example.com"},
        "custom_fields": {"plan": "gold"}}, token=ann_token)
    assert status == 400 and body["error"]["code"] == "invalid_custom_field"
    status, body = api.post("/v1/agent/tickets", {
        "site_key": "demo", "subject": "Upgrade", "requester": {"email": "x@example.com"},
        "custom_fields": {"plan": "pro"}}, token=ann_token)
    assert status == 201 and body["ticket"]["custom_fields"] == {"plan": "pro"}
    tid = body["ticket"]["ticket_id"]
    status, body = api.request("PATCH", f"/v1/agent/tickets/{tid}", {"priority": "high"},
                               token=ann_token)
    assert status == 200 and body["ticket"]["priority"] == "high"
    status, body = api.get(f"/v1/agent/tickets/{tid}/history", token=ann_token)
    assert status == 200 and [h["action"] for h in body["history"]] == ["updated", "created"]
    status, body = api.get("/v1/agent/tickets/t_nope", token=ann_token)
    assert status == 404 and body["error"]["code"] == "ticket_not_found"
    status, body = api.get("/v1/agent/tickets?site_key=demo&view=bogus", token=ann_token)
    assert status == 400
    status, body = api.get("/v1/visitor/tickets", token=ann_token)
    assert status == 401
    assert admin_row["role"] == "admin"


def test_ticket_changes_reach_the_event_topic_through_the_stream(deps, aws, world):
    import json

    import app as app_module
    from infra.local.streams import lambda_event
    from tests.helpers.streams import drain_bodies, read_records, shard_starts
    arn = aws["TicketsTableStreamArn"]
    starts = shard_starts(arn)
    t = new(deps, world["ann"], team="sales")
    comments.add(deps, world["ann"], t["ticket_id"], {"body": "secret body", "public": True})
    manage.update(deps, world["ann"], t["ticket_id"], {"status": "solved"})
    records = read_records(starts, f"t#{t['ticket_id']}".__eq__)
    event = lambda_event(records, "us-east-1", arn)
    app_module.relay_tickets(event, None)
    app_module.relay_tickets(event, None)                    # a retried batch: same ids
    bodies = drain_bodies(aws["QaConsumerQueueUrl"])
    envs = [b for b in bodies if b.get("ticket_id") == t["ticket_id"]]
    first = {}
    for e in envs:
        first.setdefault(e["id"], e)
    types = [e["type"] for e in sorted(first.values(), key=lambda e: e["id"])]
    assert sorted(types) == sorted(["ticket.created", "ticket.commented",
                                    "ticket.status_changed", "ticket.status_changed"])
    assert len(envs) == 2 * len(first)                      # the replay repeats the same ids
    assert all(e["site_key"] == "demo" for e in envs)
    assert "secret body" not in json.dumps(envs)            # bodies are not in the events


def test_bulk_assign_and_close_reports_each_failure(deps, world):
    ann, bob = world["ann"], world["bob"]
    mine = [new(deps, ann, team="sales")["ticket_id"] for _ in range(2)]
    theirs = new(deps, bob, team="support")["ticket_id"]
    out = manage.bulk(deps, ann, {"ticket_ids": mine + [theirs, "t_missing"],
                                  "assignee_id": ann.id})
    assert sorted(t["ticket_id"] for t in out["tickets"]) == sorted(mine)
    assert {f["ticket_id"]: f["code"] for f in out["failed"]} == {
        theirs: "not_your_team", "t_missing": "ticket_not_found"}
    assert deps.tickets.get(theirs)["assignee_id"] is None
    closed = manage.bulk(deps, ann, {"ticket_ids": mine, "status": "closed"})
    assert {t["status"] for t in closed["tickets"]} == {"closed"}
    refused("empty_update", manage.bulk, deps, ann, {"ticket_ids": mine})
