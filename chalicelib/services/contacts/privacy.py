"""Privacy: export everything held about one contact (JSON), and erase a contact with its
visitors, conversations, messages, attachments and quality results. Both audited; admins
only. Bounded: a contact's visitors (at most 40 identities) and up to MAX_CONVERSATIONS
conversations per visitor."""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import identities as ids
from chalicelib.errors import Forbidden
from chalicelib.services import audit
from chalicelib.services.contacts import records
from chalicelib.services.views import conversation_view, message_view, visitor_view

MAX_CONVERSATIONS = 200


def _admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise Forbidden("Only admins export or erase a contact.", code="admin_only")


def _visitor_ids(c: dict) -> list[str]:
    return ids.of_kind(c.get("identities"), "visitor")


def export(deps, actor: Actor, contact_id: str) -> dict:
    from chalicelib.adapters import privacy
    _admin(actor)
    c = records.resolve(deps, contact_id, consistent=True)
    out = {"contact": records.view(c), "timeline": [], "visitors": [], "conversations": []}
    before = None
    while True:
        page = deps.contacts.timeline(c["contact_id"], before, 100)
        out["timeline"] += page
        if len(page) < 100:
            break
        before = page[-1]["key"]
    for vid in _visitor_ids(c):
        v = deps.visitors.get(vid)
        if v:
            out["visitors"].append(visitor_view(v))
        for conv in deps.conversations.list_by_visitor(vid, MAX_CONVERSATIONS):
            msgs, after = [], 0
            while True:
                page = deps.messages.after(conv["conversation_id"], after, privacy.PAGE)
                msgs += [message_view(x) for x in page]
                if len(page) < privacy.PAGE:
                    break
                after = int(page[-1]["seq"])
            out["conversations"].append({**conversation_view(conv, for_agent=True),
                                         "messages": msgs})
    audit.record(deps, actor, "contact.exported", "contact", c["contact_id"], c["site_key"],
                 {"conversations": len(out["conversations"])})
    return out


def erase(deps, actor: Actor, contact_id: str) -> dict:
    """Idempotent: a repeat after a partial failure erases what is left."""
    from chalicelib.adapters import privacy
    _admin(actor)
    c = records.resolve(deps, contact_id, consistent=True)
    counts = {"conversations": 0, "attachments": 0, "visitors": 0}
    for vid in _visitor_ids(c):
        for conv in deps.conversations.list_by_visitor(vid, MAX_CONVERSATIONS):
            for key in privacy.erase_conversation(conv["conversation_id"]):
                deps.storage.delete(key)
                counts["attachments"] += 1
            counts["conversations"] += 1
        privacy.erase_visitor(vid)
        counts["visitors"] += 1
    for tag in c.get("tags") or ():
        deps.contacts.delete_item(f"tag#{c['site_key']}#{tag}", f"contact#{c['contact_id']}")
    for ident in c.get("identities") or ():
        deps.contacts.release_identity(c["site_key"], ident, c["contact_id"])
    items = deps.contacts.all_items(c["contact_id"])
    merged = {(i.get("data") or {}).get("from") for i in items
              if (i.get("data") or {}).get("kind") == "merged"}
    for loser in sorted(x for x in merged if x):          # tombstones hold old copies too
        items += deps.contacts.all_items(loser)
    for item in items:
        deps.contacts.delete_item(item["pk"], item["sk"])
    audit.record(deps, actor, "contact.deleted", "contact", c["contact_id"], c["site_key"],
                 counts)
    log.info("contact_erased", contact_id=c["contact_id"], agent_id=actor.id, **counts)
    return {"deleted": c["contact_id"], **counts}
