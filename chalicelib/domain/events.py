"""Named conversation events derived from committed writes (docs/events.md).

Pure functions: a DynamoDB stream record of the `messages` or `conversations` table in, zero
or more event envelopes out. The same record always yields the same events with the same ids,
so a replayed stream record or a redelivered queue message is recognisable downstream.
"""
from __future__ import annotations

from decimal import Decimal

from chalicelib.domain import stored_json
from chalicelib.domain.contacts import events as contact_events
from chalicelib.domain.tickets import events as ticket_events

VERSION = 1

#: the conversation context every envelope carries (message rows snapshot it as `ctx`)
CONTEXT_FIELDS = ("visitor_id", "channel", "team", "agent_id", "status")

#: system event kind -> named event type (offline splits on its reason, below)
SYSTEM_EVENT_TYPES = {
    "queued": "conversation.queued",
    "assigned": "conversation.assigned",
    "transferred": "conversation.transferred",
    "joined": "conversation.joined",
    "left": "conversation.left",
    "closed": "conversation.closed",
    "reopened": "conversation.reopened",
    "rated": "conversation.rated",
}

#: the data fields each system event passes on from the stored event
_SYSTEM_DATA = {
    "conversation.queued": ("reason",),
    "conversation.offline_offered": ("reason",),
    "conversation.message_left": ("reason",),
    "conversation.assigned": ("agent_id", "agent_name"),
    "conversation.transferred": ("from_agent_id", "agent_id", "agent_name", "team",
                                 "barge_in", "reason", "from_team"),
    "conversation.joined": ("agent_id", "agent_name"),
    "conversation.left": ("agent_id", "agent_name"),
    "conversation.closed": ("reason", "by"),
    "conversation.reopened": ("agent_id", "agent_name"),
    "conversation.rated": ("score",),
}

EVENT_TYPES = ("conversation.created", "message.created", "conversation.offline_offered",
               "conversation.message_left", "conversation.tagged",
               *SYSTEM_EVENT_TYPES.values())

MESSAGE_KINDS = ("text", "attachment", "note", "whisper")
#: kinds the visitor never sees (a note, a supervisor's whisper): `private` in message.created
PRIVATE_KINDS = ("note", "whisper")


# ------------------------------------------------------------------ DynamoDB JSON
def plain(value: dict):
    """One attribute value in DynamoDB's JSON ({"S": ...}, {"M": ...}) as plain Python."""
    (tag, inner), = value.items()
    if tag == "S":
        return inner
    if tag == "N":
        number = Decimal(inner)
        return int(number) if number == number.to_integral_value() else float(number)
    if tag == "BOOL":
        return bool(inner)
    if tag == "NULL":
        return None
    if tag == "M":
        return {k: plain(v) for k, v in inner.items()}
    if tag == "L":
        return [plain(v) for v in inner]
    if tag == "SS":
        return sorted(inner)
    if tag == "NS":
        return sorted(plain({"N": n}) for n in inner)
    if tag in ("B", "BS"):
        return inner
    raise ValueError(f"unknown DynamoDB type {tag}")


def image(raw: dict | None) -> dict | None:
    return None if raw is None else {k: plain(v) for k, v in raw.items()}


# ------------------------------------------------------------------ derivation
def from_stream_record(table: str, record: dict) -> list[dict]:
    """The events of one stream record of `table` ("messages", "conversations" or
    "tickets": chalicelib/domain/tickets/events.py, "contacts":
    chalicelib/domain/contacts/events.py)."""
    if table == "contacts":
        return contact_events.from_record(record)
    change = record.get("dynamodb") or {}
    new, old = image(change.get("NewImage")), image(change.get("OldImage"))
    name = record.get("eventName")
    if table == "tickets":
        return ticket_events.from_row(new) if name == "INSERT" and new else []
    if table == "messages":
        return from_message(new) if name == "INSERT" and new else []
    if table == "conversations":
        if name == "INSERT" and new:
            return [conversation_created(new)]
        if name == "MODIFY" and new and old:
            tagged = conversation_tagged(old, new)
            return [tagged] if tagged else []
    return []


def _envelope(event_id: str, type_: str, at, site_key, conversation_id: str, seq,
              context: dict, data: dict) -> dict:
    return {"id": event_id, "type": type_, "version": VERSION, "at": at,
            "site_key": site_key, "conversation_id": conversation_id, "seq": seq,
            "conversation": {k: context.get(k) for k in CONTEXT_FIELDS}, "data": data}


def message_event_type(row: dict) -> str | None:
    """The named event a message row stands for, or None (bot flow steps and the like)."""
    if row.get("type") in MESSAGE_KINDS and row.get("sender_type") != "system":
        return "message.created"
    if row.get("type") != "event":
        return None
    event = stored_json.loads(row.get("event")) or {}
    kind = event.get("kind")
    if kind == "offline":
        return ("conversation.message_left" if event.get("reason") == "left_message"
                else "conversation.offline_offered")
    return SYSTEM_EVENT_TYPES.get(kind)


def from_message(row: dict) -> list[dict]:
    type_ = message_event_type(row)
    if type_ is None:
        return []
    ctx = stored_json.loads(row.get("ctx")) or {}
    cid, seq = row["conversation_id"], int(row["seq"])
    if type_ == "message.created":
        data = _message_data(row)
    else:
        event = stored_json.loads(row.get("event")) or {}
        data = {k: event[k] for k in _SYSTEM_DATA[type_] if event.get(k) is not None}
        if type_ == "conversation.queued":
            data["queue_key"] = ctx.get("queue_key")
        elif type_ == "conversation.rated":
            data["comment"] = row.get("text")
    return [_envelope(f"msg:{cid}:{seq}", type_, row.get("created_at"), ctx.get("site_key"),
                      cid, seq, ctx, data)]


def _message_data(row: dict) -> dict:
    kind = row.get("type")
    data = {"message_id": row.get("message_id"),
            "sender": {"type": row.get("sender_type"), "id": row.get("sender_id"),
                       "name": row.get("sender_name")},
            "kind": kind, "private": kind in PRIVATE_KINDS, "text": row.get("text")}
    att = stored_json.loads(row.get("attachment"))
    if att:
        data["attachment"] = {k: att.get(k) for k in ("name", "content_type", "size")}
    if row.get("sender_type") == "bot":
        bot = bot_data(stored_json.loads(row.get("extra")))
        if bot:
            data["bot"] = bot
    return data


def bot_data(extra) -> dict | None:
    """What a bot reply did (``message.created`` ``data.bot``): its kind (answer, suggest,
    fallback, handoff, flow), the entry it answered with and the entries it offered."""
    if not isinstance(extra, dict) or not extra.get("kind"):
        return None
    offered = [s.get("id") for s in extra.get("suggestions") or []
               if isinstance(s, dict) and isinstance(s.get("id"), str)]
    return {"kind": str(extra["kind"]), "entry_id": extra.get("entry_id") or None,
            "suggestions": offered[:5]}


def conversation_created(row: dict) -> dict:
    cid = row["conversation_id"]
    attrs = row.get("attrs") or {}
    return _envelope(f"conv:{cid}:{int(row.get('rev') or 0)}:conversation.created",
                     "conversation.created", row.get("created_at"), row.get("site_key"), cid,
                     int(row.get("last_seq") or 0), row,
                     {"visitor_id": row.get("visitor_id"), "channel": row.get("channel"),
                      "page_url": attrs.get("page_url")})


def conversation_tagged(old: dict, new: dict) -> dict | None:
    before, after = set(old.get("tags") or []), set(new.get("tags") or [])
    if before == after:
        return None
    cid = new["conversation_id"]
    return _envelope(f"conv:{cid}:{int(new.get('rev') or 0)}:conversation.tagged",
                     "conversation.tagged", new.get("updated_at"), new.get("site_key"), cid,
                     int(new.get("last_seq") or 0), new,
                     {"tags": sorted(after), "added": sorted(after - before),
                      "removed": sorted(before - after)})


# ------------------------------------------------------------------ the ctx snapshot
def context_snapshot(conversation: dict, updates: dict | None = None) -> dict:
    """What a message row records about its conversation as of the write: the conversation
    as the writer read it, with the fields the same transaction sets applied."""
    snap = {"site_key": conversation.get("site_key"),
            **{k: conversation.get(k) for k in CONTEXT_FIELDS},
            "queue_key": conversation.get("queue_key")}
    for name, value in (updates or {}).items():
        if isinstance(name, str) and name in snap:
            snap[name] = value
    return {k: v for k, v in snap.items() if v is not None}
