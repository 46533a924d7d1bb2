"""Chat records routes (/v1/agent/records...): agent tokens. Supervisors and admins see every
record; agents their own and their teams' (chalicelib/domain/records.visible)."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.common import bearer, get_deps, json_body, query, route
from chalicelib.services import sessions
from chalicelib.services.records import export, search

bp = Blueprint(__name__)


def _actor(request):
    return sessions.agent_actor(get_deps(), bearer(request))


@route(bp, "/records", methods=["GET"])
def records():
    req = bp.current_request
    return search.search(get_deps(), _actor(req), query(req))


@route(bp, "/records/{conversation_id}/transcript", methods=["GET"])
def transcript(conversation_id):
    req = bp.current_request
    return search.transcript(get_deps(), _actor(req), conversation_id)


@route(bp, "/records/exports", methods=["POST"])
def start_export():
    """A small export answers with the file; a large one with 202 and the job to poll."""
    req = bp.current_request
    actor = _actor(req)
    got = export.request(get_deps(), actor, json_body(req))
    if not got["inline"]:
        return Response(body={"export": got["export"]}, status_code=202)
    return Response(body=got["data"].decode("utf-8"), status_code=200,
                    headers={"Content-Type": got["content_type"],
                             "Content-Disposition":
                                 f'attachment; filename="{got["filename"]}"',
                             "Cache-Control": "no-store"})


@route(bp, "/records/exports/{export_id}", methods=["GET"])
def export_status(export_id):
    req = bp.current_request
    return export.status(get_deps(), _actor(req), export_id)
