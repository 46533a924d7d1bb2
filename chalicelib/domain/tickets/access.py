"""Who may see and change a ticket (no AWS here). Returns None when allowed, else
(status, code, message), like chalicelib/domain/permissions.py.

- Supervisors and admins: every ticket.
- Agents: tickets of the general queue (no team), of their teams, and assigned to them.
- Visitors (the requester): their own tickets, read only, public comments only."""
from __future__ import annotations

from chalicelib.domain.assignment import DEFAULT_QUEUE

NOT_YOUR_TEAM = (403, "not_your_team", "This ticket belongs to another team.")
NOT_YOURS = (404, "ticket_not_found", "No such ticket.")


def agent_queues(actor) -> set[str]:
    return {DEFAULT_QUEUE, *(actor.teams or ())}


def agent_may(ticket: dict, actor):
    """Read and write are the same for agents: a ticket they can see they can work on."""
    if actor.is_supervisor:
        return None
    if ticket.get("assignee_id") == actor.id:
        return None
    if (ticket.get("team") or DEFAULT_QUEUE) in agent_queues(actor):
        return None
    return NOT_YOUR_TEAM


def visitor_may(ticket: dict, actor):
    requester = ticket.get("requester") or {}
    if actor.kind == "visitor" and requester.get("visitor_id") == actor.id and \
            ticket.get("site_key") == actor.site_key:
        return None
    return NOT_YOURS
