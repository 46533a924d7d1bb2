"""A ticket and its transitions. Each transition takes the current ticket (a plain dict) and
returns a Change: the new ticket, the events it produced (docs/events.md `ticket.*`) and the
history entry (who changed what, when). The service stores the three in one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.tickets import sla as slas

STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES = slas.PRIORITIES
SOURCES = ("api", "chat", "offline", "email")
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
#: status -> the statuses it may move to (closed is final: a follow-up is a new ticket)
TRANSITIONS = {
    "new": ("open", "pending", "on_hold", "solved", "closed"),
    "open": ("pending", "on_hold", "solved", "closed"),
    "pending": ("open", "on_hold", "solved", "closed"),
    "on_hold": ("open", "pending", "solved", "closed"),
    "solved": ("open", "closed"),
    "closed": (),
}
#: fields an update may change, besides status (own transition) and custom_fields
PLAIN_FIELDS = ("subject", "priority", "team", "assignee_id", "assignee_name", "tags")


class TransitionError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class Change:
    ticket: dict
    events: list[dict] = field(default_factory=list)
    history: dict | None = None

    @property
    def changed(self) -> bool:
        return bool(self.events)


def who(actor) -> dict:
    """The author of a change: {type agent|visitor|requester|system, id, name}."""
    if actor is None:
        return {"type": "system", "id": None, "name": None}
    if isinstance(actor, dict):
        return {"type": actor.get("type", "system"), "id": actor.get("id"),
                "name": actor.get("name")}
    return {"type": actor.kind, "id": actor.id, "name": actor.name}


def _event(kind: str, data: dict) -> dict:
    return {"type": f"ticket.{kind}", "data": data}


def create(*, ticket_id: str, number: int, site_key: str, subject: str, description: str,
           requester: dict, priority: str, team: str | None, assignee: dict | None,
           tags: list, custom_fields: dict, source: str, conversation_ids: list,
           reply_token: str, actor, now: int, policy: dict, hours: dict | None) -> Change:
    status = "open" if assignee else "new"
    ticket = {
        "ticket_id": ticket_id, "number": int(number), "site_key": site_key,
        "subject": subject, "description": description, "requester": requester,
        "status": status, "priority": priority, "team": team,
        "assignee_id": (assignee or {}).get("id"), "assignee_name": (assignee or {}).get("name"),
        "tags": sorted(set(tags or [])), "custom_fields": custom_fields or {},
        "source": source, "conversation_ids": list(conversation_ids or []),
        "reply_token": reply_token, "created_at": now, "updated_at": now, "version": 1,
        "comment_count": 0, "sla": slas.start(policy, hours, priority, now),
        "created_by": who(actor),
    }
    events = [_event("created", {"number": ticket["number"], "subject": subject,
                                 "status": status, "priority": priority, "team": team,
                                 "assignee_id": ticket["assignee_id"], "source": source,
                                 "requester": _requester_ref(requester),
                                 "conversation_ids": ticket["conversation_ids"]})]
    if assignee:
        events.append(_event("assigned", {"from": None, "to": assignee.get("id"),
                                          "team": team}))
    return Change(ticket, events, {"at": now, "by": who(actor), "action": "created",
                                   "changes": {}})


def _requester_ref(requester: dict) -> dict:
    return {"visitor_id": requester.get("visitor_id"), "email": requester.get("email")}


def update(ticket: dict, changes: dict, *, actor, now: int, policy: dict,
           hours: dict | None) -> Change:
    """Apply field changes (already validated): subject, priority, team, assignee, tags,
    custom_fields and status. No real change: no events, no history."""
    new = dict(ticket)
    diff = {}
    for key in PLAIN_FIELDS + ("custom_fields",):
        if key in changes and changes[key] != ticket.get(key):
            diff[key] = [ticket.get(key), changes[key]]
            new[key] = changes[key]
    diff.pop("assignee_name", None)   # shown with the id, not a change of its own
    events = []
    if "priority" in diff:
        new["sla"] = slas.reprioritize(new["sla"], policy, hours, new["priority"],
                                       int(ticket["created_at"]), now)
    if "assignee_id" in diff or "team" in diff:
        events.append(_event("assigned", {"from": ticket.get("assignee_id"),
                                          "to": new.get("assignee_id"), "team": new.get("team"),
                                          "from_team": ticket.get("team")}))
        if new.get("assignee_id") and new["status"] == "new" and "status" not in changes:
            changes = {**changes, "status": "open"}
    status = changes.get("status")
    if status and status != ticket["status"]:
        new = _move(new, status, now, policy, hours)
        diff["status"] = [ticket["status"], status]
        events.append(_event("status_changed", {"from": ticket["status"], "to": status}))
    if not diff:
        return Change(ticket)
    plain = {k: v for k, v in diff.items() if k != "status"}
    if plain:
        events.insert(0, _event("updated", {"changes": plain}))
    new["updated_at"] = now
    new["version"] = int(ticket.get("version") or 0) + 1
    return Change(new, events, {"at": now, "by": who(actor), "action": "updated",
                                "changes": diff})


def _move(ticket: dict, status: str, now: int, policy: dict, hours: dict | None) -> dict:
    current = ticket["status"]
    if status not in TRANSITIONS.get(current, ()):
        raise TransitionError(f"A {current} ticket cannot become {status}.",
                              code="invalid_transition")
    sla = ticket["sla"]
    if current == "pending":
        sla = slas.resume(sla, hours, now)
    if status == "pending":
        sla = slas.pause(sla, hours, now)
    if status in ("solved", "closed") and current != "solved":
        sla = slas.resolved(sla, now)
    if current == "solved" and status == "open":
        sla = slas.reopened(sla, policy, hours, ticket["priority"], now)
    out = {**ticket, "status": status, "sla": sla}
    if status == "solved":
        out["solved_at"] = now
    if status == "closed":
        out["closed_at"] = now
    return out


def comment(ticket: dict, *, comment_id: str, body: str, public: bool, author: dict,
            attachments: list, now: int, policy: dict, hours: dict | None,
            source: str = "console") -> Change:
    """A public reply or an internal note. An agent's public reply meets the first-reply
    target and moves a new ticket to open; the requester writing back reopens a solved or
    pending ticket. A closed ticket takes no comments."""
    if ticket["status"] == "closed":
        raise TransitionError("This ticket is closed.", code="ticket_closed")
    new = {**ticket, "updated_at": now, "version": int(ticket.get("version") or 0) + 1,
           "comment_count": int(ticket.get("comment_count") or 0) + 1}
    events = [_event("commented", {"comment_id": comment_id, "public": public,
                                   "author": author, "source": source,
                                   "attachments": len(attachments or [])})]
    target = None
    if author["type"] == "agent" and public:
        new["sla"] = slas.replied(new["sla"], now)
        if ticket["status"] == "new":
            target = "open"
    elif author["type"] == "requester" and ticket["status"] in ("pending", "solved"):
        target = "open"
    diff = {}
    if target:
        new = _move(new, target, now, policy, hours)
        diff["status"] = [ticket["status"], target]
        events.append(_event("status_changed", {"from": ticket["status"], "to": target}))
    return Change(new, events, {"at": now, "by": author, "action": "commented",
                                "changes": diff, "comment_id": comment_id,
                                "public": public})


def sla_breached(ticket: dict, now: int) -> Change:
    """The sweep found due times that passed: flag them (once per kind)."""
    kinds = slas.due_breaches(ticket["sla"], now)
    if not kinds:
        return Change(ticket)
    new = {**ticket, "sla": slas.mark_breached(ticket["sla"], kinds),
           "version": int(ticket.get("version") or 0) + 1}
    return Change(new, [_event("sla_breached", {"kinds": kinds,
                                                "assignee_id": ticket.get("assignee_id"),
                                                "team": ticket.get("team")})],
                  {"at": now, "by": who(None), "action": "sla_breached",
                   "changes": {"breached": kinds}})
