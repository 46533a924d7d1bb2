"""Addresses, reply tokens and message ids.

A ticket's reply address is the site's mailbox with a plus tag: `support+t_<token>@domain`.
A reply that keeps that address (Reply-To) carries the token back even when a client drops
In-Reply-To/References.
"""
from __future__ import annotations

import re
from email.utils import getaddresses

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
PLUS_TOKEN = re.compile(r"^(?P<box>[^+@]+)\+t_(?P<token>[A-Za-z0-9_-]{6,64})$")
ADDRESS_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
                        r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
MSGID_RE = re.compile(r"<([^<>\s]{1,900})>")


def normalize(addr: str) -> str:
    """`local@domain` with the domain lower-cased ('' if it is not an address). The local
    part keeps its case: a reply token in it is case-sensitive; compare mailboxes with
    mailbox_key()."""
    addr = (addr or "").strip().strip("<>").strip()
    if not ADDRESS_RE.match(addr):
        return ""
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower()}"


def mailbox_key(addr: str) -> str:
    """The lower-cased mailbox without its plus tag: what a site's address is matched on."""
    return mailbox(addr)[0].lower()


def split_list(values: list[str]) -> list[tuple[str, str]]:
    """(display name, normalized address) of every valid address in header values."""
    out = []
    for name, addr in getaddresses(values):
        norm = normalize(addr)
        if norm:
            out.append((name.strip(), norm))
    return out


def mailbox(addr: str) -> tuple[str, str | None]:
    """`support+t_abc123@x.com` -> ("support@x.com", "abc123"); no tag: (addr, None)."""
    local, _, domain = addr.partition("@")
    m = PLUS_TOKEN.match(local)
    if not m:
        return addr, None
    return f"{m['box']}@{domain}", m["token"]


def reply_address(box: str, token: str) -> str:
    """The address a ticket's mail is answered to: the box with the token as a plus tag."""
    local, _, domain = box.partition("@")
    if not TOKEN_RE.match(token or ""):
        raise ValueError("invalid reply token")
    return f"{local}+t_{token}@{domain}"


def message_ids(value: str | None) -> tuple[str, ...]:
    """Every `<id>` in a Message-ID / In-Reply-To / References value, brackets kept."""
    return tuple(f"<{m}>" for m in MSGID_RE.findall(value or ""))


def site_mailbox(site_key: str, settings: dict | None, inbound_domain: str) -> str:
    """The address a site receives mail at: its own (setting mail_address) or
    <site_key>@<inbound domain>."""
    own = normalize((settings or {}).get("mail_address") or "")
    return own.lower() if own else f"{site_key.lower()}@{inbound_domain.lower()}"
