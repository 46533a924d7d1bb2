"""How stored items are shown to clients (plain dicts, JSON-ready)."""
from __future__ import annotations

import time


def message_view(msg: dict, storage=None) -> dict:
    out = {
        "conversation_id": msg["conversation_id"],
        "seq": int(msg["seq"]),
        "id": msg["message_id"],
        "client_message_id": msg.get("client_message_id"),
        "type": msg["type"],
        "sender": {"type": msg["sender_type"], "id": msg.get("sender_id"),
                   "name": msg.get("sender_name")},
        "created_at": int(msg["created_at"]),
    }
    if msg.get("text") is not None:
        out["text"] = msg["text"]
    if msg.get("event"):
        out["event"] = msg["event"]
    if msg.get("extra"):
        out["extra"] = msg["extra"]
    att = msg.get("attachment")
    if att:
        view = {k: att.get(k) for k in ("name", "content_type", "size")}
        if storage is not None:
            view["url"] = storage.presign_download(att["key"], att.get("name"))
        out["attachment"] = view
    return out


def active_typing(typing: dict | None, now_ms: int | None = None) -> list[str]:
    now_ms = now_ms or int(time.time() * 1000)
    return sorted(k for k, until in (typing or {}).items() if int(until) > now_ms)


def conversation_view(conv: dict, for_agent: bool) -> dict:
    out = {
        "conversation_id": conv["conversation_id"],
        "site_key": conv.get("site_key"),
        "status": conv.get("status"),
        "channel": conv.get("channel", "web"),
        "last_seq": int(conv.get("last_seq") or 0),
        "rev": int(conv.get("rev") or 0),
        "reads": {k: int(v) for k, v in (conv.get("reads") or {}).items()},
        "typing": active_typing(conv.get("typing")),
        "created_at": conv.get("created_at"),
        "updated_at": conv.get("updated_at"),
        "last_message_at": conv.get("last_message_at"),
        "agent_id": conv.get("agent_id"),
    }
    attrs = conv.get("attrs") or {}
    if conv.get("agent_id") and attrs.get("agent_name"):
        out["agent"] = {"id": conv["agent_id"], "name": attrs.get("agent_name"),
                        "avatar_url": attrs.get("agent_avatar")}
    elif attrs.get("last_agent") and conv.get("status") != "closed":
        # joined without an assignment (a supervisor helping, or before queueing exists)
        out["agent"] = {"id": attrs["last_agent"].get("id"),
                        "name": attrs["last_agent"].get("name"), "avatar_url": None}
    if for_agent:
        out.update({
            "visitor_id": conv.get("visitor_id"),
            "visitor_name": attrs.get("visitor_name"),
            "visitor_email": attrs.get("visitor_email"),
            "participants": conv.get("participants") or [],
            "team": conv.get("team"),
            "tags": conv.get("tags") or [],
            "attrs": attrs,
        })
    else:
        for key in ("queue_position", "queue_position_at", "estimated_wait", "rating"):
            if key in attrs:
                out[key] = attrs[key]
        if attrs.get("offline_offered") and conv.get("status") in ("new", "open", "queued") \
                and not conv.get("participants"):
            out["offline_offered"] = True    # the leave-a-message form stands (no agent in)
    return out


def visitor_view(v: dict) -> dict:
    """The visitor as agents see them (notes, tags and attributes included). Agent-side
    answers only: a visitor gets visitor_self_view."""
    return {k: v.get(k) for k in ("visitor_id", "site_key", "name", "email", "locale",
                                  "page_url", "referrer", "user_agent", "visits",
                                  "created_at", "last_seen_at", "tags", "notes",
                                  "attributes")}


# What a visitor is shown of their own record: an allow-list, so a field added for agents
# (notes, tags, attributes set by the site, anything later) never reaches the widget.
VISITOR_SELF_FIELDS = ("visitor_id", "site_key", "name", "email", "locale", "visits",
                       "created_at", "last_seen_at")


def visitor_self_view(v: dict) -> dict:
    return {k: v.get(k) for k in VISITOR_SELF_FIELDS}


def agent_view(a: dict) -> dict:
    return {k: a.get(k) for k in ("agent_id", "email", "name", "role", "status", "capacity",
                                  "active_count", "teams", "disabled", "avatar_url",
                                  "created_at")}
