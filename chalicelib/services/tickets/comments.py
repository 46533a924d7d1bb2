"""Comments: public replies (mailed to the requester, shown in the widget) and internal
notes (agents only); attachments through the conversation upload rules; the mail task."""
from __future__ import annotations

import uuid

from chalicelib import config, log
from chalicelib.domain.messages import ATTACHMENT_SCHEMA, check_attachment_meta
from chalicelib.domain.tickets import model
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import ValidationError
from chalicelib.services import tasks
from chalicelib.services.conversations import UPLOAD_SCHEMA, _check_uploaded
from chalicelib.services.tickets.common import (comment_view, load, load_for_agent, new_id,
                                                now_ms, store, ticket_view)
from chalicelib.services.tickets.mail_port import mid_key
from chalicelib.services.tickets.outbound import mailer

MAX_ATTACHMENTS = 5
COMMENT_SCHEMA = {"body": Field(str, required=True, min_len=1, max_len=10000),
                  "public": Field(bool),
                  "attachments": Field(list, item=Field(dict, schema=ATTACHMENT_SCHEMA),
                                       max_items=MAX_ATTACHMENTS)}
THREAD_IDS_MAX = 20


def request_upload(deps, actor, ticket_id: str, payload: dict) -> dict:
    """A presigned upload for a comment attachment (same size and type rules as chat)."""
    body = validate(payload, UPLOAD_SCHEMA)
    max_bytes = config.attachment_max_bytes()
    check_attachment_meta(body["name"], body["content_type"], body["size"], max_bytes)
    load_for_agent(deps, actor, ticket_id)
    key = f"attachments/{ticket_id}/{uuid.uuid4().hex}/{body['name']}"
    return {"attachment": {"key": key, "name": body["name"],
                           "content_type": body["content_type"], "size": body["size"]},
            "upload": deps.storage.presign_upload(key, body["content_type"], max_bytes),
            "max_bytes": max_bytes}


def _attachments(deps, ticket_id: str, items: list[dict]) -> list[dict]:
    out = []
    for att in items:
        check_attachment_meta(att["name"], att["content_type"], att["size"],
                              config.attachment_max_bytes())
        if not att["key"].startswith(f"attachments/{ticket_id}/"):
            raise ValidationError("Unknown attachment key.", code="invalid_attachment")
        _check_uploaded(deps, att)
        out.append({k: att[k] for k in ("key", "name", "content_type", "size")})
    return out


def add(deps, actor, ticket_id: str, payload: dict) -> dict:
    """POST /v1/agent/tickets/{id}/comments: an internal note (default) or a public reply.
    A public reply to a requester with an email address is mailed (an SQS task)."""
    body = validate(payload, COMMENT_SCHEMA)
    load_for_agent(deps, actor, ticket_id)
    atts = _attachments(deps, ticket_id, body.get("attachments") or [])
    public = bool(body.get("public"))
    comment = {"id": new_id("k"), "at": now_ms(deps), "author": model.who(actor),
               "body": body["body"], "public": public, "source": "console",
               "attachments": atts}

    def apply(ticket, settings):
        if public and (ticket.get("requester") or {}).get("email"):
            comment["mail_status"] = "queued"
        return model.comment(ticket, comment_id=comment["id"], body=comment["body"],
                             public=public, author=comment["author"], attachments=atts,
                             now=comment["at"], policy=settings.policy, hours=settings.hours)

    ticket, _ = store(deps, ticket_id, actor, apply, comment=comment)
    if comment.get("mail_status") == "queued":
        tasks.publish(deps, "ticket_mail", {"ticket_id": ticket_id, "comment_id": comment["id"],
                                            "v": comment["v"]})
    log.info("ticket_commented", ticket_id=ticket_id, agent_id=actor.id, public=public)
    return {"ticket": ticket_view(ticket, now_ms(deps)),
            "comment": comment_view(comment, deps.storage)}


def thread_ids(deps, ticket_id: str) -> list[str]:
    """Message-IDs of the ticket's mail thread, oldest first (In-Reply-To/References)."""
    items, _ = deps.tickets.comments(ticket_id, limit=200)
    ids = [c["message_id"] for c in items if c.get("message_id")]
    return ids[-THREAD_IDS_MAX:]


def on_mail_task(deps, body: dict) -> None:
    """SQS task `ticket_mail`: send one public reply to the requester, once. The returned
    Message-ID is claimed for the ticket so the customer's answer threads back to it."""
    tid, cid = body["ticket_id"], body["comment_id"]
    ticket = load(deps, tid, consistent=True)
    comment = deps.tickets.comment(tid, int(body["v"]), cid)
    to = (ticket.get("requester") or {}).get("email")
    if comment is None or not to or comment.get("mail_status") == "sent":
        return
    send = mailer(deps)
    if send is None:
        deps.tickets.update_comment(tid, {**comment, "mail_status": "no_mail_channel"})
        log.warning("ticket_mail_unavailable", ticket_id=tid, comment_id=cid)
        return
    claim = f"ticketmail#{cid}"
    if not deps.claims.claim(claim):
        return          # another delivery of this task sent it
    try:
        message_id = send(deps, site_key=ticket["site_key"],
                          ticket={k: ticket.get(k) for k in ("ticket_id", "number", "subject",
                                                             "reply_token", "site_key")},
                          comment={"body": comment["body"],
                                   "author_name": comment["author"].get("name"),
                                   "attachments": comment.get("attachments") or []},
                          to_addr=to, thread_ids=thread_ids(deps, tid))
    except Exception:
        deps.claims.release(claim)     # the retry sends it
        raise
    if message_id:
        deps.tickets.claim(mid_key(ticket["site_key"], message_id), tid)
    deps.tickets.update_comment(tid, {**comment, "mail_status": "sent",
                                      "message_id": (message_id or "").strip().strip("<>")})
    log.info("ticket_mail_sent", ticket_id=tid, comment_id=cid)
