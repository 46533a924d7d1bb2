"""Visitor-facing REST routes (/v1/visitor/...): visitor tokens only."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.common import route, bearer, get_deps, json_body, optional_bearer, query
from chalicelib.domain.validation import optional_int
from chalicelib.services import conversations as convs
from chalicelib.services import sessions

bp = Blueprint(__name__)


def _actor(request):
    return sessions.visitor_actor(get_deps(), bearer(request))


@route(bp, "/sessions", methods=["POST"])
def open_session():
    req = bp.current_request
    return sessions.start_session(get_deps(), json_body(req), optional_bearer(req),
                                  identity_check=_identity_check)


def _identity_check(site, user_id, digest):
    from chalicelib.domain.identity import verify_identity
    return verify_identity(site.get("identity_secret"), user_id, digest)


@route(bp, "/conversations", methods=["GET"])
def my_conversations():
    req = bp.current_request
    return convs.list_for_visitor(get_deps(), _actor(req))


@route(bp, "/conversations/{conversation_id}/messages", methods=["GET"])
def list_messages(conversation_id):
    req = bp.current_request
    q = query(req)
    return convs.history(get_deps(), _actor(req), conversation_id,
                         after=optional_int(q.get("after"), "after", None, 0, 10**12),
                         before=optional_int(q.get("before"), "before", None, 1, 10**12),
                         limit=optional_int(q.get("limit"), "limit", 50, 1, 200))


@route(bp, "/conversations/{conversation_id}/messages", methods=["POST"])
def send_message(conversation_id):
    req = bp.current_request
    message, created = convs.post_message(get_deps(), _actor(req), conversation_id,
                                          json_body(req))
    from chalice import Response
    return Response(body={"message": message, "duplicate": not created},
                    status_code=201 if created else 200)


@route(bp, "/conversations/{conversation_id}/poll", methods=["GET"])
def long_poll(conversation_id):
    req = bp.current_request
    q = query(req)
    return convs.poll(get_deps(), _actor(req), conversation_id,
                      after=optional_int(q.get("after"), "after", 0, 0, 10**12),
                      rev=optional_int(q.get("rev"), "rev", None, 0, 10**12),
                      wait=optional_int(q.get("wait"), "wait", 20, 0, 60))


@route(bp, "/conversations/{conversation_id}/read", methods=["POST"])
def mark_read(conversation_id):
    req = bp.current_request
    return convs.mark_read(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/typing", methods=["POST"])
def typing(conversation_id):
    req = bp.current_request
    return convs.set_typing(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/attachments", methods=["POST"])
def request_upload(conversation_id):
    req = bp.current_request
    return convs.request_upload(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/sites/{site_key}", methods=["GET"])
def site_config(site_key):
    from chalicelib.services import sites
    return sites.public_config(get_deps(), site_key)


@route(bp, "/conversations/{conversation_id}/handoff", methods=["POST"])
def handoff(conversation_id):
    from chalicelib.services import queue
    req = bp.current_request
    return queue.visitor_handoff(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/rating", methods=["POST"])
def rating(conversation_id):
    from chalicelib.services import queue
    req = bp.current_request
    return queue.rate(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/offline-message", methods=["POST"])
def offline_message(conversation_id):
    from chalicelib.services import queue
    req = bp.current_request
    return queue.leave_offline_message(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/conversations/{conversation_id}/close", methods=["POST"])
def close(conversation_id):
    from chalicelib.services import queue
    req = bp.current_request
    return queue.visitor_close(get_deps(), _actor(req), conversation_id)
