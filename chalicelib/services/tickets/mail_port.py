"""The port the email branch's inbound Lambda calls (the contract in docs/tickets.md):
thread a parsed mail into its ticket, create a ticket from a new mail, add a reply.

Every method is idempotent on mail.message_id (SES and S3 may deliver a mail twice): the
Message-ID is claimed ("mid#{site}#{id}") in the same transaction that stores the ticket or
the comment, and the claim is also how later replies find the ticket."""
from __future__ import annotations

import hashlib

from chalicelib import log
from chalicelib.adapters.tickets import ClaimTaken
from chalicelib.domain.tickets import model
from chalicelib.errors import Conflict
from chalicelib.services.tickets.common import Settings, new_id, now_ms, store
from chalicelib.services.tickets.create import make

THREAD_LOOKUPS = 20
SUBJECT_MAX = 200
BODY_MAX = 10000


def mid_key(site_key: str, message_id: str) -> str:
    mid = (message_id or "").strip().strip("<>").strip()
    if len(mid) > 400:
        mid = "sha256:" + hashlib.sha256(mid.encode()).hexdigest()
    return f"mid#{site_key}#{mid}"


def _attachments(mail) -> list[dict]:
    return [{"key": a.get("s3_key"), "name": a.get("filename"),
             "content_type": a.get("content_type"), "size": a.get("size")}
            for a in (getattr(mail, "attachments", None) or ()) if a.get("s3_key")]


class TicketsMailPort:
    def __init__(self, deps):
        self.deps = deps

    def ticket_for_thread(self, site_key: str, message_ids: list[str],
                          reply_token: str | None) -> str | None:
        """The ticket this mail answers: by the reply token of the address it was sent to,
        else by the newest of its In-Reply-To/References that we know."""
        repo = self.deps.tickets
        if reply_token:
            tid = repo.resolve(f"tok#{reply_token}")
            ticket = repo.get(tid) if tid else None
            if ticket and ticket["site_key"] == site_key:
                return tid
        for mid in list(reversed(message_ids or []))[:THREAD_LOOKUPS]:
            tid = repo.resolve(mid_key(site_key, mid))
            if tid:
                return tid
        return None

    def create_from_email(self, site_key: str, mail) -> str:
        """A new ticket (source "email") for a mail that answers none."""
        settings = Settings(self.deps, site_key)
        subject = " ".join((mail.subject or "").split())[:SUBJECT_MAX] or "(no subject)"
        ticket, created = make(
            self.deps, settings, subject=subject, description=(mail.text or "")[:BODY_MAX],
            requester={"email": mail.from_addr.lower(), "name": mail.from_name or None},
            source="email", actor={"type": "requester", "id": None,
                                   "name": mail.from_name or mail.from_addr},
            source_key=mid_key(site_key, mail.message_id))
        if created and _attachments(mail):
            self._comment(ticket["ticket_id"], mail, body="(attachments)", claim=False)
        return ticket["ticket_id"]

    def add_email_reply(self, site_key: str, ticket_id: str, mail) -> None:
        """The requester's answer: a public comment by the requester; a pending or solved
        ticket reopens. A mail to a closed ticket starts a follow-up ticket."""
        if self.deps.tickets.resolve(mid_key(site_key, mail.message_id)):
            return                                   # delivered twice
        try:
            self._comment(ticket_id, mail)
        except Conflict as err:
            if err.code != "ticket_closed":
                raise
            self.create_from_email(site_key, mail)

    def _comment(self, ticket_id: str, mail, body: str | None = None,
                 claim: bool = True) -> None:
        """A public comment by the requester; `claim` the mail's Message-ID with it (not when
        the ticket's creation already did: its attachments come as a comment of their own)."""
        site_key = self.deps.tickets.get(ticket_id)["site_key"]
        author = {"type": "requester", "id": None, "name": mail.from_name or mail.from_addr}
        comment = {"id": new_id("k"), "at": now_ms(self.deps), "author": author,
                   "body": (mail.text or "")[:BODY_MAX] if body is None else body,
                   "public": True, "source": "email", "attachments": _attachments(mail),
                   "message_id": (mail.message_id or "").strip().strip("<>")}

        def apply(ticket, settings):
            return model.comment(ticket, comment_id=comment["id"], body=comment["body"],
                                 public=True, author=author, attachments=comment["attachments"],
                                 now=comment["at"], policy=settings.policy,
                                 hours=settings.hours, source="email")

        try:
            store(self.deps, ticket_id, None, apply, comment=comment,
                  claims=[mid_key(site_key, mail.message_id)] if claim else [])
        except ClaimTaken:
            return                                   # a concurrent delivery stored it
        log.info("ticket_mail_received", ticket_id=ticket_id, source="email")
