"""The requester's view (the widget): their own tickets and the public replies, never an
internal note, an assignee or an SLA."""
from __future__ import annotations

from chalicelib.domain.tickets import access
from chalicelib.errors import NotFound
from chalicelib.services.tickets.common import comment_view, deny, load, now_ms, ticket_view

MAX_TICKETS = 20


def my_tickets(deps, actor) -> dict:
    key = f"{actor.site_key}#v#{actor.id}"
    items, _ = deps.tickets.page("requester", key, MAX_TICKETS)
    now = now_ms(deps)
    return {"tickets": [ticket_view(t, now, for_agent=False) for t in items]}


def my_ticket(deps, actor, ticket_id: str) -> dict:
    try:
        ticket = load(deps, ticket_id)
    except NotFound:
        raise NotFound("No such ticket.", code="ticket_not_found")
    deny(access.visitor_may(ticket, actor))
    items, _ = deps.tickets.comments(ticket_id, limit=200)
    return {"ticket": ticket_view(ticket, now_ms(deps), for_agent=False),
            "comments": [_public(c, deps) for c in items if c.get("public")]}


def _public(c: dict, deps) -> dict:
    view = comment_view(c, deps.storage)
    view.pop("mail_status", None)
    author = view.get("author") or {}
    view["author"] = {"type": author.get("type"), "name": author.get("name")}
    return view
