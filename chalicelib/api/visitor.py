"""Visitor-facing REST routes (/v1/visitor/...): visitor tokens only."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.conversation_routes import add_conversation_routes
from chalicelib.api.common import route, bearer, get_deps, json_body, optional_bearer
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, routing, sessions

bp = Blueprint(__name__)


def _actor(request):
    return sessions.visitor_actor(get_deps(), bearer(request))


add_conversation_routes(bp, _actor, "visitor")


@route(bp, "/sessions", methods=["POST"])
def open_session():
    req = bp.current_request
    return sessions.start_session(get_deps(), json_body(req), optional_bearer(req),
                                  identity_check=_identity_check)


def _identity_check(site, user_id, digest):
    from chalicelib.services.sites import verify_identity
    return verify_identity(get_deps(), site, user_id, digest)


@route(bp, "/conversations", methods=["GET"])
def my_conversations():
    req = bp.current_request
    return convs.list_for_visitor(get_deps(), _actor(req))


@route(bp, "/sites/{site_key}", methods=["GET"])
def site_config(site_key):
    from chalicelib.services import sites
    return sites.public_config(get_deps(), site_key)


@route(bp, "/conversations/{conversation_id}/handoff", methods=["POST"])
def handoff(conversation_id):
    req = bp.current_request
    return routing.visitor_handoff(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/rating", methods=["POST"])
def rating(conversation_id):
    req = bp.current_request
    return lifecycle.rate(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/offline-message", methods=["POST"])
def offline_message(conversation_id):
    req = bp.current_request
    return lifecycle.leave_offline_message(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/close", methods=["POST"])
def close_conversation(conversation_id):
    req = bp.current_request
    return lifecycle.visitor_close(get_deps(), _actor(req), conversation_id)


@route(bp, "/conversations/{conversation_id}/bot-feedback", methods=["POST"])
def bot_feedback(conversation_id):
    from chalicelib.services import bot_learning
    req = bp.current_request
    return bot_learning.visitor_feedback(get_deps(), _actor(req), conversation_id, json_body(req))
