"""The live 'now' strip of the Reports page: who waits, for how long, who is online, how many
chats are in progress. Read from the queue index and the agents' presence index (a Query per
queue and per presence value), never from the report buckets."""
from __future__ import annotations

from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import assignment as policy
from chalicelib.domain.actors import Actor
from chalicelib.services.routing import all_teams


def now(deps, actor: Actor) -> dict:
    agent = deps.agents.get(actor.id) or {}
    keys = ([policy.DEFAULT_QUEUE] + all_teams(deps)) if actor.is_supervisor \
        else policy.queues_of(agent)
    ts = now_ms()
    waiting, longest = 0, 0
    for key in keys:
        for conv in deps.waiting.waiting(key, limit=100):
            waiting += 1
            longest = max(longest, ts - int(conv.get("queued_at") or ts))
    online = deps.agents.by_status("online")
    away = deps.agents.by_status("away")
    in_progress = sum(int(a.get("active_count") or 0) for a in online + away
                      if not a.get("disabled"))
    return {"at": ts, "waiting": waiting, "longest_wait_ms": longest,
            "agents_online": sum(1 for a in online if not a.get("disabled")),
            "agents_away": sum(1 for a in away if not a.get("disabled")),
            "chats_in_progress": in_progress}
