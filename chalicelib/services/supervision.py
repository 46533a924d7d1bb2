"""Supervisor actions on other agents' conversations, as audited use cases: a reassign, a
step-in (joining a conversation another agent holds), a whisper to the agents, a barge-in
(taking the chat over) and a live view. The rules are in domain/supervision.py; the moves
are done by services/lifecycle.py, routing.py and conversations.py; this records each in the
audit log (never a message body)."""
from __future__ import annotations

import uuid

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.waiting import AssignmentConflict
from chalicelib.domain import assignment as policy
from chalicelib.domain import supervision as rules
from chalicelib.domain.actors import Actor
from chalicelib.domain.messages import sent_by
from chalicelib.domain.retention import ttl_fields
from chalicelib.errors import Conflict, Forbidden
from chalicelib.services import audit, delivery
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle
from chalicelib.services.notifier import notify_agent, notify_conversation
from chalicelib.services import positions
from chalicelib.services.routing import assign_to, publish_assign
from chalicelib.services.views import conversation_view, message_view


def reassign(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    out = lifecycle.reassign(deps, actor, conversation_id, payload)
    conv = out.get("conversation") or {}
    audit.record(deps, actor, "conversation.reassigned", "conversation", conversation_id,
                 conv.get("site_key"), {"to_agent_id": conv.get("agent_id")})
    return out


def join(deps, actor: Actor, conversation_id: str) -> dict:
    conv = convs.join(deps, actor, conversation_id)
    holder = conv.get("agent_id")
    if actor.is_supervisor and holder and holder != actor.id:
        audit.record(deps, actor, "conversation.joined", "conversation", conversation_id,
                     conv.get("site_key"), {"agent_id": holder})
    return conv


def _supervised(deps, actor: Actor, conversation_id: str, live: bool = True) -> dict:
    if not actor.is_supervisor:           # before any read: an agent learns nothing
        convs.deny(rules.NOT_SUPERVISOR)
    conv = convs.load_for(deps, actor, conversation_id, consistent=True)
    convs.deny(rules.supervise(conv, actor, live=live))
    return conv


# ------------------------------------------------------------------ whisper
def whisper(deps, actor: Actor, conversation_id: str, payload: dict) -> tuple[dict, bool]:
    """A message to the agents in a live chat that the visitor never receives: stored as
    type `whisper` (left out of every visitor answer, push, long-poll, export and e-mail by
    domain/messages.visible_to_visitor) and pushed to agents and watchers only."""
    if not actor.is_supervisor:
        convs.deny(rules.NOT_SUPERVISOR)
    body = rules.parse_whisper(payload)
    conv = _supervised(deps, actor, conversation_id)
    message = {"message_id": uuid.uuid4().hex, "type": "whisper", "text": body["text"],
               **convs.sender_fields(actor),
               **ttl_fields(conv.get("retention_days"), now_ms())}   # as any message
    stored, created = deps.messages.append(conv, message, body["client_message_id"])
    if not created:
        if not sent_by(stored, actor):
            raise Conflict("This client_message_id names another sender's message.",
                           code="client_id_conflict")
        return message_view(stored, deps.storage), False
    event = {"type": "message", "conversation_id": conversation_id,
             "message": message_view(stored, deps.storage)}
    delivery.to_conversation(deps, {**conv, "last_seq": stored["seq"]}, event,
                             visitor=False, agents=True)
    audit.record(deps, actor, "conversation.whispered", "conversation", conversation_id,
                 conv.get("site_key"), {"agent_id": conv.get("agent_id"),
                                        "seq": int(stored["seq"])})
    log.info("whisper_stored", conversation_id=conversation_id, seq=stored["seq"],
             agent_id=actor.id)
    return message_view(stored, deps.storage), True


# ------------------------------------------------------------------ barge-in
def barge_in(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    """The supervisor becomes the holder. The visitor is told by the `transferred` system
    event (the widget shows "You were transferred to <name>"); the previous agent stays a
    participant unless keep_agent is false, when a `left` event follows."""
    if not actor.is_supervisor:
        convs.deny(rules.NOT_SUPERVISOR)
    opts = rules.parse_barge_in(payload)
    conv = _supervised(deps, actor, conversation_id)
    previous = conv.get("agent_id") if conv["status"] == "assigned" else None
    if previous == actor.id:
        raise Conflict("You already hold this conversation.", code="already_holder")
    me = deps.agents.get(actor.id)
    if me is None or me.get("disabled"):
        raise Forbidden("This account is not active.", code="account_disabled")
    if me.get("status") != "online":
        raise Conflict("Go online to take over a conversation.", code="agent_not_online")
    if int(me.get("active_count") or 0) >= int(me.get("capacity") or 0):
        raise Conflict("You are at capacity.", code="at_capacity")
    try:
        if previous:
            fresh = assign_to(deps, conv, me, expect="assigned", release=previous,
                              kind="transferred",
                              extra_event={"from_agent_id": previous, "barge_in": True})
        else:
            fresh = assign_to(deps, conv, me, expect=conv["status"], kind="assigned")
    except AssignmentConflict as exc:
        raise Conflict("You are at capacity." if exc.part == "agent" else
                       "The conversation changed; try again.",
                       code="at_capacity" if exc.part == "agent" else "conflict")
    notify_agent(deps, deps.agents.get(actor.id))
    if conv.get("queue_key"):
        positions.schedule(deps, [conv["queue_key"]])   # the ones behind it move up
    if previous:
        if not opts["keep_agent"]:
            fresh = _remove_agent(deps, fresh, previous)
        released = deps.agents.get(previous)
        if released:
            notify_agent(deps, released)
            publish_assign(deps, policy.queues_of(released))
    audit.record(deps, actor, "conversation.barged_in", "conversation", conversation_id,
                 conv.get("site_key"), {"from_agent_id": previous,
                                        "keep_agent": opts["keep_agent"]})
    log.info("conversation_barged_in", conversation_id=conversation_id, agent_id=actor.id,
             from_agent_id=previous)
    return {"conversation": conversation_view(fresh, for_agent=True)}


def _remove_agent(deps, conv: dict, agent_id: str) -> dict:
    cid = conv["conversation_id"]
    agent = deps.agents.get(agent_id) or {}
    deps.conversations.update(cid, remove_participants=[agent_id])
    fresh = convs.post_system_event(deps, conv, "left", {"agent_id": agent_id,
                                                         "agent_name": agent.get("name")})
    notify_conversation(deps, fresh, also=[agent_id])
    return fresh


# ------------------------------------------------------------------ live view
def watch(deps, actor: Actor, conversation_id: str, payload: dict | None = None) -> dict:
    """Start (or renew, or with {"watch": false} stop) a read-only live view: the chat's
    pushes (messages, whispers, typing, read markers) reach this supervisor's consoles for
    rules.WATCH_MS without a join, so the visitor sees nothing. Returns the conversation and
    its latest messages. A stopped or expired view is a no-op to repeat."""
    if not actor.is_supervisor:
        convs.deny(rules.NOT_SUPERVISOR)
    on = rules.parse_watch(payload)
    conv = _supervised(deps, actor, conversation_id, live=on)
    now = int(deps.clock() * 1000)
    was = actor.id in rules.watchers(conv.get("attrs"), now)
    until = now + rules.WATCH_MS if on else 0
    conv = deps.conversations.set_attr(conversation_id, rules.watch_key(actor.id), until)
    if on and not was:
        audit.record(deps, actor, "conversation.watched", "conversation", conversation_id,
                     conv.get("site_key"), {"agent_id": conv.get("agent_id")})
    page = convs.history(deps, actor, conversation_id, limit=50) if on else None
    return {"conversation": conversation_view(conv, for_agent=True),
            "watching_until": until or None,
            "messages": page["messages"] if page else []}
