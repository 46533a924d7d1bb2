"""Event envelopes (docs/events.md, version 1) made from stored rows, for consumer tests.

The real stream derives events from DynamoDB Streams records; this helper derives the same
envelopes from the committed rows of a conversation: `conversation.created` from the
conversation row, one event per message row (system events by their kind). The context
snapshot (`conversation`) is replayed from the rows in sequence order (who held the chat,
status, team after a transfer to a team); the team before any transfer is the conversation's
stored team.
"""
from __future__ import annotations

SYSTEM_EVENTS = {"queued": "conversation.queued", "assigned": "conversation.assigned",
                 "transferred": "conversation.transferred", "joined": "conversation.joined",
                 "left": "conversation.left", "closed": "conversation.closed",
                 "reopened": "conversation.reopened", "rated": "conversation.rated"}


def rows(deps, cid: str) -> list[dict]:
    out, after = [], 0
    while True:
        page = deps.messages.after(cid, after, limit=100)
        if not page:
            return out
        out += page
        after = int(page[-1]["seq"])


def _message_event(row: dict) -> tuple[str, dict] | None:
    kind = row["type"]
    if kind in ("text", "attachment", "note"):
        data = {"message_id": row["message_id"],
                "sender": {"type": row["sender_type"], "id": row.get("sender_id"),
                           "name": row.get("sender_name")},
                "kind": kind, "private": kind == "note", "text": row.get("text")}
        if row.get("attachment"):
            data["attachment"] = {k: row["attachment"].get(k)
                                  for k in ("name", "content_type", "size")}
        return "message.created", data
    event = dict(row.get("event") or {})
    name = event.pop("kind", None)
    if name == "offline":
        etype = ("conversation.message_left" if event.get("reason") == "left_message"
                 else "conversation.offline_offered")
        return etype, {"reason": event.get("reason")}
    if name == "rated":
        return "conversation.rated", {"score": event.get("score"), "comment": row.get("text")}
    if name in SYSTEM_EVENTS:
        return SYSTEM_EVENTS[name], event
    return None


def envelopes(deps, cid: str) -> list[dict]:
    conv = deps.conversations.get(cid, consistent=True)
    return envelopes_of(conv, rows(deps, cid))


def envelopes_of(conv: dict, stored_rows: list[dict]) -> list[dict]:
    """The envelopes of one conversation from its row and its message rows."""
    cid = conv["conversation_id"]
    ctx = {"visitor_id": conv["visitor_id"], "channel": conv.get("channel") or "web",
           "team": conv.get("team"), "agent_id": None, "status": "new"}
    out = [{"id": f"conv:{cid}:0:conversation.created", "type": "conversation.created",
            "version": 1, "at": int(conv["created_at"]), "site_key": conv["site_key"],
            "conversation_id": cid, "seq": 0, "conversation": dict(ctx),
            "data": {"visitor_id": conv["visitor_id"], "channel": ctx["channel"],
                     "page_url": None}}]
    for row in stored_rows:
        made = _message_event(row)
        if made is None:
            continue
        etype, data = made
        if etype in ("conversation.assigned", "conversation.reopened"):
            ctx.update(agent_id=data.get("agent_id"), status="assigned")
        elif etype == "conversation.transferred":
            if data.get("agent_id"):
                ctx.update(agent_id=data["agent_id"], status="assigned")
            else:
                ctx.update(agent_id=None, status="queued", team=data.get("team"))
        elif etype == "conversation.queued":
            ctx["status"] = "queued"
        elif etype == "conversation.closed":
            ctx["status"] = "closed"
        elif etype == "conversation.message_left":
            ctx["status"] = "offline"
        out.append({"id": f"msg:{cid}:{int(row['seq'])}", "type": etype, "version": 1,
                    "at": int(row["created_at"]), "site_key": conv["site_key"],
                    "conversation_id": cid, "seq": int(row["seq"]),
                    "conversation": dict(ctx), "data": data})
    return out
