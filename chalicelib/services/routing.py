"""Routing: handoff into a queue, places in line, and assignment.

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

from chalicelib import log
from chalicelib.adapters.dynamo import AssignmentConflict, now_ms
from chalicelib.domain import assignment as policy
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.services import delivery, tasks
from chalicelib.services.conversations import load_for, post_system_event
from chalicelib.services.notifier import notify_agent, notify_conversation
from chalicelib.services.views import conversation_view

MAX_ASSIGN_PER_RUN = 25
MAX_TIMER_DELAY = 900          # SQS DelaySeconds limit: longer waits hop in steps


def avg_handle_seconds() -> int:
    return int(os.environ.get("PARLEY_AVG_HANDLE_SECONDS", "240"))


# ------------------------------------------------------------------ places in line
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
        tasks.publish(deps, "assign", {"queue_key": key}, queue="assignments")


# ------------------------------------------------------------------ entering the queue
def site_settings(deps, site_key: str | None) -> dict:
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
    settings = site_settings(deps, conv.get("site_key"))
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
        tasks.publish(deps, "queue_timeout", {"conversation_id": conv["conversation_id"],
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


HANDOFF_SCHEMA = {"team": Field(str, max_len=50)}


def visitor_handoff(deps, actor: Actor, cid: str, payload: dict) -> dict:
    body = validate(payload, HANDOFF_SCHEMA)
    conv = load_for(deps, actor, cid, consistent=True)
    team = body.get("team")
    if team and team not in visitor_teams(site_settings(deps, conv.get("site_key")), conv):
        raise Forbidden("This site does not route to that team.", code="team_not_allowed",
                        details={"field": "team"})
    if team and not team_exists(deps, team):
        raise NotFound("No such team.", code="team_not_found")
    return request_handoff(deps, conv, "visitor_request", team=team)


def visitor_teams(settings: dict, conv: dict) -> set:
    """The teams a visitor may ask for: the site's team and the teams its settings name
    (`teams`), and the team the conversation is already routed to. Any other team's queue
    is not the visitor's to choose."""
    allowed = set(settings.get("teams") or [])
    for team in (settings.get("team"), conv.get("team")):
        if team:
            allowed.add(team)
    return allowed


# ------------------------------------------------------------------ assignment
def assign_to(deps, conv: dict, agent: dict, expect="queued", release: str | None = None,
              kind: str = "assigned", extra_event: dict | None = None,
              clear_attrs=(), extra_attrs: dict | None = None) -> dict:
    """Give the conversation to `agent` in one transaction (conversation still `expect`,
    agent online and under capacity), post the `kind` system event and push the change.
    Raises AssignmentConflict when either side moved."""
    ts = now_ms()
    # assign_kind: how it reached this agent (assigned, transferred, reopened): the console
    # words its notification by it
    attrs = {"assigned_at": ts, "agent_name": agent.get("name"), "assign_kind": kind,
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
                assign_to(deps, conv, agent)
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


def on_assign(deps, body: dict) -> None:
    key = body.get("queue_key") or policy.DEFAULT_QUEUE
    assign_next(deps, key)


def team_exists(deps, team: str) -> bool:
    directory = getattr(deps, "directory", None)
    if directory is None:
        return True
    return directory.get("team", team) is not None



def list_queue(deps, actor: Actor) -> dict:
    agent = deps.agents.get(actor.id) or {}
    keys = policy.queues_of(agent) if not actor.is_supervisor else None
    if keys is None:
        teams = all_teams(deps)
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


def all_teams(deps) -> list[str]:
    directory = getattr(deps, "directory", None)
    if directory is None:
        return []
    try:
        return sorted(t.get("id") for t in directory.list("team"))
    except Exception:
        return []


def on_queue_timeout(deps, body: dict) -> None:
    conv = deps.conversations.get(body["conversation_id"], consistent=True)
    if conv is None or conv["status"] != "queued" or \
            int(conv.get("queued_at") or 0) != int(body.get("queued_at") or -1):
        return  # assigned, closed or re-queued since: nothing to do
    settings = site_settings(deps, conv.get("site_key"))
    max_wait_ms = int(settings.get("max_wait_seconds") or 0) * 1000
    remaining = int(conv["queued_at"]) + max_wait_ms - now_ms()
    if remaining > 1000:
        # the wait is longer than one SQS delay (or the setting grew): wait on
        tasks.publish(deps, "queue_timeout", body,
                       delay=min(MAX_TIMER_DELAY, -(-remaining // 1000)))
        return
    offered = _offer_offline(deps, conv, "timeout")
    if offered is not None:
        notify_conversation(deps, offered)

