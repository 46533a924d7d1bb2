"""Reading, listing and changing tickets (agents)."""
from __future__ import annotations

from chalicelib import log
from chalicelib.adapters import models as m
from chalicelib.domain.assignment import DEFAULT_QUEUE
from chalicelib.domain.tickets import access, model
from chalicelib.domain.tickets import fields as custom
from chalicelib.domain.tickets.sla import SOON_MS
from chalicelib.domain.validation import SITE_KEY_RE, Field, optional_int, validate
from chalicelib.errors import AppError, Forbidden, ValidationError
from chalicelib.services.tickets.common import (Settings, comment_view, load_for_agent,
                                                now_ms, store, ticket_view)
from chalicelib.services.tickets.create import COMMON, TAG, assignee_of, team_of

UPDATE_SCHEMA = {**{k: v for k, v in COMMON.items() if k != "description"},
                 "status": Field(str, choices=model.STATUSES),
                 "add_tags": Field(list, item=TAG, max_items=20),
                 "remove_tags": Field(list, item=TAG, max_items=20)}
BULK_SCHEMA = {"ticket_ids": Field(list, required=True, max_items=50,
                                   item=Field(str, min_len=1, max_len=64)),
               "assignee_id": Field(str, max_len=64, nullable=True),
               "status": Field(str, choices=("solved", "closed"))}
VIEWS = ("all", "mine", "unassigned", "status", "team", "requester", "breaching")
PAGE_MAX = 100
SEARCH_BUDGET = 200     # tickets of the view's index read per filtered page (tag, q)
SEARCH_MIN, SEARCH_MAX = 2, 100


def get(deps, actor, ticket_id: str) -> dict:
    ticket = load_for_agent(deps, actor, ticket_id)
    now = now_ms(deps)
    comments, cursor = deps.tickets.comments(ticket_id, limit=100)
    return {"ticket": ticket_view(ticket, now),
            "comments": [comment_view(c, deps.storage) for c in comments],
            "comments_cursor": cursor,
            "transcript": deps.tickets.transcript(ticket_id)}


def comments(deps, actor, ticket_id: str, limit: int, cursor: str | None) -> dict:
    load_for_agent(deps, actor, ticket_id)
    items, nxt = deps.tickets.comments(ticket_id, limit=limit, cursor=cursor)
    return {"comments": [comment_view(c, deps.storage) for c in items], "cursor": nxt}


def history(deps, actor, ticket_id: str, limit: int, cursor: str | None) -> dict:
    load_for_agent(deps, actor, ticket_id)
    items, nxt = deps.tickets.history(ticket_id, limit=limit, cursor=cursor)
    return {"history": [{k: h.get(k) for k in ("id", "at", "by", "action", "changes",
                                                "comment_id", "public")} for h in items],
            "cursor": nxt}


def _changes(deps, body: dict, ticket: dict, settings: Settings) -> dict:
    changes = {k: body[k] for k in ("subject", "priority", "status") if k in body}
    if "team" in body:
        changes["team"] = team_of(deps, body["team"])
    if "assignee_id" in body:
        who = assignee_of(deps, body["assignee_id"])
        changes["assignee_id"] = (who or {}).get("id")
        changes["assignee_name"] = (who or {}).get("name")
    if "tags" in body or "add_tags" in body or "remove_tags" in body:
        tags = set(body.get("tags", ticket.get("tags") or []))
        tags |= set(body.get("add_tags") or [])
        tags -= set(body.get("remove_tags") or [])
        if len(tags) > 30:
            raise ValidationError("A ticket has at most 30 tags.", code="too_many_items",
                                  details={"field": "tags"})
        changes["tags"] = sorted(tags)
    if "custom_fields" in body:
        changes["custom_fields"] = custom.validate_values(
            body["custom_fields"], settings.fields, current=ticket.get("custom_fields"))
    return changes


def update(deps, actor, ticket_id: str, payload: dict) -> dict:
    """PATCH /v1/agent/tickets/{id}: fields, status, priority, assignee, team, tags, custom
    fields. Agents of another team get 403 and nothing is written."""
    body = validate(payload, UPDATE_SCHEMA)
    if not body:
        raise ValidationError("Nothing to change.", code="empty_update")

    def apply(ticket, settings):
        return model.update(ticket, _changes(deps, body, ticket, settings), actor=actor,
                            now=now_ms(deps), policy=settings.policy, hours=settings.hours)

    ticket, change = store(deps, ticket_id, actor, apply)
    if change.changed:
        log.info("ticket_updated", ticket_id=ticket_id, agent_id=actor.id,
                 fields=sorted((change.history or {}).get("changes") or {}))
    return {"ticket": ticket_view(ticket, now_ms(deps))}


def bulk(deps, actor, payload: dict) -> dict:
    """Assign or close several tickets; each is changed on its own (its own permission check
    and history), and the answer says which failed and why."""
    body = validate(payload, BULK_SCHEMA)
    change = {k: body[k] for k in ("assignee_id", "status") if k in body}
    if not change:
        raise ValidationError("Give assignee_id or status.", code="empty_update")
    done, failed = [], []
    for tid in dict.fromkeys(body["ticket_ids"]):
        try:
            done.append(update(deps, actor, tid, change)["ticket"])
        except AppError as err:
            failed.append({"ticket_id": tid, "code": err.code})
    return {"tickets": done, "failed": failed}


def _check_site(site_key) -> str:
    if not isinstance(site_key, str) or not SITE_KEY_RE.match(site_key):
        raise ValidationError("'site_key' is required.", code="missing_field",
                              details={"field": "site_key"})
    return site_key


def list_tickets(deps, actor, q: dict) -> dict:
    """GET /v1/agent/tickets?site_key=&view=&status=&team=&requester=&tag=&q=&limit=&cursor=
    Every view is one Query of an index, newest change first, paged by cursor. `tag` and `q`
    filter a bounded read of that index (SEARCH_BUDGET tickets a page) in memory. An agent sees
    the general queue's tickets, their teams' and their own; supervisors everything."""
    site = _check_site(q.get("site_key"))
    view = q.get("view") or "all"
    if view not in VIEWS:
        raise ValidationError(f"'view' must be one of: {', '.join(VIEWS)}.",
                              code="invalid_value", details={"field": "view"})
    limit = optional_int(q.get("limit"), "limit", 25, 1, PAGE_MAX)
    cursor = q.get("cursor")
    now = now_ms(deps)
    match = _matcher(q)
    if view == "breaching":
        return _breaching(deps, actor, site, now, limit, match)
    T = m.TicketItem
    allowed = None if actor.is_supervisor else access.agent_queues(actor)
    team_filter = None
    if allowed is not None:
        team_filter = T.team_key.is_in(*[f"{site}#{t}" for t in sorted(allowed)]) | \
            (T.assignee_key == f"{site}#{actor.id}")
    if view == "mine":
        by, key, team_filter = "assignee", f"{site}#{actor.id}", None
    elif view == "unassigned":
        by, key = "assignee", f"{site}#-"
    elif view == "team":
        team = q.get("team") or DEFAULT_QUEUE
        if allowed is not None and team not in allowed:
            raise Forbidden("This ticket belongs to another team.", code="not_your_team")
        by, key, team_filter = "team", f"{site}#{team}", None
    elif view == "requester":
        requester = q.get("requester") or ""
        if not requester or len(requester) > 254:
            raise ValidationError("'requester' is required.", code="missing_field",
                                  details={"field": "requester"})
        kind = "e" if "@" in requester else "v"
        by, key = "requester", f"{site}#{kind}#{requester.lower() if kind == 'e' else requester}"
    else:
        status = q.get("status") or "open"
        if status not in model.STATUSES:
            raise ValidationError("Unknown status.", code="invalid_value",
                                  details={"field": "status"})
        by, key = "status", f"{site}#{status}"
    if match is None:
        items, nxt = deps.tickets.page(by, key, limit, cursor, filter_condition=team_filter)
    else:
        items, nxt = deps.tickets.search(by, key, limit, cursor, match, SEARCH_BUDGET,
                                         filter_condition=team_filter)
    return {"tickets": [ticket_view(t, now) for t in items], "cursor": nxt}


def _matcher(q: dict):
    """The `tag` (exact, case-insensitive) and `q` (a subject substring, case-insensitive)
    filters as one predicate on a ticket, or None without them."""
    tag, text = q.get("tag"), q.get("q")
    if tag is not None and (not tag.strip() or len(tag) > 40):
        raise ValidationError("'tag' must be 1 to 40 characters.", code="invalid_value",
                              details={"field": "tag"})
    if text is not None and (len(text.strip()) < SEARCH_MIN or len(text) > SEARCH_MAX):
        raise ValidationError(f"'q' must be {SEARCH_MIN} to {SEARCH_MAX} characters.",
                              code="invalid_value", details={"field": "q"})
    if tag is None and text is None:
        return None
    tag = tag.strip().casefold() if tag is not None else None
    text = text.strip().casefold() if text is not None else None

    def match(ticket: dict) -> bool:
        if tag is not None and tag not in {t.casefold() for t in ticket.get("tags") or []}:
            return False
        return text is None or text in (ticket.get("subject") or "").casefold()
    return match


def _breaching(deps, actor, site: str, now: int, limit: int, match=None) -> dict:
    """Breached (not yet flagged by the sweep) and about to breach (within SOON_MS), earliest
    first, from the due index."""
    items = [t for t in deps.tickets.due(now + SOON_MS, limit)
             if t["site_key"] == site and access.agent_may(t, actor) is None
             and (match is None or match(t))]
    return {"tickets": [ticket_view(t, now) for t in items[:limit]], "cursor": None}
