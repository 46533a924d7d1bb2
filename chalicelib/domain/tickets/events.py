"""Named ticket events (docs/events.md, `ticket.*`) derived from the tickets table's stream.

A ticket change stores a history item in the same transaction as the ticket; the item lists
the events the transition produced, so the history item is the outbox. One INSERT of a
history item yields its events, each with a stable id `tkt:{ticket}:{history id}:{n}`."""
from __future__ import annotations

from chalicelib.domain import stored_json

VERSION = 1
TYPES = ("ticket.created", "ticket.updated", "ticket.commented", "ticket.status_changed",
         "ticket.assigned", "ticket.sla_breached")


def from_row(row: dict) -> list[dict]:
    """The events of one new tickets-table item (only history items carry any)."""
    if row.get("kind") != "history":
        return []
    entry = stored_json.loads(row.get("data")) or {}
    ticket_id = str(row.get("pk", ""))[2:]
    ctx = entry.get("ticket") or {}
    out = []
    for n, ev in enumerate(entry.get("events") or []):
        if ev.get("type") not in TYPES:
            continue
        out.append({"id": f"tkt:{ticket_id}:{entry.get('id')}:{n}", "type": ev["type"],
                    "version": VERSION, "at": entry.get("at"), "site_key": row.get("site_key"),
                    "conversation_id": None, "seq": None, "ticket_id": ticket_id,
                    "ticket": ctx, "by": entry.get("by"), "data": ev.get("data") or {}})
    return out
