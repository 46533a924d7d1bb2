"""Email follow-up: an agent's reply to a visitor who left a message offline goes by email."""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain.messages import visible_to_visitor
from chalicelib.services import delivery, tasks


def on_agent_message(deps, conv: dict, message: dict) -> None:
    """An agent's reply to a visitor who left a message offline also goes by email, as
    long as the visitor is not back on the site to read it live."""
    if (conv.get("attrs") or {}).get("offline") and message.get("type") == "text" and \
            not delivery.visitor_connections(deps, conv):
        tasks.publish(deps, "email_reply", {"conversation_id": conv["conversation_id"],
                                             "seq": int(message["seq"])})



def on_email_reply(deps, body: dict) -> None:
    cid, seq = body["conversation_id"], int(body["seq"])
    conv = deps.conversations.get(cid, consistent=True)
    message = deps.messages.get(cid, seq)
    if conv is None or message is None or not visible_to_visitor(message):
        return          # a note or a whisper is never mailed to the visitor
    contact = (conv.get("attrs") or {}).get("offline") or {}
    visitor = deps.visitors.get(conv["visitor_id"]) or {}
    to = contact.get("email") or visitor.get("email")
    if not to:
        return
    claim = f"email#{cid}#{seq}"
    if not deps.claims.claim(claim):
        return  # already sent (SQS redelivery)
    site = deps.sites.get(conv.get("site_key")) or {}
    try:
        deps.email.send(to, f"Re: your message to {site.get('name') or 'us'}",
                        f"{message.get('sender_name') or 'Our team'} wrote:\n\n"
                        f"{message.get('text')}\n")
    except Exception:
        deps.claims.release(claim)  # let the retry send it
        raise
    log.info("email_reply_sent", conversation_id=cid, seq=seq)

