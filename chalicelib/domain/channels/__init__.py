"""Channels: where a conversation's visitor writes from (pure rules, no AWS).

`web` is the widget; `wechat` a WeChat Official Account (公众号), `wechat_mp` a Mini Program
(小程序) customer-service inbox, `api` a business's own system posting signed messages.
Replies on `web` reach the visitor over the socket; on every other kind they are delivered
by the outbound dispatcher (services/channels.py), except `api`, whose replies leave through
outgoing webhooks (message.created events).
"""
from __future__ import annotations

import re

WEB = "web"
WECHAT = "wechat"
WECHAT_MP = "wechat_mp"
API = "api"

KINDS = (WEB, WECHAT, WECHAT_MP, API)
#: kinds an admin may connect (the widget needs no channel record)
CONNECTABLE = (WECHAT, WECHAT_MP, API)
WECHAT_KINDS = (WECHAT, WECHAT_MP)

CHANNEL_ID_RE = re.compile(r"^ch_[a-f0-9]{8,32}$")
EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9_\-.:@]{1,128}$")


def delivers_outbound(kind: str | None) -> bool:
    """Do agent/bot replies on this channel go through the outbound dispatcher?"""
    return kind in WECHAT_KINDS


def link_key(channel_id: str, external_id: str) -> str:
    """The keys-table item naming the visitor behind (channel, external user)."""
    return f"chuser#{channel_id}#{external_id}"


def outbound_text(message: dict) -> str | None:
    """What a stored agent/bot message says on a text-only channel (None: nothing to send).
    Suggestions a bot offers become a numbered list, as WeChat shows no buttons."""
    if message.get("type") == "note" or message.get("sender_type") not in ("agent", "bot"):
        return None
    text = (message.get("text") or "").strip()
    extra = message.get("extra") or {}
    options = [s.get("text") if isinstance(s, dict) else s
               for s in (extra.get("suggestions") or [])]
    options = [o for o in options if isinstance(o, str) and o]
    if options:
        text = "\n".join([text] + [f"{i}. {o}" for i, o in enumerate(options, 1)]).strip()
    return text or None


#: outbound delivery: attempts before the agent is told it failed, and the wait before each
#: retry (SQS DelaySeconds caps at 900): 5 s, 10 s, 20 s ... 640 s, ~21 minutes in all
MAX_ATTEMPTS = 8


def backoff_seconds(attempt: int, base: int = 5, cap: int = 900) -> int:
    """Delay before retry number `attempt` + 1 (attempt 0 failed: 5 s)."""
    return min(cap, base * (2 ** max(0, attempt)))


def client_message_id(prefix: str, key: str) -> str:
    """A client message id (<= 64 chars of [A-Za-z0-9_.:-]) derived from a channel's own id
    for the message, so a redelivered push stores nothing twice."""
    import hashlib
    safe = "".join(c for c in key if c.isascii() and (c.isalnum() or c in "_.:-"))
    if safe == key and len(prefix) + 1 + len(key) <= 64:
        return f"{prefix}:{key}"
    return f"{prefix}:h{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}"
