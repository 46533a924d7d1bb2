"""Admin REST routes (/v1/admin/...): agent tokens whose role is "admin".

Visitor tokens (and missing/expired tokens) get 401, other agent roles 403. One route is
readable by every agent: GET /v1/agent/canned (the `agent_bp` blueprint, mounted at
/v1/agent), so the console can expand "/shortcut" canned responses for any agent.
"""
from __future__ import annotations

import os

from chalice import Blueprint, Response

from chalicelib.api.common import bearer, get_deps, json_body, query, route
from chalicelib.api.principal import principal
from chalicelib.domain.validation import optional_int
from chalicelib.services import admin
from chalicelib.services import audit
from chalicelib.services import sessions
from chalicelib.services import signin

bp = Blueprint(__name__)
agent_bp = Blueprint(__name__ + ".agent")


def admin_actor(request):
    """The admin behind the request's agent token (the stored account must still be an
    enabled admin)."""
    actor = principal(request, "admin")   # the stored account's role, or an API key's scope
    admin.require_admin(actor)
    return actor


def _widget_url(request) -> str:
    configured = os.environ.get("PARLEY_WIDGET_URL")
    if configured:
        return configured
    headers = request.headers or {}
    host = headers.get("x-forwarded-host") or headers.get("host")
    if not host:
        return "/widget/parley.js"
    proto = (headers.get("x-forwarded-proto") or "http").split(",")[0].strip()
    return f"{proto}://{host}/widget/parley.js"


def _created(body: dict) -> Response:
    return Response(body=body, status_code=201)


# ---------------------------------------------------------------- agents
@route(bp, "/agents", methods=["GET"])
def list_agents():
    admin_actor(bp.current_request)
    return admin.list_agents(get_deps())


@route(bp, "/agents", methods=["POST"])
def create_agent():
    req = bp.current_request
    actor = admin_actor(req)
    return _created(admin.create_agent(get_deps(), json_body(req), actor))


@route(bp, "/agents/{agent_id}", methods=["PATCH"])
def update_agent(agent_id):
    req = bp.current_request
    actor = admin_actor(req)
    return admin.update_agent(get_deps(), actor, agent_id, json_body(req))


@route(bp, "/agents/{agent_id}/revoke-sessions", methods=["POST"])
def revoke_agent_sessions(agent_id):
    actor = admin_actor(bp.current_request)
    return signin.revoke_all(get_deps(), actor, agent_id)


# ---------------------------------------------------------------- teams
@route(bp, "/teams", methods=["GET"])
def list_teams():
    admin_actor(bp.current_request)
    return admin.list_teams(get_deps())


@route(bp, "/teams", methods=["POST"])
def create_team():
    req = bp.current_request
    actor = admin_actor(req)
    return _created(admin.create_team(get_deps(), json_body(req), actor))


@route(bp, "/teams/{team_id}", methods=["PATCH"])
def update_team(team_id):
    req = bp.current_request
    actor = admin_actor(req)
    return admin.update_team(get_deps(), team_id, json_body(req), actor)


@route(bp, "/teams/{team_id}", methods=["DELETE"])
def delete_team(team_id):
    actor = admin_actor(bp.current_request)
    return admin.delete_team(get_deps(), team_id, actor)


# ---------------------------------------------------------------- canned responses
@route(bp, "/canned", methods=["GET"])
def list_canned():
    admin_actor(bp.current_request)
    return admin.list_canned(get_deps())


@route(bp, "/canned", methods=["POST"])
def create_canned():
    req = bp.current_request
    actor = admin_actor(req)
    return _created(admin.create_canned(get_deps(), json_body(req), actor))


@route(bp, "/canned/{item_id}", methods=["PATCH"])
def update_canned(item_id):
    req = bp.current_request
    actor = admin_actor(req)
    return admin.update_canned(get_deps(), item_id, json_body(req), actor)


@route(bp, "/canned/{item_id}", methods=["DELETE"])
def delete_canned(item_id):
    actor = admin_actor(bp.current_request)
    return admin.delete_canned(get_deps(), item_id, actor)


@route(agent_bp, "/canned", methods=["GET"])
def agent_canned():
    """Any agent may read the canned responses (the console expands /shortcuts)."""
    sessions.agent_actor(get_deps(), bearer(agent_bp.current_request))
    return admin.list_canned(get_deps())


# ---------------------------------------------------------------- sites
@route(bp, "/sites", methods=["GET"])
def list_sites():
    admin_actor(bp.current_request)
    return admin.list_sites(get_deps())


@route(bp, "/sites", methods=["POST"])
def create_site():
    req = bp.current_request
    actor = admin_actor(req)
    return _created(admin.create_site(get_deps(), json_body(req), _widget_url(req), actor))


@route(bp, "/sites/{site_key}", methods=["GET"])
def get_site(site_key):
    req = bp.current_request
    admin_actor(req)
    return admin.get_site(get_deps(), site_key, _widget_url(req))


@route(bp, "/sites/{site_key}", methods=["PUT"])
def put_site(site_key):
    req = bp.current_request
    actor = admin_actor(req)
    return admin.put_site(get_deps(), site_key, json_body(req), _widget_url(req), actor)


@route(bp, "/sites/{site_key}/identity-secret", methods=["POST"])
def reveal_site_secret(site_key):
    actor = admin_actor(bp.current_request)
    return admin.reveal_secret(get_deps(), actor, site_key)


@route(bp, "/sites/{site_key}/identity-secret/rotate", methods=["POST"])
def rotate_site_secret(site_key):
    actor = admin_actor(bp.current_request)
    return admin.rotate_secret(get_deps(), actor, site_key)


@route(bp, "/sites/{site_key}/identity-secret/finish", methods=["POST"])
def finish_site_secret_rotation(site_key):
    actor = admin_actor(bp.current_request)
    return admin.finish_rotation(get_deps(), actor, site_key)


# ---------------------------------------------------------------- audit log
@route(bp, "/audit", methods=["GET"])
def audit_log():
    req = bp.current_request
    admin_actor(req)
    q = query(req)
    return audit.list_entries(get_deps(),
                              optional_int(q.get("from"), "from", None, 0, 2 ** 53),
                              optional_int(q.get("to"), "to", None, 0, 2 ** 53),
                              q.get("actor") or None, q.get("action") or None,
                              optional_int(q.get("limit"), "limit", 50, 1, 200),
                              q.get("cursor") or None)
