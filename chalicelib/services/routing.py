"""Routing: handoff into a queue, the assignment pass, the safety sweep (docs/routing.md).

How a waiting visitor reaches a free agent, with many Lambdas and many agents:
- a conversation that needs a human is marked queued (sparse queue-index: team, and
  `queued_at`, its place-in-line order, which a priority moves earlier) and one "assign"
  message goes to the assignments SQS queue; its place in line is pushed by the positions
  task (services/positions.py);
- an assignment pass fills every free slot of the queues it is given in one run, oldest
  first across them, moving each chat and its agent in ONE DynamoDB transaction: the
  conversation only if it is still queued, the agent only if online and under capacity. A
  lost race or a redelivered SQS message therefore changes nothing;
- whenever capacity appears (an agent goes online or reconnects, closes or transfers,
  capacity or teams change, a team turns automatic) one "assign" message is published for
  the queues concerned; the minute sweep is the safety net.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.waiting import AssignmentConflict
from chalicelib.domain import assignment as policy
from chalicelib.domain import conversation as transition
from chalicelib.domain import overflow as overflow_rule
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.services import delivery, fill, parallel, positions, tasks, transitions
from chalicelib.services.conversations import load_for, post_system_event
from chalicelib.services.notifier import notify_agent, notify_conversation
from chalicelib.services.views import conversation_view

MAX_ASSIGN_PER_RUN = 50        # assignments per pass; more waiting: the pass goes on later
ROUNDS = 3                     # a pass's rounds when chats ask faster than a round fills
MAX_QUEUES = 50                # queues a pass reads
MAX_TIMER_DELAY = 900          # SQS DelaySeconds limit: longer waits hop in steps


def publish_assign(deps, keys) -> None:
    """Wake the assignment pass for these queues: ONE message, whatever the number of
    queues (a pass over several queues assigns oldest first across them)."""
    keys = sorted(set(k for k in keys if k))
    if keys:
        tasks.publish(deps, "assign", {"queue_keys": keys}, queue="assignments")


def publish_overflow(deps, keys) -> None:
    """One `overflow` task (services/overflow.py) per team line that may have chats due."""
    for key in sorted(set(k for k in keys if k)):
        tasks.publish(deps, "overflow", {"queue_key": key})


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
                    announce=None, read: bool = True) -> dict:
    """Send the conversation to a human: the queue, or the leave-a-message path when the
    site is closed. Idempotent: a conversation already queued or assigned stays as it is.

    `announce(kind)` (the bot's reply) is called once the outcome is known and before any
    system event or assignment, so the visitor reads "connecting you" before "waiting" and
    "assigned": kind is "queued", "offline_queued" (queued, nobody online) or "offline"
    (the site is closed). `read=False`: `conversation` is the caller's consistent read of
    it, so it is not read again."""
    conv = deps.conversations.get(conversation["conversation_id"], consistent=True) \
        if read else conversation          # read=False: the caller's own consistent read
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
    previous = _previous_agent(deps, conv)
    boost = _boost(deps, settings, conv, previous)
    ts = now_ms()          # the place-in-line order: taken right before the write lands
    queued = transition.queue(conv, key, ts, reason, boost=boost, previous_agent=previous)
    try:
        # with a bot's "connecting you" (announce, below) the "queued" event follows it,
        # so it is a write of its own; otherwise the move and its event are one transaction
        moved, _ = transitions.apply(deps, conv, queued.without_event() if announce
                                     else queued)
    except AssignmentConflict:
        return request_handoff(deps, conv, reason, team, announce)  # the status moved
    # From here on the chat may move on at any moment (an assignment pass can take it
    # between two of these steps): nothing below reads what the move wrote back.
    online = sum(1 for a in deps.agents.by_status("online")
                 if policy.serves(a, key) and not a.get("disabled"))
    conv = moved
    if announce:
        announce("offline_queued" if online == 0 else "queued")
        conv = post_system_event(deps, moved, queued.event.kind, queued.event.data,
                                 known=True)
    log.info("conversation_queued", conversation_id=conv["conversation_id"], queue=key,
             reason=reason, boost=boost)
    publish_assign(deps, [key])
    positions.schedule(deps, [key])
    max_wait = int(settings.get("max_wait_seconds") or 0)
    if max_wait > 0:
        tasks.publish(deps, "queue_timeout", {"conversation_id": conv["conversation_id"],
                                               "queued_at": ts},
                       delay=min(max_wait, MAX_TIMER_DELAY))
    offered = False
    if online == 0:
        # nobody who could answer is online: the visitor stays in line (an agent may come),
        # and may leave a message instead of waiting
        offered = _offer_offline(deps, conv, "no_agents") is not None
    # the newcomer's place comes with the positions task at the end of the window, like
    # everyone's: a count here could miss a chat that asked just before and is written just
    # after, and the place would then go up
    fresh = deps.conversations.get(conv["conversation_id"], consistent=True)
    notify_conversation(deps, fresh)
    return {"conversation": conversation_view(fresh, for_agent=False), "offline": offered}


def _boost(deps, settings: dict, conv: dict, previous: str | None) -> int:
    """Seconds this chat moves ahead in line (site setting `priorities`, docs/routing.md)."""
    priorities = settings.get("priorities")
    if not priorities:
        return 0
    visitor = deps.visitors.get(conv["visitor_id"]) if priorities.get("vip") or \
        priorities.get("returning") else None
    visitor = visitor or {}
    vip = "vip" in (visitor.get("tags") or []) or \
        bool((visitor.get("attributes") or {}).get("vip"))
    returning = bool(previous) or int(visitor.get("visits") or 1) > 1
    return policy.priority_boost(priorities, vip=vip, returning=returning,
                                 channel=conv.get("channel"))


def _offer_offline(deps, conv: dict, reason: str) -> dict | None:
    """Offer the leave-a-message form (once until an agent takes the chat): the
    conversation after the offer, or None when it had been offered already."""
    try:
        offer = transition.offer_offline(conv, now_ms(), reason)
        conv, _ = transitions.apply(deps, conv, offer)   # the offer and its event: one write
    except (transition.Refused, AssignmentConflict):
        return None       # offered already, or an agent took it (or it closed) meanwhile
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
    return request_handoff(deps, conv, "visitor_request", team=team, read=False)


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
              clear_attrs=(), extra_attrs: dict | None = None, agent_conns=None,
              expect_queue: str | None = None) -> dict:
    """Give the conversation to `agent` and post the `kind` system event in ONE
    transaction (conversation still `expect`, and still in `expect_queue` when given; agent
    online and under capacity; no read before or after: QueueRepo.move_with_event), then
    push the event and the change. The agent's sockets go on the item (`holder_sockets`), so
    a send to the chat needs no Query for them. Costs that transaction alone when the caller
    read the agent connections (`agent_conns`, as an assignment pass does once for all its
    chats; otherwise one Query of the agent's). Raises AssignmentConflict when either side
    moved."""
    theirs = deps.connections.by_agent(agent["agent_id"]) if agent_conns is None \
        else agent_conns
    t = transition.assign(conv, agent, now_ms(), kind=kind, expect=expect, release=release,
                          extra_event=extra_event, clear_attrs=clear_attrs,
                          extra_attrs=extra_attrs, expect_queue=expect_queue,
                          # a send's recipients: the holder's sockets, no Query (delivery.py)
                          holder_sockets=delivery.holder_note(agent["agent_id"], theirs))
    visitor_conns = delivery.visitor_connections(deps, conv)
    fresh, _ = transitions.apply(deps, conv, t, agent_conns=agent_conns,
                                 visitor_conns=visitor_conns)
    notify_conversation(deps, fresh, agent_conns=agent_conns, visitor_conns=visitor_conns)
    log.info("conversation_" + kind, conversation_id=conv["conversation_id"],
             agent_id=agent["agent_id"])
    return fresh


def assign_next(deps, key: str, max_assign: int = MAX_ASSIGN_PER_RUN) -> int:
    """One assignment pass over one queue (see assign_pass)."""
    return assign_pass(deps, [key], max_assign)


def assign_pass(deps, keys, max_assign: int = MAX_ASSIGN_PER_RUN,
                run_places: bool = False) -> int:
    """One pass (see _pass): how many chats it assigned."""
    return _pass(deps, keys, max_assign, run_places)[0]


def _pass(deps, keys, max_assign: int, run_places: bool) -> tuple[int, set]:
    """Fill the free slots of the agents serving these queues in one run.

    Reads the online agents once (one Query) and, for each queue with a free slot, as many
    of its oldest waiting chats as there are free slots (one Query per queue); then takes
    them in line order across the queues (priority, then waiting time: domain
    merge_lines), each to the best free agent who serves its queue, many moves in one
    transaction (services/fill.py). When a round took every chat it read and slots are
    still free (a burst), the chats that asked meanwhile are read and filled in another
    round, up to ROUNDS, the round's pushes going out meanwhile. Every move is
    conditional, so a lost race or a redelivered message changes nothing: a chat someone
    else moved is dropped, one that changed is read again, an agent who filled up or left
    is left out. What the pass could not finish (the cap, lost races) is published again,
    so nothing waits for an outside event. The places of the lines it moved are run in the
    pass (`run_places`, as the `assign` task does) or published as a positions task."""
    started = now_ms()
    agents = deps.agents.by_status("online")
    open_keys = [k for k in sorted(set(keys)) if policy.free_slots(agents, k) > 0]
    if not open_keys:
        return 0, set()
    # side by side: each queue's team record (its assignment mode) and line, and the agent
    # connections (who hears the changes, read once a pass). A line is read one chat longer
    # than its free slots: with a team overflow setting, the chat that stays at the head
    # after this pass tells whether it is past the team's limit
    calls = {("team", k): (lambda k=k: _team(deps, k)) for k in open_keys}
    calls.update({("line", k): (lambda k=k: deps.waiting.waiting(
        k, limit=min(max_assign, policy.free_slots(agents, k)) + 1)) for k in open_keys})
    calls["conns"] = lambda: deps.connections.by_kind("agent")
    got = parallel.gather(calls)
    teams = {k: got[("team", k)] for k in open_keys
             if not (got[("team", k)] or {}).get("manual_assign")}
    keys = list(teams)
    if not keys:
        return 0, set()
    lines = {k: got[("line", k)] for k in keys}
    conns = got["conns"]
    read_ms = now_ms() - started
    done, lost, pushes, read = [], False, [], dict(lines)
    pusher = ThreadPoolExecutor(max_workers=1)
    try:
        for _ in range(ROUNDS):
            taken, lost = fill.fill(deps, policy.merge_lines(lines), agents, conns,
                                    max_assign - len(done))
            done += taken
            pushes.append(pusher.submit(fill.push, deps, taken, conns))  # beside the next
            lines = _line_again(deps, teams, lines, taken, agents, max_assign - len(done),
                                lost)
            keys = list(teams)                         # a round may take on more queues
            for k, line in lines.items():
                read[k] = read.get(k, []) + line
            if not lines:
                break
    finally:
        pusher.shutdown(wait=False)
    assigned = len(done)
    changed = {agent["agent_id"]: agent for _, agent, _, _ in done}
    placed = {conv["conversation_id"] for conv, _, _, _ in done}
    again = set(keys) if lost else set()
    written_ms = now_ms() - started
    moved = {conv.get("queue_key") for _, _, conv, _ in done}
    # the places first: the waiting visitors' view is what lags behind a busy pass, the
    # agents' load counters below can wait the few requests they cost. The `assign` task
    # runs them here, beside the pushes; a direct call publishes the positions task
    if run_places:
        places_done = positions.run_now(deps, moved)
    else:
        positions.publish_now(deps, moved)
        places_done = None
    if assigned >= max_assign:
        again.update(keys)                         # more may wait: carry on
    if again:
        publish_assign(deps, again)
    for pushed in pushes:
        pushed.result()                                # every move pushed (or the error)
    for agent in deps.agents.get_many(changed) if changed else ():
        notify_agent(deps, agent, agent_conns=conns)      # their load, read in one request
    publish_overflow(deps, _past_due(read, teams, placed))
    if places_done:
        places_done()
    log.info("assign_pass", queues=keys, assigned=assigned, agents_changed=len(changed),
             read_ms=read_ms, written_ms=written_ms, ms=now_ms() - started)
    return assigned, moved if run_places else set()


def _line_again(deps, teams: dict, lines: dict, taken: list, agents: list, budget: int,
                lost: bool) -> dict:
    """After a round of a pass: the lines to fill in another round, or {} when the pass is
    done. Only when the round took every chat it had read while slots are still free (a
    burst: chats ask faster than one round fills): the lines of every queue a free agent
    serves, its own and the ones it was not woken for (their wake-ups may be waiting
    behind this pass), are read side by side and filled at once, instead of in a pass of
    their own after this one's pushes and places. A queue new to the pass adds its team
    record (a manual-pick team is left out) to `teams`. Not after a lost race (the pass
    wakes another)."""
    read = sum(len(line) for line in lines.values())
    served = set(teams)
    for agent in agents:
        served.update(policy.queues_of(agent))
    open_keys = sorted(k for k in served if policy.free_slots(agents, k) > 0)[:MAX_QUEUES]
    if lost or not taken or len(taken) < read or not open_keys or budget <= 0:
        return {}
    calls = {("team", k): (lambda k=k: _team(deps, k)) for k in open_keys if k not in teams}
    calls.update({("line", k): (lambda k=k: deps.waiting.waiting(
        k, limit=min(budget, policy.free_slots(agents, k)) + 1)) for k in open_keys})
    got = parallel.gather(calls)
    for k in open_keys:
        if ("team", k) in got and not (got[("team", k)] or {}).get("manual_assign"):
            teams[k] = got[("team", k)]
    again = {k: got[("line", k)] for k in open_keys if k in teams}
    return again if any(again.values()) else {}


def _team(deps, key: str) -> dict | None:
    """The team record of a queue (one GetItem; None for the general queue)."""
    if key == policy.DEFAULT_QUEUE:
        return None
    directory = getattr(deps, "directory", None)
    return directory.get("team", key) if directory is not None else None


def _overflow_of(team: dict | None) -> dict | None:
    return (team or {}).get("overflow") or None


def _past_due(lines: dict, teams: dict, placed: set) -> list[str]:
    """The team lines where a chat this pass read still waits past the team's overflow
    limit (no request: the pass read them already)."""
    now = now_ms()
    return [k for k, line in lines.items() if _overflow_of(teams.get(k)) and any(
        overflow_rule.is_due(c, k, _overflow_of(teams[k]), now)
        for c in line if c["conversation_id"] not in placed)]


def on_assign(deps, body: dict) -> set:
    """The `assign` task: {"queue_keys": [...]} (or one "queue_key", as published before).
    Returns the queues whose places the pass ran (their positions tasks are answered)."""
    keys = body.get("queue_keys") or [body.get("queue_key") or policy.DEFAULT_QUEUE]
    return _pass(deps, [str(k) for k in keys][:50], MAX_ASSIGN_PER_RUN, run_places=True)[1]


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
            view["waiting_ms"] = now - _asked_at(conv, now)
            out.append(view)
    out.sort(key=lambda v: -v["waiting_ms"])
    return {"conversations": out}


def _asked_at(conv: dict, default: int) -> int:
    """When the chat joined the line (ms). The top-level `queued_at` is its place-in-line
    order, which a priority moves earlier; attrs.queued_at is the time itself."""
    attrs = conv.get("attrs") or {}
    return int(attrs.get("queued_at") or conv.get("queued_at") or default)


def agent_back(deps, teams) -> None:
    """An agent's socket (re)connected: wake the queues they serve (a pass costs one Query
    when they are not online or have no free slot). A failure only logs: the sweep wakes
    the queues within a minute, and the connection must not fail for it."""
    try:
        publish_assign(deps, policy.queues_of({"teams": list(teams or [])}))
    except Exception as exc:
        log.error("agent_back_wake_failed", error=repr(exc))


SWEEP_MAX_QUEUES = 200


def safety_sweep(deps) -> list[str]:
    """The safety net (the scheduled sweep, every minute): wake the assignment pass and the
    position push for every queue that has someone waiting (one Query of one item per
    queue on the queue index), publish an `overflow` task for each team line whose head is
    past the team's overflow limit (the team records come with the one Query of the team
    list), and hand back the chats still held by agents who are offline.
    Events wake routing in the normal case; this only catches what an event missed."""
    teams = {t["id"]: t for t in team_records(deps)[:SWEEP_MAX_QUEUES]}
    keys = [policy.DEFAULT_QUEUE] + sorted(teams)
    heads = {k: deps.waiting.waiting(k, limit=1) for k in keys}
    waiting = [k for k in keys if heads[k]]
    publish_assign(deps, waiting)
    positions.schedule(deps, waiting)
    now = now_ms()
    # the head has the lowest order in its line and a chat is due only when its order is
    # at or before the cutoff (a priority moves the order earlier, never later): a head
    # after the cutoff means nobody in that line is due
    publish_overflow(deps, [k for k in waiting if _overflow_of(teams.get(k)) and int(
        heads[k][0].get("queued_at") or 0) <= overflow_rule.cutoff(_overflow_of(teams[k]),
                                                                    now)])
    for agent in deps.agents.by_status("offline"):
        if int(agent.get("active_count") or 0) > 0:
            tasks.publish(deps, "requeue_agent", {"agent_id": agent["agent_id"],
                                                  "reason": "agent_offline"})
    return waiting


def team_records(deps) -> list[dict]:
    directory = getattr(deps, "directory", None)
    if directory is None:
        return []
    try:
        return sorted(directory.list("team"), key=lambda t: t.get("id") or "")
    except Exception:
        return []


def all_teams(deps) -> list[str]:
    return [t.get("id") for t in team_records(deps)]


def on_queue_timeout(deps, body: dict) -> None:
    conv = deps.conversations.get(body["conversation_id"], consistent=True)
    if conv is None or conv["status"] != "queued" or \
            _asked_at(conv, 0) != int(body.get("queued_at") or -1):
        return  # assigned, closed or re-queued since: nothing to do
    settings = site_settings(deps, conv.get("site_key"))
    max_wait_ms = int(settings.get("max_wait_seconds") or 0) * 1000
    remaining = _asked_at(conv, 0) + max_wait_ms - now_ms()
    if remaining > 1000:
        # the wait is longer than one SQS delay (or the setting grew): wait on
        tasks.publish(deps, "queue_timeout", body,
                       delay=min(MAX_TIMER_DELAY, -(-remaining // 1000)))
        return
    offered = _offer_offline(deps, conv, "timeout")
    if offered is not None:
        notify_conversation(deps, offered)

