"""Agent-facing REST routes (/v1/agent/...): agent tokens only."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.conversation_routes import add_conversation_routes
from chalicelib.api.common import route, bearer, get_deps, json_body, query, source_ip
from chalicelib.api.principal import principal
from chalicelib.domain.validation import optional_int
from chalicelib.services import agents
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, presence, routing
from chalicelib.services import sessions
from chalicelib.services import signin
from chalicelib.services import supervision

bp = Blueprint(__name__)


def _actor(request):
    return principal(request, "agent")     # an agent token, or an API key in its scope


def _self(request):
    """Routes about the signed-in agent's own account and session: agent tokens only."""
    return sessions.agent_actor(get_deps(), bearer(request), source_ip(request))


add_conversation_routes(bp, _actor, "agent")


@route(bp, "/login", methods=["POST"])
def login():
    req = bp.current_request
    return signin.login(get_deps(), json_body(req), source_ip(req))


@route(bp, "/token", methods=["POST"])
def refresh_token():
    return signin.refresh(get_deps(), _self(bp.current_request))


@route(bp, "/logout", methods=["POST"])
def logout():
    return signin.sign_out(get_deps(), _self(bp.current_request))


@route(bp, "/password", methods=["PUT"])
def change_password():
    req = bp.current_request
    return signin.change_password(get_deps(), _self(req), json_body(req))


@route(bp, "/revoke-sessions", methods=["POST"])
def revoke_sessions():
    return signin.revoke_all(get_deps(), _self(bp.current_request))


@route(bp, "/me", methods=["GET"])
def me():
    return agents.me(get_deps(), _self(bp.current_request))


@route(bp, "/conversations", methods=["GET"])
def list_conversations():
    req = bp.current_request
    q = query(req)
    return agents.list_conversations(get_deps(), _actor(req), q.get("status"),
                                     optional_int(q.get("limit"), "limit", 50, 1, 200),
                                     optional_int(q.get("before"), "before", None, 0,
                                                  2 ** 53))


@route(bp, "/changes", methods=["GET"])
def changes():
    """Re-sync after a reconnect: conversations changed since `since` (ms)."""
    req = bp.current_request
    q = query(req)
    return agents.changes_since(get_deps(), _actor(req),
                                optional_int(q.get("since"), "since", None, 0, 2 ** 53),
                                optional_int(q.get("limit"), "limit", agents.CHANGES_PAGE, 1,
                                             agents.CHANGES_PAGE))


@route(bp, "/conversations/{conversation_id}", methods=["GET"])
def get_conversation(conversation_id):
    req = bp.current_request
    return agents.get_conversation(get_deps(), _actor(req), conversation_id)


@route(bp, "/conversations/{conversation_id}/join", methods=["POST"])
def join(conversation_id):
    req = bp.current_request
    return {"conversation": supervision.join(get_deps(), _actor(req), conversation_id)}


@route(bp, "/conversations/{conversation_id}/leave", methods=["POST"])
def leave(conversation_id):
    req = bp.current_request
    return {"conversation": convs.leave(get_deps(), _actor(req), conversation_id)}


# ------------------------------------------------------------------ live supervision
@route(bp, "/conversations/{conversation_id}/whisper", methods=["POST"])
def whisper(conversation_id):
    req = bp.current_request
    message, created = supervision.whisper(get_deps(), _actor(req), conversation_id,
                                           json_body(req))
    return Response(body={"message": message, "duplicate": not created},
                    status_code=201 if created else 200)


@route(bp, "/conversations/{conversation_id}/barge-in", methods=["POST"])
def barge_in(conversation_id):
    req = bp.current_request
    return supervision.barge_in(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/watch", methods=["POST"])
def watch(conversation_id):
    req = bp.current_request
    return supervision.watch(get_deps(), _actor(req), conversation_id, json_body(req))


# ------------------------------------------------------------------ queue and assignment
@route(bp, "/status", methods=["PUT"])
def set_status():
    req = bp.current_request
    return {"agent": presence.set_status(get_deps(), _actor(req), json_body(req))}


@route(bp, "/queue", methods=["GET"])
def waiting_queue():
    return routing.list_queue(get_deps(), _actor(bp.current_request))


@route(bp, "/agents", methods=["GET"])
def all_agents():
    return presence.list_agents(get_deps(), _actor(bp.current_request))


@route(bp, "/conversations/{conversation_id}/accept", methods=["POST"])
def accept(conversation_id):
    return lifecycle.accept(get_deps(), _actor(bp.current_request), conversation_id)


@route(bp, "/conversations/{conversation_id}/transfer", methods=["POST"])
def transfer(conversation_id):
    req = bp.current_request
    return lifecycle.transfer(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/reassign", methods=["POST"])
def reassign(conversation_id):
    req = bp.current_request
    return supervision.reassign(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/close", methods=["POST"])
def close_conversation(conversation_id):
    return lifecycle.close(get_deps(), _actor(bp.current_request), conversation_id)


@route(bp, "/conversations/{conversation_id}/reopen", methods=["POST"])
def reopen(conversation_id):
    return lifecycle.reopen(get_deps(), _actor(bp.current_request), conversation_id)


@route(bp, "/conversations/{conversation_id}/tags", methods=["POST"])
def tags(conversation_id):
    req = bp.current_request
    return lifecycle.set_tags(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/visitors", methods=["GET"])
def lookup_visitors():
    req = bp.current_request
    q = query(req)
    return agents.lookup_visitors(get_deps(), _actor(req), q.get("q"),
                                  optional_int(q.get("limit"), "limit", 10, 1, 25))


@route(bp, "/visitors/{visitor_id}", methods=["PATCH"])
def update_visitor(visitor_id):
    req = bp.current_request
    return lifecycle.update_visitor(get_deps(), _actor(req), visitor_id, json_body(req))
