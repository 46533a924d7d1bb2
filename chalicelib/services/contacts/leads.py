"""The leads pool (线索池): claim (one claim wins), move through the pipeline, the sweep that
returns untouched leads to the pool, and due follow-ups. Rules in domain/contacts/leads.py."""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import leads as lead_rules
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Conflict
from chalicelib.services.contacts import records

ATTEMPTS = 3
SWEEP_LIMIT = 100          # leads returned per sweep run (the schedule runs every 5 minutes)
MOVE_SCHEMA = {
    "status": Field(str, choices=lead_rules.STATUSES),
    "note": Field(str, max_len=1000),
    "next_contact_at": Field(int, min=0, max=2 ** 53, nullable=True),
}


def _settings(deps, site_key: str) -> dict:
    return (deps.sites.get(site_key) or {}).get("settings") or {}


def _with_due(c: dict, settings: dict) -> dict:
    out = dict(c)
    due = lead_rules.due_at(out.get("lead") or {}, settings)
    out.pop("due_at", None)
    if due:
        out["due_at"] = due
    return out


def claim(deps, actor: Actor, contact_id: str) -> dict:
    """Of agents claiming one lead at once exactly one wins: the write is conditional on the
    version read while the lead was unowned; the others re-read and get 409
    `already_claimed`."""
    for _ in range(ATTEMPTS):
        c = records.resolve(deps, contact_id, consistent=True)
        ts = records.now(deps)
        lead = lead_rules.claim(c.get("lead"), actor.id, ts)      # 409 if owned or closed
        after = _with_due({**c, "lead": lead, "owner_id": c.get("owner_id") or actor.id,
                           "version": c["version"] + 1, "updated_at": ts},
                          _settings(deps, c["site_key"]))
        if deps.contacts.claim_lead(after, c["version"]):
            records.timeline_entry(deps, after, "lead_claimed", {"by": actor.id}, at=ts)
            log.info("lead_claimed", contact_id=c["contact_id"], agent_id=actor.id)
            return {"contact": records.view(after)}
    raise Conflict("This lead changed meanwhile; reload and retry.", code="contact_changed")


def move(deps, actor: Actor, contact_id: str, payload: dict) -> dict:
    body = validate(payload, MOVE_SCHEMA)
    c = records.resolve(deps, contact_id, consistent=True)
    ts = records.now(deps)
    lead = lead_rules.move(c.get("lead"), actor.id, actor.is_supervisor, ts,
                           status=body.get("status"), note=body.get("note"),
                           next_contact_at=body.get("next_contact_at"))
    if "next_contact_at" in body and body["next_contact_at"] is None:
        lead["next_contact_at"] = None                # cleared
    fresh = records.commit(deps, c, {**c, "lead": lead}, actor.id)
    records.timeline_entry(deps, fresh, "lead_moved", {"by": actor.id,
                                                       "status": lead["status"]}, at=ts)
    return {"contact": records.view(fresh)}


def sweep(deps, limit: int = SWEEP_LIMIT) -> int:
    """Return claimed leads nobody touched in the site's time to the pool: one Query on the
    due index (oldest first, bounded), one conditional write each. Returns how many."""
    ts = records.now(deps)
    returned = 0
    for cid in deps.contacts.due(ts, limit):
        try:
            c = records.resolve(deps, cid, consistent=True)
        except Exception:           # noqa: BLE001: deleted meanwhile
            continue
        lead = c.get("lead") or {}
        if not lead_rules.is_due(lead, _settings(deps, c["site_key"]), ts):
            continue                                  # touched since the index was read
        try:
            records.commit(deps, c, {**c, "lead": lead_rules.release(lead, ts),
                                     "owner_id": None if c.get("owner_id") == lead.get(
                                         "owner_id") else c.get("owner_id")})
        except Conflict:
            continue                                  # changed meanwhile: next run decides
        records.timeline_entry(deps, c, "lead_returned", {"from": lead.get("owner_id")},
                               at=ts)
        returned += 1
    if returned:
        log.info("leads_returned", count=returned)
    return returned


def due_follow_ups(deps, actor: Actor, limit: int = 50) -> dict:
    """The agent's open leads whose next-contact time has come (remind index)."""
    rows = deps.contacts.reminders(actor.id, records.now(deps), limit)
    return {"contacts": [records.view(c) for c in rows
                         if lead_rules.follow_up_due(c.get("lead") or {}, records.now(deps))]}
