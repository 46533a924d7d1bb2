"""Ticket replies by email (the port the tickets branch calls): compose the MIME message
(domain/mail/compose.py) and send it through SES SendRawEmail.

`send_ticket_reply` returns the Message-ID the customer's mail client will see, which the
tickets side stores so that replies thread back (In-Reply-To/References). SES replaces the
Message-ID we write with its own (`<SES id@email.amazonses.com>`), so in AWS that id is the
one returned (config.ses_message_id_domain); on a local SES endpoint, ours. Either way the
Reply-To carries the ticket's reply token, which threads a reply whose client dropped the
headers.

A comment with a `comment_id` is sent once: a retried call returns the first send's id.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from chalicelib import config, log
from chalicelib.domain.mail import compose
from chalicelib.domain.mail.addresses import TOKEN_RE, normalize, reply_address, site_mailbox
from chalicelib.errors import ValidationError


def _sender_domain() -> str:
    return config.ses_sender().rpartition("@")[2].strip(">").lower() or "parley.invalid"


def own_domains() -> tuple[str, ...]:
    """Domains our Message-IDs are written in: mail with such an id is our own coming back."""
    return (_sender_domain(),)


def send_ticket_reply(deps, *, site_key: str, ticket: dict, comment: dict, to_addr: str,
                      thread_ids: list[str]) -> str:
    to = normalize(to_addr)
    if not to:
        raise ValidationError("The requester has no valid email address.",
                              code="invalid_email", details={"field": "to_addr"})
    once = None
    if comment.get("comment_id"):
        once = f"mailout#{site_key}#{ticket.get('ticket_id')}#{comment['comment_id']}"
        sent = deps.mail.recorded(once)
        if sent:
            return sent
    site = deps.sites.get(site_key) or {}
    box = site_mailbox(site_key, site.get("settings"), config.mail_inbound_domain())
    token = ticket.get("reply_token")
    reply_to = reply_address(box, token) if token and TOKEN_RE.match(token) else box
    our_id = f"<{uuid.uuid4()}@{_sender_domain()}>"
    author = comment.get("author_name") or ""
    site_name = site.get("name") or ""
    from_name = f"{author} ({site_name})" if author and site_name else author or site_name
    files, left_out = _files(deps, comment.get("attachments") or [])
    raw = compose.ticket_reply(
        from_addr=config.ses_sender(), from_name=from_name, to_addr=to, reply_to=reply_to,
        subject=compose.ticket_subject(ticket.get("number"), ticket.get("subject") or ""),
        text=comment.get("body") or "", message_id=our_id, thread_ids=list(thread_ids or []),
        loop_tag=site_key, date=datetime.fromtimestamp(deps.clock(), timezone.utc),
        files=files, left_out=left_out)
    ses_id = deps.email.send_raw(config.ses_sender(), [to], raw)
    domain = config.ses_message_id_domain()
    message_id = f"<{ses_id}@{domain}>" if domain else our_id
    if once:
        deps.mail.record(once, message_id)
    log.info("ticket_mail_sent", site_key=site_key, ticket_id=ticket.get("ticket_id"),
             message_id=message_id, attachments=len(files), left_out=len(left_out) or None)
    return message_id


def _files(deps, attachments: list[dict]) -> tuple[list, list]:
    """The comment's files that fit the budget, and the names of those that do not."""
    budget = config.mail_outbound_attachment_bytes()
    files, left_out = [], []
    for att in attachments:
        key = att.get("s3_key") or att.get("key")
        name = att.get("filename") or att.get("name") or "attachment"
        data = deps.mail.get_attachment(key, budget) if key and budget > 0 else None
        if data is None:
            left_out.append(name)
            continue
        budget -= len(data)
        files.append((name, att.get("content_type") or "application/octet-stream", data))
    return files, left_out
