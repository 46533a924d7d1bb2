"""Segments: filter contacts (domain/contacts/segments.py says how a page is computed), save a
filter under a name, export a segment as CSV, tag every contact of a segment.

Each request reads at most SCAN_BUDGET index items and answers the matches among them with a
cursor to continue; export and bulk tag walk pages the same way, bounded per request
(MAX_EXPORT rows, one page of tagging per call: the client repeats with `next`)."""
from __future__ import annotations

import uuid

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import csvio
from chalicelib.domain.contacts import segments as rules
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import Forbidden, NotFound
from chalicelib.services import audit
from chalicelib.services.contacts import records

READ_PAGE = 100
MAX_SEGMENTS = 100
MAX_EXPORT = 5000
CURSOR = Field(dict, nullable=True, schema={"before": Field(int, min=0, max=2 ** 53),
                                             "after": Field(str, min_len=1, max_len=64)})
SEARCH = {"site_key": Field(str, required=True, min_len=1, max_len=64, pattern=SITE_KEY_RE),
          "filter": Field(dict, required=True), "next": CURSOR,
          "limit": Field(int, min=1, max=100)}
BULK = {**SEARCH, "tag": Field(str, required=True, min_len=1, max_len=40)}
SAVE = {"site_key": Field(str, required=True, min_len=1, max_len=64, pattern=SITE_KEY_RE),
        "name": Field(str, required=True, min_len=1, max_len=100),
        "filter": Field(dict, required=True)}


def _read(deps, site: str, index: str, key, cursor: dict | None, limit: int):
    """One index page: (contacts, next cursor or None)."""
    cursor = cursor or {}
    if index == "tag":
        got = deps.contacts.by_tag(site, key, cursor.get("after"), limit)
        rows = [c for c in (deps.contacts.get(i) for i in got) if c]
        return rows, ({"after": got[-1]} if len(got) == limit else None)
    fetch = {"owner": lambda: deps.contacts.by_owner(site, key, cursor.get("before"), limit),
             "lead": lambda: deps.contacts.by_lead(site, key, cursor.get("before"), limit),
             "site": lambda: deps.contacts.by_site(site, cursor.get("before"), limit)}[index]
    rows = fetch()
    return rows, ({"before": rows[-1]["updated_at"]} if len(rows) == limit else None)


def page(deps, site: str, f: dict, cursor: dict | None, want: int) -> dict:
    index, key = rules.index_for(f)
    found, scanned = [], 0
    while scanned < rules.SCAN_BUDGET and len(found) < want:
        rows, cursor = _read(deps, site, index, key, cursor,
                             min(READ_PAGE, rules.SCAN_BUDGET - scanned))
        scanned += len(rows)
        found += [c for c in rows if rules.matches(c, f)]
        if cursor is None:
            break
    return {"contacts": found, "next": cursor, "scanned": scanned, "index": index}


def search(deps, actor: Actor, payload: dict) -> dict:
    body = validate(payload, SEARCH)
    f = rules.check(body["filter"])
    got = page(deps, body["site_key"], f, body.get("next"), body.get("limit") or 50)
    return {**got, "contacts": [records.view(c) for c in got["contacts"]]}


def bulk_tag(deps, actor: Actor, payload: dict) -> dict:
    if not actor.is_supervisor:
        raise Forbidden("Supervisors and admins tag a segment.", code="forbidden")
    body = validate(payload, BULK)
    f = rules.check(body["filter"])
    got = page(deps, body["site_key"], f, body.get("next"), 100)
    tagged = 0
    for c in got["contacts"]:
        if body["tag"] in (c.get("tags") or ()) or len(c.get("tags") or ()) >= records.MAX_TAGS:
            continue
        try:
            records.commit(deps, c, {**c, "tags": sorted(set(c.get("tags") or ()) | {body["tag"]})},
                           actor.id)
            tagged += 1
        except Exception as exc:          # noqa: BLE001: changed meanwhile; the next run
            log.warning("bulk_tag_skipped", contact_id=c["contact_id"], error=repr(exc))
    return {"tagged": tagged, "matched": len(got["contacts"]), "next": got["next"]}


def save(deps, actor: Actor, payload: dict) -> dict:
    body = validate(payload, SAVE)
    f = rules.check(body["filter"])
    if len(deps.contacts.list_settings(body["site_key"], "segment#")) >= MAX_SEGMENTS:
        raise Forbidden("Too many saved segments.", code="too_many_items")
    seg = {"segment_id": f"sg_{uuid.uuid4().hex[:16]}", "name": body["name"], "filter": f,
           "by": actor.id, "created_at": records.now(deps)}
    deps.contacts.put_setting(body["site_key"], f"segment#{seg['segment_id']}", seg)
    return {"segment": seg}


def list_saved(deps, actor: Actor, site_key) -> dict:
    site = records.check_site(site_key)
    return {"segments": deps.contacts.list_settings(site, "segment#")}


def _get(deps, site: str, segment_id: str) -> dict:
    seg = deps.contacts.get_setting(site, f"segment#{segment_id}") \
        if isinstance(segment_id, str) and len(segment_id) <= 64 else None
    if seg is None:
        raise NotFound("No such segment.", code="segment_not_found")
    return seg


def delete(deps, actor: Actor, site_key, segment_id: str) -> dict:
    site = records.check_site(site_key)
    _get(deps, site, segment_id)
    deps.contacts.delete_item(f"site#{site}", f"segment#{segment_id}")
    return {"deleted": segment_id}


def export_csv(deps, actor: Actor, site_key, segment_id: str) -> str:
    if not actor.is_supervisor:
        raise Forbidden("Supervisors and admins export contacts.", code="forbidden")
    site = records.check_site(site_key)
    seg = _get(deps, site, segment_id)
    rows, cursor = [], None
    while len(rows) < MAX_EXPORT:
        got = page(deps, site, seg["filter"], cursor, MAX_EXPORT - len(rows))
        rows += got["contacts"]
        cursor = got["next"]
        if cursor is None:
            break
    audit.record(deps, actor, "contacts.exported", "segment", segment_id, site,
                 {"rows": len(rows)})
    return csvio.export(rows[:MAX_EXPORT], records.field_defs(deps, site))
