"""Mail that must never be answered: auto-replies, bounces, and our own mail coming back.

Answering any of these is how two auto-responders loop forever, so the inbound path drops
them (and counts them) before any ticket is touched.

- auto reply: `Auto-Submitted` other than "no" (RFC 3834), `Precedence: bulk|junk|list`,
  `X-Autoreply` / `X-Autorespond` / `X-Autoresponder`, `X-Auto-Response-Suppress` naming
  autoreply (Outlook's own out-of-office), or a subject that says so ("自动回复",
  "Automatic reply", "Auto:", "Out of Office").
- bounce: `multipart/report; report-type=delivery-status` (RFC 3464) or any
  `message/delivery-status` part, or a sender named MAILER-DAEMON / postmaster, or an empty
  envelope sender (`Return-Path: <>`).
- loop: our `X-Parley-Loop` header, or a Message-ID in one of our own domains.
"""
from __future__ import annotations

import re

LOOP_HEADER = "X-Parley-Loop"
BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon")
AUTO_SUBJECT = re.compile(
    r"^\s*(自动回复|自動回覆|自动答复|automatic reply|auto reply|autoreply|auto:|"
    r"out of (the )?office|abwesenheitsnotiz|réponse automatique)", re.I)


def header(headers: dict, name: str) -> str:
    return (headers.get(name.lower()) or "").strip()


def is_auto_reply(headers: dict, subject: str) -> bool:
    auto = header(headers, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return True
    if header(headers, "Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if header(headers, name):
            return True
    if "autoreply" in header(headers, "X-Auto-Response-Suppress").lower() and \
            header(headers, "X-MS-Exchange-Generated-Message-Source"):
        return True
    return bool(AUTO_SUBJECT.match(subject or ""))


def is_bounce(headers: dict, content_types: list[str], report_type: str, from_addr: str
              ) -> bool:
    if content_types and content_types[0] == "multipart/report" and \
            report_type.lower() == "delivery-status":
        return True
    if "message/delivery-status" in content_types or \
            "message/global-delivery-status" in content_types:
        return True
    local = from_addr.partition("@")[0].lower()
    if local in BOUNCE_SENDERS:
        return True
    return header(headers, "Return-Path").replace(" ", "") == "<>"


def is_loop(headers: dict, message_id: str, own_domains: tuple[str, ...]) -> bool:
    if header(headers, LOOP_HEADER):
        return True
    domain = message_id.strip("<>").rpartition("@")[2].lower()
    return bool(domain) and domain in {d.lower() for d in own_domains}
