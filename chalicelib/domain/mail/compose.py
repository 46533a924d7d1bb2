"""An outbound ticket reply as MIME bytes: text/plain + text/html alternatives (the HTML is
the text escaped, never markup from a user), threading headers, the reply-token Reply-To and
our loop marker. Pure: the caller gives the ids and the date.
"""
from __future__ import annotations

import html
import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from chalicelib.domain.mail.auto import LOOP_HEADER

MAX_REFERENCES = 20
SUBJECT_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|回复|答复|转发)\s*[:：]|\[#\d+\])\s*", re.I)
MAX_SUBJECT = 200


def ticket_subject(number, subject: str) -> str:
    """`[#<number>] <subject>`, whatever reply prefixes and tag the subject had."""
    base = (subject or "").strip()
    while SUBJECT_PREFIX.match(base):
        base = SUBJECT_PREFIX.sub("", base, count=1)
    base = re.sub(r"[\r\n\t]+", " ", base)[:MAX_SUBJECT] or "(no subject)"
    return f"[#{number}] {base}"


def html_body(text: str) -> str:
    escaped = html.escape(text or "", quote=True).replace("\r\n", "\n").replace("\n", "<br>\n")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
            f"<div style=\"font-family:sans-serif;white-space:normal\">{escaped}</div>"
            "</body></html>")


def references(thread_ids: list[str]) -> list[str]:
    """At most MAX_REFERENCES ids: the first (the thread's root) and the latest ones."""
    ids = list(dict.fromkeys(i for i in thread_ids if i))
    if len(ids) <= MAX_REFERENCES:
        return ids
    return ids[:1] + ids[-(MAX_REFERENCES - 1):]


def _address(name: str, addr: str) -> Address:
    local, _, domain = addr.partition("@")
    return Address(display_name=(name or "").replace("\r", " ").replace("\n", " ")[:100],
                   username=local, domain=domain)


def ticket_reply(*, from_addr: str, from_name: str, to_addr: str, reply_to: str | None,
                 subject: str, text: str, message_id: str, thread_ids: list[str],
                 loop_tag: str, date, files: list[tuple[str, str, bytes]] = (),
                 left_out: list[str] = ()) -> bytes:
    """The message; thread_ids oldest first (as References lists them), the one answered
    last: In-Reply-To. files: (filename, content type, bytes) attached; left_out: names of
    files that did not fit, listed under the text."""
    if left_out:
        text = f"{text}\n\n[Not attached: {', '.join(left_out)}]"
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _address(from_name, from_addr)
    msg["To"] = _address("", to_addr)
    if reply_to:
        msg["Reply-To"] = _address(from_name, reply_to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    refs = references(thread_ids)
    if refs:
        msg["In-Reply-To"] = refs[-1]
        msg["References"] = " ".join(refs)
    msg[LOOP_HEADER] = loop_tag
    # ask Exchange/Outlook not to answer with out-of-office or other auto-replies
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg.set_content(text or "", subtype="plain", charset="utf-8")
    msg.add_alternative(html_body(text), subtype="html", charset="utf-8")
    for name, ctype, data in files:
        maintype, _, subtype = ctype.partition("/")
        if maintype == "text":
            maintype, subtype = "application", "octet-stream"   # bytes, never re-encoded
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=name)
    return msg.as_bytes()
