"""The `contacts` consumer of the conversation event stream (docs/events.md): each handled
event becomes one entry on the contact's timeline, keyed by the event id (a redelivery puts
the same key again and changes nothing); a rating also lands on the contact's stats.

SUMMARY maps an event type to the entry it makes; other kinds of events (tickets, channels)
are added here by their own branches: one entry in the map and its type is consumed."""
from __future__ import annotations

from chalicelib import log
from chalicelib.errors import Conflict
from chalicelib.services.contacts import links, records


def _conv(ev: dict) -> dict:
    ctx = ev.get("conversation") or {}
    return {"conversation_id": ev.get("conversation_id"), "channel": ctx.get("channel")}


def _created(ev: dict) -> dict:
    return {"kind": "conversation_created", **_conv(ev),
            "page_url": (ev.get("data") or {}).get("page_url")}


def _closed(ev: dict) -> dict:
    data = ev.get("data") or {}
    return {"kind": "conversation_closed", **_conv(ev), "reason": data.get("reason"),
            "agent_id": (ev.get("conversation") or {}).get("agent_id")}


def _rated(ev: dict) -> dict:
    return {"kind": "conversation_rated", **_conv(ev),
            "score": (ev.get("data") or {}).get("score")}


def _left(ev: dict) -> dict:
    return {"kind": "message_left", **_conv(ev)}


#: event type -> fn(envelope) -> the timeline entry (never a message body)
SUMMARY = {
    "conversation.created": _created,
    "conversation.closed": _closed,
    "conversation.rated": _rated,
    "conversation.message_left": _left,
}
HANDLED_TYPES = tuple(sorted(SUMMARY))


def _contact(deps, ev: dict) -> dict | None:
    site = ev.get("site_key")
    vid = (ev.get("conversation") or {}).get("visitor_id") or \
        (ev.get("data") or {}).get("visitor_id")
    if not site or not vid:
        return None
    found = records.of_identity(deps, site, f"visitor:{vid}")
    return found or links.link(deps, site, vid)


def on_event(deps, ev: dict) -> None:
    make = SUMMARY.get(ev.get("type"))
    contact = _contact(deps, ev) if make else None
    if contact is None:
        return
    entry = make(ev)
    at = int(ev.get("at") or records.now(deps))
    deps.contacts.append_timeline(contact["contact_id"], at, ev["id"], entry)
    if ev["type"] == "conversation.rated":
        _rating(deps, contact, entry.get("score"), at)
    log.info("contact_timeline", contact_id=contact["contact_id"],
             conversation_id=ev.get("conversation_id"), type=ev["type"])


def _rating(deps, contact: dict, score, at: int) -> None:
    for _ in range(3):
        stats = {**(contact.get("stats") or {}), "last_rating": score, "rated_at": at}
        try:
            records.commit(deps, contact, {**contact, "stats": stats})
            return
        except Conflict:
            contact = records.resolve(deps, contact["contact_id"], consistent=True)
    raise Conflict("contact busy", code="contact_changed")    # the runner retries the event
