"""Agent accounts: create, the signed-in agent, list conversations."""
from __future__ import annotations

import os

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import EMAIL_RE, Field, validate
from chalicelib.errors import Forbidden, ValidationError
from chalicelib.security import ROLES, hash_password
from chalicelib.services.sessions import new_id
# sign-in and tokens live in services/signin.py; these names stay for existing callers
from chalicelib.services.signin import current_agent, issue_token, login, refresh

__all__ = ["create_agent", "login", "issue_token", "refresh", "current_agent", "me",
           "list_conversations", "get_conversation", "lookup_visitors"]
from chalicelib.services.views import agent_view, conversation_view

CREATE_SCHEMA = {
    "email": Field(str, required=True, pattern=EMAIL_RE, max_len=254),
    "name": Field(str, required=True, min_len=1, max_len=100),
    "password": Field(str, required=True, min_len=8, max_len=200, strip=False),
    "role": Field(str, choices=ROLES),
    "capacity": Field(int, min=0, max=100),
    "teams": Field(list, item=Field(str, min_len=1, max_len=50), max_items=20),
}

LIST_STATUSES = ("mine", "team", "open", "queued", "assigned", "closed", "new", "offline")


def bcrypt_rounds() -> int:
    return int(os.environ.get("PARLEY_BCRYPT_ROUNDS", "12"))


def create_agent(deps, payload: dict) -> dict:
    body = validate(payload, CREATE_SCHEMA)
    ts = now_ms()
    agent = deps.agents.create({
        "agent_id": new_id("a"),
        "email": body["email"].lower(),
        "name": body["name"],
        "role": body.get("role", "agent"),
        "password_hash": hash_password(body["password"], bcrypt_rounds()),
        "capacity": body.get("capacity", 5),
        "teams": set(body.get("teams") or []) or None,
        "created_at": ts, "updated_at": ts,
    })
    log.info("agent_created", agent_id=agent["agent_id"], role=agent["role"])
    return agent_view(agent)


def me(deps, actor: Actor) -> dict:
    return agent_view(current_agent(deps, actor))


def list_conversations(deps, actor: Actor, status: str | None, limit: int = 50,
                       before: int | None = None) -> dict:
    status = status or "mine"
    if status not in LIST_STATUSES:
        raise ValidationError(f"'status' must be one of: {', '.join(LIST_STATUSES)}.",
                              code="invalid_value", details={"field": "status"})
    if status == "assigned" and not actor.is_supervisor:
        raise Forbidden("Every agent's live chats are for supervisors.", code="forbidden")
    next_before = None
    if status == "mine":
        convs = deps.conversations.list_by_agent(actor.id, limit)
        convs = [c for c in convs if c.get("status") != "closed"]
    elif status == "team":
        # my teams' live conversations, whoever holds them (one Query, filtered)
        teams = set((deps.agents.get(actor.id) or {}).get("teams") or [])
        convs = [c for c in deps.conversations.list_by_status("assigned", 200)
                 if c.get("team") in teams][:limit] if teams else []
    else:
        oldest_first = status == "queued"
        convs = deps.conversations.list_by_status(status, limit, oldest_first=oldest_first,
                                                  before=None if oldest_first else before)
        if not oldest_first and len(convs) == limit:
            # the next page: everything updated before the last one shown
            next_before = int(convs[-1]["updated_at"])
    out = {"conversations": [conversation_view(c, for_agent=True) for c in convs]}
    if next_before is not None:
        out["next_before"] = next_before
    return out


#: the statuses the console lists (a "new" conversation has no message yet: in no list)
CHANGE_STATUSES = ("open", "queued", "assigned", "offline", "closed")
CHANGES_PAGE = 100


def changes_since(deps, actor: Actor, since: int | None, limit: int = CHANGES_PAGE) -> dict:
    """What changed since `since` (ms) among the conversations this agent would have been
    pushed (services/notifier.py's rule): the console's one re-sync call after a reconnect,
    instead of re-reading every list. One Query per listed status (status index, updated_at
    after `since`, at most `limit` each) plus one GetItem for the agent's teams; no
    full-table read.

    `has_more`: a status had more than `limit` changes; ask again from `next_since` (a few
    conversations may come twice: the client keeps the higher `rev`)."""
    from chalicelib.domain import audience
    if since is None:
        raise ValidationError("'since' is required.", code="missing_field",
                              details={"field": "since"})
    agent = current_agent(deps, actor)
    me = {"kind": "agent", "agent_id": actor.id, "role": agent.get("role"),
          "teams": agent.get("teams") or []}
    seen, truncated_at = [], []
    for status in CHANGE_STATUSES:
        page = deps.conversations.list_updated_since(status, since, limit)
        if len(page) >= limit:
            truncated_at.append(int(page[-1]["updated_at"]) - 1)
        seen += [c for c in page if audience.hears_conversation(me, c)]
    seen.sort(key=lambda c: int(c.get("updated_at") or 0))
    until = max([since] + [int(c.get("updated_at") or 0) for c in seen])
    out = {"conversations": [conversation_view(c, for_agent=True) for c in seen],
           "has_more": bool(truncated_at), "next_since": min(truncated_at) if truncated_at
           else until}
    return out


def get_conversation(deps, actor: Actor, conversation_id: str) -> dict:
    from chalicelib.services.conversations import load_for
    from chalicelib.services.views import visitor_view
    conv = load_for(deps, actor, conversation_id)
    visitor = deps.visitors.get(conv["visitor_id"]) or {}
    previous = [c for c in deps.conversations.list_by_visitor(conv["visitor_id"], 10)
                if c["conversation_id"] != conversation_id]
    return {"conversation": conversation_view(conv, for_agent=True),
            "visitor": visitor_view(visitor) if visitor else None,
            "previous_conversations": [conversation_view(c, for_agent=True) for c in previous]}


LOOKUP_PER_VISITOR = 5


def lookup_visitors(deps, actor: Actor, q: str | None, limit: int = 10) -> dict:
    """The console's lookup: visitors whose name or email starts with q (case-, width- and
    space-insensitive), or the exact visitor / conversation id, each with their latest
    conversations. One Query per lookup index, then one Query per visitor found."""
    from chalicelib.domain import lookup
    from chalicelib.services.views import visitor_view
    q = (q or "").strip()
    if not q:
        raise ValidationError("'q' is required.", code="missing_field", details={"field": "q"})
    if len(q) > lookup.MAX_QUERY:
        raise ValidationError(f"'q' must be at most {lookup.MAX_QUERY} characters.",
                              code="too_long", details={"field": "q"})
    visitors = []
    if q.startswith("c_"):
        conv = deps.conversations.get(q)
        v = deps.visitors.get(conv["visitor_id"]) if conv else None
        visitors = [v] if v else []
    elif q.startswith("v_"):
        v = deps.visitors.get(q)
        visitors = [v] if v else []
    if not visitors:
        visitors = deps.visitors.lookup(q, limit)
    results = []
    for v in visitors[:limit]:
        convs = deps.conversations.list_by_visitor(v["visitor_id"], LOOKUP_PER_VISITOR)
        results.append({"visitor": visitor_view(v),
                        "conversations": [conversation_view(c, for_agent=True) for c in convs]})
    return {"query": q, "results": results}
