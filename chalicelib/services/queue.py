"""Queueing and assignment: presence, capacity, teams, handoff, transfer, close, offline.

How a waiting visitor reaches a free agent, with many Lambdas and many agents:
- a conversation that needs a human is marked queued (sparse queue-index: team, queued_at)
  and an "assign" message goes to the assignments SQS queue;
- the assignment handler takes the oldest waiting conversation of that queue and the best
  agent (domain.assignment.pick_agent) and moves both in ONE DynamoDB transaction: the
  conversation only if it is still queued, the agent only if online and under capacity. A
  lost race or a redelivered SQS message therefore changes nothing;
- whenever capacity appears (an agent goes online, closes or transfers, capacity rises) an
  "assign" message is published again for every queue that agent serves.
"""
from __future__ import annotations

import os
import uuid

from chalicelib import log
from chalicelib.adapters.dynamo import AssignmentConflict, now_ms
from chalicelib.domain import assignment as policy
from chalicelib.domain import permissions
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import EMAIL_RE, Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.services import delivery, events, realtime
from chalicelib.services.conversations import (AGENT_MESSAGE_HOOKS, VISITOR_MESSAGE_HOOKS,
                                               deny, load_for, post_message, serves_queue,
                                               serves_conversation,
                                               post_system_event)
from chalicelib.services.views import agent_view, conversation_view

MAX_ASSIGN_PER_RUN = 25
MAX_TIMER_DELAY = 900          # SQS DelaySeconds limit: longer waits hop in steps
IDLE_SWEEP_MAX_ITEMS = 1000    # per status and sweep


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def presence_grace_seconds() -> int:
    return _env_int("PARLEY_PRESENCE_GRACE", 60)


def presence_check_age_seconds() -> int:
    return _env_int("PARLEY_PRESENCE_CHECK_AGE", 300)


def default_idle_close_minutes() -> int:
    return _env_int("PARLEY_IDLE_CLOSE_MINUTES", 30)


def avg_handle_seconds() -> int:
    return _env_int("PARLEY_AVG_HANDLE_SECONDS", 240)


# ------------------------------------------------------------------ notifications
def notify_conversation(deps, conv: dict) -> None:
    """Tell every agent console and the visitor that the conversation changed."""
    delivery.to_all_agents(deps, {"type": "conversation",
                                  "conversation": conversation_view(conv, for_agent=True)})
    delivery.push(deps, deps.connections.by_conversation(conv["conversation_id"]),
                  {"type": "conversation",
                   "conversation": conversation_view(conv, for_agent=False)},
                  conv["conversation_id"])


def notify_agent(deps, agent: dict) -> None:
    delivery.to_all_agents(deps, {"type": "agent", "agent": agent_view(agent)})


def _wait_inputs(deps, key: str) -> tuple[int, int]:
    online = [a for a in deps.agents.by_status("online") if policy.serves(a, key)
              and not a.get("disabled")]
    free = sum(max(0, int(a.get("capacity") or 0) - int(a.get("active_count") or 0))
               for a in online)
    return len(online), free


def _set_position(deps, conv: dict, index: int, online: int, free: int) -> None:
    wait = policy.estimate_wait_seconds(index, online, avg_handle_seconds(), free)
    attrs = conv.get("attrs") or {}
    if attrs.get("queue_position") == index and attrs.get("estimated_wait") == wait:
        return
    try:
        deps.conversations.update(conv["conversation_id"],
                                  map_sets={("attrs", "queue_position"): index,
                                            ("attrs", "estimated_wait"): wait},
                                  expect={"status": "queued"})
    except Conflict:
        return
    delivery.push(deps, deps.connections.by_conversation(conv["conversation_id"]),
                  {"type": "queue", "conversation_id": conv["conversation_id"],
                   "position": index, "estimated_wait": wait}, conv["conversation_id"])


def place_in_line(deps, conv: dict, inputs: tuple[int, int] | None = None) -> None:
    """A newcomer joins at the end: only its own place needs computing (one count query);
    the people ahead of it do not move. `inputs`: (online, free) when already read."""
    key = conv.get("queue_key") or policy.DEFAULT_QUEUE
    index = deps.waiting.position(key, int(conv["queued_at"]))
    _set_position(deps, conv, index, *(inputs or _wait_inputs(deps, key)))


def refresh_positions(deps, key: str) -> None:
    """Recompute place in line and estimated wait for everyone waiting in `key`, and push
    the ones that changed to their visitors (and long-poll clients through rev)."""
    waiting = deps.waiting.waiting(key, limit=50)
    if not waiting:
        return
    online, free = _wait_inputs(deps, key)
    for index, conv in enumerate(waiting, start=1):
        _set_position(deps, conv, index, online, free)


def publish_assign(deps, keys) -> None:
    for key in sorted(set(keys)):
        events.publish(deps, "assign", {"queue_key": key}, queue="assignments")


# ------------------------------------------------------------------ entering the queue
def _site_settings(deps, site_key: str | None) -> dict:
    site = deps.sites.get(site_key) if site_key else None
    return (site or {}).get("settings") or {}


def _previous_agent(deps, conv: dict) -> str | None:
    for other in deps.conversations.list_by_visitor(conv["visitor_id"], 5):
        if other["conversation_id"] != conv["conversation_id"] and other.get("agent_id"):
            return other["agent_id"]
    return None


def request_handoff(deps, conversation: dict, reason: str, team: str | None = None,
                    announce=None) -> dict:
    """Send the conversation to a human: the queue, or the leave-a-message path when the
    site is closed. Idempotent: a conversation already queued or assigned stays as it is.

    `announce(kind)` (the bot's reply) is called once the outcome is known and before any
    system event or assignment, so the visitor reads "connecting you" before "waiting" and
    "assigned": kind is "queued", "offline_queued" (queued, nobody online) or "offline"
    (the site is closed)."""
    conv = deps.conversations.get(conversation["conversation_id"], consistent=True)
    if conv is None:
        raise NotFound("No such conversation.", code="conversation_not_found")
    if conv["status"] in ("queued", "assigned"):
        return {"conversation": conversation_view(conv, for_agent=False), "offline": False}
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    settings = _site_settings(deps, conv.get("site_key"))
    if not policy.is_open(settings.get("business_hours")):
        if (conv.get("attrs") or {}).get("offline_offered"):
            # already offered: further messages wait for the leave-a-message form or an agent
            return {"conversation": conversation_view(conv, for_agent=False), "offline": True}
        if announce:
            announce("offline")
        conv = _offer_offline(deps, conv, "closed")
        notify_conversation(deps, conv)
        return {"conversation": conversation_view(conv, for_agent=False), "offline": True}
    key = policy.queue_key(team or conv.get("team") or settings.get("team"))
    ts = now_ms()
    attrs = {"queued_at": ts, "handoff_reason": reason}
    previous = _previous_agent(deps, conv)
    if previous:
        attrs["previous_agent_id"] = previous
    set_fields = {"status": "queued", "queue_key": key, "queued_at": ts}
    if key != policy.DEFAULT_QUEUE:
        set_fields["team"] = key
    try:
        deps.waiting.move(conv["conversation_id"], conv["status"], set_fields=set_fields,
                          attrs=attrs)
    except AssignmentConflict:
        return request_handoff(deps, conv, reason, team, announce)  # the status moved
    inputs = _wait_inputs(deps, key)          # (online, free), read once for the handoff
    online = inputs[0]
    if announce:
        announce("offline_queued" if online == 0 else "queued")
    conv = post_system_event(deps, conv, "queued", {"reason": reason})
    log.info("conversation_queued", conversation_id=conv["conversation_id"], queue=key,
             reason=reason)
    publish_assign(deps, [key])
    max_wait = int(settings.get("max_wait_seconds") or 0)
    if max_wait > 0:
        events.publish(deps, "queue_timeout", {"conversation_id": conv["conversation_id"],
                                               "queued_at": ts},
                       delay=min(max_wait, MAX_TIMER_DELAY))
    place_in_line(deps, conv, inputs)
    offered = False
    if online == 0:
        # nobody who could answer is online: the visitor stays in line (an agent may come),
        # and may leave a message instead of waiting
        offered = _offer_offline(deps, conv, "no_agents") is not None
    conv = deps.conversations.get(conv["conversation_id"], consistent=True)
    notify_conversation(deps, conv)
    return {"conversation": conversation_view(conv, for_agent=False), "offline": offered}


def _offer_offline(deps, conv: dict, reason: str) -> dict | None:
    """Offer the leave-a-message form (once until an agent takes the chat): the
    conversation after the offer, or None when it had been offered already."""
    if (conv.get("attrs") or {}).get("offline_offered"):
        return None
    conv = deps.conversations.update(conv["conversation_id"],
                                     map_sets={("attrs", "offline_offered"): now_ms()})
    conv = post_system_event(deps, conv, "offline", {"reason": reason})
    log.info("offline_offered", conversation_id=conv["conversation_id"], reason=reason)
    return conv


def on_visitor_message(deps, conv: dict, message: dict) -> None:
    """A site without a bot sends the first visitor message straight to the queue."""
    if conv.get("status") in ("new", "open") and not (conv.get("attrs") or {}).get("bot"):
        request_handoff(deps, conv, "no_bot")


VISITOR_MESSAGE_HOOKS.append(on_visitor_message)


# ------------------------------------------------------------------ assignment
def _assign(deps, conv: dict, agent: dict, expect="queued", release: str | None = None,
            kind: str = "assigned", extra_event: dict | None = None,
            clear_attrs=(), extra_attrs: dict | None = None) -> dict:
    ts = now_ms()
    attrs = {"assigned_at": ts, "agent_name": agent.get("name"),
             "queue_position": 0, "estimated_wait": 0, **(extra_attrs or {})}
    if agent.get("avatar_url"):
        attrs["agent_avatar"] = agent["avatar_url"]
    deps.waiting.move(conv["conversation_id"], expect,
                      set_fields={"status": "assigned", "agent_id": agent["agent_id"]},
                      attrs=attrs, remove=("queue_key", "queued_at"),
                      add_participants=[agent["agent_id"]], take_agent=agent["agent_id"],
                      release_agent=release,
                      expect_agent=release if release else None,
                      remove_attrs=("offline_offered", *clear_attrs))
    fresh = post_system_event(deps, conv, kind, {"agent_id": agent["agent_id"],
                                                 "agent_name": agent.get("name"),
                                                 **(extra_event or {})})
    notify_conversation(deps, fresh)
    log.info("conversation_" + kind, conversation_id=conv["conversation_id"],
             agent_id=agent["agent_id"])
    return fresh


def assign_next(deps, key: str, max_assign: int = MAX_ASSIGN_PER_RUN) -> int:
    """Assign waiting conversations of one queue, oldest first, while agents are free."""
    if _team_is_manual(deps, key):
        return 0
    assigned, skip = 0, set()
    agents = None
    changed_agents = {}
    while assigned < max_assign:
        waiting = [c for c in deps.waiting.waiting(key, limit=len(skip) + 1)
                   if c["conversation_id"] not in skip]
        if not waiting:
            break
        conv = waiting[0]
        if agents is None:
            agents = deps.agents.by_status("online")
        tried: set = set()
        done = False
        while not done:
            agent = policy.pick_agent(agents, key, (conv.get("attrs") or {}).get(
                "previous_agent_id"), exclude=tried)
            if agent is None:
                _finish(deps, key, changed_agents)
                return assigned
            try:
                _assign(deps, conv, agent)
                agent["active_count"] = int(agent.get("active_count") or 0) + 1
                agent["last_assigned_at"] = now_ms()
                changed_agents[agent["agent_id"]] = agent
                assigned += 1
                done = True
            except AssignmentConflict as exc:
                if exc.part == "conversation":
                    skip.add(conv["conversation_id"])  # someone else moved it
                    done = True
                else:
                    tried.add(agent["agent_id"])  # full or offline by now: re-read, go on
                    agents = deps.agents.by_status("online")
    _finish(deps, key, changed_agents)
    if assigned >= max_assign:
        publish_assign(deps, [key])   # more may wait: carry on in the next invocation
    return assigned


def _finish(deps, key, changed_agents):
    for agent_id in changed_agents:
        fresh = deps.agents.get(agent_id)
        if fresh:
            notify_agent(deps, fresh)
    if changed_agents:
        refresh_positions(deps, key)


def _team_is_manual(deps, key: str) -> bool:
    if key == policy.DEFAULT_QUEUE:
        return False
    directory = getattr(deps, "directory", None)
    if directory is None:
        return False
    team = directory.get("team", key)
    return bool(team and team.get("manual_assign"))


@events.handler("assign")
def _on_assign(deps, body: dict) -> None:
    key = body.get("queue_key") or policy.DEFAULT_QUEUE
    assign_next(deps, key)


def on_agent_changed(deps, agent_id: str) -> None:
    """Capacity, teams, presence or enablement changed: capacity may have appeared."""
    agent = deps.agents.get(agent_id)
    if agent is None:
        return
    notify_agent(deps, agent)
    if agent.get("disabled"):
        realtime.drop_agent_connections(deps, agent_id)  # a disabled account is cut off
        return
    if agent.get("status") == "online":
        publish_assign(deps, policy.queues_of(agent))


# ------------------------------------------------------------------ agent actions
STATUS_SCHEMA = {"status": Field(str, required=True, choices=policy.PRESENCE)}
TRANSFER_SCHEMA = {"agent_id": Field(str, max_len=64), "team": Field(str, max_len=50),
                   "note": Field(str, max_len=1000)}
REASSIGN_SCHEMA = {"agent_id": Field(str, required=True, max_len=64)}
TAGS_SCHEMA = {"add": Field(list, item=Field(str, min_len=1, max_len=40), max_items=20),
               "remove": Field(list, item=Field(str, min_len=1, max_len=40), max_items=20)}
VISITOR_SCHEMA = {"notes": Field(str, max_len=5000, nullable=True),
                  "tags": Field(list, item=Field(str, min_len=1, max_len=40), max_items=30),
                  "name": Field(str, max_len=100), "email": Field(str, max_len=254,
                                                                   pattern=EMAIL_RE)}


def set_status(deps, actor: Actor, payload: dict) -> dict:
    status = validate(payload, STATUS_SCHEMA)["status"]
    agent = deps.agents.get(actor.id)
    if agent is None or agent.get("disabled"):
        raise Forbidden("This account is not active.", code="account_disabled")
    agent = deps.agents.update(actor.id, {"status": status})
    log.info("agent_status", agent_id=actor.id, status=status)
    on_agent_changed(deps, actor.id)
    return agent_view(agent)


def _own(deps, actor: Actor, cid: str) -> dict:
    conv = load_for(deps, actor, cid, consistent=True)
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    if not actor.is_supervisor and conv.get("agent_id") != actor.id:
        raise Forbidden("This conversation is assigned to someone else.", code="not_yours")
    return conv


def accept(deps, actor: Actor, cid: str) -> dict:
    """Pick a conversation from the queue (or one the bot is handling)."""
    conv = load_for(deps, actor, cid, consistent=True)
    if conv["status"] == "assigned" and conv.get("agent_id") == actor.id:
        return {"conversation": conversation_view(conv, for_agent=True)}
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
        fresh = _assign(deps, conv, agent, expect=conv["status"], kind="assigned")
    except AssignmentConflict as exc:
        if exc.part == "conversation":
            raise Conflict("Someone else took this conversation.", code="already_assigned")
        raise Conflict("You are at capacity.", code="at_capacity")
    notify_agent(deps, deps.agents.get(actor.id))
    if key:
        refresh_positions(deps, key)
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
            fresh = _assign(deps, conv, target, expect="assigned", release=source,
                            kind="transferred", extra_event={"from_agent_id": source})
        except AssignmentConflict as exc:
            if exc.part == "agent":
                raise Conflict("That agent is at capacity.", code="agent_at_capacity")
            raise Conflict("The conversation changed; try again.", code="conflict")
    else:
        team = body["team"]
        if not _team_exists(deps, team):
            raise NotFound("No such team.", code="team_not_found")
        ts = now_ms()
        try:
            deps.waiting.move(cid, "assigned", set_fields={"status": "queued",
                                                           "queue_key": team, "queued_at": ts,
                                                           "team": team},
                              attrs={"queued_at": ts, "handoff_reason": "transfer"},
                              remove=("agent_id",), release_agent=source, expect_agent=source)
        except AssignmentConflict:
            raise Conflict("The conversation changed; try again.", code="conflict")
        fresh = post_system_event(deps, conv, "transferred",
                                  {"from_agent_id": source, "team": team})
        notify_conversation(deps, fresh)
        publish_assign(deps, [team])
        refresh_positions(deps, team)
    if note:
        _private_note(deps, actor, cid, note)
    released = deps.agents.get(source)
    if released:
        notify_agent(deps, released)
        publish_assign(deps, policy.queues_of(released))
    return {"conversation": conversation_view(deps.conversations.get(cid, consistent=True),
                                              for_agent=True)}


def _team_exists(deps, team: str) -> bool:
    directory = getattr(deps, "directory", None)
    if directory is None:
        return True
    return directory.get("team", team) is not None


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
        fresh = _assign(deps, conv, target, expect=conv["status"])
    except AssignmentConflict as exc:
        raise Conflict("That agent is at capacity." if exc.part == "agent" else
                       "The conversation changed; try again.",
                       code="agent_at_capacity" if exc.part == "agent" else "conflict")
    notify_agent(deps, deps.agents.get(target["agent_id"]))
    if conv.get("queue_key"):
        refresh_positions(deps, conv["queue_key"])   # the ones behind it moved up
    return {"conversation": conversation_view(fresh, for_agent=True)}


def close(deps, actor: Actor, cid: str, reason: str = "closed") -> dict:
    conv = load_for(deps, actor, cid, consistent=True)
    serves = serves_conversation(deps, actor, conv) if actor.is_agent else True
    deny(permissions.close(conv, actor, serves))
    return _close(deps, conv, by=actor, reason=reason)


def _close(deps, conv: dict, by: Actor | None, reason: str) -> dict:
    cid = conv["conversation_id"]
    holder = conv.get("agent_id") if conv["status"] == "assigned" else None
    try:
        deps.waiting.move(cid, conv["status"], set_fields={"status": "closed"},
                          attrs={"closed_at": now_ms(), "close_reason": reason,
                                 "closed_by": by.id if by else "system"},
                          remove=("queue_key", "queued_at"), release_agent=holder,
                          expect_agent=holder)
    except AssignmentConflict:
        raise Conflict("The conversation changed; try again.", code="conflict")
    fresh = post_system_event(deps, conv, "closed", {"reason": reason,
                                                     "by": by.kind if by else "system"})
    notify_conversation(deps, fresh)
    log.info("conversation_closed", conversation_id=cid, reason=reason)
    if conv.get("queue_key"):
        refresh_positions(deps, conv["queue_key"])
    if holder:
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
        fresh = _assign(deps, conv, agent, expect="closed", kind="reopened",
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
    tags = (set(conv.get("tags") or []) | set(body.get("add") or [])) - set(
        body.get("remove") or [])
    if len(tags) > 30:
        raise ValidationError("At most 30 tags.", code="too_many_items")
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


def list_queue(deps, actor: Actor) -> dict:
    agent = deps.agents.get(actor.id) or {}
    keys = policy.queues_of(agent) if not actor.is_supervisor else None
    if keys is None:
        teams = _all_teams(deps)
        keys = [policy.DEFAULT_QUEUE] + teams
    out = []
    now = now_ms()
    for key in keys:
        for position, conv in enumerate(deps.waiting.waiting(key, limit=100), start=1):
            view = conversation_view(conv, for_agent=True)
            view["queue_key"] = key
            view["queue_position"] = position
            view["waiting_ms"] = now - int(conv.get("queued_at") or now)
            out.append(view)
    out.sort(key=lambda v: -v["waiting_ms"])
    return {"conversations": out}


def _all_teams(deps) -> list[str]:
    directory = getattr(deps, "directory", None)
    if directory is None:
        return []
    try:
        return sorted(t.get("id") for t in directory.list("team"))
    except Exception:
        return []


def list_agents(deps, actor: Actor) -> dict:
    """Every enabled agent with presence and load: supervisors watch the floor, agents pick
    a colleague to transfer to."""
    return {"agents": [agent_view(a) for a in deps.agents.list_all() if not a.get("disabled")]}


# ------------------------------------------------------------------ visitor actions
HANDOFF_SCHEMA = {"team": Field(str, max_len=50)}
RATING_SCHEMA = {"score": Field(int, required=True, min=1, max=5),
                 "comment": Field(str, max_len=1000)}
OFFLINE_SCHEMA = {"name": Field(str, max_len=100), "email": Field(str, required=True,
                                                                  pattern=EMAIL_RE, max_len=254),
                  "phone": Field(str, max_len=40), "text": Field(str, required=True, min_len=1,
                                                                 max_len=5000)}


def visitor_handoff(deps, actor: Actor, cid: str, payload: dict) -> dict:
    body = validate(payload, HANDOFF_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    team = body.get("team")
    if team and not _team_exists(deps, team):
        raise NotFound("No such team.", code="team_not_found")
    return request_handoff(deps, conv, "visitor_request", team=team)


def rate(deps, actor: Actor, cid: str, payload: dict) -> dict:
    body = validate(payload, RATING_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    if conv["status"] != "closed":
        raise Conflict("Conversations are rated once they are closed.", code="not_closed")
    if (conv.get("attrs") or {}).get("rating"):
        raise Conflict("This conversation has been rated already.", code="already_rated")
    rating = {"score": body["score"], "comment": body.get("comment"), "at": now_ms()}
    fresh = deps.conversations.update(cid, map_sets={("attrs", "rating"): rating})
    fresh = post_system_event(deps, fresh, "rated", {"score": body["score"]},
                              text=body.get("comment"))
    notify_conversation(deps, fresh)
    log.info("conversation_rated", conversation_id=cid, score=body["score"])
    return {"conversation": conversation_view(fresh, for_agent=False)}


def leave_offline_message(deps, actor: Actor, cid: str, payload: dict) -> dict:
    """Nobody can answer now: keep the visitor's message and contact for a follow-up."""
    body = validate(payload, OFFLINE_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    if conv["status"] == "assigned":
        raise Conflict("An agent is with you now: write to them here.", code="agent_assigned")
    contact = {"email": body["email"], "name": body.get("name"), "phone": body.get("phone"),
               "at": now_ms()}
    who = {"visitor_email": body["email"]}
    if body.get("name"):
        who["visitor_name"] = body["name"]
    # the state move comes first: if an agent took the chat meanwhile nothing is written
    try:
        deps.waiting.move(cid, ("new", "open", "queued", "offline"),
                          set_fields={"status": "offline"},
                          attrs={"offline": contact, **who}, remove=("queue_key", "queued_at"))
    except AssignmentConflict:
        raise Conflict("An agent is with you now: write to them here.", code="agent_assigned")
    fields = {"email": body["email"]}
    if body.get("name"):
        fields["name"] = body["name"]
    deps.visitors.update(actor.id, fields)
    post_message(deps, actor, cid, {"client_message_id": f"offline-{uuid.uuid4().hex[:16]}",
                                    "text": body["text"]})
    fresh = post_system_event(deps, conv, "offline", {"reason": "left_message"})
    notify_conversation(deps, fresh)
    if conv.get("queue_key"):
        refresh_positions(deps, conv["queue_key"])
    return {"conversation": conversation_view(fresh, for_agent=False)}


def visitor_close(deps, actor: Actor, cid: str) -> dict:
    return close(deps, actor, cid, reason="visitor_left")


# ------------------------------------------------------------------ timers and presence
@events.handler("queue_timeout")
def _on_queue_timeout(deps, body: dict) -> None:
    conv = deps.conversations.get(body["conversation_id"], consistent=True)
    if conv is None or conv["status"] != "queued" or \
            int(conv.get("queued_at") or 0) != int(body.get("queued_at") or -1):
        return  # assigned, closed or re-queued since: nothing to do
    settings = _site_settings(deps, conv.get("site_key"))
    max_wait_ms = int(settings.get("max_wait_seconds") or 0) * 1000
    remaining = int(conv["queued_at"]) + max_wait_ms - now_ms()
    if remaining > 1000:
        # the wait is longer than one SQS delay (or the setting grew): wait on
        events.publish(deps, "queue_timeout", body,
                       delay=min(MAX_TIMER_DELAY, -(-remaining // 1000)))
        return
    offered = _offer_offline(deps, conv, "timeout")
    if offered is not None:
        notify_conversation(deps, offered)


def presence_sweep(deps, now: int | None = None) -> int:
    """Agents shown online with no live socket become away (scheduled, with the idle sweep).

    $disconnect normally does this (on_disconnect -> presence_check); this catches the rest: a
    $disconnect that never came (the connection row would otherwise count as live until its
    TTL), or an agent set online over REST who never opened a socket. Only agents whose last
    account change is older than the check age are looked at; each of their connection rows is
    checked with GET @connections (410: the row is dropped)."""
    now = now or now_ms()
    min_age = max(presence_grace_seconds(), presence_check_age_seconds()) * 1000
    changed = 0
    for agent in deps.agents.by_status("online"):
        since = int(agent.get("updated_at") or agent.get("created_at") or 0)
        if now - since < min_age:
            continue
        live = 0
        for conn in deps.connections.by_agent(agent["agent_id"]):
            try:
                alive = deps.sender.alive(conn["connection_id"])
            except Exception as exc:          # cannot tell: leave the agent as they are
                log.warning("presence_probe_failed", agent_id=agent["agent_id"],
                            error=repr(exc))
                alive = True
            if alive:
                live += 1
            else:
                deps.connections.delete(conn["connection_id"])
        if live:
            continue
        deps.agents.update(agent["agent_id"], {"status": "away"})
        log.info("agent_auto_away", agent_id=agent["agent_id"], reason="no_live_socket")
        notify_agent(deps, deps.agents.get(agent["agent_id"]))
        changed += 1
    return changed


def idle_sweep(deps, now: int | None = None) -> int:
    """Close conversations idle for longer than their site allows (scheduled); then the
    presence sweep."""
    now = now or now_ms()
    closed = 0
    sites: dict = {}
    default_minutes = default_idle_close_minutes()
    for status in ("assigned", "open"):
        # the shortest idle time a site may set is a minute: read from there, oldest first,
        # and let each site's own setting decide
        for conv in deps.waiting.idle(status, now - 60_000, limit=IDLE_SWEEP_MAX_ITEMS):
            site_key = conv.get("site_key")
            if site_key not in sites:
                sites[site_key] = _site_settings(deps, site_key)
            minutes = int(sites[site_key].get("idle_close_minutes") or default_minutes)
            last = int(conv.get("last_message_at") or conv.get("updated_at") or now)
            if now - last < minutes * 60_000:
                continue
            try:
                _close(deps, conv, by=None, reason="idle")
                closed += 1
            except Conflict:
                continue
    try:
        presence_sweep(deps, now)
    except Exception as exc:   # logged; the next minute tries again
        log.error("presence_sweep_failed", error=repr(exc))
    return closed


def on_disconnect(deps, connection: dict | None) -> None:
    """An agent whose last connection is gone becomes away after a grace period."""
    if not connection or connection.get("kind") != "agent":
        return
    agent_id = connection.get("agent_id")
    if not deps.connections.by_agent(agent_id):
        events.publish(deps, "presence_check", {"agent_id": agent_id},
                       delay=presence_grace_seconds())


realtime.DISCONNECT_HOOKS.append(on_disconnect)


# ------------------------------------------------------------------ email follow-up
def on_agent_message(deps, conv: dict, message: dict) -> None:
    """An agent's reply to a visitor who left a message offline also goes by email, as
    long as the visitor is not back on the site to read it live."""
    if (conv.get("attrs") or {}).get("offline") and message.get("type") == "text" and \
            not deps.connections.by_conversation(conv["conversation_id"]):
        events.publish(deps, "email_reply", {"conversation_id": conv["conversation_id"],
                                             "seq": int(message["seq"])})


AGENT_MESSAGE_HOOKS.append(on_agent_message)


@events.handler("email_reply")
def _on_email_reply(deps, body: dict) -> None:
    cid, seq = body["conversation_id"], int(body["seq"])
    conv = deps.conversations.get(cid, consistent=True)
    message = deps.messages.get(cid, seq)
    if conv is None or message is None:
        return
    contact = (conv.get("attrs") or {}).get("offline") or {}
    visitor = deps.visitors.get(conv["visitor_id"]) or {}
    to = contact.get("email") or visitor.get("email")
    if not to:
        return
    claim = f"email#{cid}#{seq}"
    if not deps.claims.claim(claim):
        return  # already sent (SQS redelivery)
    site = deps.sites.get(conv.get("site_key")) or {}
    try:
        deps.email.send(to, f"Re: your message to {site.get('name') or 'us'}",
                        f"{message.get('sender_name') or 'Our team'} wrote:\n\n"
                        f"{message.get('text')}\n")
    except Exception:
        deps.claims.release(claim)  # let the retry send it
        raise
    log.info("email_reply_sent", conversation_id=cid, seq=seq)


@events.handler("presence_check")
def _on_presence_check(deps, body: dict) -> None:
    agent_id = body["agent_id"]
    if deps.connections.by_agent(agent_id):
        return  # came back within the grace period
    agent = deps.agents.get(agent_id)
    if agent and agent.get("status") == "online":
        deps.agents.update(agent_id, {"status": "away"})
        log.info("agent_auto_away", agent_id=agent_id)
        notify_agent(deps, deps.agents.get(agent_id))


__all__ = ["request_handoff", "assign_next", "on_agent_changed", "accept", "transfer", "close",
           "reopen", "reassign", "rate", "leave_offline_message", "idle_sweep"]
