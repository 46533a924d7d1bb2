"""A conversation's life once it reached a human: accept, transfer, reassign, close, reopen,
tags, the visitor's rating, leaving a message while nobody can answer, the visitor closing."""
from __future__ import annotations

import uuid

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.waiting import AssignmentConflict
from chalicelib.domain import assignment as policy
from chalicelib.domain import conversation as transition
from chalicelib.domain import permissions
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import EMAIL_RE, Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.services.conversations import (deny, load_for, post_message, serves_queue,
                                               serves_conversation, post_system_event)
from chalicelib.services import tasks, transitions
from chalicelib.services.notifier import notify_agent, notify_conversation
from chalicelib.services import positions
from chalicelib.services.routing import assign_to, team_exists, publish_assign
from chalicelib.services.views import conversation_view
from chalicelib.services.contacts import links as contact_links

TRANSFER_SCHEMA = {"agent_id": Field(str, max_len=64), "team": Field(str, max_len=50),
                   "note": Field(str, max_len=1000)}
REASSIGN_SCHEMA = {"agent_id": Field(str, required=True, max_len=64)}
TAGS_SCHEMA = {"add": Field(list, item=Field(str, min_len=1, max_len=40), max_items=20),
               "remove": Field(list, item=Field(str, min_len=1, max_len=40), max_items=20)}
VISITOR_SCHEMA = {"notes": Field(str, max_len=5000, nullable=True),
                  "tags": Field(list, item=Field(str, min_len=1, max_len=40), max_items=30),
                  "name": Field(str, max_len=100), "email": Field(str, max_len=254,
                                                                   pattern=EMAIL_RE)}

RATING_SCHEMA = {"score": Field(int, required=True, min=1, max=5),
                 "comment": Field(str, max_len=1000)}
OFFLINE_SCHEMA = {"name": Field(str, max_len=100), "email": Field(str, required=True,
                                                                  pattern=EMAIL_RE, max_len=254),
                  "phone": Field(str, max_len=40), "text": Field(str, required=True, min_len=1,
                                                                 max_len=5000)}



def _own(deps, actor: Actor, cid: str) -> dict:
    conv = load_for(deps, actor, cid, consistent=True)
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    if not actor.is_supervisor and conv.get("agent_id") != actor.id:
        raise Forbidden("This conversation is assigned to someone else.", code="not_yours")
    return conv


def _holds(conv: dict | None, actor: Actor) -> bool:
    return bool(conv) and conv["status"] == "assigned" and conv.get("agent_id") == actor.id


def accept(deps, actor: Actor, cid: str) -> dict:
    """Pick a conversation from the queue (or one the bot is handling). Idempotent for the
    holder: when the accept loses a race to the auto-assignment that gave the chat to this
    very agent (or is repeated), the answer is 200 with the conversation, not a conflict."""
    conv = load_for(deps, actor, cid, consistent=True)
    if _holds(conv, actor):
        return {"conversation": conversation_view(conv, for_agent=True)}
    try:
        return _take(deps, actor, conv)
    except Conflict:
        now = deps.conversations.get(cid, consistent=True)
        if _holds(now, actor):
            log.info("accept_already_holder", conversation_id=cid, agent_id=actor.id)
            return {"conversation": conversation_view(now, for_agent=True)}
        raise


def _take(deps, actor: Actor, conv: dict) -> dict:
    if conv["status"] not in ("queued", "open", "new", "offline"):
        raise Conflict("This conversation is not waiting.", code="not_waiting")
    agent = deps.agents.get(actor.id)
    if agent is None or agent.get("disabled"):
        raise Forbidden("This account is not active.", code="account_disabled")
    deny(permissions.accept(conv, actor, serves_queue(agent, conv.get("queue_key"))))
    if agent.get("status") != "online":
        raise Conflict("Go online to accept conversations.", code="agent_not_online")
    if int(agent.get("active_count") or 0) >= int(agent.get("capacity") or 0):
        raise Conflict("You are at capacity.", code="at_capacity")
    key = conv.get("queue_key")
    try:
        fresh = assign_to(deps, conv, agent, expect=conv["status"], kind="assigned")
    except AssignmentConflict as exc:
        if exc.part == "conversation":
            raise Conflict("Someone else took this conversation.", code="already_assigned")
        raise Conflict("You are at capacity.", code="at_capacity")
    notify_agent(deps, deps.agents.get(actor.id))
    if key:
        positions.schedule(deps, [key])      # the ones behind it move up (off this request)
    return {"conversation": conversation_view(fresh, for_agent=True)}


def transfer(deps, actor: Actor, cid: str, payload: dict) -> dict:
    body = validate(payload, TRANSFER_SCHEMA)
    if bool(body.get("agent_id")) == bool(body.get("team")):
        raise ValidationError("Give either 'agent_id' or 'team'.", code="invalid_transfer")
    conv = _own(deps, actor, cid)
    if conv["status"] != "assigned":
        raise Conflict("Only an assigned conversation can be transferred.",
                       code="not_assigned")
    source = conv["agent_id"]
    note = body.get("note")
    if body.get("agent_id"):
        target = deps.agents.get(body["agent_id"])
        if target is None:
            raise NotFound("No such agent.", code="agent_not_found")
        if target["agent_id"] == source:
            raise ValidationError("The conversation is already theirs.", code="same_agent")
        if target.get("disabled") or target.get("status") != "online":
            raise Conflict("That agent is not online.", code="agent_not_online")
        try:
            fresh = assign_to(deps, conv, target, expect="assigned", release=source,
                            kind="transferred", extra_event={"from_agent_id": source})
        except AssignmentConflict as exc:
            if exc.part == "agent":
                raise Conflict("That agent is at capacity.", code="agent_at_capacity")
            raise Conflict("The conversation changed; try again.", code="conflict")
        notify_agent(deps, deps.agents.get(target["agent_id"]))   # their load went up
    else:
        team = body["team"]
        if not team_exists(deps, team):
            raise NotFound("No such team.", code="team_not_found")
        fresh = transitions.apply_or_409(
            deps, conv, lambda c: transition.transfer_to_team(c, team, now_ms()))
        notify_conversation(deps, fresh)
        publish_assign(deps, [team])
        positions.schedule(deps, [team])
    if note:
        _private_note(deps, actor, cid, note)
    released = deps.agents.get(source)
    if released:
        notify_agent(deps, released)
        publish_assign(deps, policy.queues_of(released))
    return {"conversation": conversation_view(deps.conversations.get(cid, consistent=True),
                                              for_agent=True)}



def _private_note(deps, actor: Actor, cid: str, text: str) -> None:
    post_message(deps, actor, cid, {"client_message_id": f"note-{uuid.uuid4().hex[:16]}",
                                    "text": text, "note": True}, authorized=True)


def reassign(deps, actor: Actor, cid: str, payload: dict) -> dict:
    if not actor.is_supervisor:
        raise Forbidden("Only supervisors can reassign.", code="forbidden")
    body = validate(payload, REASSIGN_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    if conv["status"] == "assigned":
        return transfer(deps, actor, cid, {"agent_id": body["agent_id"]})
    target = deps.agents.get(body["agent_id"])
    if target is None:
        raise NotFound("No such agent.", code="agent_not_found")
    if target.get("disabled") or target.get("status") != "online":
        raise Conflict("That agent is not online.", code="agent_not_online")
    try:
        fresh = assign_to(deps, conv, target, expect=conv["status"])
    except AssignmentConflict as exc:
        raise Conflict("That agent is at capacity." if exc.part == "agent" else
                       "The conversation changed; try again.",
                       code="agent_at_capacity" if exc.part == "agent" else "conflict")
    notify_agent(deps, deps.agents.get(target["agent_id"]))
    if conv.get("queue_key"):
        positions.schedule(deps, [conv["queue_key"]])   # the ones behind it moved up
    return {"conversation": conversation_view(fresh, for_agent=True)}


def close(deps, actor: Actor, cid: str, reason: str = "closed") -> dict:
    conv = load_for(deps, actor, cid, consistent=True)
    serves = serves_conversation(deps, actor, conv) if actor.is_agent else True
    deny(permissions.close(conv, actor, serves))
    return close_now(deps, conv, by=actor, reason=reason)


def close_now(deps, conv: dict, by: Actor | None, reason: str) -> dict:
    """Close without a permission check (the caller checked, or it is the idle sweep)."""
    cid = conv["conversation_id"]
    holder = conv.get("agent_id") if conv["status"] == "assigned" else None
    fresh = transitions.apply_or_409(    # the close and its event: one write
        deps, conv, lambda c: transition.close(c, now_ms(), reason, by.id if by else None,
                                               by.kind if by else None))
    notify_conversation(deps, fresh)
    log.info("conversation_closed", conversation_id=cid, reason=reason)
    if conv.get("queue_key"):
        positions.schedule(deps, [conv["queue_key"]])
    if holder:
        positions.record_handle_time(deps, conv)
        released = deps.agents.get(holder)
        if released:
            notify_agent(deps, released)
            publish_assign(deps, policy.queues_of(released))
    return {"conversation": conversation_view(fresh, for_agent=by is None or by.is_agent)}


def reopen(deps, actor: Actor, cid: str) -> dict:
    conv = load_for(deps, actor, cid, consistent=True)
    deny(permissions.reopen(conv, actor))
    agent = deps.agents.get(actor.id)
    if agent is None or agent.get("status") != "online":
        raise Conflict("Go online to reopen a conversation.", code="agent_not_online")
    try:
        fresh = assign_to(deps, conv, agent, expect="closed", kind="reopened",
                        clear_attrs=("closed_at", "close_reason", "closed_by"),
                        extra_attrs={"reopened_at": now_ms()})
    except AssignmentConflict as exc:
        raise Conflict("You are at capacity." if exc.part == "agent" else
                       "The conversation changed; try again.",
                       code="at_capacity" if exc.part == "agent" else "conflict")
    visitor = deps.visitors.get(conv["visitor_id"])
    if visitor and visitor.get("current_conversation_id") != cid:
        deps.visitors.touch(conv["visitor_id"], {}, new_visit=False, conversation_id=cid)
    notify_agent(deps, deps.agents.get(actor.id))
    return {"conversation": conversation_view(fresh, for_agent=True)}


def set_tags(deps, actor: Actor, cid: str, payload: dict) -> dict:
    body = validate(payload, TAGS_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    deny(permissions.tag(conv, actor))
    try:
        tags = transition.tags_after(conv, body.get("add"), body.get("remove"))
    except transition.Refused as refused:
        raise ValidationError(refused.message, code=refused.code)
    fresh = deps.conversations.update(cid, set_fields={"tags": tags or None})
    notify_conversation(deps, fresh)
    return {"conversation": conversation_view(fresh, for_agent=True)}


def update_visitor(deps, actor: Actor, visitor_id: str, payload: dict) -> dict:
    from chalicelib.services.views import visitor_view
    body = validate(payload, VISITOR_SCHEMA)
    if not body:
        raise ValidationError("Nothing to change.", code="empty_update")
    if deps.visitors.get(visitor_id) is None:
        raise NotFound("No such visitor.", code="visitor_not_found")
    fields = {}
    if "notes" in body:
        fields["notes"] = body["notes"] or None
    if "tags" in body:
        fields["tags"] = set(body["tags"]) or None
    for k in ("name", "email"):
        if k in body:
            fields[k] = body[k]
    return {"visitor": visitor_view(deps.visitors.update(visitor_id, fields))}



# ------------------------------------------------------------------ visitor actions
def rate(deps, actor: Actor, cid: str, payload: dict) -> dict:
    body = validate(payload, RATING_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    fresh = transitions.apply_or_409(    # the rating and its event: one write
        deps, conv, lambda c: transition.rate(c, body["score"], body.get("comment"), now_ms()))
    notify_conversation(deps, fresh)
    log.info("conversation_rated", conversation_id=cid, score=body["score"])
    return {"conversation": conversation_view(fresh, for_agent=False)}


def leave_offline_message(deps, actor: Actor, cid: str, payload: dict) -> dict:
    """Nobody can answer now: keep the visitor's message and contact for a follow-up."""
    body = validate(payload, OFFLINE_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    contact = {"email": body["email"], "name": body.get("name"), "phone": body.get("phone"),
               "at": now_ms()}
    who = {"visitor_email": body["email"]}
    if body.get("name"):
        who["visitor_name"] = body["name"]
    # the state move comes first: if an agent took the chat meanwhile nothing is written
    try:
        transitions.apply(deps, conv, transition.leave_message(conv, contact, who))
    except transition.Refused as refused:
        raise Conflict(refused.message, code=refused.code)
    except AssignmentConflict:
        raise Conflict("An agent is with you now: write to them here.", code="agent_assigned")
    fields = {"email": body["email"]}
    if body.get("name"):
        fields["name"] = body["name"]
    deps.visitors.update(actor.id, fields)
    if deps.contacts is not None:             # contact details left: a lead (contacts)
        contact_links.on_offline_message(deps, conv["site_key"], actor.id, body.get("name"),
                                         body["email"], body.get("phone"))
    post_message(deps, actor, cid, {"client_message_id": f"offline-{uuid.uuid4().hex[:16]}",
                                    "text": body["text"]})
    fresh = post_system_event(deps, conv, "offline", {"reason": "left_message"})
    # the left message becomes a ticket (services/tickets/create.on_offline_message)
    tasks.publish(deps, "ticket_from_offline", {"conversation_id": cid, "text": body["text"]})
    notify_conversation(deps, fresh)
    if conv.get("queue_key"):
        positions.schedule(deps, [conv["queue_key"]])
    return {"conversation": conversation_view(fresh, for_agent=False)}


def visitor_close(deps, actor: Actor, cid: str) -> dict:
    return close(deps, actor, cid, reason="visitor_left")



# ------------------------------------------------------------------ an agent who left
def return_to_queue(deps, conv: dict, reason: str) -> bool:
    """Put an assigned chat back at the FRONT of its queue (its holder went offline or lost
    their last socket) and tell the visitor with a "queued" system event. False when the
    chat moved on meanwhile (closed, transferred): then nothing is written."""
    cid, holder = conv["conversation_id"], conv.get("agent_id")
    key = policy.queue_key(conv.get("team"))
    ts = now_ms()
    head = deps.waiting.waiting(key, limit=1)
    order = min(ts, int(head[0]["queued_at"]) - 1) if head else ts
    try:
        fresh, _ = transitions.apply(deps, conv,
                                     transition.requeue(conv, key, order, ts, reason))
    except (transition.Refused, AssignmentConflict):
        return False
    notify_conversation(deps, fresh, also=[holder] if holder else ())
    log.info("conversation_requeued", conversation_id=cid, agent_id=holder, reason=reason)
    publish_assign(deps, [key])
    positions.schedule(deps, [key])
    return True
