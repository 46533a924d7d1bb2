"""Manual QA review routes (/v1/agent/qa-review/...): agent tokens; who may do what is
decided in services/qa_review.py (reviewers, the reviewed agent, supervisors, admins)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.common import bearer, get_deps, json_body, query, route, source_ip
from chalicelib.services import qa_review, sessions

bp = Blueprint(__name__)


def _actor(request):
    return sessions.agent_actor(get_deps(), bearer(request), source_ip(request))


@route(bp, "/rubrics", methods=["GET"])
def qa_list_rubrics():
    return qa_review.list_rubrics(get_deps(), _actor(bp.current_request))


@route(bp, "/rubrics/{team}", methods=["GET"])
def qa_get_rubric(team):
    return qa_review.get_rubric(get_deps(), _actor(bp.current_request), team)


@route(bp, "/rubrics/{team}", methods=["PUT"])
def qa_put_rubric(team):
    req = bp.current_request
    return qa_review.put_rubric(get_deps(), _actor(req), team, json_body(req))


@route(bp, "/rubrics/{team}", methods=["DELETE"])
def qa_delete_rubric(team):
    return qa_review.delete_rubric(get_deps(), _actor(bp.current_request), team)


@route(bp, "/queue", methods=["GET"])
def qa_review_queue():
    req = bp.current_request
    return qa_review.list_queue(get_deps(), _actor(req), query(req))


@route(bp, "/mine", methods=["GET"])
def qa_my_reviews():
    req = bp.current_request
    return qa_review.list_mine(get_deps(), _actor(req), query(req))


@route(bp, "/reviews/{conversation_id}", methods=["GET"])
def qa_get_review(conversation_id):
    return qa_review.get_review(get_deps(), _actor(bp.current_request), conversation_id)


@route(bp, "/reviews/{conversation_id}", methods=["POST"])
def qa_submit_review(conversation_id):
    req = bp.current_request
    return qa_review.submit(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/reviews/{conversation_id}/acknowledge", methods=["POST"])
def qa_acknowledge(conversation_id):
    req = bp.current_request
    json_body(req)                                  # an empty or {} body; junk is a 4xx
    return qa_review.acknowledge(get_deps(), _actor(req), conversation_id)


@route(bp, "/reviews/{conversation_id}/dispute", methods=["POST"])
def qa_dispute(conversation_id):
    req = bp.current_request
    return qa_review.dispute(get_deps(), _actor(req), conversation_id, json_body(req))


@route(bp, "/reviews/{conversation_id}/settle", methods=["POST"])
def qa_settle(conversation_id):
    req = bp.current_request
    return qa_review.settle(get_deps(), _actor(req), conversation_id, json_body(req))
