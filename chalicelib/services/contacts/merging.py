"""Merging two contacts: a preview of what moves, then one transaction that writes the
survivor (at the version read), turns the loser into a redirect tombstone (at its version)
and re-points every identity item of the loser to the survivor. Conversations follow: they
belong to visitors, and the visitor identities now lead to the survivor. The loser's timeline
and tag memberships are copied afterwards with idempotent puts, so a merge interrupted there
is finished by asking for it again (the tombstone says it is done; the copy runs once more).

Concurrent merges touching the same contact: the first transaction wins, the others fail
their version condition and answer 409 `contact_changed`."""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import leads as lead_rules
from chalicelib.domain.contacts import merge as merge_rules
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.services.contacts import records

SCHEMA = {"from_contact_id": Field(str, required=True, min_len=1, max_len=64),
          "preview": Field(bool)}
TIMELINE_PAGE = 100
MAX_TIMELINE_COPY = 2000


def _pair(deps, survivor_id: str, loser_id: str) -> tuple[dict, dict]:
    survivor = records.resolve(deps, survivor_id, consistent=True)
    loser = deps.contacts.get(loser_id, consistent=True) if loser_id.startswith("ct_") \
        else None
    if loser is None:
        raise NotFound("No such contact.", code="contact_not_found")
    if loser["site_key"] != survivor["site_key"]:
        raise Conflict("Contacts of different sites are never merged.", code="other_site")
    return survivor, loser


def merge(deps, actor: Actor, survivor_id: str, payload: dict) -> dict:
    body = validate(payload, SCHEMA)
    survivor, loser = _pair(deps, survivor_id, body["from_contact_id"])
    if loser.get("merged_into"):
        if records.resolve(deps, loser["contact_id"])["contact_id"] != survivor["contact_id"]:
            raise Conflict("That contact was merged into another one.", code="already_merged")
        _copy(deps, loser, survivor)                  # a repeat finishes the moves
        return {"contact": records.view(survivor), "merged": True, "repeat": True}
    if loser["contact_id"] == survivor["contact_id"]:
        raise Conflict("A contact cannot be merged into itself.", code="same_contact")
    plan = merge_rules.plan(survivor, loser)
    preview = {"survivor": records.view(survivor), "loser": records.view(loser),
               "result": records.view(plan["result"]), "conflicts": plan["conflicts"],
               "moves": plan["moves"]}
    if body.get("preview"):
        return {"preview": preview}
    if not actor.is_supervisor and actor.id not in (survivor.get("owner_id"),
                                                    loser.get("owner_id")):
        raise Forbidden("Supervisors, or the owner of a contact, merge it.",
                        code="forbidden")
    ts = records.now(deps)
    after = {**plan["result"], "version": survivor["version"] + 1, "updated_at": ts,
             "suggestions": [s for s in plan["result"].get("suggestions") or []
                             if s["contact_id"] != loser["contact_id"]]}
    site = deps.sites.get(after["site_key"]) or {}
    due = lead_rules.due_at(after.get("lead") or {}, site.get("settings"))
    after.pop("due_at", None)
    if due:
        after["due_at"] = due
    tomb = {**loser, "merged_into": survivor["contact_id"], "version": loser["version"] + 1,
            "updated_at": ts, "lead": None, "owner_id": None}
    tomb.pop("due_at", None)
    deps.contacts.save(after, survivor["version"], extra_puts=[tomb],
                       repoint={i: loser["contact_id"] for i in loser.get("identities") or ()})
    _copy(deps, tomb, after)
    records.timeline_entry(deps, after, "merged", {"from": loser["contact_id"],
                                                   "by": actor.id,
                                                   "conflicts": len(plan["conflicts"])},
                           event_id=f"merge-{loser['contact_id']}", at=ts)
    from chalicelib.services import audit
    audit.record(deps, actor, "contact.merged", "contact", survivor["contact_id"],
                 survivor["site_key"], {"from": loser["contact_id"],
                                        "identities": len(plan["moves"]["identities"]),
                                        "conflicts": [c["field"] for c in plan["conflicts"]]})
    log.info("contact_merged", contact_id=survivor["contact_id"], loser=loser["contact_id"],
             agent_id=actor.id)
    return {"contact": records.view(after), "merged": True, "conflicts": plan["conflicts"]}


def _copy(deps, loser: dict, survivor: dict) -> None:
    """Idempotent: the loser's timeline entries under the survivor (same keys), its tag
    memberships moved to the survivor."""
    before, copied = None, 0
    while copied < MAX_TIMELINE_COPY:
        page = deps.contacts.timeline(loser["contact_id"], before, TIMELINE_PAGE)
        for e in page:
            at, event_id = e["key"].split("#", 2)[1:]
            data = {k: v for k, v in e.items() if k not in ("key", "at")}
            deps.contacts.append_timeline(survivor["contact_id"], int(at), event_id,
                                          {**data, "moved_from": loser["contact_id"]})
        copied += len(page)
        if len(page) < TIMELINE_PAGE:
            break
        before = page[-1]["key"]
    for tag in loser.get("tags") or ():
        deps.contacts.move_tag(loser["site_key"], tag, loser["contact_id"],
                               survivor["contact_id"])
