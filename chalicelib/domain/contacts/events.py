"""Named contact events (docs/events.md, `contact.*`) derived from the contacts table's stream.

Pure: one DynamoDB stream record (NEW_AND_OLD_IMAGES) of the contacts table in, zero or more
event envelopes out. Only the contact's PROFILE item ("contact#{id}", "profile") yields
events; identity claims, tag memberships, timeline entries and site settings yield none.

- INSERT -> `contact.created`
- MODIFY -> `contact.merged` (the profile became a tombstone: `merged_into` set), else
  `contact.updated` (which keys changed) and/or `contact.lead_changed` (the lead part)
- REMOVE -> `contact.deleted` (privacy erase; a merged tombstone's removal yields nothing)

Ids are stable: `ct:{contact_id}:{version}:{n}` (the profile version the write produced, n
the event's place among that write's events) and `ct:{contact_id}:deleted`, so a replayed
record yields the same ids. Envelopes carry ids, the names of changed keys, and values only
for tags, owners and lead status: never names, emails, phones, notes or field values."""
from __future__ import annotations

from chalicelib.domain import stored_json

VERSION = 1
TYPES = ("contact.created", "contact.updated", "contact.lead_changed", "contact.merged",
         "contact.deleted")
PROFILE_SK = "profile"
#: top-level profile keys reported by name when they change (values never sent)
PLAIN_KEYS = ("name", "company", "locale", "notes")
#: identity kinds reported as the keys a PATCH uses
IDENTITY_KEYS = {"email": "emails", "phone": "phones"}


def profile(row: dict | None) -> dict | None:
    """The stored profile item as the contact record, or None for any other item."""
    if not row or row.get("sk") != PROFILE_SK or not str(row.get("pk", "")).startswith(
            "contact#"):
        return None
    out = dict(stored_json.loads(row.get("data")) or {})
    out.update(contact_id=row.get("contact_id") or str(row["pk"])[len("contact#"):],
               site_key=row.get("site_key"), version=int(row.get("version") or 0),
               updated_at=row.get("updated_at"))
    return out


def _envelope(c: dict, type_: str, event_id: str, at, data: dict) -> dict:
    return {"id": event_id, "type": type_, "version": VERSION, "at": at,
            "site_key": c.get("site_key"), "conversation_id": None, "seq": None,
            "contact_id": c["contact_id"], "data": data}


def _identity_kinds(identities) -> dict[str, set]:
    out: dict[str, set] = {}
    for ident in identities or ():
        kind, _, _value = str(ident).partition(":")
        out.setdefault(kind, set()).add(ident)
    return out


def _lead_view(lead: dict | None) -> dict | None:
    if not lead:
        return None
    return {"status": lead.get("status"), "owner_id": lead.get("owner_id"),
            "source": lead.get("source")}


def created_data(c: dict) -> dict:
    kinds = _identity_kinds(c.get("identities"))
    return {"tags": sorted(c.get("tags") or []), "owner_id": c.get("owner_id"),
            "lead": _lead_view(c.get("lead")),
            "fields": sorted((c.get("fields") or {}).keys()),
            "identities": sorted(IDENTITY_KEYS.get(k, k) for k in kinds)}


def changed(before: dict, after: dict) -> dict | None:
    """`contact.updated` data: the changed keys, before/after only for tags and owner."""
    keys = [k for k in PLAIN_KEYS if before.get(k) != after.get(k)]
    data: dict = {}
    old_f, new_f = before.get("fields") or {}, after.get("fields") or {}
    fields = sorted(k for k in set(old_f) | set(new_f) if old_f.get(k) != new_f.get(k))
    if fields:
        keys.append("fields")
        data["fields"] = fields
    old_t, new_t = sorted(set(before.get("tags") or [])), sorted(set(after.get("tags") or []))
    if old_t != new_t:
        keys.append("tags")
        data["tags"] = {"before": old_t, "after": new_t,
                        "added": sorted(set(new_t) - set(old_t)),
                        "removed": sorted(set(old_t) - set(new_t))}
    if before.get("owner_id") != after.get("owner_id"):
        keys.append("owner_id")
        data["owner_id"] = {"before": before.get("owner_id"), "after": after.get("owner_id")}
    old_i, new_i = _identity_kinds(before.get("identities")), \
        _identity_kinds(after.get("identities"))
    for kind in sorted(set(old_i) | set(new_i)):
        if old_i.get(kind, set()) != new_i.get(kind, set()):
            keys.append(IDENTITY_KEYS.get(kind, "identities"))
    if not keys:
        return None
    data["changed"] = sorted(set(keys))
    return data


def lead_change(before: dict | None, after: dict | None) -> dict | None:
    """`contact.lead_changed` data, or None when the lead's status and holder are as before.
    `change`: entered_pool, claimed, returned, status, released (no longer a lead)."""
    old, new = _lead_view(before), _lead_view(after)
    if old == new or (old and new and old["status"] == new["status"]
                      and old["owner_id"] == new["owner_id"]):
        return None
    if not new:
        change = ["removed"]
    elif not old:
        change = ["entered_pool"] if not new["owner_id"] else ["claimed"]
    else:
        change = []
        if old["owner_id"] != new["owner_id"]:
            change.append("claimed" if new["owner_id"] and not old["owner_id"] else
                          "returned" if not new["owner_id"] else "reassigned")
        if old["status"] != new["status"]:
            change.append("status")
    return {"change": change,
            "status": {"before": (old or {}).get("status"), "after": (new or {}).get("status")},
            "owner_id": {"before": (old or {}).get("owner_id"),
                         "after": (new or {}).get("owner_id")},
            "source": (new or old or {}).get("source")}


def from_images(event_name: str | None, new_row: dict | None, old_row: dict | None,
                created_at: int | None = None) -> list[dict]:
    """The events of one stream record given as plain images (see from_record)."""
    new, old = profile(new_row), profile(old_row)
    if event_name == "INSERT" and new:
        if new.get("merged_into"):
            return []
        return [_envelope(new, "contact.created", f"ct:{new['contact_id']}:{new['version']}:0",
                          new.get("updated_at"), created_data(new))]
    if event_name == "REMOVE" and old:
        if old.get("merged_into"):
            return []                                     # a tombstone: merged already
        return [_envelope(old, "contact.deleted", f"ct:{old['contact_id']}:deleted",
                          created_at, {})]
    if event_name != "MODIFY" or not new or not old or new["version"] == old["version"]:
        return []
    if old.get("merged_into"):
        return []                                         # a tombstone's later rewrites
    prefix, at = f"ct:{new['contact_id']}:{new['version']}", new.get("updated_at")
    if new.get("merged_into"):
        return [_envelope(new, "contact.merged", f"{prefix}:0", at,
                          {"merged_into": new["merged_into"]})]
    out = []
    for type_, data in (("contact.updated", changed(old, new)),
                        ("contact.lead_changed", lead_change(old.get("lead"), new.get("lead")))):
        if data:
            out.append(_envelope(new, type_, f"{prefix}:{len(out)}", at, data))
    return out


def from_record(record: dict) -> list[dict]:
    """The events of one contacts-table stream record (Lambda's DynamoDB stream shape)."""
    from chalicelib.domain.events import image           # the DynamoDB JSON reader
    change = record.get("dynamodb") or {}
    try:
        at = int(float(change["ApproximateCreationDateTime"]) * 1000)
    except (KeyError, TypeError, ValueError):
        at = None
    return from_images(record.get("eventName"), image(change.get("NewImage")),
                       image(change.get("OldImage")), at)
