"""Creating tickets: through the API, from a chat in one click (its transcript attached),
from a message left offline (an SQS task, idempotent on the conversation), and from mail
(mail_port.py). Every creation is one transaction with its claims, so a repeated source
(a redelivered task, a second click, a mail delivered twice) finds the ticket it made."""
from __future__ import annotations

from chalicelib import log
from chalicelib.adapters.tickets import ClaimTaken
from chalicelib.domain.messages import visible_to_visitor
from chalicelib.domain.tickets import fields as custom
from chalicelib.domain.tickets import model
from chalicelib.domain.validation import EMAIL_RE, ID_RE, SITE_KEY_RE, Field, validate
from chalicelib.errors import NotFound, ValidationError
from chalicelib.services.routing import team_exists
from chalicelib.services.tickets.common import (Settings, load, new_id, new_reply_token,
                                                now_ms, ticket_view)

TRANSCRIPT_MAX_LINES = 300
TRANSCRIPT_LINE_MAX = 2000
TAG = Field(str, min_len=1, max_len=40)
REQUESTER = {"visitor_id": Field(str, pattern=ID_RE, max_len=64),
             "name": Field(str, max_len=100),
             "email": Field(str, max_len=254, pattern=EMAIL_RE)}
COMMON = {
    "subject": Field(str, min_len=1, max_len=200),
    "description": Field(str, max_len=10000),
    "priority": Field(str, choices=model.PRIORITIES),
    "team": Field(str, pattern=ID_RE, max_len=50, nullable=True),
    "assignee_id": Field(str, pattern=ID_RE, max_len=64, nullable=True),
    "tags": Field(list, item=TAG, max_items=20),
    "custom_fields": Field(dict),
}
CREATE_SCHEMA = {**COMMON, "site_key": Field(str, required=True, pattern=SITE_KEY_RE),
                 "subject": Field(str, required=True, min_len=1, max_len=200),
                 "requester": Field(dict, required=True, schema=REQUESTER)}
FROM_CHAT_SCHEMA = dict(COMMON)


def assignee_of(deps, agent_id: str | None) -> dict | None:
    if not agent_id:
        return None
    agent = deps.agents.get(agent_id)
    if agent is None or agent.get("disabled"):
        raise ValidationError("No such agent.", code="unknown_agent",
                              details={"field": "assignee_id"})
    return {"id": agent_id, "name": agent.get("name")}


def team_of(deps, team: str | None) -> str | None:
    if team and not team_exists(deps, team):
        raise ValidationError("No such team.", code="unknown_team", details={"field": "team"})
    return team or None


def make(deps, settings: Settings, *, subject: str, description: str, requester: dict,
         source: str, actor, priority: str = "normal", team: str | None = None,
         assignee: dict | None = None, tags=(), custom_fields: dict | None = None,
         conversation_ids=(), source_key: str | None = None, extra_claims=(),
         transcript: list | None = None) -> tuple[dict, bool]:
    """Create one ticket; (ticket, True), or (the ticket this source made before, False)."""
    if source_key:
        existing = deps.tickets.resolve(source_key)
        if existing:
            return load(deps, existing, consistent=True), False
    now = now_ms(deps)
    token = new_reply_token()
    change = model.create(
        ticket_id=new_id("t"), number=deps.tickets.next_number(settings.site_key),
        site_key=settings.site_key, subject=subject, description=description or "",
        requester={k: v for k, v in requester.items() if v}, priority=priority, team=team,
        assignee=assignee, tags=list(tags or []), custom_fields=custom_fields or {},
        source=source, conversation_ids=list(conversation_ids), reply_token=token,
        actor=actor, now=now, policy=settings.policy, hours=settings.hours)
    claims = ([source_key] if source_key else []) + [f"tok#{token}"] + list(extra_claims)
    try:
        deps.tickets.create(change.ticket, change.history, change.events, new_id("h"),
                            claims, transcript)
    except ClaimTaken as taken:
        if taken.ticket_id:
            return load(deps, taken.ticket_id, consistent=True), False
        raise
    log.info("ticket_created", ticket_id=change.ticket["ticket_id"], source=source,
             site_key=settings.site_key,
             conversation_id=(change.ticket["conversation_ids"] or [None])[0])
    return change.ticket, True


def _settings(deps, site_key: str) -> Settings:
    settings = Settings(deps, site_key)
    if not settings.exists:
        raise ValidationError("No such site.", code="unknown_site",
                              details={"field": "site_key"})
    return settings


def create(deps, actor, payload: dict) -> dict:
    """POST /v1/agent/tickets: a ticket from scratch."""
    body = validate(payload, CREATE_SCHEMA)
    req = body["requester"]
    if not req.get("visitor_id") and not req.get("email"):
        raise ValidationError("The requester needs a visitor_id or an email.",
                              code="missing_field", details={"field": "requester.email"})
    settings = _settings(deps, body["site_key"])
    values = custom.validate_values(body.get("custom_fields"), settings.fields, on_create=True)
    ticket, _ = make(deps, settings, subject=body["subject"],
                     description=body.get("description") or "", requester=req,
                     source="api", actor=actor, priority=body.get("priority") or "normal",
                     team=team_of(deps, body.get("team")),
                     assignee=assignee_of(deps, body.get("assignee_id")),
                     tags=body.get("tags") or [], custom_fields=values)
    return {"ticket": ticket_view(ticket, now_ms(deps))}


def _transcript(deps, cid: str) -> list[dict]:
    lines = []
    for msg in deps.messages.before(cid, None, TRANSCRIPT_MAX_LINES):
        if msg.get("type") not in ("text", "attachment") or not visible_to_visitor(msg):
            continue
        line = {"at": int(msg["created_at"]), "sender": msg.get("sender_type"),
                "name": msg.get("sender_name"),
                "text": (msg.get("text") or "")[:TRANSCRIPT_LINE_MAX]}
        if msg.get("attachment"):
            line["attachment"] = (msg["attachment"] or {}).get("name")
        lines.append(line)
    return lines


def _subject_from(lines: list[dict], fallback: str) -> str:
    first = next((x["text"] for x in lines if x["sender"] == "visitor" and x["text"]), "")
    first = " ".join(first.split())
    return (first[:77] + "...") if len(first) > 80 else (first or fallback)


def create_from_chat(deps, actor, conversation_id: str, payload: dict) -> dict:
    """POST /v1/agent/conversations/{id}/ticket: one click in the inbox. The transcript is
    copied into the ticket and the conversation linked; a second click returns the same
    ticket (200, "created": false)."""
    body = validate(payload, FROM_CHAT_SCHEMA)
    if not isinstance(conversation_id, str) or not ID_RE.match(conversation_id):
        raise NotFound("No such conversation.", code="conversation_not_found")
    conv = deps.conversations.get(conversation_id, consistent=True)
    if conv is None:
        raise NotFound("No such conversation.", code="conversation_not_found")
    settings = _settings(deps, conv["site_key"])
    left = deps.tickets.resolve(f"src#offline#{conversation_id}")
    if left:      # the message left in this chat already made a ticket: that one
        return {"ticket": ticket_view(load(deps, left, consistent=True), now_ms(deps)),
                "created": False}
    visitor = deps.visitors.get(conv["visitor_id"]) or {}
    offline = (conv.get("attrs") or {}).get("offline") or {}
    lines = _transcript(deps, conversation_id)
    requester = {"visitor_id": conv["visitor_id"],
                 "name": visitor.get("name") or offline.get("name"),
                 "email": visitor.get("email") or offline.get("email")}
    values = custom.validate_values(body.get("custom_fields"), settings.fields, on_create=True)
    ticket, created = make(
        deps, settings,
        subject=body.get("subject") or _subject_from(lines, f"Chat {conversation_id}"),
        description=body.get("description") or "", requester=requester, source="chat",
        actor=actor, priority=body.get("priority") or "normal",
        team=team_of(deps, body.get("team", conv.get("team"))),
        assignee=assignee_of(deps, body.get("assignee_id", actor.id)),
        tags=body.get("tags") or [], custom_fields=values,
        conversation_ids=[conversation_id], source_key=f"src#chat#{conversation_id}",
        transcript=lines)
    return {"ticket": ticket_view(ticket, now_ms(deps)), "created": created}


def on_offline_message(deps, body: dict) -> None:
    """SQS task `ticket_from_offline`: a visitor left a message while nobody could answer.
    Idempotent on the conversation (a redelivery finds the ticket it made)."""
    cid = body.get("conversation_id")
    conv = deps.conversations.get(cid, consistent=True) if cid else None
    if conv is None:
        return
    settings = Settings(deps, conv["site_key"])
    contact = (conv.get("attrs") or {}).get("offline") or {}
    text = body.get("text") or ""
    subject = " ".join(text.split())
    subject = (subject[:77] + "...") if len(subject) > 80 else (subject or "Message")
    make(deps, settings, subject=subject, description=text,
         requester={"visitor_id": conv["visitor_id"], "name": contact.get("name"),
                    "email": contact.get("email")},
         source="offline", actor=None, team=conv.get("team"), conversation_ids=[cid],
         source_key=f"src#offline#{cid}", transcript=_transcript(deps, cid))
