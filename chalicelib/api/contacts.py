"""Contact and lead routes (/v1/agent/contacts..., /v1/agent/leads..., agent tokens) and the
custom field definitions (/v1/admin/contact-fields, admins). docs/contacts.md."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.common import bearer, get_deps, json_body, query, route, source_ip
from chalicelib.domain.validation import optional_int
from chalicelib.errors import Forbidden, NotFound, ValidationError
from chalicelib.services import sessions
from chalicelib.services.contacts import (leads, merging, privacy, records, segments,
                                          transfer)

bp = Blueprint(__name__)
admin_bp = Blueprint(__name__ + ".admin")
MAX_MS = 2 ** 53
MAX_IMPORT_BODY = 2_500_000     # a CSV import may exceed the 64 KB limit of other routes


def _actor(request):
    return sessions.agent_actor(get_deps(), bearer(request), source_ip(request))


def _list_query(q: dict) -> dict:
    out = {"limit": optional_int(q.get("limit"), "limit", records.PAGE, 1, 100),
           "before": optional_int(q.get("before"), "before", None, 0, MAX_MS)}
    for key in ("tag", "owner", "lead", "after"):
        value = q.get(key)
        if value is not None:
            if not isinstance(value, str) or not 0 < len(value) <= 64:
                raise ValidationError(f"'{key}' is 1-64 characters.", code="invalid_value",
                                      details={"field": key})
            out[key] = value
    return out


@route(bp, "/contacts", methods=["GET"])
def list_contacts():
    req = bp.current_request
    q = query(req)
    return records.list_contacts(get_deps(), _actor(req), q.get("site_key"), _list_query(q))


@route(bp, "/contacts/export", methods=["GET"])
def export_contacts():
    """The site's contacts (or one tag's) as CSV, UTF-8 with a BOM (supervisors, admins)."""
    req = bp.current_request
    q = query(req)
    tag = _list_query({"tag": q["tag"]}).get("tag") if q.get("tag") else None
    site = records.check_site(q.get("site_key"))
    text = transfer.export_csv(get_deps(), _actor(req), site, tag)
    return Response(body=text, status_code=200,
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="contacts-{site}.csv"'})


@route(bp, "/contacts/import", methods=["POST"])
def import_contacts():
    req = bp.current_request
    return transfer.import_csv(get_deps(), _actor(req), json_body(req, max_bytes=MAX_IMPORT_BODY))


@route(bp, "/contacts/search", methods=["POST"])
def search_contacts():
    """A segment's page: one index read (bounded), the other conditions in memory."""
    req = bp.current_request
    return segments.search(get_deps(), _actor(req), json_body(req))


@route(bp, "/contacts/bulk-tag", methods=["POST"])
def bulk_tag():
    req = bp.current_request
    return segments.bulk_tag(get_deps(), _actor(req), json_body(req))


@route(bp, "/segments", methods=["GET"])
def list_segments():
    req = bp.current_request
    return segments.list_saved(get_deps(), _actor(req), query(req).get("site_key"))


@route(bp, "/segments", methods=["POST"])
def save_segment():
    req = bp.current_request
    return segments.save(get_deps(), _actor(req), json_body(req))


@route(bp, "/segments/{segment_id}", methods=["DELETE"])
def delete_segment(segment_id):
    req = bp.current_request
    return segments.delete(get_deps(), _actor(req), query(req).get("site_key"), segment_id)


@route(bp, "/segments/{segment_id}/export", methods=["GET"])
def export_segment(segment_id):
    req = bp.current_request
    site = records.check_site(query(req).get("site_key"))
    text = segments.export_csv(get_deps(), _actor(req), site, segment_id)
    return Response(body=text, status_code=200,
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="segment-{site}.csv"'})


@route(bp, "/contact-fields", methods=["GET"])
def read_fields():
    """The site's field definitions for any agent (the contact view and segment filters)."""
    req = bp.current_request
    _actor(req)
    site = records.check_site(query(req).get("site_key"))
    return {"fields": records.field_defs(get_deps(), site)}


@route(bp, "/contacts/by-visitor/{visitor_id}", methods=["GET"])
def contact_of_visitor(visitor_id):
    req = bp.current_request
    actor, deps = _actor(req), get_deps()
    visitor = deps.visitors.get(visitor_id)
    if visitor is None:
        raise NotFound("No such visitor.", code="visitor_not_found")
    found = records.of_identity(deps, visitor["site_key"], f"visitor:{visitor_id}")
    if found is None:
        raise NotFound("This visitor has no contact yet.", code="contact_not_found")
    return records.get(deps, actor, found["contact_id"])


@route(bp, "/contacts/{contact_id}", methods=["GET"])
def get_contact(contact_id):
    req = bp.current_request
    return records.get(get_deps(), _actor(req), contact_id)


@route(bp, "/contacts/{contact_id}", methods=["PATCH"])
def update_contact(contact_id):
    req = bp.current_request
    return records.update(get_deps(), _actor(req), contact_id, json_body(req))


@route(bp, "/contacts/{contact_id}", methods=["DELETE"])
def erase_contact(contact_id):
    """Privacy erasure (admins): the contact, its visitors, conversations, messages,
    attachments and quality results."""
    return privacy.erase(get_deps(), _actor(bp.current_request), contact_id)


@route(bp, "/contacts/{contact_id}/export", methods=["GET"])
def export_contact(contact_id):
    """Privacy export (admins): everything held about the contact, as JSON."""
    return privacy.export(get_deps(), _actor(bp.current_request), contact_id)


@route(bp, "/contacts/{contact_id}/timeline", methods=["GET"])
def contact_timeline(contact_id):
    req = bp.current_request
    q = query(req)
    before = q.get("before")
    if before is not None and (not before.startswith("t#") or len(before) > 120):
        raise ValidationError("'before' is a timeline key.", code="invalid_value",
                              details={"field": "before"})
    return records.timeline(get_deps(), _actor(req), contact_id, before,
                            optional_int(q.get("limit"), "limit", 50, 1, 100))


@route(bp, "/contacts/{contact_id}/merge", methods=["POST"])
def merge_contact(contact_id):
    req = bp.current_request
    return merging.merge(get_deps(), _actor(req), contact_id, json_body(req))


@route(bp, "/leads", methods=["GET"])
def list_leads():
    """bucket: pool (unclaimed), mine (claimed by me), or a pipeline status."""
    req = bp.current_request
    actor, q = _actor(req), query(req)
    bucket = q.get("bucket") or "pool"
    if bucket not in ("pool", "mine") + leads.lead_rules.STATUSES:
        raise ValidationError("Unknown bucket.", code="invalid_value",
                              details={"field": "bucket"})
    lq = _list_query({k: v for k, v in q.items() if k in ("limit", "before")})
    if bucket == "mine":
        lq["owner"] = actor.id
    else:
        lq["lead"] = bucket
    return records.list_contacts(get_deps(), actor, q.get("site_key"), lq)


@route(bp, "/leads/due", methods=["GET"])
def due_leads():
    return leads.due_follow_ups(get_deps(), _actor(bp.current_request))


@route(bp, "/leads/{contact_id}/claim", methods=["POST"])
def claim_lead(contact_id):
    return leads.claim(get_deps(), _actor(bp.current_request), contact_id)


@route(bp, "/leads/{contact_id}/pipeline", methods=["POST"])
def move_lead(contact_id):
    req = bp.current_request
    return leads.move(get_deps(), _actor(req), contact_id, json_body(req))


@route(admin_bp, "/contact-fields", methods=["GET"])
def get_fields():
    req = admin_bp.current_request
    if _actor(req).role != "admin":
        raise Forbidden("Only admins define contact fields.", code="admin_only")
    site = records.check_site(query(req).get("site_key"))
    return {"fields": records.field_defs(get_deps(), site)}


@route(admin_bp, "/contact-fields", methods=["PUT"])
def put_fields():
    req = admin_bp.current_request
    return records.set_field_defs(get_deps(), _actor(req), query(req).get("site_key"),
                                  json_body(req))
