"""CSV export and import of contacts (supervisors and admins; audited).

Import is all-or-nothing for bad input: every row is parsed and validated first (fields,
e-mails, phones, duplicates within the file, and identities already held by another contact),
and bad rows are reported by line with nothing written. Then each row is written as one
transaction (the contact, its identity claims and tag items). The contact id of a row is
derived from the site, the file's content hash and the line, so a retry of the same file
after a failure mid-write (timeout, throttling) re-creates nothing: rows already written are
found by id and counted as `skipped`, the rest are written."""
from __future__ import annotations

import hashlib

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import csvio
from chalicelib.domain.contacts import identities as ids
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import Forbidden, ValidationError
from chalicelib.services import audit
from chalicelib.services.contacts import records

IMPORT_SCHEMA = {"site_key": Field(str, required=True, min_len=1, max_len=64, pattern=SITE_KEY_RE),
                 "csv": Field(str, required=True, min_len=1, max_len=2_000_000, strip=False)}
EXPORT_PAGE = 100
MAX_EXPORT = 5000


def _supervisor(actor: Actor) -> None:
    if not actor.is_supervisor:
        raise Forbidden("Supervisors and admins export and import contacts.",
                        code="forbidden")


def export_csv(deps, actor: Actor, site_key, tag: str | None = None) -> str:
    _supervisor(actor)
    site_key = records.check_site(site_key)
    rows, before, after = [], None, None
    while len(rows) < MAX_EXPORT:
        if tag:
            page_ids = deps.contacts.by_tag(site_key, tag, after, EXPORT_PAGE)
            page = [c for c in (deps.contacts.get(i) for i in page_ids)
                    if c and not c.get("merged_into")]
            after = page_ids[-1] if page_ids else None
            full = len(page_ids) == EXPORT_PAGE
        else:
            page = deps.contacts.by_site(site_key, before, EXPORT_PAGE)
            before = page[-1]["updated_at"] if page else None
            full = len(page) == EXPORT_PAGE
        rows += page
        if not full:
            break
    text = csvio.export(rows[:MAX_EXPORT], records.field_defs(deps, site_key))
    audit.record(deps, actor, "contacts.exported", "site", site_key, site_key,
                 {"rows": min(len(rows), MAX_EXPORT), "tag": tag})
    return text


def import_csv(deps, actor: Actor, payload: dict) -> dict:
    _supervisor(actor)
    body = validate(payload, IMPORT_SCHEMA)
    site_key = body["site_key"]
    site = deps.sites.get(site_key)
    if site is None:
        raise ValidationError("Unknown site.", code="unknown_site",
                              details={"field": "site_key"})
    country = str((site.get("settings") or {}).get("phone_country") or ids.DEFAULT_COUNTRY)
    rows = csvio.parse(body["csv"], records.field_defs(deps, site_key), country)
    digest = hashlib.sha256(body["csv"].encode("utf-8")).hexdigest()
    planned, errors = [], []
    for row in rows:
        cid = "ct_" + hashlib.sha256(f"{site_key}#{digest}#{row['line']}".encode()).hexdigest()[:24]
        for ident in row["identities"]:
            holder = deps.contacts.owner_of(site_key, ident)
            if holder and holder != cid:
                errors.append({"line": row["line"],
                               "message": f"{ident} belongs to contact {holder}"})
        planned.append((cid, row))
    if errors:
        raise ValidationError(f"{len(errors)} bad row(s); nothing was imported.",
                              code="invalid_csv", details={"errors": errors[:csvio.MAX_ERRORS]})
    imported = skipped = 0
    ts = records.now(deps)
    for cid, row in planned:
        if deps.contacts.get(cid, consistent=True) is not None:
            skipped += 1                              # written by an earlier try of this file
            continue
        contact = records.blank(site_key, ts, name=row["name"], company=row["company"],
                                identities=row["identities"], tags=row["tags"],
                                notes=row["notes"], fields=row["fields"])
        contact["contact_id"] = cid
        if not deps.contacts.create(contact, row["identities"]):
            errors.append({"line": row["line"], "message": "an identity was taken meanwhile"})
            continue
        imported += 1
    audit.record(deps, actor, "contacts.imported", "site", site_key, site_key,
                 {"imported": imported, "skipped": skipped, "failed": len(errors)})
    log.info("contacts_imported", site_key=site_key, imported=imported, skipped=skipped)
    return {"imported": imported, "skipped": skipped, "errors": errors}
