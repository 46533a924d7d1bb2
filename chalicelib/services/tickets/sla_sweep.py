"""The SLA sweep (a schedule, every minute): flag tickets whose due time passed and tell the
assignee and the supervisors. Bounded: one Query per shard of the due index (earliest due
first, at most `limit` each); a flagged kind leaves the index, so nothing is read twice."""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain import audience
from chalicelib.domain.tickets import model
from chalicelib.services import delivery
from chalicelib.services.tickets.common import now_ms, store, ticket_view

SWEEP_LIMIT = 50


def sweep(deps, limit: int = SWEEP_LIMIT) -> dict:
    now = now_ms(deps)
    flagged = []
    for t in deps.tickets.due(now, limit):
        ticket, change = store(deps, t["ticket_id"], None,
                               lambda cur, _settings: model.sla_breached(cur, now))
        if change.changed:
            flagged.append(ticket)
            log.info("ticket_sla_breached", ticket_id=ticket["ticket_id"],
                     kinds=change.events[0]["data"]["kinds"],
                     assignee_id=ticket.get("assignee_id"))
    if flagged:
        _notify(deps, flagged, now)
    return {"flagged": len(flagged)}


def _notify(deps, tickets: list[dict], now: int) -> None:
    """A push {"type": "ticket_sla", "ticket": ...} to the assignee's and supervisors'
    consoles (one Query of agent connections for the whole sweep)."""
    conns = deps.connections.by_kind("agent")
    for t in tickets:
        to = [c for c in conns if c.get("role") in audience.WATCHERS or
              (t.get("assignee_id") and c.get("agent_id") == t["assignee_id"])]
        delivery.push(deps, to, {"type": "ticket_sla", "ticket": ticket_view(t, now)})
