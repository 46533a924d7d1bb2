"""What the ticket use cases share: the site's ticket settings, loading with permission
checks, storing a Change, and how tickets are shown."""
from __future__ import annotations

import secrets
import uuid

from chalicelib.adapters.tickets import StaleTicket
from chalicelib.domain.tickets import access, model
from chalicelib.domain.tickets import sla as slas
from chalicelib.domain.validation import ID_RE
from chalicelib.errors import AppError, Conflict, Forbidden, NotFound

MAX_SAVE_ATTEMPTS = 5


def now_ms(deps) -> int:
    return int(deps.clock() * 1000)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def new_reply_token() -> str:
    return secrets.token_hex(10)


class Settings:
    """A site's ticket settings: SLA policy, business hours, custom field definitions."""

    def __init__(self, deps, site_key: str):
        site = deps.sites.get(site_key) or {}
        self.site_key = site_key
        self.exists = bool(site)
        self.site_name = site.get("name")
        self.policy = deps.tickets.get_config(site_key, "sla") or slas.default_policy()
        self.hours = slas.hours_of(self.policy, (site.get("settings") or {}).get(
            "business_hours"))
        self.fields = deps.tickets.get_config(site_key, "fields") or []


def transition_error(err: model.TransitionError) -> AppError:
    return Conflict(str(err), code=err.code)


def deny(denial) -> None:
    if denial is None:
        return
    status, code, message = denial
    raise (NotFound if status == 404 else Forbidden)(message, code=code)


def load(deps, ticket_id: str, consistent: bool = False) -> dict:
    if not isinstance(ticket_id, str) or not ID_RE.match(ticket_id):
        raise NotFound("No such ticket.", code="ticket_not_found")
    ticket = deps.tickets.get(ticket_id, consistent=consistent)
    if ticket is None:
        raise NotFound("No such ticket.", code="ticket_not_found")
    return ticket


def load_for_agent(deps, actor, ticket_id: str, consistent: bool = False) -> dict:
    ticket = load(deps, ticket_id, consistent)
    deny(access.agent_may(ticket, actor))
    return ticket


def store(deps, ticket_id: str, actor, apply, comment: dict | None = None,
          claims: list[str] = ()) -> tuple[dict, model.Change]:
    """Read the ticket, apply `apply(ticket, settings) -> Change`, store it on condition of
    the version read; a concurrent change re-reads and re-applies (bounded)."""
    for _ in range(MAX_SAVE_ATTEMPTS):
        if actor is not None and actor.kind == "agent":
            ticket = load_for_agent(deps, actor, ticket_id, consistent=True)
        else:     # the requester (by mail) and the system: the caller checked the ticket
            ticket = load(deps, ticket_id, consistent=True)
        settings = Settings(deps, ticket["site_key"])
        try:
            change = apply(ticket, settings)
        except model.TransitionError as err:
            raise transition_error(err)
        if not change.changed and comment is None:
            return ticket, change
        try:
            deps.tickets.save(change.ticket, int(ticket["version"]), change.history,
                              change.events, new_id("h"), comment=comment, claims=claims)
        except StaleTicket:
            continue
        return change.ticket, change
    raise Conflict("The ticket is changing too fast; try again.", code="ticket_busy")


def ticket_view(t: dict, now: int, for_agent: bool = True) -> dict:
    out = {k: t.get(k) for k in ("ticket_id", "number", "site_key", "subject", "status",
                                 "priority", "created_at", "updated_at", "comment_count")}
    sla = t.get("sla") or {}
    if not for_agent:
        out["description"] = t.get("description")
        return out
    out.update({k: t.get(k) for k in ("description", "requester", "team", "assignee_id",
                                      "assignee_name", "tags", "custom_fields", "source",
                                      "conversation_ids", "solved_at", "closed_at",
                                      "version")})
    out["sla"] = {"first_reply_due": sla.get("first_reply_due"),
                  "resolution_due": sla.get("resolution_due"),
                  "first_reply_at": sla.get("first_reply_at"),
                  "paused": bool(sla.get("paused_at")),
                  "breached": sla.get("breached") or [],
                  "next_due": slas.next_due(sla), "badge": slas.badge(sla, now)}
    return out


def comment_view(c: dict, storage=None) -> dict:
    out = {k: c.get(k) for k in ("id", "at", "author", "body", "public", "source",
                                 "mail_status")}
    atts = []
    for a in c.get("attachments") or []:
        view = {k: a.get(k) for k in ("name", "content_type", "size")}
        if storage is not None and a.get("key"):
            view["url"] = storage.presign_download(a["key"], a.get("name"))
        atts.append(view)
    out["attachments"] = atts
    return out
