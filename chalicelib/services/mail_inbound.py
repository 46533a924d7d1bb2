"""Inbound mail: SES receipt rule -> raw mail in S3 -> its ObjectCreated event on the mail
queue -> this -> a ticket (new, or a reply).

For each stored mail: read it (size-limited), parse it (domain/mail/parse.py), drop
auto-replies, bounces and our own mail (counted in the log, never answered), find the site
by the address it was sent to, store its files under the attachment rules, then ask the
tickets side (TicketsMailPort) which ticket it answers (In-Reply-To/References, else the
reply token of the plus address) and add it there or open a new ticket.

Idempotent on Message-ID: a once-only run per site and Message-ID (the keys table, with a
lease so a crash mid-way is retried), and the port's methods are idempotent themselves.
"""
from __future__ import annotations

import hashlib
import json
import mimetypes
import time
from dataclasses import replace
from urllib.parse import unquote_plus

from chalicelib import config, log
from chalicelib.adapters.mail import MailTooLarge
from chalicelib.domain.mail.addresses import mailbox, mailbox_key
from chalicelib.domain.mail.parse import Parsed, parse_mail
from chalicelib.domain.messages import (ALLOWED_CONTENT_TYPES, FILENAME_BAD, SNIFF_BYTES,
                                        content_matches)
from chalicelib.services import mail_outbound

LEASE_MS = 5 * 60 * 1000


def tickets_port(deps):
    """The tickets side's port (chalicelib/services/tickets/mail_port.py, the tickets
    branch); tests and the local runtime may hand one in as deps.extras["tickets_mail"]."""
    port = deps.extras.get("tickets_mail")
    if port is None:
        from chalicelib.services.tickets.mail_port import TicketsMailPort
        port = TicketsMailPort(deps)
    return port


def handle_sqs_records(deps, records: list[dict], port=None) -> dict:
    """The mail queue's records (app.receive_mail), each an S3 event of the mail bucket. A
    record that fails is reported (partial batch response): SQS retries it, then parks it
    in the DLQ; every step is idempotent."""
    failures = []
    for record in records:
        try:
            body = json.loads(record.get("body") or "{}")
            handle_s3_records(deps, body.get("Records") or [], port=port)
        except Exception as exc:
            log.error("mail_record_failed", message_id=record.get("messageId"),
                      error=type(exc).__name__)
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}


def handle_s3_records(deps, records: list[dict], port=None) -> list[dict]:
    """S3 ObjectCreated records of the mail bucket (S3's own test event has none)."""
    out = []
    for record in records:
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name") or config.mail_bucket()
        key = unquote_plus((s3.get("object") or {}).get("key") or "")
        if not key.startswith(config.mail_prefix()):
            out.append({"outcome": "ignored", "key": key})
            continue
        out.append(receive(deps, bucket, key, port=port))
    return out


def receive(deps, bucket: str, key: str, port=None) -> dict:
    try:
        raw = deps.mail.read_raw(bucket, key, config.mail_max_bytes())
    except MailTooLarge as exc:
        log.warning("mail_dropped", reason="too_large", size=exc.size, key=key)
        return {"outcome": "dropped", "reason": "too_large"}
    if raw is None:
        log.warning("mail_missing", key=key)
        return {"outcome": "missing"}
    return process(deps, raw, port=port)


def process(deps, raw: bytes, port=None) -> dict:
    parsed = parse_mail(raw, received_at=int(deps.clock() * 1000),
                        own_domains=mail_outbound.own_domains())
    mail = parsed.mail
    if parsed.drop_reason:
        log.info("mail_dropped", reason=parsed.drop_reason, message_id=mail.message_id)
        return {"outcome": "dropped", "reason": parsed.drop_reason}
    if not mail.from_addr:
        log.info("mail_dropped", reason="no_sender", message_id=mail.message_id)
        return {"outcome": "dropped", "reason": "no_sender"}
    site_key = find_site(deps, parsed)
    if site_key is None:
        log.warning("mail_dropped", reason="unknown_recipient", message_id=mail.message_id)
        return {"outcome": "dropped", "reason": "unknown_recipient"}
    once = "mailin#" + hashlib.sha256(f"{site_key}\n{mail.message_id}".encode()).hexdigest()
    state = deps.claims.begin(once, LEASE_MS)
    if state == "done":
        log.info("mail_duplicate", site_key=site_key, message_id=mail.message_id)
        return {"outcome": "duplicate", "site_key": site_key}
    if state == "busy":
        raise RuntimeError("this mail is being processed by another run; retry later")
    try:
        mail = replace(mail, attachments=store_attachments(deps, site_key, parsed))
        port = port or tickets_port(deps)
        ticket_id = port.ticket_for_thread(site_key, mail.thread_ids(), mail.reply_token)
        if ticket_id:
            port.add_email_reply(site_key, ticket_id, mail)
            outcome = "reply"
        else:
            ticket_id = port.create_from_email(site_key, mail)
            outcome = "created"
    except Exception:
        deps.claims.release(once)
        raise
    deps.claims.finish(once)
    log.info("mail_received", outcome=outcome, site_key=site_key, ticket_id=ticket_id,
             message_id=mail.message_id, attachments=len(mail.attachments))
    return {"outcome": outcome, "site_key": site_key, "ticket_id": ticket_id}


def find_site(deps, parsed: Parsed) -> str | None:
    """The site the mail was sent to: <site_key>@<inbound domain> (plus tags allowed), or
    a site's own address (setting mail_address, mirrored as a "mailbox" directory item)."""
    inbound = config.mail_inbound_domain()
    for addr in parsed.recipients:
        box = mailbox_key(addr)
        local, _, domain = box.partition("@")
        if domain == inbound:
            as_written = mailbox(addr)[0].partition("@")[0]
            for key in dict.fromkeys((as_written, local)):     # site keys keep their case
                site = deps.sites.get(key)
                if site is not None:
                    return site["site_key"]
            continue
        if deps.directory is not None:
            entry = deps.directory.get("mailbox", box)
            if entry and entry.get("site_key"):
                return entry["site_key"]
    return None


def store_attachments(deps, site_key: str, parsed: Parsed) -> tuple[dict, ...]:
    """The mail's files under the attachment rules (type list, size limit, content that fits
    the type); the others are left out and counted. Keys are derived from the Message-ID,
    so a redelivery writes the same objects."""
    max_bytes = config.attachment_max_bytes()
    folder = "mail-" + hashlib.sha256(
        f"{site_key}\n{parsed.mail.message_id}".encode()).hexdigest()[:40]
    stored, refused = [], 0
    for i, part in enumerate(parsed.parts):
        ctype = part.content_type
        if ctype == "application/octet-stream":
            ctype = mimetypes.guess_type(part.filename)[0] or ctype
        name = FILENAME_BAD.sub("_", part.filename)[-200:]
        if ctype not in ALLOWED_CONTENT_TYPES or part.size > max_bytes or \
                not content_matches(ctype, part.data[:SNIFF_BYTES]):
            refused += 1
            continue
        sub = hashlib.sha256(f"{folder}/{i}".encode()).hexdigest()[:32]
        key = f"attachments/{folder}/{sub}/{name}"
        deps.mail.put_attachment(key, part.data, ctype)
        stored.append({"filename": name, "content_type": ctype, "size": part.size,
                       "s3_key": key})
    if refused:
        log.info("mail_attachments_refused", site_key=site_key, count=refused)
    return tuple(stored)


def inject(deps, raw: bytes, port=None) -> dict:
    """Local stand-in for SES: store the raw mail as the receipt rule would, then run the
    same path as the S3 event (infra/local/inject_mail.py)."""
    key = f"{config.mail_prefix()}{int(time.time() * 1000)}-" \
          f"{hashlib.sha256(raw).hexdigest()[:16]}"
    deps.mail.put_raw(config.mail_bucket(), key, raw)
    return receive(deps, config.mail_bucket(), key, port=port)
