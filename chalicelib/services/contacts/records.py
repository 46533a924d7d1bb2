"""Contact records: create, read, change (profile, custom fields, tags, notes, owner), list
from an index, and the per-site custom field definitions. Field changes are written to the
contact's timeline by this service; the profile writes also become `contact.*` events through
the contacts table's stream (domain/contacts/events.py)."""
from __future__ import annotations

import uuid

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import fields as field_rules
from chalicelib.domain.contacts import identities as ids
from chalicelib.domain.contacts import leads as lead_rules
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationError

MAX_IDENTITIES = 40
MAX_TAGS = 30
MAX_REDIRECTS = 5
PAGE = 50
TAG = Field(str, min_len=1, max_len=40)
PATCH_SCHEMA = {
    "name": Field(str, max_len=100, nullable=True),
    "company": Field(str, max_len=100, nullable=True),
    "notes": Field(str, max_len=5000, nullable=True),
    "tags": Field(list, item=TAG, max_items=MAX_TAGS),
    "owner_id": Field(str, max_len=64, nullable=True),
    "fields": Field(dict, nullable=True),
    "emails": Field(list, item=Field(str, max_len=254), max_items=10),
    "phones": Field(list, item=Field(str, max_len=40), max_items=10),
    "lead": Field(bool),
    "version": Field(int, min=0),
}


def now(deps) -> int:
    return int(deps.clock() * 1000)


def new_id() -> str:
    return f"ct_{uuid.uuid4().hex[:24]}"


def blank(site_key: str, ts: int, **profile) -> dict:
    return {"contact_id": new_id(), "site_key": site_key, "name": None, "company": None,
            "locale": None, "identities": [], "verified": [], "tags": [], "fields": {},
            "notes": None, "owner_id": None, "lead": None,
            "stats": {"chats": 0, "last_seen_at": ts}, "created_at": ts,
            "version": 1, "updated_at": ts, **profile}


def check_site(site_key) -> str:
    if not isinstance(site_key, str) or not SITE_KEY_RE.match(site_key):
        raise ValidationError("'site_key' is required.", code="missing_field",
                              details={"field": "site_key"})
    return site_key


def resolve(deps, contact_id: str, consistent: bool = False) -> dict:
    """The live contact: a merged one redirects to its survivor."""
    if not isinstance(contact_id, str) or not contact_id.startswith("ct_") \
            or len(contact_id) > 64:
        raise NotFound("No such contact.", code="contact_not_found")
    for _ in range(MAX_REDIRECTS):
        c = deps.contacts.get(contact_id, consistent=consistent)
        if c is None:
            raise NotFound("No such contact.", code="contact_not_found")
        if not c.get("merged_into"):
            return c
        contact_id = c["merged_into"]
    raise NotFound("No such contact.", code="contact_not_found")


def of_identity(deps, site_key: str, identity: str) -> dict | None:
    cid = deps.contacts.owner_of(site_key, identity)
    if cid is None:
        return None
    try:
        return resolve(deps, cid, consistent=True)
    except NotFound:
        return None


def view(c: dict) -> dict:
    out = {k: c.get(k) for k in ("contact_id", "site_key", "name", "company", "locale",
                                 "tags", "fields", "notes", "owner_id", "lead", "stats",
                                 "created_at", "updated_at", "version", "verified")}
    idents = c.get("identities") or []
    out["emails"] = ids.of_kind(idents, "email")
    out["phones"] = ids.of_kind(idents, "phone")
    out["identities"] = idents
    out["channels"] = sorted({ids.split(i)[0] for i in idents} & {"visitor", "wechat", "api"})
    out["suggestions"] = c.get("suggestions") or []
    return out


def field_defs(deps, site_key: str) -> list[dict]:
    return deps.contacts.get_setting(site_key, "fields") or []


def set_field_defs(deps, actor: Actor, site_key: str, payload: dict) -> dict:
    from chalicelib.services import audit
    if actor.role != "admin":
        raise Forbidden("Only admins define contact fields.", code="admin_only")
    body = validate(payload, {"fields": Field(list, required=True)})
    defs = field_rules.check_definitions(body["fields"])
    deps.contacts.put_setting(check_site(site_key), "fields", defs)
    audit.record(deps, actor, "contacts.fields_changed", "site", site_key, site_key,
                 {"keys": [d["key"] for d in defs]})
    return {"fields": defs}


def timeline_entry(deps, contact: dict, kind: str, data: dict, event_id: str | None = None,
                   at: int | None = None) -> None:
    ts = at or now(deps)
    deps.contacts.append_timeline(contact["contact_id"], ts,
                                  event_id or uuid.uuid4().hex[:16], {"kind": kind, **data})


def commit(deps, before: dict, after: dict, actor_id: str | None = None, **extra) -> dict:
    """Write `after` (read as `before`), the tag membership diff and the lead's return time;
    field and owner changes go on the timeline."""
    after = {**after, "version": int(before["version"]) + 1, "updated_at": now(deps)}
    site = deps.sites.get(after["site_key"]) if after.get("lead") else None
    due = lead_rules.due_at(after.get("lead") or {}, (site or {}).get("settings"))
    if due:
        after["due_at"] = due
    else:
        after.pop("due_at", None)
    old_tags, new_tags = set(before.get("tags") or ()), set(after.get("tags") or ())
    deps.contacts.save(after, before["version"], tags_added=sorted(new_tags - old_tags),
                       tags_removed=sorted(old_tags - new_tags), **extra)
    _, changes = field_rules.apply(before.get("fields"), after.get("fields") or {})
    removed = {k: [v, None] for k, v in (before.get("fields") or {}).items()
               if k not in (after.get("fields") or {})}
    for key in ("name", "company", "owner_id", "notes"):
        if before.get(key) != after.get(key):
            changes[key] = [before.get(key), after.get(key)] if key != "notes" else ["…", "…"]
    changes.update(removed)
    if old_tags != new_tags:
        changes["tags"] = [sorted(old_tags), sorted(new_tags)]
    if changes:
        timeline_entry(deps, after, "fields_changed", {"changes": changes, "by": actor_id})
    return after


def get(deps, actor: Actor, contact_id: str) -> dict:
    c = resolve(deps, contact_id)
    return {"contact": view(c), "field_defs": field_defs(deps, c["site_key"])}


def update(deps, actor: Actor, contact_id: str, payload: dict) -> dict:
    body = validate(payload, PATCH_SCHEMA)
    if not body:
        raise ValidationError("Nothing to change.", code="empty_update")
    c = resolve(deps, contact_id, consistent=True)
    if "version" in body and body["version"] != c["version"]:
        raise Conflict("This contact changed meanwhile; reload and retry.",
                       code="contact_changed")
    after = dict(c)
    for key in ("name", "company", "notes", "owner_id"):
        if key in body:
            after[key] = body[key] or None
    if "tags" in body:
        after["tags"] = sorted(set(body["tags"]))
    if "fields" in body:
        patch = field_rules.check_values(field_defs(deps, c["site_key"]), body["fields"] or {})
        after["fields"], _ = field_rules.apply(c.get("fields"), patch)
    claim = []
    for kind, key in (("email", "emails"), ("phone", "phones")):
        if key in body:
            wanted = {ids.key(kind, v) for v in body[key]}
            keep = [i for i in after["identities"] if ids.split(i)[0] != kind]
            claim += sorted(wanted - set(after["identities"]))
            after["identities"] = sorted(set(keep) | wanted)
    if len(after["identities"]) > MAX_IDENTITIES:
        raise ValidationError("Too many identities.", code="too_many_items")
    for ident in claim:
        holder = deps.contacts.owner_of(c["site_key"], ident)
        if holder and holder != c["contact_id"]:
            raise Conflict("Another contact has this e-mail or phone: merge them instead.",
                           code="identity_taken", details={"contact_id": holder})
    if body.get("lead") and not c.get("lead"):
        after["lead"] = lead_rules.new_lead("agent", now(deps))
    fresh = commit(deps, c, after, actor.id, claim=claim)
    for ident in sorted(set(c["identities"]) - set(after["identities"])):
        deps.contacts.release_identity(c["site_key"], ident, c["contact_id"])
    log.info("contact_updated", contact_id=c["contact_id"], agent_id=actor.id,
             keys=sorted(body))
    return {"contact": view(fresh)}


def list_contacts(deps, actor: Actor, site_key, q: dict) -> dict:
    """One index per listing: by tag (tag items), by owner, by lead bucket, or the site's
    contacts by last update; paged by `before` (updated_at) or `after` (tag: contact id)."""
    site_key = check_site(site_key)
    limit = q.get("limit") or PAGE
    if q.get("tag"):
        ids_ = deps.contacts.by_tag(site_key, q["tag"], q.get("after"), limit)
        rows = [c for c in (deps.contacts.get(i) for i in ids_) if c and not c.get("merged_into")]
        nxt = {"after": ids_[-1]} if len(ids_) == limit else None
    else:
        if q.get("owner"):
            rows = deps.contacts.by_owner(site_key, q["owner"], q.get("before"), limit)
        elif q.get("lead"):
            rows = deps.contacts.by_lead(site_key, q["lead"], q.get("before"), limit)
        else:
            rows = deps.contacts.by_site(site_key, q.get("before"), limit)
        nxt = {"before": rows[-1]["updated_at"]} if len(rows) == limit else None
    return {"contacts": [view(c) for c in rows], "next": nxt}


def timeline(deps, actor: Actor, contact_id: str, before: str | None, limit: int) -> dict:
    c = resolve(deps, contact_id)
    rows = deps.contacts.timeline(c["contact_id"], before, limit)
    return {"timeline": rows, "next": {"before": rows[-1]["key"]} if len(rows) == limit
            else None}
