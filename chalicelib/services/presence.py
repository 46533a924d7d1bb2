"""Presence: agent status, capacity changes, the presence and idle sweeps, disconnects."""
from __future__ import annotations

import os

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import assignment as policy
from chalicelib.domain.actors import Actor
from chalicelib.domain.sockets import still_opening
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Conflict, Forbidden
from chalicelib.services import realtime, routing, tasks
from chalicelib.services.lifecycle import close_now, return_to_queue
from chalicelib.services.notifier import notify_agent
from chalicelib.services.reports.presence_time import safe_record_change
from chalicelib.services.routing import site_settings, publish_assign
from chalicelib.services.views import agent_view

IDLE_SWEEP_MAX_ITEMS = 1000    # per status and sweep


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def presence_grace_seconds() -> int:
    return _env_int("PARLEY_PRESENCE_GRACE", 60)


def presence_check_age_seconds() -> int:
    return _env_int("PARLEY_PRESENCE_CHECK_AGE", 300)


def default_idle_close_minutes() -> int:
    return _env_int("PARLEY_IDLE_CLOSE_MINUTES", 30)


STATUS_SCHEMA = {"status": Field(str, required=True, choices=policy.PRESENCE)}


def set_status(deps, actor: Actor, payload: dict) -> dict:
    status = validate(payload, STATUS_SCHEMA)["status"]
    agent = deps.agents.get(actor.id)
    if agent is None or agent.get("disabled"):
        raise Forbidden("This account is not active.", code="account_disabled")
    agent = deps.agents.update(actor.id, {"status": status})
    log.info("agent_status", agent_id=actor.id, status=status)
    safe_record_change(deps, actor.id, status, now_ms())
    on_agent_changed(deps, actor.id)
    if status == "offline" and int(agent.get("active_count") or 0) > 0:
        # signing off hands the open chats back (off this request: one task)
        tasks.publish(deps, "requeue_agent", {"agent_id": actor.id, "reason": "agent_offline",
                                              "since": now_ms()})
    return agent_view(agent)


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


def list_agents(deps, actor: Actor) -> dict:
    """Every enabled agent with presence and load: supervisors watch the floor, agents pick
    a colleague to transfer to."""
    return {"agents": [agent_view(a) for a in deps.agents.list_all() if not a.get("disabled")]}


# ------------------------------------------------------------------ sweeps and disconnects
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
            if still_opening(conn, now):       # not probed: 410 would mean nothing yet
                live += 1
                continue
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
        safe_record_change(deps, agent["agent_id"], "away", now)
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
                sites[site_key] = site_settings(deps, site_key)
            minutes = int(sites[site_key].get("idle_close_minutes") or default_minutes)
            last = int(conv.get("last_message_at") or conv.get("updated_at") or now)
            if now - last < minutes * 60_000:
                continue
            try:
                close_now(deps, conv, by=None, reason="idle")
                closed += 1
            except Conflict:
                continue
    try:
        presence_sweep(deps, now)
    except Exception as exc:   # logged; the next minute tries again
        log.error("presence_sweep_failed", error=repr(exc))
    try:
        routing.safety_sweep(deps)
    except Exception as exc:   # logged; the next minute tries again
        log.error("routing_sweep_failed", error=repr(exc))
    return closed


def on_disconnect(deps, connection: dict | None) -> None:
    """An agent whose last connection is gone becomes away after a grace period."""
    if not connection or connection.get("kind") != "agent":
        return
    agent_id = connection.get("agent_id")
    if not deps.connections.by_agent(agent_id):
        tasks.publish(deps, "presence_check", {"agent_id": agent_id, "since": now_ms()},
                       delay=presence_grace_seconds())



def on_presence_check(deps, body: dict) -> None:
    agent_id = body["agent_id"]
    if deps.connections.by_agent(agent_id):
        return  # came back within the grace period
    agent = deps.agents.get(agent_id)
    if agent and agent.get("status") == "online":
        deps.agents.update(agent_id, {"status": "away"})
        log.info("agent_auto_away", agent_id=agent_id)
        safe_record_change(deps, agent_id, "away", now_ms())
        notify_agent(deps, deps.agents.get(agent_id))
    if agent and int(agent.get("active_count") or 0) > 0:
        on_requeue_agent(deps, {"agent_id": agent_id, "reason": "agent_disconnected",
                                "since": int(body.get("since") or now_ms())})


def reassign_grace_seconds(settings: dict) -> int:
    """How long a site lets the chats of an agent without a socket wait for them to come
    back (site setting `reassign_grace_seconds`, else PARLEY_REASSIGN_GRACE, 120)."""
    value = settings.get("reassign_grace_seconds")
    return int(value if value is not None else _env_int("PARLEY_REASSIGN_GRACE", 120))


def on_requeue_agent(deps, body: dict, now: int | None = None) -> int:
    """The chats of an agent who went offline (reason agent_offline) or lost every socket
    (agent_disconnected, after each site's grace since `since`) go back to the front of
    their queues. Nothing happens if the agent is back; a chat whose site's grace has not
    passed yet is looked at again by a delayed task. Idempotent (conditional moves)."""
    agent_id, reason = body["agent_id"], body.get("reason") or "agent_offline"
    now = now_ms() if now is None else now
    agent = deps.agents.get(agent_id)
    if agent is None:
        return 0
    if reason == "agent_offline" and agent.get("status") != "offline":
        return 0                                      # back online (or only away)
    if reason == "agent_disconnected" and deps.connections.by_agent(agent_id):
        return 0                                      # a socket is back
    since = int(body.get("since") or now)
    held = [c for c in deps.conversations.list_by_agent(agent_id, limit=200)
            if c.get("status") == "assigned" and c.get("agent_id") == agent_id]
    moved, waits, sites = 0, [], {}
    for conv in held:
        if reason == "agent_disconnected":
            site_key = conv.get("site_key")
            if site_key not in sites:
                sites[site_key] = reassign_grace_seconds(site_settings(deps, site_key))
            left = since + sites[site_key] * 1000 - now
            if left > 0:
                waits.append(left)
                continue
        moved += int(return_to_queue(deps, conv, reason))
    if waits:
        tasks.publish(deps, "requeue_agent", {**body, "agent_id": agent_id},
                      delay=min(900, -(-min(waits) // 1000)))
    if moved:
        notify_agent(deps, deps.agents.get(agent_id))
    return moved

