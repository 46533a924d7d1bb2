"""Conversation use cases: send, history, long-poll, read, typing, join, attachments."""
from __future__ import annotations

import time
import uuid

from chalicelib import config, log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import conversation as transition
from chalicelib.domain import permissions
from chalicelib.domain.actors import Actor
from chalicelib.domain.assignment import DEFAULT_QUEUE, serves as _serves
from chalicelib.domain.messages import (SNIFF_BYTES, check_attachment_meta, content_matches,
                                        message_type, parse_send, sent_by,
                                        visible_to_visitor)
from chalicelib.domain.retention import ttl_fields
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.services import delivery, notifier, throttle
from chalicelib.services.views import conversation_view, message_view

TYPING_TTL_MS = 6000

# What reacts to a stored message (routing, the bot, email follow-up) is declared in
# chalicelib/bootstrap.py (MESSAGE_HOOKS) and arrives as deps.message_hooks. Each is called
# as hook(deps, conversation, message) after delivery; a failing hook is logged and never
# fails the send.


# ---------------------------------------------------------------- access
def load_for(deps, actor: Actor, conversation_id: str, consistent: bool = False,
             write: bool = False) -> dict:
    """Fetch a conversation and check that the actor may see (or write to) it."""
    if not isinstance(conversation_id, str) or not conversation_id or len(conversation_id) > 64:
        raise NotFound("No such conversation.", code="conversation_not_found")
    conv = deps.conversations.get(conversation_id, consistent=consistent)
    if conv is None:
        raise NotFound("No such conversation.", code="conversation_not_found")
    if actor.kind == "visitor":
        if conv["visitor_id"] != actor.id:
            raise Forbidden("This conversation belongs to someone else.", code="forbidden")
    elif actor.kind == "agent":
        if write:
            deny(permissions.write(conv, actor))
    else:
        raise Forbidden("Not allowed.")
    return conv


def serves_queue(agent: dict, key: str | None) -> bool:
    return _serves(agent, key or DEFAULT_QUEUE)


def serves_conversation(deps, actor: Actor, conv: dict) -> bool:
    """Does the agent serve the queue this conversation waits in? (Only a queued one by a
    non-supervisor needs the agent record: one GetItem then, none otherwise.)"""
    if conv.get("status") != "queued" or actor.is_supervisor:
        return True
    return serves_queue(deps.agents.get(actor.id) or {}, conv.get("queue_key"))


def deny(denial) -> None:
    """Raise the error a permissions check returned (None: allowed)."""
    if denial is None:
        return
    status, code, message = denial
    raise (Conflict if status == 409 else Forbidden)(message, code=code)


def sender_fields(actor: Actor) -> dict:
    return {"sender_type": actor.kind, "sender_id": actor.id, "sender_name": actor.name}


# ---------------------------------------------------------------- sending
def post_message(deps, actor: Actor, conversation_id: str, payload: dict,
                 authorized: bool = False) -> tuple[dict, bool]:
    """Store and deliver a message. Returns (message view, created).

    `authorized`: the caller (an action such as a transfer note) has already checked what the
    agent may do, so the write check is skipped."""
    parsed = parse_send(payload, config.attachment_max_bytes(), allow_note=actor.is_agent)
    conv = load_for(deps, actor, conversation_id, consistent=True, write=not authorized)
    if conv["status"] == "closed" and actor.kind == "visitor":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    att = parsed["attachment"]
    if att is not None and not att["key"].startswith(f"attachments/{conv['conversation_id']}/"):
        raise ValidationError("Unknown attachment key.", code="invalid_attachment")
    if att is not None:
        _check_uploaded(deps, att)
    message = {
        "message_id": uuid.uuid4().hex,
        "type": message_type(parsed),
        "text": parsed["text"],
        "attachment": att,
        **sender_fields(actor),
    }
    updates = {}
    if actor.kind == "visitor" and conv["status"] == "new":
        updates["status"] = "open"
    if actor.is_agent and not parsed["note"] and \
            "first_response_at" not in (conv.get("attrs") or {}):
        updates[("attrs", "first_response_at")] = now_ms()
    stored, created, conv = append_from(deps, actor, conv, message,
                                        parsed["client_message_id"], updates)
    if created:
        if "status" in updates:     # new -> open: it enters the consoles' "open" list
            notifier.notify_conversation(deps, {**conv, "updated_at": stored["created_at"],
                                                "last_message_at": stored["created_at"]})
        log.info("message_stored", conversation_id=conv["conversation_id"],
                 seq=stored["seq"], sender_type=actor.kind, type=stored["type"])
        for hook in deps.message_hooks.get("visitor" if actor.kind == "visitor" else "agent", ()):
            try:
                hook(deps, conv, stored)
            except Exception as exc:
                log.error("message_hook_failed", conversation_id=conv["conversation_id"],
                          hook=getattr(hook, "__name__", "hook"), error=repr(exc))
    else:
        log.info("message_replayed", conversation_id=conv["conversation_id"],
                 seq=stored["seq"])
    return message_view(stored, deps.storage), created


def append_from(deps, actor: Actor, conv: dict, message: dict, client_message_id: str | None,
                updates: dict | None = None) -> tuple[dict, bool, dict]:
    """Append a message `actor` wrote (with the conversation's retention and `updates` to the
    conversation in the same write) and deliver it; a repeated client_message_id returns the
    stored message, refused when another sender wrote it. Returns (stored, created, the
    conversation as it stands after the append)."""
    stored, created = deps.messages.append(conv, {**message, **retention_fields(conv)},
                                           client_message_id,
                                           conversation_updates=updates or {})
    if not created:
        if not sent_by(stored, actor):   # claims are per sender; never hand out another's
            raise Conflict("This client_message_id names another sender's message.",
                           code="client_id_conflict")
        return stored, False, conv
    conv = {**conv, **{k: v for k, v in (updates or {}).items() if isinstance(k, str)},
            "last_seq": stored["seq"]}
    _deliver_message(deps, conv, stored)
    return stored, True, conv


def retention_fields(conv: dict) -> dict:
    """A message expires with its conversation's retention, counted from now."""
    return ttl_fields(conv.get("retention_days"), now_ms())


def _check_uploaded(deps, att: dict) -> None:
    """The upload exists and its first bytes fit the declared type (one ranged GetObject)."""
    head = deps.storage.head_bytes(att["key"], SNIFF_BYTES)
    if head is None:
        raise ValidationError("The file was not uploaded.", code="attachment_missing")
    if not content_matches(att["content_type"], head):
        raise ValidationError(f"The file's content is not {att['content_type']}.",
                              code="content_mismatch")


def _deliver_message(deps, conv: dict, stored: dict) -> int:
    event = {"type": "message", "conversation_id": conv["conversation_id"],
             "message": message_view(stored, deps.storage)}
    return delivery.to_conversation(deps, conv, event, visitor=visible_to_visitor(stored))


def system_message(kind: str, data: dict | None = None, text: str | None = None,
                   extra: dict | None = None) -> dict:
    """The row of a system event (joined, left, transferred, closed...) before it is
    stored."""
    message = {"message_id": uuid.uuid4().hex, "type": "event",
               "sender_type": "system", "sender_id": None, "sender_name": None,
               "event": {"kind": kind, **(data or {})}, "text": text}
    if extra:
        message["extra"] = extra
    return message


def deliver_system_event(deps, conv: dict, stored: dict, visitor: bool = True,
                         visitor_conns: list[dict] | None = None,
                         agent_conns: list[dict] | None = None) -> int:
    event = {"type": "message", "conversation_id": conv["conversation_id"],
             "message": message_view(stored, deps.storage)}
    return delivery.to_conversation(deps, conv, event, visitor=visitor,
                                    visitor_conns=visitor_conns, agent_conns=agent_conns)


def post_system_event(deps, conv: dict, kind: str, data: dict | None = None,
                      text: str | None = None, extra: dict | None = None,
                      visitor: bool = True, known: bool = False) -> dict:
    """Append a system event (joined, left, transferred, closed...) and deliver it.

    Reads the conversation itself (consistently) and returns it as it stands after the
    append, so callers need no read of their own before or after. `known`: `conv` is the
    state the caller just wrote (a transition's `after`), so there is no read; should a
    message have come in between, the append's lost race re-reads and retries."""
    message = system_message(kind, data, text, extra)
    fresh = conv if known else \
        deps.conversations.get(conv["conversation_id"], consistent=True)
    message.update(retention_fields(fresh))
    stored, _ = deps.messages.append(fresh, message, None)
    ts = stored["created_at"]  # the append moved last_seq and both timestamps to this
    conv = {**fresh, "last_seq": stored["seq"], "updated_at": ts, "last_message_at": ts}
    deliver_system_event(deps, conv, stored, visitor=visitor)
    return conv


def post_bot_message(deps, conv: dict, text: str, extra: dict | None = None,
                     client_message_id: str | None = None, sender_name: str = "Bot") -> dict:
    """A message written by the bot (text plus optional suggestions). Give a
    client_message_id derived from what it answers so a redelivered turn adds nothing."""
    message = {"message_id": uuid.uuid4().hex, "type": "text", "sender_type": "bot",
               "sender_id": "bot", "sender_name": sender_name, "text": text}
    if extra:
        message["extra"] = extra
    fresh = deps.conversations.get(conv["conversation_id"], consistent=True)
    message.update(retention_fields(fresh))
    stored, created = deps.messages.append(fresh, message, client_message_id)
    if created:
        _deliver_message(deps, {**fresh, "last_seq": stored["seq"]}, stored)
        for hook in deps.message_hooks.get("bot", ()):   # e.g. channel delivery
            try:
                hook(deps, fresh, stored)
            except Exception as exc:
                log.error("message_hook_failed", conversation_id=fresh["conversation_id"],
                          hook=getattr(hook, "__name__", "hook"), error=repr(exc))
    return stored


# ---------------------------------------------------------------- reading
def history(deps, actor: Actor, conversation_id: str, after: int | None = None,
            before: int | None = None, limit: int = 50) -> dict:
    conv = load_for(deps, actor, conversation_id)
    if after is not None:
        items = deps.messages.after(conversation_id, after, limit)
    else:
        items = deps.messages.before(conversation_id, before, limit)
    return _page(deps, actor, conv, items, limit)


def _page(deps, actor: Actor, conv: dict, items: list[dict], limit: int) -> dict:
    if actor.kind == "visitor":
        shown = [i for i in items if visible_to_visitor(i)]
    else:
        shown = items
    last = int(conv.get("last_seq") or 0)
    cursor = int(items[-1]["seq"]) if items else None
    return {
        "conversation": conversation_view(conv, for_agent=actor.is_agent),
        "messages": [message_view(i, deps.storage) for i in shown],
        "first_seq": int(items[0]["seq"]) if items else None,
        "last_seq": max(last, cursor or 0),
        "cursor": cursor,
        "has_more": len(items) >= limit,
    }


def poll(deps, actor: Actor, conversation_id: str, after: int, rev: int | None = None,
         wait: float = 20.0, sleep=time.sleep, clock=time.monotonic) -> dict:
    """Long-poll: messages after `after`, waiting up to `wait` seconds for one.

    While waiting it does one small consistent GetItem per interval (not a Query storm).
    Returns early on new messages the actor may see, or when the conversation state (rev)
    moved past `rev`. Messages the actor may not see (private notes, for a visitor) do not
    end the wait; the cursor moves past them."""
    if actor.kind == "visitor" and actor.site_key:
        throttle.check(deps, "polls", actor.site_key)
    wait = max(0.0, min(float(wait), config.poll_max_wait()))
    interval = config.poll_interval()
    deadline = clock() + wait
    state = load_for(deps, actor, conversation_id, consistent=True)
    cursor = after
    while True:
        last_seq = int(state.get("last_seq") or 0)
        if last_seq > cursor:
            items = deps.messages.after(conversation_id, cursor, 100)
            visible = items if actor.is_agent else [i for i in items if visible_to_visitor(i)]
            cursor = int(items[-1]["seq"]) if items else cursor
            if visible:
                return {"messages": [message_view(i, deps.storage) for i in visible],
                        "cursor": cursor, "rev": int(state.get("rev") or 0),
                        "conversation": _state_view(state, actor), "timed_out": False}
            if items and last_seq > cursor:
                continue            # a full page of invisible messages: read on at once
        cur_rev = int(state.get("rev") or 0)
        if rev is not None and cur_rev != rev:
            return {"messages": [], "cursor": cursor, "rev": cur_rev,
                    "conversation": _state_view(state, actor), "timed_out": False}
        remaining = deadline - clock()
        if remaining <= 0:
            return {"messages": [], "cursor": cursor, "rev": cur_rev,
                    "conversation": _state_view(state, actor), "timed_out": True}
        sleep(min(interval, remaining))
        state = deps.conversations.get_state(conversation_id)
        if state is None:
            raise NotFound("No such conversation.", code="conversation_not_found")


def _state_view(state: dict, actor: Actor) -> dict:
    """The conversation as the poller may see it (the same shape as the socket's
    conversation events), without the sender's own typing flag."""
    view = conversation_view({"visitor_id": None, **state}, for_agent=actor.is_agent)
    view["typing"] = [p for p in view["typing"] if p != actor.participant_key]
    return view


# ---------------------------------------------------------------- read state and typing
READ_SCHEMA = {"seq": Field(int, required=True, min=0)}
TYPING_SCHEMA = {"state": Field(bool, required=True)}


def mark_read(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    seq = validate(payload, READ_SCHEMA)["seq"]
    conv = load_for(deps, actor, conversation_id)
    last = int(conv.get("last_seq") or 0)
    if seq > last:
        raise ValidationError("Cannot read past the last message.", code="seq_out_of_range")
    moved = deps.conversations.set_read(conversation_id, actor.participant_key, seq)
    # an agent only looking at someone else's chat keeps their own unread count, but the
    # visitor's read receipts come from the people answering
    receipt = actor.kind == "visitor" or permissions.write(conv, actor) is None
    if moved and receipt:
        event = {"type": "read", "conversation_id": conversation_id,
                 "reader": {"type": actor.kind, "id": actor.id}, "seq": seq}
        delivery.to_conversation(deps, conv, event, exclude=actor.connection_id)
    return {"conversation_id": conversation_id, "seq": seq, "moved": moved}


def set_typing(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    state = validate(payload, TYPING_SCHEMA)["state"]
    conv = load_for(deps, actor, conversation_id, write=actor.is_agent)
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    # Long-poll clients see typing through the conversation state (expires by itself);
    # socket clients get it pushed at once. Nothing goes into the message history.
    deps.conversations.set_typing(conversation_id, actor.participant_key,
                                  now_ms() + TYPING_TTL_MS if state else 0)
    event = {"type": "typing", "conversation_id": conversation_id,
             "sender": {"type": actor.kind, "id": actor.id, "name": actor.name},
             "state": state}
    delivery.to_conversation(deps, conv, event, visitor=True, agents=True,
                             exclude=actor.connection_id)
    return {"ok": True}


# ---------------------------------------------------------------- agents joining
def join(deps, actor: Actor, conversation_id: str) -> dict:
    """An agent joins to write in a conversation: an unassigned one (a queued one only for
    its team), or, for supervisors, any open one."""
    conv = load_for(deps, actor, conversation_id, consistent=True)
    deny(permissions.join(conv, actor, serves_conversation(deps, actor, conv)))
    if actor.id in (conv.get("participants") or []):
        return conversation_view(conv, for_agent=True)
    conv = _apply(deps, conv, lambda c: transition.join(c, actor.id, actor.name))
    notifier.notify_conversation(deps, conv)
    log.info("agent_joined", conversation_id=conversation_id, agent_id=actor.id)
    return conversation_view(conv, for_agent=True)


def leave(deps, actor: Actor, conversation_id: str) -> dict:
    """A participant who does not hold the conversation (a supervisor who stepped in, an agent
    who joined a bot chat) leaves it: a `left` system event; the holder transfers or closes."""
    conv = load_for(deps, actor, conversation_id, consistent=True)
    if actor.id not in (conv.get("participants") or []):
        return conversation_view(conv, for_agent=True)          # idempotent
    conv = _apply(deps, conv, lambda c: transition.leave(c, actor.id, actor.name))
    notifier.notify_conversation(deps, conv)
    log.info("agent_left", conversation_id=conversation_id, agent_id=actor.id)
    return conversation_view(conv, for_agent=True)


def _apply(deps, conv: dict, make) -> dict:
    from chalicelib.services import transitions    # it builds on this module's delivery
    return transitions.apply_or_409(deps, conv, make)


# ---------------------------------------------------------------- attachments
UPLOAD_SCHEMA = {
    "name": Field(str, required=True, min_len=1, max_len=200),
    "content_type": Field(str, required=True, min_len=1, max_len=100),
    "size": Field(int, required=True, min=1),
}


def request_upload(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    body = validate(payload, UPLOAD_SCHEMA)
    max_bytes = config.attachment_max_bytes()
    check_attachment_meta(body["name"], body["content_type"], body["size"], max_bytes)
    conv = load_for(deps, actor, conversation_id, write=True)
    if conv["status"] == "closed" and actor.kind == "visitor":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    key = f"attachments/{conversation_id}/{uuid.uuid4().hex}/{body['name']}"
    upload = deps.storage.presign_upload(key, body["content_type"], max_bytes)
    return {"attachment": {"key": key, "name": body["name"],
                           "content_type": body["content_type"], "size": body["size"]},
            "upload": upload, "max_bytes": max_bytes}


def list_for_visitor(deps, actor: Actor, limit: int = 20) -> dict:
    convs = deps.conversations.list_by_visitor(actor.id, limit)
    return {"conversations": [conversation_view(c, for_agent=False) for c in convs]}


__all__ = ["post_message", "history", "poll", "mark_read", "set_typing", "join",
           "request_upload", "post_system_event", "post_bot_message", "list_for_visitor"]
