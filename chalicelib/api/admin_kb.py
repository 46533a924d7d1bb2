"""Knowledge-base administration (/v1/admin/kb/...): agent tokens with role "admin" only.

``site_key`` (query string, or body for writes) defaults to ``_common``, the base shared
by every site. Logic lives in chalicelib/services/bot.py; changes and exports go through
chalicelib/services/kb_admin.py, which records them in the audit log.
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.common import get_deps, json_body, query, route
from chalicelib.services import bot as bot_service
from chalicelib.services import bot_learning, kb_admin

bp = Blueprint(__name__)

MAX_IMPORT_BODY = 2_500_000  # a CSV import may exceed the 64 KB limit of other routes


def _admin(request):
    from chalicelib.api.admin import admin_actor
    return admin_actor(request)


def _site_param(request):
    return query(request).get("site_key")


@route(bp, "/", methods=["GET"])
def list_entries():
    req = bp.current_request
    _admin(req)
    q = query(req)
    return bot_service.list_entries(get_deps(), q.get("site_key"), q.get("q"))


@route(bp, "/", methods=["POST"])
def create_entry():
    req = bp.current_request
    actor = _admin(req)
    return Response(body=kb_admin.create_entry(get_deps(), actor, json_body(req)),
                    status_code=201)


@route(bp, "/import", methods=["POST"])
def import_csv():
    req = bp.current_request
    actor = _admin(req)
    body = json_body(req, max_bytes=MAX_IMPORT_BODY)
    return kb_admin.import_entries(get_deps(), actor, body)


@route(bp, "/export", methods=["GET"])
def export_csv():
    req = bp.current_request
    actor = _admin(req)
    site_key = _site_param(req) or bot_service.COMMON
    text = kb_admin.export_entries(get_deps(), actor, site_key)
    return Response(body=text, status_code=200,
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition":
                                 f'attachment; filename="kb-{site_key.replace("/", "-")}.csv"'})


@route(bp, "/proposals", methods=["GET"])
def proposals():
    req = bp.current_request
    _admin(req)
    return bot_service.proposals(get_deps(), _site_param(req))


@route(bp, "/figures", methods=["GET"])
def figures():
    req = bp.current_request
    _admin(req)
    q = query(req)
    return bot_service.figures(get_deps(), q.get("site_key"), q)


@route(bp, "/duplicates", methods=["GET"])
def duplicates():
    req = bp.current_request
    _admin(req)
    return bot_service.duplicates(get_deps(), _site_param(req))


@route(bp, "/synonyms", methods=["GET"])
def get_synonyms():
    req = bp.current_request
    _admin(req)
    return bot_service.get_synonyms(get_deps(), _site_param(req))


@route(bp, "/synonyms", methods=["PUT"])
def put_synonyms():
    req = bp.current_request
    actor = _admin(req)
    return kb_admin.put_synonyms(get_deps(), actor, json_body(req), _site_param(req))


@route(bp, "/flows", methods=["GET"])
def get_flows():
    req = bp.current_request
    _admin(req)
    return bot_service.get_flows(get_deps(), _site_param(req))


@route(bp, "/flows", methods=["PUT"])
def put_flows():
    req = bp.current_request
    actor = _admin(req)
    return kb_admin.put_flows(get_deps(), actor, json_body(req), _site_param(req))


@route(bp, "/flows/test", methods=["POST"])
def dry_run_flow():
    from chalicelib.services.bot_flows import dry_run
    req = bp.current_request
    _admin(req)
    return dry_run(get_deps(), json_body(req))


@route(bp, "/labels", methods=["GET"])
def list_labels():
    req = bp.current_request
    _admin(req)
    return bot_learning.list_labels(get_deps(), _site_param(req))


@route(bp, "/labels", methods=["POST"])
def add_label():
    req = bp.current_request
    _admin(req)
    return Response(body=bot_learning.add_label(get_deps(), json_body(req)), status_code=201)


@route(bp, "/labels/{label_id}/approve", methods=["POST"])
def approve_label(label_id):
    req = bp.current_request
    _admin(req)
    return bot_learning.approve_label(get_deps(), label_id, json_body(req))


@route(bp, "/labels/{label_id}", methods=["DELETE"])
def reject_label(label_id):
    req = bp.current_request
    _admin(req)
    return bot_learning.reject_label(get_deps(), label_id, _site_param(req))


@route(bp, "/{entry_id}", methods=["PUT"])
def update_entry(entry_id):
    req = bp.current_request
    actor = _admin(req)
    return kb_admin.update_entry(get_deps(), actor, entry_id, json_body(req),
                                 _site_param(req))


@route(bp, "/{entry_id}", methods=["DELETE"])
def delete_entry(entry_id):
    req = bp.current_request
    actor = _admin(req)
    return kb_admin.delete_entry(get_deps(), actor, entry_id, _site_param(req))
